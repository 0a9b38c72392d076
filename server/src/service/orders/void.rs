//! Voiding one line of an order not yet paid in full, with why: the order is priced again
//! without it ([`crema_shared::void`]), the kitchen display strikes it, and the audit log keeps
//! the line, its amount, the reason and who approved. A manager voids alone; a cashier needs a
//! manager's PIN typed on the till (like a refund).
//!
//! A synced terminal voids on its own copy (offline too) and sends the hub the line and why;
//! the hub prices its copy again by its own rules ([`void_line_in`]), as it takes every step.

use super::transition::void_in;
use super::view::order_dto;
use crate::service::discounts;
use crate::service::error::JobResult;
use crate::service::idempotency::Answer;
use crate::service::staff::auth::Source;
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::{audit, orders};
use crema_shared::api::ApprovalPin;
use crema_shared::lifecycle::{self, OrderCommand, OrderState};
use crema_shared::staff::Permission;
use crema_shared::validation::bounded_text;
use crema_shared::void::{void_line, VoidRefusal, MAX_VOID_REASON_CHARS};
use crema_shared::ValidationErrors;
use serde_json::json;
use uuid::Uuid;

/// What a void asks for: why, and a manager's PIN when the one asking may not void alone.
#[derive(Clone, Debug, Default)]
pub struct VoidAsk {
    pub reason: Option<String>,
    pub approval_pin: Option<ApprovalPin>,
}

#[tracing::instrument(name = "orders.void_line", skip_all, fields(order_id = %id, line_id = %line_id))]
pub async fn void(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    line_id: Uuid,
    ask: &VoidAsk,
    source: Source,
) -> Result<Answer, ServiceError> {
    let reason = match ask.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(raw) => bounded_text(raw, MAX_VOID_REASON_CHARS).map_err(|m| ValidationErrors::single("reason", m))?,
        None => return Err(ValidationErrors::single("reason", "say why the line is voided").into()),
    };
    let may_alone = ctx.actor.as_ref().is_none_or(|a| a.role.may(Permission::Refund));
    let approver = match (&ask.approval_pin, may_alone) {
        (_, true) => None,
        (Some(pin), false) => Some(discounts::approver(state, ctx, pin, source).await?),
        (None, false) => {
            return Err(
                ValidationErrors::single("approval_pin", "a void needs a manager: they type their PIN here").into()
            )
        }
    };
    let (job_state, job_ctx) = (state.clone(), ctx.clone());
    let approved_by = json!(approver.as_ref().map(|a| a.id));
    let answer = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move { void_line_in(conn, &job_state, &job_ctx, id, line_id, &reason, approved_by).await })
        })
        .await?;
    tracing::info!(order_id = %id, %line_id, "line voided");
    Ok(answer)
}

/// The void inside a write its use case opened (the till's request, or a terminal's void the
/// hub applies): the order priced again by this server's rules, the change, and its audit row
/// (`approved_by` as the caller knows it).
pub async fn void_line_in(
    conn: &mut Db<'_>,
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    line_id: Uuid,
    reason: &str,
    approved_by: serde_json::Value,
) -> JobResult<Answer> {
    let order = orders::get(conn, id).await?.ok_or(ServiceError::NotFound("order"))?;
    let shown = order_dto(&order, None);
    // The lifecycle's refusals first (paid, ready, voided already): they say what to do.
    let as_is = OrderCommand::VoidLine { line_id, reason: reason.to_string(), total: order.totals.total };
    lifecycle::decide(&OrderState::of(&shown), &as_is).map_err(ServiceError::Transition)?;
    let tax = state.menu.current(&mut *conn).await?.tax;
    let repriced = void_line(&shown, line_id, tax).map_err(|e| match e {
        VoidRefusal::NoSuchLine(_) => ServiceError::NotFound("line on this order"),
        other => ServiceError::Conflict(other.to_string()),
    })?;
    let command = OrderCommand::VoidLine { line_id, reason: reason.to_string(), total: repriced.totals.total };
    let done = void_in(conn, state, ctx, id, &command, &repriced).await?;
    let name = order.lines.iter().find(|l| l.id == line_id).map(|l| l.name.clone());
    let detail = json!({
        "ticket": order.ticket_number, "line_id": line_id, "name": name, "reason": reason,
        "amount_cents": repriced.line_total.minor(), "total_cents": repriced.totals.total.minor(),
        "approved_by": approved_by,
    });
    audit::append(conn, &ctx.audit("order.line.voided", Some(id.to_string()), detail)).await?;
    Ok(done)
}
