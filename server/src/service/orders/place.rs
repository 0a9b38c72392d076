//! Placing an order: price it from the menu in force, number it, take its stock, write it
//! with its events and idempotent answer in one write, and hand the change to the reactions.

use super::view::{event_data, order_dto};
use super::{to_json, TERMINAL_PREFIX};
use crate::service::error::JobResult;
use crate::service::idempotency::{Answer, IdempotencyKey};
use crate::service::menu::stock;
use crate::service::reactions::{self, Change, OrderChange};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::orders::{LineRecord, OptionSnapshot, OrderRecord, PaymentRecord};
use crate::store::outbox::NewEvent;
use crate::store::placement::{self, IdempotencyRecord};
use crate::store::{audit, outbox, Done};
use chrono::{DateTime, Utc};
use crema_shared::api::PlaceOrderRequest;
use crema_shared::events::types;
use crema_shared::lifecycle::OrderEvent;
use crema_shared::placing::{price_order, PricedLine, Tender};
use crema_shared::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};
use crema_shared::Money;
use crema_shared::ValidationErrors;
use sqlx::SqliteConnection;
use uuid::Uuid;

/// Places an order: prices it from the menu in force, numbers it, writes it with its
/// `order.placed` (and `payment.captured`) events, all in one write.
#[tracing::instrument(name = "orders.place", skip_all)]
pub async fn place(
    state: &AppState,
    ctx: &RequestContext,
    request: &PlaceOrderRequest,
    key: Option<&IdempotencyKey>,
) -> Result<Answer, ServiceError> {
    if let Some(id) = request.id {
        if id.get_version_num() != 7 {
            return Err(ValidationErrors::single("id", "must be a UUIDv7").into());
        }
    }
    let (job_state, ctx, request, key) = (state.clone(), ctx.clone(), request.clone(), key.cloned());
    let (answer, queued_jobs) = state
        .store
        .writer()
        .write(move |conn| Box::pin(async move { place_job(conn, &job_state, &ctx, &request, key.as_ref()).await }))
        .await?;
    if !answer.replayed {
        state.metrics.orders_placed.inc();
    }
    if queued_jobs {
        state.jobs_wakeup.notify_one();
    }
    Ok(answer)
}

async fn place_job(
    conn: &mut SqliteConnection,
    state: &AppState,
    ctx: &RequestContext,
    request: &PlaceOrderRequest,
    key: Option<&IdempotencyKey>,
) -> JobResult<(Answer, bool)> {
    let id = request.id.unwrap_or_else(Uuid::now_v7);
    let now = state.clock.now();
    let business_date = state.day.date_of(now);
    let check = placement::check(conn, id, &business_date, key.map(|k| (k.scope.as_str(), k.key.as_str()))).await?;
    if let Some(key) = key {
        if let Some(answer) = key.replay(check.saved)? {
            return Ok(Done::new((answer, false), None));
        }
    }
    let menu = state.menu.at_version(conn, check.menu_version).await?;
    let priced = price_order(&menu.catalog, menu.tax, request)?;
    if check.order_exists {
        return Err(ServiceError::Conflict(format!("an order with id {id} already exists")).into());
    }
    let takes = stock::check(conn, &menu.catalog, &priced.lines).await?;
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
    let order = OrderRecord {
        id,
        business_date,
        ticket_number: check.next_ticket_number,
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
    };
    let events = placed_events(ctx, &order, now);
    let answer = Answer { status: 201, body: to_json(&order_dto(&order, None))?, replayed: false };
    let saved = key.map(|k| k.save(&answer));
    let record = key.zip(saved.as_ref()).map(|(k, saved)| IdempotencyRecord { scope: &k.scope, key: &k.key, saved });
    // What the sale causes (audit row, card authorization, ticket-age alert) is written in the
    // placement's own round trip; the audit row is linked to the chain head the check read.
    let change =
        OrderChange { ctx, order: &order, change: Change::Placed { tender: priced.payment.as_ref() }, at: now };
    let effects = reactions::plan(state, &change);
    let (first, more) = match effects.audit.split_first() {
        Some((first, more)) => (Some(audit::link_after(check.audit_head.clone(), first)), more),
        None => (None, &[][..]),
    };
    let mut last = placement::write(conn, &order, true, &events, record, &effects.jobs, first.as_ref()).await?;
    for entry in more {
        audit::append(conn, entry).await?;
    }
    let sold_out = stock::reserve(conn, ctx, &menu.catalog, order.id, &takes).await?;
    if !sold_out.is_empty() {
        last = outbox::append(conn, &sold_out).await?.or(last);
    }
    let written = reactions::write(conn, state, &change).await?;
    if !written.is_empty() {
        last = outbox::append(conn, &written).await?.or(last);
    }
    tracing::info!(order_id = %order.id, ticket = %crema_shared::terminal::ticket(&order.ticket_prefix, order.ticket_number), total = order.totals.total.minor(), "order placed");
    Ok(Done::new((answer, !effects.jobs.is_empty()), last))
}

/// `order.placed`, and `payment.captured` when it was paid at the till.
pub fn placed_events(ctx: &RequestContext, order: &OrderRecord, now: DateTime<Utc>) -> Vec<NewEvent> {
    let subject = Some(order.id.to_string());
    let mut events = vec![ctx.event(types::ORDER_PLACED, subject.clone(), now, event_data(order, None))];
    if let Some(p) = order.payment {
        let captured = OrderEvent::PaymentCaptured {
            method: p.method,
            amount: order.totals.total,
            tendered: p.tendered,
            change: p.change_due,
        };
        events.push(ctx.event(captured.event_type(), subject, now, event_data(order, Some(&captured))));
    }
    events
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
