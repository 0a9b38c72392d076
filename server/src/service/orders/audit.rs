//! What the audit log records about an order: every sale (its total, its tender and a card
//! terminal's approval code), and each payment, refund and cancellation as it happens. The
//! order use cases write these rows in the same transaction as the change.

use crate::service::orders::TERMINAL_PREFIX;
use crate::service::RequestContext;
use crate::store::audit::AuditEntry;
use crate::store::orders::OrderRecord;
use crema_shared::lifecycle::OrderEvent;
use crema_shared::placing::Tender;
use serde_json::json;

/// The `order.placed` row of a new order paid with `payment` (if it was paid at the till).
pub fn sale(ctx: &RequestContext, order: &OrderRecord, payment: Option<&Tender>) -> AuditEntry {
    let tender = match payment {
        None => "unpaid",
        Some(Tender::Cash(_)) => "cash",
        Some(Tender::CardTerminal { .. }) => "card_terminal",
        Some(Tender::CardGateway) => "card_gateway",
        Some(Tender::Split(_)) => "split",
    };
    let detail = json!({
        "ticket": order.ticket_number, "total_cents": order.totals.total.minor(), "tender": tender,
        "approval_code": terminal_approval(order),
    });
    ctx.audit("order.placed", Some(order.id.to_string()), detail)
}

/// The row an order event is audited with, if it is one the audit log keeps (money moving,
/// a cancellation); `order` is the order after the event.
pub fn for_event(ctx: &RequestContext, order: &OrderRecord, event: &OrderEvent) -> Option<AuditEntry> {
    let ticket = order.ticket_number;
    let (action, detail) = match event {
        OrderEvent::Cancelled { reason } => ("order.cancelled", json!({ "reason": reason, "ticket": ticket })),
        OrderEvent::PaymentRefunded { amount, method } => {
            ("payment.refunded", json!({ "amount_cents": amount.minor(), "method": method, "ticket": ticket }))
        }
        OrderEvent::PaymentCaptured { method, amount, tendered, tip, .. } => (
            "payment.captured",
            json!({
                "amount_cents": amount.minor(), "tendered_cents": tendered.minor(), "method": method,
                "tip_cents": tip.minor(), "approval_code": terminal_approval(order), "ticket": ticket,
                "due_cents": super::view::paid_and_due(order).1.minor(),
            }),
        ),
        OrderEvent::TipAdjusted { tip, previous } => (
            "payment.tip_adjusted",
            json!({ "tip_cents": tip.minor(), "previous_cents": previous.minor(), "ticket": ticket }),
        ),
        OrderEvent::PaymentAuthorized { amount, reference } => {
            ("payment.authorized", json!({ "amount_cents": amount.minor(), "reference": reference, "ticket": ticket }))
        }
        OrderEvent::PaymentVoided { amount } => {
            ("payment.voided", json!({ "amount_cents": amount.minor(), "ticket": ticket }))
        }
        OrderEvent::PaymentFailed { reason } => ("payment.failed", json!({ "reason": reason, "ticket": ticket })),
        _ => return None,
    };
    Some(ctx.audit(action, Some(order.id.to_string()), detail))
}

/// The card terminal's approval code an order was paid with, if any.
fn terminal_approval(order: &OrderRecord) -> Option<&str> {
    order.payment_reference.as_deref().and_then(|r| r.strip_prefix(TERMINAL_PREFIX))
}
