//! Staff, sessions, the audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffDto {
    pub id: Uuid,
    pub name: String,
    pub role: crate::staff::Role,
    pub active: bool,
    /// Managers with an email get the end-of-day summary.
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new member of staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewStaffRequest {
    pub name: String,
    pub role: crate::staff::Role,
    /// 4 to 8 digits, not used by anyone else.
    pub pin: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// Partial update; `active: false` deactivates and signs the person out everywhere.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaffPatch {
    pub name: Option<String>,
    pub role: Option<crate::staff::Role>,
    pub active: Option<bool>,
    /// An address, or `""` to remove it.
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PinRequest {
    pub pin: String,
}

/// Who is signed in, and until when (idle expiry, extended by use).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionDto {
    pub staff: StaffDto,
    pub expires_at: DateTime<Utc>,
    /// The bearer token; only in the answer to signing in (browsers get it as a cookie).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEntryDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who did it (absent for a failed sign-in with an unknown PIN).
    pub staff_id: Option<Uuid>,
    /// `sign_in.succeeded`, `sign_in.failed`, `staff.created`, `menu.item.updated`, `order.cancelled`, ...
    pub action: String,
    pub subject: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
    pub request_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntryDto>,
    pub next_offset: Option<i64>,
}
