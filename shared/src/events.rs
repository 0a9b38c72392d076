//! Event type names (CloudEvents `type`) and the payloads order events carry.
//!
//! Names are a public contract with every sink and consumer: extend, never rename.

use crate::api::OrderDto;
use crate::status::{OrderStatus, PaymentStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod types {
    pub const ORDER_PLACED: &str = "order.placed";
    pub const ORDER_ACCEPTED: &str = "order.accepted";
    pub const ORDER_LINE_STARTED: &str = "order.line.started";
    pub const ORDER_LINE_DONE: &str = "order.line.done";
    /// A line taken off an order not yet paid (`line_id`, `reason`, `amount_cents`: the line's
    /// total); the order's totals are priced again.
    pub const ORDER_LINE_VOIDED: &str = "order.line.voided";
    pub const ORDER_READY: &str = "order.ready";
    pub const ORDER_COMPLETED: &str = "order.completed";
    pub const ORDER_CANCELLED: &str = "order.cancelled";
    /// A tab the shop keeps from the kitchen until it is paid was paid (or its card
    /// authorized): `data.order` is the whole order, for the kitchen display to show it now.
    pub const ORDER_SENT_TO_KITCHEN: &str = "order.sent_to_kitchen";
    /// On a synced terminal: its copy of the order was replaced by the hub's (`data.order`
    /// is the whole order; screens replace theirs, whatever its version).
    pub const ORDER_SYNCED: &str = "order.synced";
    /// A ticket has waited longer than the shop's limit without being ready.
    pub const ORDER_SLA_BREACHED: &str = "order.sla_breached";
    pub const PAYMENT_AUTHORIZED: &str = "payment.authorized";
    pub const PAYMENT_CAPTURED: &str = "payment.captured";
    pub const PAYMENT_VOIDED: &str = "payment.voided";
    pub const PAYMENT_FAILED: &str = "payment.failed";
    pub const PAYMENT_REFUNDED: &str = "payment.refunded";
    /// A gateway card's tip changed before capture (`amount_cents`: the new tip).
    pub const PAYMENT_TIP_ADJUSTED: &str = "payment.tip_adjusted";
    pub const MENU_UPDATED: &str = "menu.updated";
    pub const SETTINGS_UPDATED: &str = "settings.updated";
    pub const ITEM_SOLD_OUT: &str = "item.sold_out";
    pub const ITEM_BACK_IN_STOCK: &str = "item.back_in_stock";
    /// A sale made offline took more than the hub had counted: the count stays at zero and a
    /// manager recounts (the sale stands).
    pub const STOCK_CONFLICT: &str = "stock.conflict";
    pub const NOTIFICATION_SENT: &str = "notification.sent";
    pub const NOTIFICATION_FAILED: &str = "notification.failed";
    /// Wrong PINs across the shop reached the shop-wide budget: every source is slowed down.
    pub const SECURITY_SIGNIN_ALERT: &str = "security.signin_alert";
    /// The audit log's chain head (its newest row's hash), sent off the box daily.
    pub const AUDIT_CHAIN_HEAD: &str = "audit.chain_head";
    /// The periodic check found a broken link in the audit log's chain.
    pub const AUDIT_CHAIN_BROKEN: &str = "audit.chain_broken";
    /// The day's cash drawer was counted and closed: `data` is the day's Z report.
    pub const DRAWER_CLOSED: &str = "drawer.closed";
}

/// `data` of every `order.*` and `payment.*` event: enough for a pickup board or KDS to
/// update without another request. `order.placed` also carries the whole order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderEventData {
    pub order_id: Uuid,
    pub ticket_number: i64,
    /// The ticket as called out (`17`, `A-17`).
    #[serde(default)]
    pub ticket: String,
    pub customer_name: String,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    /// The order's version after this event's change.
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_due_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Box<OrderDto>>,
}

/// `data` of `menu.updated`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuUpdatedData {
    /// The menu version after the edit.
    pub version: i64,
    /// What changed: `category.created`, `item.updated`, `option.availability`, ...
    pub change: String,
    /// The id of the edited row.
    pub id: Uuid,
}
