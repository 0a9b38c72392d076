//! Moving an order through its lifecycle: accept, start and finish lines, complete, cancel,
//! and record payments. The domain decides what is allowed; this writes the change, its
//! history and events, and hands it to the reactions, in one write.

use super::to_json;
use super::view::{order_dto, order_event_data};
use super::TERMINAL_PREFIX;
use crate::service::error::JobResult;
use crate::service::idempotency::{self, Answer, IdempotencyKey};
use crate::service::reactions::{self, Change, OrderChange};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::orders::{self, OrderRecord, OrderUpdate, PaymentRecord, StatusChange};
use crate::store::{outbox, Done, JobError, StoreError};
use crema_shared::api::TenderDto;
use crema_shared::lifecycle::{self, LineState, OrderCommand, OrderEvent, OrderState};
use crema_shared::status::{OrderStatus, PaymentMethod, PaymentStatus};
use crema_shared::totals::Totals;
use crema_shared::void::Voided;
use uuid::Uuid;

/// Applies a lifecycle command (accept, start/finish a line, complete, cancel, pay) to an
/// order, optionally only if it is still at `if_match`.
#[tracing::instrument(name = "orders.transition", skip_all, fields(order_id = %id))]
pub async fn transition(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    command: OrderCommand,
    if_match: Option<i64>,
    key: Option<&IdempotencyKey>,
) -> Result<Answer, ServiceError> {
    transition_paying(state, ctx, id, command, if_match, key, true).await
}

/// The same, where the command may take money: `receipt` says whether the till wants the
/// customer's receipt printed.
pub async fn transition_paying(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    command: OrderCommand,
    if_match: Option<i64>,
    key: Option<&IdempotencyKey>,
    receipt: bool,
) -> Result<Answer, ServiceError> {
    let (job_state, ctx, key) = (state.clone(), ctx.clone(), key.cloned());
    let moved = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let step = Step { id, command: &command, if_match, key: key.as_ref(), receipt, repriced: None };
                transition_job(conn, &job_state, &ctx, step).await
            })
        })
        .await?;
    if let Some(due) = moved.first_job_due {
        state.jobs_wakeup.queued(due, state.clock.now());
    }
    Ok(moved.answer)
}

/// The same, inside a write another use case opened (a command pushed by a terminal, which
/// printed its own receipt).
pub async fn transition_in(
    conn: &mut Db<'_>,
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    command: &OrderCommand,
) -> JobResult<Answer> {
    let step = Step { id, command, if_match: None, key: None, receipt: false, repriced: None };
    let done = transition_job(conn, state, ctx, step).await?;
    Ok(Done::new(done.value.answer, done.last_sequence))
}

/// A void inside a write its use case opened: `command` is the [`OrderCommand::VoidLine`]
/// whose total `repriced` worked out, and `repriced` is written with it.
pub async fn void_in(
    conn: &mut Db<'_>,
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    command: &OrderCommand,
    repriced: &Voided,
) -> JobResult<Answer> {
    let step = Step { id, command, if_match: None, key: None, receipt: false, repriced: Some(repriced) };
    let done = transition_job(conn, state, ctx, step).await?;
    Ok(Done::new(done.value.answer, done.last_sequence))
}

/// One command for one order, with what the caller asked of it.
struct Step<'a> {
    id: Uuid,
    command: &'a OrderCommand,
    if_match: Option<i64>,
    key: Option<&'a IdempotencyKey>,
    receipt: bool,
    /// The order priced again (a void), written with the change.
    repriced: Option<&'a Voided>,
}

/// A transition's answer, and when the first job it queued is due (none queued: `None`).
struct Moved {
    answer: Answer,
    first_job_due: Option<chrono::DateTime<chrono::Utc>>,
}

async fn transition_job(conn: &mut Db<'_>, state: &AppState, ctx: &RequestContext, step: Step<'_>) -> JobResult<Moved> {
    let Step { id, command, if_match, key, receipt, repriced } = step;
    if let Some(answer) = idempotency::replay(conn, state.store.keys(), key).await? {
        return Ok(Done::new(Moved { answer, first_job_due: None }, None));
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
    let now = state.clock.now();
    let approval_code = match command {
        OrderCommand::PayCardAtTerminal { approval_code, .. } => Some(approval_code.as_str()),
        _ => None,
    };
    let (payment, tenders) = paid(&order, &before, &after, &events, approval_code);
    let reason = match command {
        OrderCommand::Cancel { reason } => Some(reason.clone()),
        _ => None,
    };
    let update = OrderUpdate {
        id,
        expected_version: order.version,
        status: after.status,
        payment_status: after.payment_status,
        payment,
        payment_reference: events
            .iter()
            .find_map(|e| match e {
                OrderEvent::PaymentAuthorized { reference, .. } => Some(reference.clone()),
                _ => None,
            })
            .or(approval_code.map(|code| format!("{TERMINAL_PREFIX}{code}")))
            .or(order.payment_reference.clone()),
        refunded: after.refunded,
        // A tip added with a later payment grows the order's tip and total; a void prices the
        // order again.
        totals: match repriced {
            Some(r) => Totals { tip: after.tip, total: after.total, ..r.totals },
            None => Totals { tip: after.tip, total: after.total, ..order.totals },
        },
        discounts: repriced.map_or_else(|| order.discounts.clone(), |r| r.discounts.clone()),
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
        tenders,
        kitchen_held: after.held,
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
    order.totals = update.totals;
    order.discounts = update.discounts.clone();
    order.tenders = update.tenders.clone();
    order.kitchen_held = update.kitchen_held;
    order.updated_at = now;
    order.version += 1;
    for line in &mut order.lines {
        if let Some((_, status)) = update.line_changes.iter().find(|(lid, _)| *lid == line.id) {
            line.status = *status;
        }
    }
    let subject = Some(order.id.to_string());
    let new_events: Vec<_> = events
        .iter()
        .map(|e| ctx.event(e.event_type(), subject.clone(), now, order_event_data(&order, Some(e))))
        .collect();
    let mut last = outbox::append(conn, &new_events).await?;
    let change = OrderChange { ctx, order: &order, change: Change::Moved { events: &events }, at: now, receipt };
    let effects = reactions::plan(state, &change);
    for job in &effects.jobs {
        crate::store::jobs::enqueue(conn, job).await?;
    }
    for entry in &effects.audit {
        crate::store::audit::append(conn, entry).await?;
    }
    let written = reactions::write(conn, state, &change).await?;
    if !written.is_empty() {
        last = outbox::append(conn, &written).await?.or(last);
    }
    let answer = Answer { status: 200, body: to_json(&order_dto(&order, None))?, replayed: false };
    if let Err(e) = idempotency::remember(conn, state.store.keys(), key, &answer).await {
        return Err(JobError::Store(match e {
            ServiceError::Store(s) => s,
            other => StoreError::internal(other.to_string()),
        }));
    }
    if before.status != order.status {
        ticket_times(conn, state, &order, now).await?;
    }
    tracing::info!(order_id = %id, status = %order.status, version = order.version, "order changed");
    let first_job_due = crate::store::jobs::NewJob::first_due(&effects.jobs);
    Ok(Done::new(Moved { answer, first_job_due }, last))
}

/// Times the ticket for `/metrics` as it becomes ready (since placed) or completed (since
/// ready). Observed at the end of the write, after everything that could refuse it.
async fn ticket_times(
    conn: &mut Db<'_>,
    state: &AppState,
    order: &OrderRecord,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let seconds = |since: chrono::DateTime<chrono::Utc>| (now - since).num_milliseconds().max(0) as f64 / 1000.0;
    match order.status {
        OrderStatus::Ready => state.metrics.ticket_ready.observe(seconds(order.created_at)),
        OrderStatus::Completed => {
            let history = orders::history(&mut *conn, order.id).await?;
            if let Some(ready) = history.iter().rev().find(|c| c.to == OrderStatus::Ready) {
                state.metrics.ticket_pickup.observe(seconds(ready.at));
            }
        }
        _ => {}
    }
    Ok(())
}

fn lifecycle_state(order: &OrderRecord) -> OrderState {
    let card_authorized = order.payment_status == PaymentStatus::Authorized;
    OrderState {
        status: order.status,
        payment_status: order.payment_status,
        payment_method: order.payment.map(|p| p.method).or(card_authorized.then_some(PaymentMethod::Card)),
        total: order.totals.total,
        tip: order.totals.tip,
        paid: lifecycle::paid_so_far(order.payment_status, order.totals.total, &order.tenders),
        refunded: order.refunded,
        held: order.kitchen_held,
        lines: order.lines.iter().map(|l| LineState { id: l.id, status: l.status }).collect(),
    }
}

/// The order's payment and tenders after `events`: a payment at once is its one tender; a
/// part of a tab (or the last part) is added to the tenders, and the payment is their sums.
fn paid(
    order: &OrderRecord,
    before: &OrderState,
    after: &OrderState,
    events: &[OrderEvent],
    approval_code: Option<&str>,
) -> (Option<PaymentRecord>, Vec<TenderDto>) {
    let captured = events.iter().find_map(|e| match e {
        OrderEvent::PaymentCaptured { method, amount, tendered, change, tip } => {
            Some((*method, *amount, *tendered, *change, *tip))
        }
        _ => None,
    });
    let Some((method, amount, tendered, change, tip)) = captured else {
        return (order.payment, order.tenders.clone());
    };
    let in_parts =
        before.payment_status == PaymentStatus::PartlyPaid || after.payment_status == PaymentStatus::PartlyPaid;
    if !in_parts {
        return (Some(PaymentRecord { method, tendered, change_due: change }), order.tenders.clone());
    }
    let mut tenders = order.tenders.clone();
    tenders.push(TenderDto {
        method,
        amount_cents: (amount - tip).minor(),
        tip_cents: tip.minor(),
        tendered_cents: tendered.minor(),
        change_cents: change.minor(),
        reference: approval_code.map(|code| format!("{TERMINAL_PREFIX}{code}")),
    });
    (Some(PaymentRecord::of_tenders(&tenders)), tenders)
}
