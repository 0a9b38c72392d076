//! The CloudEvents 1.0 envelope of an outbox event, as the live stream and every sink send it.

use crate::store::outbox::StoredEvent;
use crema_shared::api::CloudEvent;

/// The CloudEvents 1.0 envelope of a stored event.
pub fn cloud_event(source: &str, event: StoredEvent) -> CloudEvent {
    CloudEvent {
        specversion: "1.0".into(),
        id: event.id,
        source: source.to_string(),
        event_type: event.event_type,
        subject: event.subject,
        time: event.time,
        datacontenttype: "application/json".into(),
        sequence: event.sequence.to_string(),
        traceparent: event.traceparent,
        requestid: event.request_id,
        staffid: event.staff_id,
        data: event.data,
    }
}
