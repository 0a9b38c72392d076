//! Who and what caused a change: the request id and W3C trace context that every event
//! written on behalf of a request carries.

use crate::store::audit::AuditEntry;
use crate::store::outbox::NewEvent;
use chrono::{DateTime, Utc};
use crema_shared::staff::Role;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct RequestContext {
    pub request_id: String,
    /// `00-<trace-id>-<span-id>-01`
    pub traceparent: String,
    /// Who is signed in, if anyone.
    pub actor: Option<Actor>,
}

/// A signed-in member of staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

impl RequestContext {
    /// A context for work not caused by a request (seeding, benchmarks, tests).
    pub fn internal() -> Self {
        let request_id = Uuid::new_v4().to_string();
        RequestContext { traceparent: traceparent_for(None), request_id, actor: None }
    }

    /// An outbox event caused by this request, with `data` as JSON (a value that cannot be
    /// written as JSON, which no event's data is, becomes `null`).
    pub fn event(
        &self,
        event_type: &'static str,
        subject: Option<String>,
        time: DateTime<Utc>,
        data: impl serde::Serialize,
    ) -> NewEvent {
        let data = serde_json::value::to_raw_value(&data).unwrap_or_else(|_| null());
        NewEvent {
            id: Uuid::now_v7(),
            event_type,
            subject,
            time,
            data,
            traceparent: Some(self.traceparent.clone()),
            request_id: Some(self.request_id.clone()),
            staff_id: self.staff_id(),
        }
    }

    pub fn staff_id(&self) -> Option<Uuid> {
        self.actor.as_ref().map(|a| a.id)
    }

    /// An audit entry for an action taken on behalf of this request.
    pub fn audit(&self, action: impl Into<String>, subject: Option<String>, detail: serde_json::Value) -> AuditEntry {
        AuditEntry {
            at: crate::store::time::now(),
            staff_id: self.staff_id(),
            action: action.into(),
            subject,
            detail,
            request_id: Some(self.request_id.clone()),
        }
    }
}

/// A traceparent continuing `incoming`'s trace (if valid) with a new span id.
pub fn traceparent_for(incoming: Option<&str>) -> String {
    let trace_id = incoming
        .and_then(|tp| {
            let parts: Vec<&str> = tp.trim().split('-').collect();
            let ok = parts.len() == 4
                && parts[0] == "00"
                && parts[1].len() == 32
                && parts[2].len() == 16
                && parts[1].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
                && parts[1] != "00000000000000000000000000000000";
            ok.then(|| parts[1].to_string())
        })
        .unwrap_or_else(|| Uuid::new_v4().simple().to_string());
    let span_id: String = Uuid::new_v4().simple().to_string().chars().take(16).collect();
    format!("00-{trace_id}-{span_id}-01")
}

/// JSON's `null`, as an event's data.
fn null() -> Box<serde_json::value::RawValue> {
    serde_json::value::RawValue::NULL.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continues_a_valid_trace_and_replaces_an_invalid_one() {
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let tp = traceparent_for(Some(incoming));
        assert!(tp.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        assert_ne!(tp, incoming);
        let fresh = traceparent_for(Some("garbage"));
        assert_eq!(fresh.len(), 55);
        assert!(!fresh.contains("garbage"));
    }
}
