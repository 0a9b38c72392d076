//! Crema's domain: the rules of a coffee shop's orders, free of I/O.
//!
//! Everything here is pure so it can be tested exhaustively and compiled to wasm for the
//! screens. The server owns storage and transport; this crate owns what is *allowed*:
//! how money is added up and taxed ([`money`], [`tax`], [`totals`]), what a menu holds
//! ([`menu`]), what a discount may take off ([`discount`]), whether a new order makes sense against it ([`placing`]), and which status
//! changes an order may go through ([`lifecycle`]). Wire types shared with the screens
//! live in [`api`].

pub mod api;
pub mod close;
pub mod customer;
pub mod discount;
pub mod events;
pub mod kitchen_ticket;
pub mod lifecycle;
pub mod menu;
pub mod menu_edit;
pub mod money;
pub mod paying;
pub mod placing;
pub mod printer;
pub mod privacy;
pub mod receipt;
pub mod refund;
pub mod report;
pub mod retry;
pub mod settings;
pub mod split;
pub mod staff;
pub mod status;
pub mod stock;
pub mod sync;
pub mod tax;
pub mod terminal;
#[cfg(test)]
pub(crate) mod test_orders;
pub mod tip;
pub mod totals;
pub mod validation;
pub mod void;

pub use money::{Currency, Money};
pub use validation::{FieldError, ValidationErrors};
