//! The pickup board and the kitchen display.

use super::OrderDto;
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// What the pickup board shows: today's open tickets by number and first name only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BoardDto {
    /// Placed, accepted or being made, oldest first.
    pub preparing: Vec<BoardTicket>,
    /// Ready for pickup, oldest first.
    pub ready: Vec<BoardTicket>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BoardTicket {
    pub ticket_number: i64,
    /// The ticket as called out (`17`, `A-17`).
    #[serde(default)]
    pub ticket: String,
    /// The customer's first name (nothing more leaves the counter).
    pub name: String,
}

/// What a kitchen display starts from: today's open tickets (placed, accepted, preparing,
/// ready), oldest first, and the event sequence they are current as of. Follow
/// `GET /api/v1/events?after=<after>` from there and no change is missed or applied twice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KitchenDto {
    pub after: i64,
    pub orders: Vec<OrderDto>,
    /// Seconds after which a ticket shows amber, then red.
    pub ticket_warn_seconds: u32,
    pub ticket_late_seconds: u32,
}
