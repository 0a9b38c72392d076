//! Stored orders as the API shows them, and the `data` of the events about them.

use crate::store::orders::{LineRecord, OrderRecord, StatusChange};
use crema_shared::api::{LineOptionDto, OrderDto, OrderLineDto, StatusChangeDto};
use crema_shared::events::OrderEventData;
use crema_shared::lifecycle::{self, OrderEvent};
use crema_shared::status::{OrderStatus, PaymentMethod, PaymentStatus};
use crema_shared::terminal::ticket;
use crema_shared::Money;
use serde::Serialize;
use serde_json::value::RawValue;

pub fn order_dto(order: &OrderRecord, history: Option<&[StatusChange]>) -> OrderDto {
    let (paid, due) = paid_and_due(order);
    OrderDto {
        id: order.id,
        ticket_number: order.ticket_number,
        ticket: ticket(&order.ticket_prefix, order.ticket_number),
        ticket_prefix: order.ticket_prefix.clone(),
        business_date: order.business_date.clone(),
        customer_name: order.customer_name.clone(),
        customer_email: order.customer_email.clone(),
        status: order.status,
        payment_status: order.payment_status,
        currency: order.currency.clone(),
        lines: order.lines.iter().map(line_dto).collect(),
        subtotal_cents: order.totals.subtotal.minor(),
        discount_cents: order.totals.discount.minor(),
        discounts: order.discounts.clone(),
        tax_cents: order.totals.tax.minor(),
        tip_cents: order.totals.tip.minor(),
        total_cents: order.totals.total.minor(),
        payment_method: order
            .payment
            .map(|p| p.method)
            .or(order.payment_reference.as_ref().map(|_| PaymentMethod::Card)),
        payment_reference: order.payment_reference.clone(),
        refunded_cents: order.refunded.minor(),
        tendered_cents: order.payment.map(|p| p.tendered.minor()),
        change_due_cents: order.payment.map(|p| p.change_due.minor()),
        tenders: order.tenders.clone(),
        paid_cents: paid.minor(),
        due_cents: due.minor(),
        kitchen_held: order.kitchen_held,
        version: order.version,
        created_at: order.created_at,
        updated_at: order.updated_at,
        placed_by: order.placed_by,
        history: history.map(|h| {
            h.iter().map(|c| StatusChangeDto { from: c.from, to: c.to, at: c.at, reason: c.reason.clone() }).collect()
        }),
    }
}

/// What was taken for `order` and what is still due at the till: nothing once cancelled, or
/// while a gateway card is on it.
pub fn paid_and_due(order: &OrderRecord) -> (Money, Money) {
    let paid = lifecycle::paid_so_far(order.payment_status, order.totals.total, &order.tenders);
    let at_till = matches!(order.payment_status, PaymentStatus::Unpaid | PaymentStatus::PartlyPaid);
    let due = if at_till && order.status != OrderStatus::Cancelled { order.totals.total - paid } else { Money::ZERO };
    (paid, due.max(Money::ZERO))
}

fn line_dto(line: &LineRecord) -> OrderLineDto {
    OrderLineDto {
        id: line.id,
        item_id: line.item_id,
        name: line.name.clone(),
        quantity: line.quantity,
        unit_price_cents: line.unit_price.minor(),
        options: line
            .options
            .iter()
            .map(|o| LineOptionDto {
                option_id: o.option_id,
                group_name: o.group_name.clone(),
                name: o.name.clone(),
                price_delta_cents: o.price_delta_cents,
            })
            .collect(),
        note: line.note.clone(),
        status: line.status,
        line_total_cents: line.line_total.minor(),
    }
}

/// `data` for an event about `order` (as it is after the change).
pub fn order_event_data(order: &OrderRecord, event: Option<&OrderEvent>) -> OrderEventData {
    let mut data = about(order);
    match event {
        None => data.order = Some(Box::new(order_dto(order, None))),
        Some(OrderEvent::LineStarted { line_id } | OrderEvent::LineDone { line_id }) => data.line_id = Some(*line_id),
        Some(OrderEvent::Cancelled { reason }) => data.reason = Some(reason.clone()),
        Some(OrderEvent::PaymentCaptured { amount, change, .. }) => {
            data.amount_cents = Some(amount.minor());
            data.change_due_cents = Some(change.minor());
        }
        Some(OrderEvent::PaymentRefunded { amount, .. })
        | Some(OrderEvent::PaymentAuthorized { amount, .. })
        | Some(OrderEvent::PaymentVoided { amount }) => data.amount_cents = Some(amount.minor()),
        Some(OrderEvent::PaymentFailed { reason }) => data.reason = Some(reason.clone()),
        Some(OrderEvent::TipAdjusted { tip, .. }) => data.amount_cents = Some(tip.minor()),
        Some(OrderEvent::LineVoided { line_id, reason, .. }) => {
            data.line_id = Some(*line_id);
            data.reason = Some(reason.clone());
            data.amount_cents = order.lines.iter().find(|l| l.id == *line_id).map(|l| l.line_total.minor());
        }
        // The kitchen display shows the whole order now.
        Some(OrderEvent::SentToKitchen) => data.order = Some(Box::new(order_dto(order, None))),
        Some(OrderEvent::Accepted | OrderEvent::Ready | OrderEvent::Completed) => {}
    }
    data
}

/// What every event about `order` says of it, without the order itself, as a JSON value for
/// a caller that adds fields of its own (a ticket-age alert, a mail's outcome).
pub fn event_data(order: &OrderRecord) -> serde_json::Value {
    serde_json::to_value(about(order)).unwrap_or(serde_json::Value::Null)
}

/// `data` of `order.placed`: [`order_event_data`] with the order as the JSON text the answer
/// carries (`order_json`, [`order_dto`] written once), instead of serialising it again.
pub fn placed_data<'a>(order: &'a OrderRecord, order_json: &'a RawValue) -> impl Serialize + 'a {
    #[derive(Serialize)]
    struct Placed<'a> {
        #[serde(flatten)]
        data: OrderEventData,
        order: &'a RawValue,
    }
    Placed { data: about(order), order: order_json }
}

/// What every event about `order` says of it, without the order itself.
fn about(order: &OrderRecord) -> OrderEventData {
    OrderEventData {
        order_id: order.id,
        ticket_number: order.ticket_number,
        ticket: ticket(&order.ticket_prefix, order.ticket_number),
        customer_name: order.customer_name.clone(),
        status: order.status,
        payment_status: order.payment_status,
        version: order.version,
        line_id: None,
        reason: None,
        amount_cents: None,
        change_due_cents: None,
        order: None,
    }
}

/// An order as another Crema server showed it (a terminal's sale, the hub's copy), as stored.
pub fn record_from_dto(order: &OrderDto) -> OrderRecord {
    use crate::store::orders::{OptionSnapshot, PaymentRecord};
    use crema_shared::totals::Totals;
    use crema_shared::Money;
    // `tendered_cents` is there exactly when the stored order had a payment row.
    let payment = order.payment_method.zip(order.tendered_cents).map(|(method, tendered)| PaymentRecord {
        method,
        tendered: Money::from_minor(tendered),
        change_due: Money::from_minor(order.change_due_cents.unwrap_or(0)),
    });
    OrderRecord {
        id: order.id,
        business_date: order.business_date.clone(),
        ticket_number: order.ticket_number,
        ticket_prefix: order.ticket_prefix.clone(),
        customer_name: order.customer_name.clone(),
        customer_email: order.customer_email.clone(),
        status: order.status,
        payment_status: order.payment_status,
        currency: order.currency.clone(),
        totals: Totals {
            subtotal: Money::from_minor(order.subtotal_cents),
            discount: Money::from_minor(order.discount_cents),
            tax: Money::from_minor(order.tax_cents),
            tip: Money::from_minor(order.tip_cents),
            total: Money::from_minor(order.total_cents),
        },
        payment,
        payment_reference: order.payment_reference.clone(),
        refunded: Money::from_minor(order.refunded_cents),
        version: order.version,
        created_at: order.created_at,
        updated_at: order.updated_at,
        placed_by: order.placed_by,
        lines: order
            .lines
            .iter()
            .map(|l| LineRecord {
                id: l.id,
                item_id: l.item_id,
                name: l.name.clone(),
                quantity: l.quantity,
                unit_price: Money::from_minor(l.unit_price_cents),
                options: l
                    .options
                    .iter()
                    .map(|o| OptionSnapshot {
                        option_id: o.option_id,
                        group_name: o.group_name.clone(),
                        name: o.name.clone(),
                        price_delta_cents: o.price_delta_cents,
                    })
                    .collect(),
                note: l.note.clone(),
                status: l.status,
                line_total: Money::from_minor(l.line_total_cents),
            })
            .collect(),
        discounts: order.discounts.clone(),
        tenders: order.tenders.clone(),
        kitchen_held: order.kitchen_held,
    }
}
