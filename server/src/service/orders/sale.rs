//! A new order as it is written: the priced request numbered and snapshotted into an order
//! record (its lines, discounts and tenders), its first events, the answer and what the
//! idempotency key keeps. Both ways of placing ([`super::place`]) build one the same way.

use super::view::{order_dto, order_event_data, placed_data};
use super::{to_raw_json, TERMINAL_PREFIX};
use crate::service::context::Actor;
use crate::service::idempotency::{Answer, IdempotencyKey};
use crate::service::menu::cache::PricedMenu;
use crate::service::reactions::{Change, OrderChange};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::idempotency::{KeyIndex, SavedResponse};
use crate::store::orders::{LineRecord, OptionSnapshot, OrderRecord, PaymentRecord};
use crate::store::outbox::NewEvent;
use crate::store::placement::IdempotencyRecord;
use chrono::{DateTime, Utc};
use crema_shared::api::{DiscountDto, TenderDto};
use crema_shared::discount::AppliedDiscount;
use crema_shared::events::types;
use crema_shared::lifecycle::OrderEvent;
use crema_shared::placing::{PricedLine, PricedOrder, Tender};
use crema_shared::split::PaidPart;
use crema_shared::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};
use crema_shared::Money;
use crema_shared::ValidationErrors;
use serde_json::value::RawValue;
use uuid::Uuid;

/// Where a new order stands: its id, when it is placed, and its ticket number on that day.
pub(super) struct Numbered {
    pub(super) id: Uuid,
    pub(super) now: DateTime<Utc>,
    pub(super) business_date: String,
    pub(super) ticket_number: i64,
}

/// A priced, numbered sale, ready to write: the order, its events, the answer and what the
/// idempotency key saves.
pub(super) struct Sale {
    pub(super) order: OrderRecord,
    pub(super) events: Vec<NewEvent>,
    pub(super) answer: Answer,
    pub(super) saved: Option<SavedResponse>,
}

impl Sale {
    pub(super) fn new(
        state: &AppState,
        ctx: &RequestContext,
        key: Option<&IdempotencyKey>,
        menu: &PricedMenu,
        priced: &PricedOrder,
        numbered: Numbered,
        approver: Option<&Actor>,
    ) -> Result<Sale, ServiceError> {
        let total = priced.totals.total;
        let (payment, payment_reference) = match &priced.payment {
            None => (None, None),
            Some(Tender::Cash(cash)) => (
                Some(PaymentRecord { method: PaymentMethod::Cash, tendered: cash.tendered, change_due: cash.change }),
                None,
            ),
            Some(Tender::CardTerminal { approval_code }) => (
                Some(PaymentRecord { method: PaymentMethod::Card, tendered: total, change_due: Money::ZERO }),
                Some(format!("{TERMINAL_PREFIX}{approval_code}")),
            ),
            Some(Tender::Split(parts)) => {
                let tenders: Vec<TenderDto> = parts.iter().map(tender_record).collect();
                (Some(PaymentRecord::of_tenders(&tenders)), None)
            }
            Some(Tender::CardGateway) => {
                if state.sync.is_some() {
                    // No card details are ever kept on a terminal, online or not (docs/sync.md).
                    let message =
                        "a synced terminal takes cards on the card terminal: enter its approval code (or take cash)";
                    return Err(ValidationErrors::single("payment.approval_code", message).into());
                }
                if state.gateway.is_none() {
                    let message =
                        "a card without a terminal approval code needs a payment gateway (CREMA_PAYMENT_GATEWAY_URL)";
                    return Err(ValidationErrors::single("payment.approval_code", message).into());
                }
                (None, None)
            }
        };
        let Numbered { id, now, business_date, ticket_number } = numbered;
        // Kept from the kitchen until paid (or its card authorized), when the shop says so.
        let kitchen_held = !menu.counter.kitchen_before_paid && payment.is_none();
        let order = OrderRecord {
            id,
            business_date,
            ticket_number,
            ticket_prefix: state.sync.as_ref().map(|link| link.label.clone()).unwrap_or_default(),
            customer_name: priced.customer_name.as_str().to_string(),
            customer_email: priced.customer_email.as_ref().map(|e| e.as_str().to_string()),
            status: OrderStatus::Placed,
            payment_status: if payment.is_some() { PaymentStatus::Captured } else { PaymentStatus::Unpaid },
            currency: menu.catalog.currency().to_string(),
            totals: priced.totals,
            payment,
            payment_reference,
            refunded: Money::ZERO,
            version: 1,
            created_at: now,
            updated_at: now,
            placed_by: ctx.staff_id(),
            lines: priced.lines.iter().map(line_record).collect(),
            discounts: Vec::new(),
            tenders: match &priced.payment {
                Some(Tender::Split(parts)) => parts.iter().map(tender_record).collect(),
                _ => Vec::new(),
            },
            kitchen_held,
        };
        let order = OrderRecord { discounts: discount_records(&order, &priced.discounts, approver), ..order };
        // The order's JSON is written once: the answer's body, and the `order` of its event.
        let order_json = to_raw_json(&order_dto(&order, None))?;
        let events = placed_events_with(ctx, &order, now, &order_json);
        let answer = Answer { status: 201, body: order_json.get().to_owned(), replayed: false };
        let saved = key.map(|k| k.save(&answer));
        Ok(Sale { order, events, answer, saved })
    }

    /// The audit row of a manager's approval, when a discount needed one.
    pub(super) fn approval_audit(&self, ctx: &RequestContext) -> Option<AuditEntry> {
        let approved: Vec<&DiscountDto> = self.order.discounts.iter().filter(|d| d.approved_by.is_some()).collect();
        let approver = approved.first()?.approved_by?;
        let detail = serde_json::json!({
            "approved_by": approver,
            "cashier": ctx.staff_id(),
            "ticket": crema_shared::terminal::ticket(&self.order.ticket_prefix, self.order.ticket_number),
            "discounts": approved,
        });
        Some(ctx.audit("discount.approved", Some(self.order.id.to_string()), detail))
    }

    pub(super) fn change<'a>(
        &'a self,
        ctx: &'a RequestContext,
        tender: Option<&'a Tender>,
        receipt: bool,
    ) -> OrderChange<'a> {
        OrderChange { ctx, order: &self.order, change: Change::Placed { tender }, at: self.order.created_at, receipt }
    }

    /// The answer to save under the client's key, with the store's index of keys.
    pub(super) fn record<'a>(
        &'a self,
        key: Option<&'a IdempotencyKey>,
        keys: &'a KeyIndex,
    ) -> Option<IdempotencyRecord<'a>> {
        key.zip(self.saved.as_ref()).map(|(k, saved)| IdempotencyRecord { scope: &k.scope, key: &k.key, saved, keys })
    }

    /// What the log says of it.
    pub(super) fn line(&self) -> SaleLine {
        let order = &self.order;
        SaleLine {
            order_id: order.id,
            ticket: crema_shared::terminal::ticket(&order.ticket_prefix, order.ticket_number),
            total: order.totals.total.minor(),
        }
    }
}

/// A written sale, as its log line names it.
pub(super) struct SaleLine {
    order_id: Uuid,
    ticket: String,
    total: i64,
}

impl SaleLine {
    pub(super) fn log(&self) {
        tracing::info!(order_id = %self.order_id, ticket = %self.ticket, total = self.total, "order placed");
    }
}

/// `order.placed`, and `payment.captured` when it was paid at the till.
pub fn placed_events(
    ctx: &RequestContext,
    order: &OrderRecord,
    now: DateTime<Utc>,
) -> Result<Vec<NewEvent>, ServiceError> {
    let order_json = to_raw_json(&order_dto(order, None))?;
    Ok(placed_events_with(ctx, order, now, &order_json))
}

/// [`placed_events`] with the order's JSON already written (`order_json`, its [`order_dto`]).
fn placed_events_with(
    ctx: &RequestContext,
    order: &OrderRecord,
    now: DateTime<Utc>,
    order_json: &RawValue,
) -> Vec<NewEvent> {
    let subject = Some(order.id.to_string());
    let mut events = vec![ctx.event(types::ORDER_PLACED, subject.clone(), now, placed_data(order, order_json))];
    if let Some(p) = order.payment {
        let captured = OrderEvent::PaymentCaptured {
            method: p.method,
            amount: order.totals.total,
            tendered: p.tendered,
            change: p.change_due,
            tip: Money::ZERO, // already in the order's total
        };
        events.push(ctx.event(captured.event_type(), subject, now, order_event_data(order, Some(&captured))));
    }
    events
}

/// The discounts as the order keeps them: on its lines' ids, the approver on those that
/// needed approval.
fn discount_records(order: &OrderRecord, applied: &[AppliedDiscount], approver: Option<&Actor>) -> Vec<DiscountDto> {
    applied
        .iter()
        .map(|d| DiscountDto {
            reason_id: d.reason_id,
            reason: d.reason.clone(),
            line_id: d.line.and_then(|i| order.lines.get(i)).map(|l| l.id),
            percent_bps: d.percent_bps,
            amount_cents: d.amount.minor(),
            approved_by: approver.filter(|_| d.needs_approval).map(|a| a.id),
        })
        .collect()
}

fn tender_record(part: &PaidPart) -> TenderDto {
    TenderDto {
        method: part.method,
        amount_cents: part.amount.minor(),
        tip_cents: part.tip.minor(),
        tendered_cents: part.tendered.minor(),
        change_cents: part.change.minor(),
        reference: part.approval_code.as_ref().map(|code| format!("{TERMINAL_PREFIX}{code}")),
    }
}

fn line_record(line: &PricedLine) -> LineRecord {
    LineRecord {
        id: Uuid::now_v7(),
        item_id: line.item_id,
        name: line.name.clone(),
        quantity: line.quantity.get(),
        unit_price: line.unit_price,
        options: line
            .options
            .iter()
            .map(|o| OptionSnapshot {
                option_id: o.option_id,
                group_name: o.group_name.clone(),
                name: o.name.clone(),
                price_delta_cents: o.price_delta.minor(),
            })
            .collect(),
        note: line.note.as_ref().map(|n| n.as_str().to_string()),
        status: LineStatus::Queued,
        line_total: line.line_total,
    }
}
