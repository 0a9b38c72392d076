//! Durable jobs as a manager sees them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobDto {
    pub id: Uuid,
    /// `order.sla_check`, ...
    pub kind: String,
    /// `pending`, `running`, `succeeded` or `dead`.
    pub state: String,
    /// Attempts started so far.
    pub attempts: u32,
    /// When it is (or was) due.
    pub run_at: DateTime<Utc>,
    /// The last attempt's error.
    pub last_error: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct JobPage {
    pub jobs: Vec<JobDto>,
    pub next_offset: Option<i64>,
}
