//! Orders: placing them, moving them through their lifecycle, reading them back, the
//! kitchen's view and the pickup board, and the ticket-age alert.
//!
//! What an order change *causes* (a card step, an email, an audit row, stock coming back, an
//! alert) is not decided here: each change is handed to [`crate::service::reactions`], which
//! writes the follow-up work in the same transaction.

pub mod audit;
pub mod board_feed;
pub mod kitchen;
mod place;
mod read;
mod sale;
pub mod sla;
mod tip;
mod transition;
pub mod view;
mod void;

pub use place::place;
pub use read::{board, get, list, BOARD_TICKETS_PER_COLUMN};
pub use sale::placed_events;
pub use tip::adjust_tip;
pub use transition::{transition, transition_in, transition_paying};
pub use void::{void, void_line_in, VoidAsk};

use crate::service::ServiceError;
use crate::store::StoreError;

/// How a card terminal's approval code is kept, so it is never mistaken for a gateway reference.
pub const TERMINAL_PREFIX: &str = "terminal:";

/// An answer body as JSON (a failure here is ours, not the client's).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ServiceError> {
    serde_json::to_string(value).map_err(encoding)
}

/// [`to_json`], kept as JSON text to embed in other JSON (an event's `order`).
pub(crate) fn to_raw_json<T: serde::Serialize>(value: &T) -> Result<Box<serde_json::value::RawValue>, ServiceError> {
    serde_json::value::to_raw_value(value).map_err(encoding)
}

fn encoding(e: serde_json::Error) -> ServiceError {
    ServiceError::Store(StoreError::internal(e.to_string()))
}
