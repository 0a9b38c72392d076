//! Problem details (RFC 9457) and the CloudEvents envelope of the event log.

use crate::validation::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// RFC 9457 problem details, as every 4xx/5xx answer carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For illegal transitions: the order's current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_status: Option<String>,
}

/// A CloudEvents 1.0 event (structured JSON), as the live stream and sinks carry it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CloudEvent {
    pub specversion: String,
    /// The event's UUID: consumers dedupe by it.
    pub id: String,
    /// `crema/<shop>/<node>`.
    pub source: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// The order (or menu) the event is about.
    pub subject: Option<String>,
    pub time: DateTime<Utc>,
    pub datacontenttype: String,
    /// The shop's global event order (decimal; compare as an integer).
    pub sequence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// The request that caused the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requestid: Option<String>,
    /// The member of staff whose action caused the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staffid: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}
