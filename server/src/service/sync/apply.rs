//! On the hub: applying the commands a terminal pushes, each exactly once.
//!
//! Every command is applied in its own write, inside a savepoint: the hub first looks for the
//! command's stored outcome (a retry gets the same answer and changes nothing), then applies
//! it through the same rules as a request — a sale is checked and recorded as the fact it is
//! (numbered by the terminal, priced as the customer paid, stock taken as far as it goes), a
//! move goes through the order's lifecycle — and stores the outcome in the same transaction.
//! A refusal rolls back to the savepoint and is stored as a rejection with the hub's copy
//! of the order, so the terminal can show it and correct its own.

use crate::service::context::Actor;
use crate::service::menu::stock;
use crate::service::orders::view::{order_dto, record_from_dto};
use crate::service::orders::{placed_events, transition_in, void_line_in};
use crate::service::reactions::{self, Change, OrderChange};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::terminals::TerminalRecord;
use crate::store::{audit, orders, outbox, placement, staff, sync as store, Done, JobError, StoreError};
use crema_shared::placing::{CashTender, Tender};
use crema_shared::status::PaymentMethod;
use crema_shared::sync::{
    validate_placed, CommandEnvelope, CommandOutcome, MoveAction, Outcome, PushRequest, PushResponse, RejectReason,
    SyncCommand, MAX_PUSH,
};
use crema_shared::ValidationErrors;

/// Applies a terminal's pushed commands in order; one outcome per command.
pub async fn push(
    state: &AppState,
    ctx: &RequestContext,
    terminal: &TerminalRecord,
    request: PushRequest,
) -> Result<PushResponse, ServiceError> {
    if request.commands.len() > MAX_PUSH {
        return Err(ValidationErrors::single("commands", format!("at most {MAX_PUSH} commands per push")).into());
    }
    // Each command is its own write, all handed to the writer at once and in order: it runs
    // them in that order, in as few transactions (fsyncs) as it can.
    let mut answers = Vec::with_capacity(request.commands.len());
    for envelope in request.commands {
        let (job_state, ctx, terminal) = (state.clone(), ctx.clone(), terminal.clone());
        let answer = state
            .store
            .writer()
            .submit(move |conn| Box::pin(async move { apply_job(conn, &job_state, &ctx, &terminal, envelope).await }))
            .await?;
        answers.push(answer);
    }
    let mut outcomes = Vec::with_capacity(answers.len());
    for answer in answers {
        outcomes.push(answer.await?);
    }
    if outcomes.iter().any(|o| matches!(o.outcome, Outcome::Accepted { .. })) {
        state.jobs_wakeup.notify_one();
    }
    Ok(PushResponse { outcomes })
}

async fn apply_job(
    conn: &mut Db<'_>,
    state: &AppState,
    ctx: &RequestContext,
    terminal: &TerminalRecord,
    envelope: CommandEnvelope,
) -> Result<Done<CommandOutcome>, JobError<ServiceError>> {
    let id = envelope.id;
    if let Some(outcome) = store::applied(conn, id).await? {
        return Ok(Done::new(CommandOutcome { id, outcome }, None));
    }
    let ctx = acting(conn, ctx, &envelope).await?;
    crate::store::db::exec!(conn, sqlx::query("SAVEPOINT sync_command"))?;
    let applied = match &envelope.command {
        SyncCommand::Place { order } => place_fact(conn, state, &ctx, terminal, order).await,
        SyncCommand::Move { order_id, actions } => {
            let mut last = None;
            let mut result = Ok(None);
            for action in actions {
                let step = match (action, action.command()) {
                    (_, Some(command)) => transition_in(conn, state, &ctx, *order_id, &command).await,
                    // Priced again here; the terminal checked the manager's PIN where it was typed.
                    (MoveAction::VoidLine { line_id, reason }, None) => {
                        let approved = serde_json::json!("on the terminal");
                        void_line_in(conn, state, &ctx, *order_id, *line_id, reason, approved).await
                    }
                    (other, None) => Err(StoreError::internal(format!("no command for {other:?}")).into()),
                };
                match step {
                    Ok(done) => last = done.last_sequence.or(last),
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            result.map(|_: Option<i64>| last)
        }
        SyncCommand::Availability { target, id, available } => {
            crate::service::menu::availability::apply_in(conn, &ctx, state.clock.now(), *target, *id, *available)
                .await
                .map(|done| done.last_sequence)
        }
    };
    let (outcome, last) = match applied {
        Ok(last) => {
            crate::store::db::exec!(conn, sqlx::query("RELEASE sync_command"))?;
            (Outcome::Accepted { sequence: last }, last)
        }
        Err(JobError::Refused(refusal)) => {
            crate::store::db::exec!(conn, sqlx::query("ROLLBACK TO sync_command"))?;
            crate::store::db::exec!(conn, sqlx::query("RELEASE sync_command"))?;
            (rejection(conn, &envelope.command, &refusal).await?, None)
        }
        Err(JobError::Store(e)) => return Err(JobError::Store(e)),
    };
    store::remember(conn, id, terminal.id, &outcome, state.clock.now()).await?;
    tracing::info!(command = %id, terminal = %terminal.label, accepted = matches!(outcome, Outcome::Accepted { .. }), "sync command applied");
    Ok(Done::new(CommandOutcome { id, outcome }, last))
}

/// The request's context, acting as the member of staff who was signed in on the terminal
/// (the hub's own record of them: a role changed on the hub applies).
async fn acting(
    conn: &mut Db<'_>,
    ctx: &RequestContext,
    envelope: &CommandEnvelope,
) -> Result<RequestContext, JobError<ServiceError>> {
    let mut ctx = ctx.clone();
    ctx.actor = match envelope.staff_id {
        Some(id) => staff::get(conn, id).await?.map(|s| Actor { id: s.id, name: s.name, role: s.role }),
        None => None,
    };
    Ok(ctx)
}

/// Records a sale a terminal made: checked, numbered and priced as the terminal did it.
async fn place_fact(
    conn: &mut Db<'_>,
    state: &AppState,
    ctx: &RequestContext,
    terminal: &TerminalRecord,
    sale: &crema_shared::api::OrderDto,
) -> Result<Option<i64>, JobError<ServiceError>> {
    validate_placed(sale, &terminal.label)?;
    let mut order = record_from_dto(sale);
    order.placed_by = ctx.staff_id();
    let check = placement::check(conn, state.store.keys(), order.id, &order.business_date, None).await?;
    if check.order_exists {
        return Err(ServiceError::Conflict(format!("an order with id {} already exists", order.id)).into());
    }
    let now = state.clock.now();
    let events = placed_events(ctx, &order, now)?;
    let tender = match (order.payment, order.payment_reference.as_deref()) {
        (Some(p), _) if p.method == PaymentMethod::Cash => {
            Some(Tender::Cash(CashTender { tendered: p.tendered, change: p.change_due }))
        }
        (Some(_), Some(reference)) => Some(Tender::CardTerminal {
            approval_code: reference.strip_prefix(crate::service::orders::TERMINAL_PREFIX).unwrap_or(reference).into(),
        }),
        _ => None,
    };
    // The terminal printed its own receipt (or was told not to): the hub prints none.
    let change =
        OrderChange { ctx, order: &order, change: Change::Placed { tender: tender.as_ref() }, at: now, receipt: false };
    let effects = reactions::plan(state, &change);
    let (first, more) = match effects.audit.split_first() {
        Some((first, more)) => (Some(audit::link_after(check.audit_head.clone(), first)), more),
        None => (None, &[][..]),
    };
    let mut last = placement::write(conn, &order, false, &events, None, &effects.jobs, first.as_ref()).await?;
    for entry in more {
        audit::append(conn, entry).await?;
    }
    let menu = state.menu.current(conn).await?;
    let mut follow = stock::take_sold(conn, ctx, &menu.catalog, &order).await?;
    follow.extend(reactions::write(conn, state, &change).await?);
    if !follow.is_empty() {
        last = outbox::append(conn, &follow).await?.or(last);
    }
    // Counted once written (the push's batch failing afterwards would over-count by one).
    state.metrics.orders_placed.inc();
    Ok(last)
}

/// The stored rejection of a refused command, with the hub's copy of its order.
async fn rejection(
    conn: &mut Db<'_>,
    command: &SyncCommand,
    refusal: &ServiceError,
) -> Result<Outcome, JobError<ServiceError>> {
    let current = match command.order_id() {
        Some(id) => orders::get(conn, id).await?,
        None => None,
    };
    let reason = match refusal {
        ServiceError::NotFound(_) => RejectReason::NotFound,
        ServiceError::Validation(_) => RejectReason::Invalid,
        _ => RejectReason::Conflict,
    };
    let ticket = match (command, &current) {
        (_, Some(order)) => crema_shared::terminal::ticket(&order.ticket_prefix, order.ticket_number),
        (SyncCommand::Place { order }, None) => order.ticket.clone(),
        (_, None) => String::new(),
    };
    // "Order A-42: cannot cancel an order that is completed"
    let detail = match command {
        SyncCommand::Availability { .. } => format!("86: {refusal}"),
        _ => format!("Order {ticket}: {refusal}"),
    };
    Ok(Outcome::Rejected { reason, detail, order: current.map(|o| Box::new(order_dto(&o, None))) })
}
