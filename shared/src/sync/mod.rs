//! Offline terminals and the hub: what travels between them and the rules both sides apply.
//!
//! A terminal writes every command on its own disk first and answers at local speed; a sync
//! task pushes its pending commands, in order, to the hub, which applies each exactly once
//! by command id and answers accepted or rejected; the terminal follows the hub's event log
//! after its cursor and mirrors each order the hub reports. These rules are pure so that the
//! server and the deterministic simulation (`sim`, under test) decide the same way.

pub mod actions;
pub mod mirror;
pub mod protocol;
pub mod validate;

pub use actions::{actions_from_events, MoveAction};
pub use mirror::{applicable, mirror_decision, Mirror};
pub use validate::validate_placed;

#[cfg(test)]
mod sim;
pub use protocol::*;
