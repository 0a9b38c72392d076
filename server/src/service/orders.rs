//! Placing orders, moving them through their lifecycle, and reading them back.

use super::error::JobResult;
use super::idempotency::{self, Answer, IdempotencyKey};
use super::order_audit;
use super::order_view::{event_data, order_dto};
use super::{notify, payments, sla, stock, RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::orders::{
    self, LineRecord, ListFilter, OptionSnapshot, OrderRecord, OrderUpdate, PaymentRecord, StatusChange,
};
use crate::store::placement::{self, IdempotencyRecord};
use crate::store::{audit, jobs, outbox, time, Done, JobError, StoreError};
use crema_shared::api::{BoardDto, BoardTicket, OrderDto, OrderPage, PlaceOrderRequest};
use crema_shared::events::types;
use crema_shared::lifecycle::{self, LineState, OrderCommand, OrderEvent, OrderState, TransitionError};
use crema_shared::placing::{price_order, PricedLine, Tender};
use crema_shared::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};
use crema_shared::Money;
use crema_shared::ValidationErrors;
use serde_json::json;
use sqlx::SqliteConnection;
use uuid::Uuid;

/// Places an order: prices it from the menu in force, numbers it, writes it with its
/// `order.placed` (and `payment.captured`) events, all in one write.
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
    let answer = state
        .store
        .writer()
        .write(move |conn| Box::pin(async move { place_job(conn, &job_state, &ctx, &request, key.as_ref()).await }))
        .await?;
    if state.ticket_sla.is_some() && !answer.replayed {
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
) -> JobResult<Answer> {
    let id = request.id.unwrap_or_else(Uuid::now_v7);
    let now = time::now();
    let business_date = state.day.date_of(now);
    let check = placement::check(conn, id, &business_date, key.map(|k| (k.scope.as_str(), k.key.as_str()))).await?;
    if let Some(key) = key {
        if let Some(answer) = key.replay(check.saved)? {
            return Ok(Done::new(answer, None));
        }
    }
    let menu = state.menu.at_version(conn, check.menu_version).await?;
    let priced = price_order(&menu.catalog, menu.tax, request)?;
    if check.order_exists {
        return Err(ServiceError::Conflict(format!("an order with id {id} already exists")).into());
    }
    let takes = stock::check(conn, &menu.catalog, &priced.lines).await?;
    let total = priced.totals.total;
    let (payment, payment_reference, authorize) = match &priced.payment {
        None => (None, None, false),
        Some(Tender::Cash(cash)) => (
            Some(PaymentRecord { method: PaymentMethod::Cash, tendered: cash.tendered, change_due: cash.change }),
            None,
            false,
        ),
        Some(Tender::CardTerminal { approval_code }) => (
            Some(PaymentRecord { method: PaymentMethod::Card, tendered: total, change_due: Money::ZERO }),
            Some(format!("{TERMINAL_PREFIX}{approval_code}")),
            false,
        ),
        Some(Tender::CardGateway) => {
            if state.gateway.is_none() {
                let message =
                    "a card without a terminal approval code needs a payment gateway (CREMA_PAYMENT_GATEWAY_URL)";
                return Err(ValidationErrors::single("payment.approval_code", message).into());
            }
            (None, None, true)
        }
    };
    let order = OrderRecord {
        id,
        business_date,
        ticket_number: check.next_ticket_number,
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
    let subject = Some(order.id.to_string());
    let mut events = vec![ctx.event(types::ORDER_PLACED, subject.clone(), now, event_data(&order, None))];
    if let Some(p) = payment {
        let captured = OrderEvent::PaymentCaptured {
            method: p.method,
            amount: order.totals.total,
            tendered: p.tendered,
            change: p.change_due,
        };
        events.push(ctx.event(captured.event_type(), subject, now, event_data(&order, Some(&captured))));
    }
    let answer = Answer { status: 201, body: to_json(&order_dto(&order, None))?, replayed: false };
    let saved = key.map(|k| k.save(&answer));
    let record = key.zip(saved.as_ref()).map(|(k, saved)| IdempotencyRecord { scope: &k.scope, key: &k.key, saved });
    let mut follow_ups: Vec<_> =
        state.ticket_sla.map(|limit| sla::job_for(order.id, order.created_at, limit)).into_iter().collect();
    if authorize {
        follow_ups.push(payments::job(payments::AUTHORIZE, order.id, None, true));
    }
    // Every sale is audited, linked to the chain head the check read, in the same round trip.
    let audited = audit::link_after(check.audit_head.clone(), &order_audit::sale(ctx, &order, priced.payment.as_ref()));
    let mut last = placement::write(conn, &order, &events, record, &follow_ups, Some(&audited)).await?;
    let sold_out = stock::reserve(conn, ctx, &menu.catalog, order.id, &takes).await?;
    if !sold_out.is_empty() {
        last = outbox::append(conn, &sold_out).await?.or(last);
    }
    tracing::info!(order_id = %order.id, ticket = order.ticket_number, total = order.totals.total.minor(), "order placed");
    Ok(Done::new(answer, last))
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

/// Applies a lifecycle command (accept, start/finish a line, complete, cancel, pay) to an
/// order, optionally only if it is still at `if_match`.
pub async fn transition(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    command: OrderCommand,
    if_match: Option<i64>,
    key: Option<&IdempotencyKey>,
) -> Result<Answer, ServiceError> {
    let (job_state, ctx, key) = (state.clone(), ctx.clone(), key.cloned());
    let answer = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move { transition_job(conn, &job_state, &ctx, id, &command, if_match, key.as_ref()).await })
        })
        .await?;
    state.jobs_wakeup.notify_one();
    Ok(answer)
}

async fn transition_job(
    conn: &mut SqliteConnection,
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    command: &OrderCommand,
    if_match: Option<i64>,
    key: Option<&IdempotencyKey>,
) -> JobResult<Answer> {
    if let Some(answer) = idempotency::replay(conn, key).await? {
        return Ok(Done::new(answer, None));
    }
    let mut order = orders::get(conn, id).await?.ok_or(ServiceError::NotFound("order"))?;
    if let Some(expected) = if_match {
        if expected != order.version {
            return Err(ServiceError::Stale { expected, current: order.version }.into());
        }
    }
    if let (OrderCommand::Cancel { .. }, Some(actor)) = (command, &ctx.actor) {
        if !actor.role.may_cancel(order.status) {
            let detail = format!("a {} may not cancel an order that is {}; ask a manager", actor.role, order.status);
            return Err(ServiceError::Forbidden(detail).into());
        }
    }
    let before = lifecycle_state(&order);
    let (events, after) = lifecycle::handle(&before, command).map_err(ServiceError::Transition)?;
    let now = time::now();
    let payment = events.iter().find_map(|e| match e {
        OrderEvent::PaymentCaptured { method, tendered, change, .. } => {
            Some(PaymentRecord { method: *method, tendered: *tendered, change_due: *change })
        }
        _ => None,
    });
    let reason = match command {
        OrderCommand::Cancel { reason } => Some(reason.clone()),
        _ => None,
    };
    let update = OrderUpdate {
        id,
        expected_version: order.version,
        status: after.status,
        payment_status: after.payment_status,
        payment: payment.or(order.payment),
        payment_reference: events
            .iter()
            .find_map(|e| match e {
                OrderEvent::PaymentAuthorized { reference, .. } => Some(reference.clone()),
                _ => None,
            })
            .or(match command {
                OrderCommand::PayCardAtTerminal { approval_code } => Some(format!("{TERMINAL_PREFIX}{approval_code}")),
                _ => None,
            })
            .or(order.payment_reference.clone()),
        refunded: after.refunded,
        updated_at: now,
        line_changes: after
            .lines
            .iter()
            .zip(&before.lines)
            .filter(|(a, b)| a.status != b.status)
            .map(|(a, _)| (a.id, a.status))
            .collect(),
        status_change: (after.status != before.status).then_some(StatusChange {
            from: Some(before.status),
            to: after.status,
            at: now,
            reason,
        }),
    };
    if !orders::update(conn, &update).await? {
        // Nothing matched, so nothing was written.
        return Err(ServiceError::Stale { expected: order.version, current: order.version + 1 }.into());
    }
    order.status = update.status;
    order.payment_status = update.payment_status;
    order.payment = update.payment;
    order.payment_reference = update.payment_reference.clone();
    order.refunded = update.refunded;
    order.updated_at = now;
    order.version += 1;
    for line in &mut order.lines {
        if let Some((_, status)) = update.line_changes.iter().find(|(lid, _)| *lid == line.id) {
            line.status = *status;
        }
    }
    let subject = Some(order.id.to_string());
    let new_events: Vec<_> =
        events.iter().map(|e| ctx.event(e.event_type(), subject.clone(), now, event_data(&order, Some(e)))).collect();
    let mut last = outbox::append(conn, &new_events).await?;
    if events.iter().any(|e| matches!(e, OrderEvent::Cancelled { .. })) {
        let menu = state.menu.current(conn).await?;
        let back = stock::release(conn, ctx, &menu.catalog, id).await?;
        if !back.is_empty() {
            last = outbox::append(conn, &back).await?.or(last);
        }
    }
    if state.mailer.is_some() && events.contains(&OrderEvent::Ready) && order.customer_email.is_some() {
        jobs::enqueue(conn, &notify::job_for(order.id)).await?;
    }
    for step in payments::next_steps(&order, &events, state.capture_on) {
        jobs::enqueue(conn, &step).await?;
    }
    for entry in events.iter().filter_map(|event| order_audit::for_event(ctx, &order, event)) {
        audit::append(conn, &entry).await?;
    }
    let answer = Answer { status: 200, body: to_json(&order_dto(&order, None))?, replayed: false };
    if let Err(e) = idempotency::remember(conn, key, &answer).await {
        return Err(JobError::Store(match e {
            ServiceError::Store(s) => s,
            other => StoreError::corrupt(other.to_string()),
        }));
    }
    tracing::info!(order_id = %id, status = %order.status, version = order.version, "order changed");
    Ok(Done::new(answer, last))
}

/// One order with its status history.
pub async fn get(state: &AppState, id: Uuid) -> Result<OrderDto, ServiceError> {
    let mut conn = state.store.reader().acquire().await?;
    let order = orders::get(&mut conn, id).await?.ok_or(ServiceError::NotFound("order"))?;
    let history = orders::history(&mut *conn, id).await?;
    Ok(order_dto(&order, Some(&history)))
}

/// Orders newest first, filtered and paged.
pub async fn list(state: &AppState, filter: ListFilter) -> Result<OrderPage, ServiceError> {
    let mut conn = state.store.reader().acquire().await?;
    // One more than asked tells whether there is a next page.
    let probe = ListFilter { limit: filter.limit + 1, ..filter.clone() };
    let mut found = orders::list(&mut conn, &probe).await?;
    let more = found.len() as i64 > filter.limit;
    found.truncate(filter.limit.max(0) as usize);
    Ok(OrderPage {
        orders: found.iter().map(|o| order_dto(o, None)).collect(),
        next_offset: more.then_some(filter.offset + filter.limit),
    })
}

/// The pickup board: today's open tickets, first names only.
/// Tickets a pickup board shows per column ("Preparing": the oldest; "Ready": the newest).
pub const BOARD_TICKETS_PER_COLUMN: i64 = 40;

pub async fn board(state: &AppState) -> Result<BoardDto, ServiceError> {
    let mut conn = state.store.reader().acquire().await?;
    let today = state.day.date_of(time::now());
    let mut board = BoardDto { preparing: Vec::new(), ready: Vec::new() };
    for (ticket_number, customer, status) in orders::board(&mut conn, &today, BOARD_TICKETS_PER_COLUMN).await? {
        let name = customer.split_whitespace().next().unwrap_or_default().to_string();
        let ticket = BoardTicket { ticket_number, name };
        if status == OrderStatus::Ready {
            board.ready.push(ticket);
        } else {
            board.preparing.push(ticket);
        }
    }
    Ok(board)
}

fn lifecycle_state(order: &OrderRecord) -> OrderState {
    let card_authorized = order.payment_status == PaymentStatus::Authorized;
    OrderState {
        status: order.status,
        payment_status: order.payment_status,
        payment_method: order.payment.map(|p| p.method).or(card_authorized.then_some(PaymentMethod::Card)),
        total: order.totals.total,
        refunded: order.refunded,
        lines: order.lines.iter().map(|l| LineState { id: l.id, status: l.status }).collect(),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ServiceError> {
    serde_json::to_string(value).map_err(|e| ServiceError::Store(crate::store::StoreError::corrupt(e.to_string())))
}

/// How a card terminal's approval code is kept, so it is never mistaken for a gateway reference.
pub const TERMINAL_PREFIX: &str = "terminal:";

/// Starts a refund: cash goes back over the counter at once; a card refund is a saga step
/// (202: the order shows it once the gateway has given the money back).
pub async fn refund(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    amount: Money,
) -> Result<(u16, Answer), ServiceError> {
    let order = get(state, id).await?;
    let through_gateway = order.payment_reference.as_deref().is_some_and(|r| !r.starts_with(TERMINAL_PREFIX));
    if order.payment_method == Some(PaymentMethod::Card) && through_gateway {
        if state.gateway.is_none() {
            return Err(ServiceError::Conflict(
                "card refunds need the payment gateway (CREMA_PAYMENT_GATEWAY_URL)".into(),
            ));
        }
        let job_ctx = ctx.clone();
        state
            .store
            .writer()
            .write(move |conn| {
                Box::pin(async move {
                    // Checked against what is recorded *and* what is still on its way back,
                    // in the same write that queues the refund: no two requests over-refund.
                    let order = orders::get(conn, id).await?.ok_or(ServiceError::NotFound("order"))?;
                    if order.payment_status != PaymentStatus::Captured {
                        let error = TransitionError::PaymentState(order.payment_status, "refunded");
                        return Err(ServiceError::Transition(error).into());
                    }
                    let pending = Money::from_minor(jobs::pending_amounts(conn, payments::REFUND, id).await?);
                    let max = order.totals.total - order.refunded - pending;
                    if amount > max {
                        return Err(ServiceError::Transition(TransitionError::RefundTooLarge { max }).into());
                    }
                    let step = payments::job(payments::REFUND, id, Some(amount), false);
                    jobs::enqueue(conn, &step).await?;
                    let detail = json!({ "amount_cents": amount.minor(), "job_id": step.id });
                    audit::append(conn, &job_ctx.audit("payment.refund.requested", Some(id.to_string()), detail))
                        .await?;
                    JobResult::Ok(Done::new((), None))
                })
            })
            .await?;
        state.jobs_wakeup.notify_one();
        let body = to_json(&get(state, id).await?)?;
        return Ok((202, Answer { status: 202, body, replayed: false }));
    }
    let answer = transition(state, ctx, id, OrderCommand::RecordRefund { amount }, None, None).await?;
    Ok((200, answer))
}
