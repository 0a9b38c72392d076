//! Following orders on the event log, for `WatchOrder` and `TrackOrders`: an order's first
//! update is a snapshot read *after* the feed's cursor was taken, so no later change can be
//! missed; an event the snapshot already reflects (its version is not newer than the
//! snapshot's) is skipped, so none is sent twice. Every later event is sent, including the
//! several events one change makes (the last line done and `order.ready` share a version);
//! the feed itself never repeats one.

use super::cloudevent::to_proto;
use super::messages::{order, order_status, payment_status};
use super::pb::crema::v1::{self as pb, order_update::Change};
use crate::store::outbox::StoredEvent;
use crema_shared::api::OrderDto;
use crema_shared::privacy::Audience;
use crema_shared::status::{OrderStatus, PaymentStatus};
use std::collections::HashMap;
use uuid::Uuid;

/// The orders followed, each with the version of its snapshot.
pub struct Followed {
    source: String,
    audience: Audience,
    seen: HashMap<Uuid, i64>,
}

impl Followed {
    pub fn new(source: String, audience: Audience) -> Self {
        Followed { source, audience, seen: HashMap::new() }
    }

    /// How many orders are followed.
    pub fn count(&self) -> usize {
        self.seen.len()
    }

    pub fn contains(&self, id: &Uuid) -> bool {
        self.seen.contains_key(id)
    }

    /// Starts following an order (already redacted for the reader): its snapshot update.
    pub fn start(&mut self, snapshot: OrderDto) -> pb::OrderUpdate {
        self.seen.insert(snapshot.id, snapshot.version);
        let (status, payment, version) = (snapshot.status, snapshot.payment_status, snapshot.version);
        update(snapshot.id, Change::Snapshot(order(snapshot)), status, payment, version)
    }

    pub fn stop(&mut self, id: &Uuid) -> bool {
        self.seen.remove(id).is_some()
    }

    /// The update an event makes, if it is a change of a followed order the client has not
    /// seen yet.
    pub fn on_event(&mut self, event: StoredEvent) -> Option<pb::OrderUpdate> {
        let id = event.subject.as_deref().and_then(|s| Uuid::parse_str(s).ok())?;
        let snapshot = *self.seen.get(&id)?;
        let change = change_of(&event.data)?;
        if change.version <= snapshot {
            return None;
        }
        let event = to_proto(&self.source, self.audience, event);
        Some(update(id, Change::Event(event), change.status, change.payment, change.version))
    }
}

fn update(id: Uuid, change: Change, status: OrderStatus, payment: PaymentStatus, version: i64) -> pb::OrderUpdate {
    pb::OrderUpdate {
        order_id: id.to_string(),
        change: Some(change),
        status: order_status(status) as i32,
        payment_status: payment_status(payment) as i32,
        version,
    }
}

/// What an order event says the order became (events that are not order changes, such as
/// a notification sent, say nothing).
struct ChangeOf {
    status: OrderStatus,
    payment: PaymentStatus,
    version: i64,
}

fn change_of(data: &serde_json::Value) -> Option<ChangeOf> {
    Some(ChangeOf {
        status: OrderStatus::parse(data.get("status")?.as_str()?)?,
        payment: PaymentStatus::parse(data.get("payment_status")?.as_str()?)?,
        version: data.get("version")?.as_i64()?,
    })
}

/// Whether an order in this status changes no more in the kitchen.
pub fn finished(status: i32) -> bool {
    status == pb::OrderStatus::Completed as i32 || status == pb::OrderStatus::Cancelled as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn event(subject: Uuid, sequence: i64, status: &str, version: i64) -> StoredEvent {
        StoredEvent {
            sequence,
            id: Uuid::now_v7().to_string(),
            event_type: format!("order.{status}"),
            subject: Some(subject.to_string()),
            time: Utc::now(),
            data: serde_json::json!({"status": status, "payment_status": "unpaid", "version": version}),
            traceparent: None,
            request_id: None,
            staff_id: None,
        }
    }

    #[test]
    fn sends_only_newer_changes_of_followed_orders() {
        let mut followed = Followed::new("test".into(), Audience::Full);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        followed.seen.insert(a, 2);
        assert!(followed.on_event(event(a, 1, "placed", 1)).is_none(), "already in the snapshot");
        assert!(followed.on_event(event(a, 2, "accepted", 2)).is_none(), "already in the snapshot");
        assert!(followed.on_event(event(b, 3, "accepted", 2)).is_none(), "not followed");
        let update = followed.on_event(event(a, 4, "ready", 3)).expect("a newer change");
        assert_eq!((update.status, update.version), (pb::OrderStatus::Ready as i32, 3));
        let same_change = followed.on_event(event(a, 5, "ready", 3)).expect("another event of the same change");
        assert_eq!(same_change.version, 3);
        assert!(followed.stop(&a));
        assert!(followed.on_event(event(a, 6, "completed", 4)).is_none(), "unsubscribed");
    }

    #[test]
    fn an_event_without_an_order_state_is_not_a_change() {
        let mut followed = Followed::new("test".into(), Audience::Full);
        let a = Uuid::now_v7();
        followed.seen.insert(a, 1);
        let mut sent = event(a, 2, "ready", 2);
        sent.data = serde_json::json!({"channel": "email"});
        assert!(followed.on_event(sent).is_none());
    }
}
