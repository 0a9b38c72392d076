//! The wire types of `POST /api/v1/sync/commands`, `GET /api/v1/sync/events` and
//! `GET /api/v1/sync/status`.

use super::actions::MoveAction;
use crate::api::OrderDto;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The most commands one push may carry.
pub const MAX_PUSH: usize = 200;
/// The most events one pull returns.
pub const MAX_PULL: usize = 500;

/// One command a terminal wrote locally, as it travels to the hub.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CommandEnvelope {
    /// The command's UUIDv7, made on the terminal: the hub applies each id once.
    pub id: Uuid,
    /// When the terminal wrote it.
    pub at: DateTime<Utc>,
    /// Who was signed in on the terminal.
    pub staff_id: Option<Uuid>,
    pub command: SyncCommand,
}

/// What a terminal did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub enum SyncCommand {
    /// A sale: the order as the terminal placed it (its id, its ticket, its prices, its tender).
    Place { order: Box<OrderDto> },
    /// Lifecycle steps on an order, in the order they were taken.
    Move { order_id: Uuid, actions: Vec<MoveAction> },
    /// An item or option 86'd (or back) on the terminal.
    Availability { target: AvailabilityTarget, id: Uuid, available: bool },
}

/// What a terminal 86'd.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub enum AvailabilityTarget {
    Item,
    Option,
}

impl SyncCommand {
    /// The order the command is about (none for an 86).
    pub fn order_id(&self) -> Option<Uuid> {
        match self {
            SyncCommand::Place { order } => Some(order.id),
            SyncCommand::Move { order_id, .. } => Some(*order_id),
            SyncCommand::Availability { .. } => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushRequest {
    /// In the order the terminal wrote them (at most 200).
    pub commands: Vec<CommandEnvelope>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushResponse {
    /// One per command, in the request's order.
    pub outcomes: Vec<CommandOutcome>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CommandOutcome {
    pub id: Uuid,
    pub outcome: Outcome,
}

/// What the hub made of a command (the same answer however often it is asked).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub enum Outcome {
    /// Applied; `sequence` is the last hub event it wrote.
    Accepted { sequence: Option<i64> },
    /// Not applied, and never will be: the terminal shows it until someone acknowledges it.
    Rejected {
        reason: RejectReason,
        /// What a person reads ("Order A-42 was already cancelled on Till B").
        detail: String,
        /// The order as the hub has it, to replace the terminal's provisional copy.
        order: Option<Box<OrderDto>>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub enum RejectReason {
    /// Another terminal (or the hub) changed the order first.
    Conflict,
    /// The command itself does not make sense (a bad ticket label, totals that do not add up).
    Invalid,
    /// The order is not known to the hub.
    NotFound,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Conflict => "conflict",
            RejectReason::Invalid => "invalid",
            RejectReason::NotFound => "not_found",
        }
    }

    pub fn parse(s: &str) -> Option<RejectReason> {
        [RejectReason::Conflict, RejectReason::Invalid, RejectReason::NotFound].into_iter().find(|r| r.as_str() == s)
    }
}

/// Events of the hub's log after a cursor, each order event with the order as it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PullResponse {
    pub events: Vec<PulledEvent>,
    /// The hub's newest sequence (the terminal is current when its cursor reaches it).
    pub latest_sequence: i64,
    /// The hub's menu version: a terminal with another one fetches the snapshot.
    pub menu_version: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PulledEvent {
    pub sequence: i64,
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: String,
    pub subject: Option<String>,
    pub time: DateTime<Utc>,
    pub data: serde_json::Value,
    /// For an order event: the order as the hub has it now.
    pub order: Option<Box<OrderDto>>,
}

/// `GET /api/v1/sync/status` on a terminal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SyncStatus {
    /// Whether the last exchange with the hub succeeded.
    pub hub_reachable: bool,
    /// Commands written here and not yet answered by the hub.
    pub pending_commands: i64,
    pub last_pushed_at: Option<DateTime<Utc>>,
    /// The hub event this terminal has applied up to.
    pub last_pulled_sequence: i64,
    /// Commands the hub refused, until someone acknowledges them.
    pub rejected: Vec<RejectedCommand>,
    /// Orders with commands the hub has not answered yet (at most 500): the screens mark them.
    #[serde(default)]
    pub unsynced_orders: Vec<Uuid>,
    pub hub_url: String,
    /// This terminal's label (its tickets are `<label>-<n>`).
    pub label: String,
    /// The hub revoked this terminal: it no longer syncs.
    pub revoked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RejectedCommand {
    pub id: Uuid,
    pub order_id: Option<Uuid>,
    pub reason: RejectReason,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// What a paired terminal takes from the hub as it is: the shop's settings, the menu with
/// its stock, and (sealed for that terminal alone) the staff's PIN verifiers and the pepper
/// they were made with. Crema-to-Crema only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HubSnapshot {
    pub menu_version: i64,
    pub shop: crate::settings::ShopSettings,
    pub categories: Vec<crate::menu::Category>,
    pub items: Vec<crate::menu::Item>,
    pub groups: Vec<crate::menu::ModifierGroup>,
    pub options: Vec<crate::menu::ModifierOption>,
    /// The discount reasons (a terminal checks discounts offline against the same rules).
    #[serde(default)]
    pub discount_reasons: Vec<crate::api::DiscountReasonDto>,
    /// `SealedStaff` as JSON, sealed with the terminal's snapshot key.
    pub staff: String,
}

/// The staff part of a snapshot, before sealing.
#[derive(Clone, Serialize, Deserialize)]
pub struct SealedStaff {
    /// The hub's PIN pepper (hex): a terminal checks PINs against the hub's verifiers.
    pub pin_pepper: String,
    pub members: Vec<StaffVerifier>,
}

impl std::fmt::Debug for SealedStaff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedStaff").field("members", &self.members.len()).finish_non_exhaustive()
    }
}

/// One member of staff as a terminal needs them to sign in offline.
#[derive(Clone, Serialize, Deserialize)]
pub struct StaffVerifier {
    pub id: Uuid,
    pub name: String,
    pub role: crate::staff::Role,
    pub active: bool,
    pub pin_lookup: String,
    pub pin_hash: String,
    pub email: Option<String>,
}

impl std::fmt::Debug for StaffVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffVerifier").field("id", &self.id).field("role", &self.role).finish_non_exhaustive()
    }
}
