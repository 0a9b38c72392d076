//! Sinks the event log is forwarded to: webhooks and Kafka topics, dead letters, replays.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Where the event log is forwarded: a signed webhook or a Kafka topic. A webhook's secret
/// is only shown when created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SinkDto {
    pub id: Uuid,
    /// `webhook` or `kafka`.
    pub kind: String,
    pub name: String,
    /// Webhooks: the endpoint.
    pub url: Option<String>,
    /// Kafka: the bootstrap brokers, `host:port,host:port`.
    pub brokers: Option<String>,
    /// Kafka: the topic.
    pub topic: Option<String>,
    /// Event types (or prefixes ending in `.`) forwarded; empty means all.
    pub event_types: Vec<String>,
    pub active: bool,
    /// The last outbox sequence delivered (or passed over, or dead-lettered).
    pub cursor: i64,
    /// Consecutive failures to reach the endpoint; at 5 the circuit breaker opens.
    pub consecutive_failures: u32,
    /// Times the endpoint refused the event at the head of the backlog.
    pub rejections: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Only in the answer to creating the sink (or setting a new secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewSinkRequest {
    /// `webhook` (default) or `kafka`.
    #[serde(default)]
    pub kind: Option<String>,
    pub name: String,
    /// Webhooks: `http://` or `https://`.
    #[serde(default)]
    pub url: Option<String>,
    /// Kafka: bootstrap brokers, `host:port,host:port`.
    #[serde(default)]
    pub brokers: Option<String>,
    /// Kafka: the topic.
    #[serde(default)]
    pub topic: Option<String>,
    /// A Standard Webhooks secret (`whsec_…`); one is made when absent.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Start after this sequence (`0`: the whole history); default: from now on.
    #[serde(default)]
    pub start_after: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SinkPatch {
    pub name: Option<String>,
    pub url: Option<String>,
    pub secret: Option<String>,
    pub brokers: Option<String>,
    pub topic: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub active: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeadLetterDto {
    pub id: i64,
    pub sequence: i64,
    pub event_id: String,
    pub error: String,
    pub attempts: u32,
    pub at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
}

/// Deliver the events `from_sequence..=to_sequence` again (the sink's filter applies).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReplayRequest {
    pub from_sequence: i64,
    pub to_sequence: i64,
}
