//! The kitchen display's tickets, kept current from the event stream. Pure, so the rules
//! that keep a ticket from being missed or shown twice are tested without a browser:
//!
//! - events are applied in sequence order and a sequence already applied is skipped;
//! - a placed order is added once (by id), whatever else already delivered it; a tab the
//!   shop holds until paid is added when it is sent to the kitchen;
//! - a change is applied only if it is newer (order `version`) than what is shown, so the
//!   answer to the barista's own tap and the event about it can arrive in either order.

use crema_shared::api::OrderDto;
use crema_shared::events::types;
use crema_shared::status::{LineStatus, OrderStatus, PaymentStatus};
use serde_json::Value;
use uuid::Uuid;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tickets {
    /// Oldest first.
    pub orders: Vec<OrderDto>,
    /// The last event sequence applied.
    pub after: i64,
}

/// What applying an event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// A ticket appeared (the display may chime).
    NewTicket,
    Changed,
    /// Already applied, or not about the kitchen.
    Nothing,
}

impl Tickets {
    pub fn new(orders: Vec<OrderDto>, after: i64) -> Tickets {
        let mut t = Tickets { orders, after };
        t.sort();
        t
    }

    /// Applies the event with `sequence` (`None`: a message without an id, applied as is).
    pub fn apply(&mut self, sequence: Option<i64>, event_type: &str, data: &Value) -> Applied {
        if let Some(sequence) = sequence {
            if sequence <= self.after {
                return Applied::Nothing;
            }
            self.after = sequence;
        }
        let id = data.get("order_id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
        match event_type {
            // A tab the shop holds until paid reaches the kitchen when it is paid.
            types::ORDER_PLACED | types::ORDER_SENT_TO_KITCHEN => {
                let Some(order) = data.get("order").and_then(|o| serde_json::from_value::<OrderDto>(o.clone()).ok())
                else {
                    return Applied::Nothing;
                };
                if order.kitchen_held || self.orders.iter().any(|o| o.id == order.id) {
                    return Applied::Nothing;
                }
                self.orders.push(order);
                self.sort();
                Applied::NewTicket
            }
            types::ORDER_SYNCED => {
                let Some(order) = data.get("order").and_then(|o| serde_json::from_value::<OrderDto>(o.clone()).ok())
                else {
                    return Applied::Nothing;
                };
                let new = !self.orders.iter().any(|o| o.id == order.id);
                self.orders.retain(|o| o.id != order.id);
                if order.kitchen_held || matches!(order.status, OrderStatus::Completed | OrderStatus::Cancelled) {
                    return if new { Applied::Nothing } else { Applied::Changed };
                }
                self.orders.push(order);
                self.sort();
                if new {
                    Applied::NewTicket
                } else {
                    Applied::Changed
                }
            }
            types::ORDER_COMPLETED | types::ORDER_CANCELLED => {
                let before = self.orders.len();
                self.orders.retain(|o| Some(o.id) != id);
                if self.orders.len() < before {
                    Applied::Changed
                } else {
                    Applied::Nothing
                }
            }
            _ => {
                let Some(order) = self.orders.iter_mut().find(|o| Some(o.id) == id) else { return Applied::Nothing };
                let version = data.get("version").and_then(Value::as_i64).unwrap_or(0);
                if version <= order.version {
                    return Applied::Nothing;
                }
                order.version = version;
                if let Some(status) = data.get("status").and_then(Value::as_str).and_then(OrderStatus::parse) {
                    order.status = status;
                }
                if let Some(paid) = data.get("payment_status").and_then(Value::as_str).and_then(PaymentStatus::parse) {
                    order.payment_status = paid;
                }
                let line = data.get("line_id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
                let line_status = match event_type {
                    types::ORDER_LINE_STARTED => Some(LineStatus::Making),
                    types::ORDER_LINE_DONE => Some(LineStatus::Done),
                    types::ORDER_LINE_VOIDED => Some(LineStatus::Voided),
                    _ => None,
                };
                if let (Some(line), Some(status)) = (line, line_status) {
                    if let Some(l) = order.lines.iter_mut().find(|l| l.id == line) {
                        l.status = status;
                    }
                }
                Applied::Changed
            }
        }
    }

    /// The ticket of order `id`, if shown.
    pub fn get(&self, id: Uuid) -> Option<&OrderDto> {
        self.orders.iter().find(|o| o.id == id)
    }

    /// The server's answer to this display's own action (newer versions only).
    pub fn replace(&mut self, order: OrderDto) {
        if order.kitchen_held || matches!(order.status, OrderStatus::Completed | OrderStatus::Cancelled) {
            self.orders.retain(|o| o.id != order.id);
            return;
        }
        match self.orders.iter_mut().find(|o| o.id == order.id) {
            Some(shown) if shown.version < order.version => *shown = order,
            Some(_) => {}
            None => {
                self.orders.push(order);
                self.sort();
            }
        }
    }

    fn sort(&mut self) {
        self.orders.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.ticket_number.cmp(&b.ticket_number)));
    }
}

/// The ticket as it is called out: `A-17` from a synced terminal, else the number (a server
/// older than terminals sends no `ticket`).
pub fn called(ticket: &str, number: i64) -> String {
    if ticket.is_empty() {
        number.to_string()
    } else {
        ticket.to_string()
    }
}

/// How urgent a ticket looks after `age_seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    Fresh,
    Warn,
    Late,
}

pub fn urgency(age_seconds: i64, warn: u32, late: u32) -> Urgency {
    if age_seconds >= i64::from(late) {
        Urgency::Late
    } else if age_seconds >= i64::from(warn) {
        Urgency::Warn
    } else {
        Urgency::Fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crema_shared::api::OrderLineDto;
    use serde_json::json;

    fn order(ticket: i64, minute: u32) -> OrderDto {
        let at = chrono::DateTime::parse_from_rfc3339(&format!("2026-11-23T08:{minute:02}:00Z"))
            .expect("time")
            .with_timezone(&chrono::Utc);
        OrderDto {
            id: Uuid::now_v7(),
            ticket_number: ticket,
            ticket: ticket.to_string(),
            ticket_prefix: String::new(),
            business_date: "2026-11-23".into(),
            customer_name: "Ana".into(),
            customer_email: None,
            status: OrderStatus::Placed,
            payment_status: PaymentStatus::Captured,
            currency: "USD".into(),
            lines: vec![OrderLineDto {
                id: Uuid::now_v7(),
                item_id: Uuid::now_v7(),
                name: "Latte".into(),
                quantity: 1,
                unit_price_cents: 475,
                options: vec![],
                note: None,
                status: LineStatus::Queued,
                line_total_cents: 475,
            }],
            subtotal_cents: 475,
            discount_cents: 0,
            discounts: vec![],
            tax_cents: 0,
            tip_cents: 0,
            total_cents: 475,
            payment_method: None,
            payment_reference: None,
            refunded_cents: 0,
            tendered_cents: None,
            change_due_cents: None,
            tenders: vec![],
            paid_cents: 0,
            due_cents: 0,
            kitchen_held: false,
            version: 1,
            created_at: at,
            updated_at: at,
            placed_by: None,
            history: None,
        }
    }

    fn summary(o: &OrderDto, status: &str, version: i64) -> Value {
        json!({ "order_id": o.id, "ticket_number": o.ticket_number, "status": status, "payment_status": "captured", "version": version })
    }

    #[test]
    fn a_placed_order_appears_once_in_age_order() {
        let (first, second) = (order(1, 0), order(2, 5));
        let mut t = Tickets::new(vec![second.clone()], 10);
        let mut placed = summary(&first, "placed", 1);
        placed["order"] = serde_json::to_value(&first).expect("json");
        assert_eq!(t.apply(Some(11), types::ORDER_PLACED, &placed), Applied::NewTicket);
        assert_eq!(t.orders.iter().map(|o| o.ticket_number).collect::<Vec<_>>(), [1, 2]);
        // The same event again (a resumed stream), or under another sequence: no duplicate.
        assert_eq!(t.apply(Some(11), types::ORDER_PLACED, &placed), Applied::Nothing);
        assert_eq!(t.apply(Some(12), types::ORDER_PLACED, &placed), Applied::Nothing);
        assert_eq!(t.orders.len(), 2);
        assert_eq!(t.after, 12);
    }

    #[test]
    fn a_held_tab_appears_only_when_it_is_sent_to_the_kitchen() {
        let mut tab = order(3, 1);
        tab.kitchen_held = true;
        let mut t = Tickets::new(vec![], 0);
        let mut placed = summary(&tab, "placed", 1);
        placed["order"] = serde_json::to_value(&tab).expect("json");
        assert_eq!(t.apply(Some(1), types::ORDER_PLACED, &placed), Applied::Nothing);
        assert!(t.orders.is_empty(), "held until paid");
        // A part paid: still held, nothing to show (the event is about an order not shown).
        assert_eq!(t.apply(Some(2), types::PAYMENT_CAPTURED, &summary(&tab, "placed", 2)), Applied::Nothing);
        tab.kitchen_held = false;
        tab.version = 3;
        let mut sent = summary(&tab, "placed", 3);
        sent["order"] = serde_json::to_value(&tab).expect("json");
        assert_eq!(t.apply(Some(3), types::ORDER_SENT_TO_KITCHEN, &sent), Applied::NewTicket);
        assert_eq!(t.orders.len(), 1);
        assert_eq!(t.apply(Some(4), types::ORDER_SENT_TO_KITCHEN, &sent), Applied::Nothing, "once");
    }

    #[test]
    fn events_from_before_the_snapshot_are_skipped() {
        let o = order(1, 0);
        let mut t = Tickets::new(vec![o.clone()], 20);
        assert_eq!(t.apply(Some(19), types::ORDER_CANCELLED, &summary(&o, "cancelled", 2)), Applied::Nothing);
        assert_eq!(t.orders.len(), 1);
    }

    #[test]
    fn line_changes_apply_only_when_newer_than_what_is_shown() {
        let o = order(1, 0);
        let line = o.lines[0].id;
        let mut t = Tickets::new(vec![o.clone()], 0);
        let mut started = summary(&o, "preparing", 3);
        started["line_id"] = json!(line);
        // The barista's own tap answered first with version 3...
        let mut answered = o.clone();
        answered.version = 3;
        answered.status = OrderStatus::Preparing;
        answered.lines[0].status = LineStatus::Making;
        t.replace(answered);
        // ...so the event about it changes nothing, and an older answer is ignored.
        assert_eq!(t.apply(Some(5), types::ORDER_LINE_STARTED, &started), Applied::Nothing);
        t.replace(o.clone());
        assert_eq!(t.orders[0].lines[0].status, LineStatus::Making);
        let mut done = summary(&o, "ready", 4);
        done["line_id"] = json!(line);
        assert_eq!(t.apply(Some(6), types::ORDER_LINE_DONE, &done), Applied::Changed);
        assert_eq!((t.orders[0].status, t.orders[0].lines[0].status), (OrderStatus::Ready, LineStatus::Done));
        assert_eq!(t.apply(Some(7), types::ORDER_COMPLETED, &summary(&o, "completed", 5)), Applied::Changed);
        assert!(t.orders.is_empty());
    }

    #[test]
    fn tickets_turn_amber_then_red() {
        assert_eq!(urgency(179, 180, 360), Urgency::Fresh);
        assert_eq!(urgency(180, 180, 360), Urgency::Warn);
        assert_eq!(urgency(360, 180, 360), Urgency::Late);
    }

    #[test]
    fn a_synced_copy_replaces_the_shown_order_whatever_its_version() {
        let mine = order(1, 0);
        let mut t = Tickets::new(vec![mine.clone()], 5);
        let mut theirs = mine.clone();
        theirs.status = OrderStatus::Preparing;
        theirs.version = 1;
        let data = json!({ "order_id": mine.id, "order": theirs });
        assert_eq!(t.apply(Some(6), types::ORDER_SYNCED, &data), Applied::Changed);
        assert_eq!(t.orders[0].status, OrderStatus::Preparing);
        let other = order(2, 1);
        let data = json!({ "order_id": other.id, "order": other });
        assert_eq!(t.apply(Some(7), types::ORDER_SYNCED, &data), Applied::NewTicket);
        let mut done = t.orders[0].clone();
        done.status = OrderStatus::Completed;
        let data = json!({ "order_id": done.id, "order": done });
        assert_eq!(t.apply(Some(8), types::ORDER_SYNCED, &data), Applied::Changed);
        assert_eq!(t.orders.len(), 1);
    }
}
