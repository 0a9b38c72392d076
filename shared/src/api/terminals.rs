//! Wire types of enrolled terminals: enrolling one, its one-time pairing code, pairing, and
//! the credential a paired terminal sends.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A terminal the shop enrolled (a till tablet, the kitchen screen, a desktop app).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TerminalDto {
    pub id: Uuid,
    pub name: String,
    /// Short label, unique in the shop (ticket numbers made on this terminal offline).
    pub label: String,
    /// `pending` (waiting for its code), `paired`, or `revoked`.
    pub status: String,
    /// The one-time pairing code: only in the answer that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_expires_at: Option<DateTime<Utc>>,
    pub paired_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewTerminalRequest {
    /// What the staff call it: "Till 1", "Kitchen".
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TerminalPatch {
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PairRequest {
    /// The one-time code a manager made (`K7QM-4TXP`; case, spaces and dashes do not matter).
    pub code: String,
}

/// The answer to pairing: who this terminal is, and its secret (shown once).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PairedTerminalDto {
    pub id: Uuid,
    pub name: String,
    pub label: String,
    /// `<id>.<secret>`: send it as the `X-Crema-Terminal` header (browsers get it as the
    /// `crema_terminal` cookie). Only in the answer to pairing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}
