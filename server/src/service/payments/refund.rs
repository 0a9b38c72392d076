//! Refunds: cash and a card terminal's payments go back over the counter at once; a gateway
//! card refund is a saga step (202: the order shows it once the gateway has given the money
//! back), checked against what is already on its way back so no two requests over-refund.

use super::{job, REFUND};
use crate::service::discounts;
use crate::service::error::JobResult;
use crate::service::idempotency::Answer;
use crate::service::orders::{self, to_json, TERMINAL_PREFIX};
use crate::service::staff::auth::Source;
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::{audit, jobs, refunds, Done};
use crema_shared::api::{ApprovalPin, RefundRequest};
use crema_shared::lifecycle::{OrderCommand, TransitionError};
use crema_shared::placing::MAX_TENDER_CENTS;
use crema_shared::refund as refund_rules;
use crema_shared::staff::Permission;
use crema_shared::status::{PaymentMethod, PaymentStatus};
use crema_shared::validation::bounded_text;
use crema_shared::{Money, ValidationErrors};
use serde_json::json;
use uuid::Uuid;

/// Longest reason for a refund.
pub const MAX_REFUND_REASON_CHARS: usize = 140;

/// What a refund asks for: an amount or some lines, why, and a manager's PIN when the one
/// asking may not refund alone.
#[derive(Clone, Debug, Default)]
pub struct RefundAsk {
    pub amount: Option<Money>,
    pub line_ids: Vec<Uuid>,
    pub reason: Option<String>,
    pub approval_pin: Option<ApprovalPin>,
}

impl From<&RefundRequest> for RefundAsk {
    fn from(request: &RefundRequest) -> Self {
        RefundAsk {
            amount: request.amount_cents.map(Money::from_minor),
            line_ids: request.line_ids.clone(),
            reason: request.reason.clone(),
            approval_pin: request.approval_pin.clone(),
        }
    }
}

/// Starts a refund: cash goes back over the counter at once; a card refund is a saga step
/// (202: the order shows it once the gateway has given the money back). A refund by line gives
/// back the lines' share ([`crema_shared::refund::for_lines`]). One who may not refund alone
/// (a cashier) needs a manager's PIN with it; the audit log keeps why, which lines and who
/// approved.
#[tracing::instrument(name = "payments.refund", skip_all)]
pub async fn refund(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    ask: &RefundAsk,
    source: Source,
) -> Result<(u16, Answer), ServiceError> {
    let mut errors = ValidationErrors::new();
    let reason = match ask.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(raw) => errors.check("reason", bounded_text(raw, MAX_REFUND_REASON_CHARS)),
        None => None,
    };
    match (ask.amount, ask.line_ids.is_empty()) {
        (Some(_), false) => errors.push("amount_cents", "give an amount or lines, not both"),
        (None, true) => errors.push("amount_cents", "give an amount, or the lines given back (line_ids)"),
        (Some(amount), true) if !(1..=MAX_TENDER_CENTS).contains(&amount.minor()) => {
            errors.push("amount_cents", format!("must be between 1 and {MAX_TENDER_CENTS}"))
        }
        _ => {}
    }
    errors.into_result(())?;
    let may_alone = ctx.actor.as_ref().is_none_or(|a| a.role.may(Permission::Refund));
    let approver = match (&ask.approval_pin, may_alone) {
        (_, true) => None,
        (Some(pin), false) => Some(discounts::approver(state, ctx, pin, source).await?),
        (None, false) => {
            let message = "a refund needs a manager: they type their PIN here";
            return Err(ValidationErrors::single("approval_pin", message).into());
        }
    };
    let order = orders::get(state, id).await?;
    let amount = match ask.amount {
        Some(amount) => amount,
        None => {
            let mut errors = ValidationErrors::new();
            let amount = refund_rules::for_lines(&mut errors, &order, &ask.line_ids);
            errors.into_result(())?;
            amount.unwrap_or(Money::ZERO)
        }
    };
    let detail = json!({
        "amount_cents": amount.minor(),
        "line_ids": ask.line_ids,
        "reason": reason,
        "approved_by": approver.as_ref().map(|a| a.id),
    });
    let through_gateway = order.payment_reference.as_deref().is_some_and(|r| !r.starts_with(TERMINAL_PREFIX));
    if order.payment_method == Some(PaymentMethod::Card) && through_gateway {
        if state.gateway.is_none() {
            return Err(ServiceError::Conflict(
                "card refunds need the payment gateway (CREMA_PAYMENT_GATEWAY_URL)".into(),
            ));
        }
        let (job_ctx, now) = (ctx.clone(), state.clock.now());
        state
            .store
            .writer()
            .write(move |conn| {
                Box::pin(async move {
                    // Checked against what is recorded *and* what is still on its way back,
                    // in the same write that queues the refund: no two requests over-refund.
                    let order = crate::store::orders::get(conn, id).await?.ok_or(ServiceError::NotFound("order"))?;
                    if order.payment_status != PaymentStatus::Captured {
                        let error = TransitionError::PaymentState(order.payment_status, "refunded");
                        return Err(ServiceError::Transition(error).into());
                    }
                    // A refund whose job died may have been paid all the same: it counts too,
                    // until a manager resolves it (see `resolve`).
                    let pending = Money::from_minor(jobs::pending_amounts(conn, REFUND, id).await?);
                    let unresolved = Money::from_minor(refunds::unresolved_amount(conn, id).await?);
                    let max = (order.totals.total - order.refunded - pending - unresolved).max(Money::ZERO);
                    if amount > max && unresolved > Money::ZERO {
                        let message = format!(
                            "at most {max} can still be refunded: {unresolved} is in card refunds that failed but \
                             the gateway may have paid; a manager resolves them first"
                        );
                        return Err(ValidationErrors::single("amount_cents", message).into());
                    }
                    if amount > max {
                        return Err(ServiceError::Transition(TransitionError::RefundTooLarge { max }).into());
                    }
                    let step = job(REFUND, id, Some(amount), false, now);
                    jobs::enqueue(conn, &step).await?;
                    let mut detail = detail;
                    detail["job_id"] = json!(step.id);
                    audit::append(conn, &job_ctx.audit("payment.refund.requested", Some(id.to_string()), detail))
                        .await?;
                    JobResult::Ok(Done::new((), None))
                })
            })
            .await?;
        state.jobs_wakeup.notify_one();
        let body = to_json(&orders::get(state, id).await?)?;
        return Ok((202, Answer { status: 202, body, replayed: false }));
    }
    // Over the counter: the refund and why, in one write.
    let (job_state, job_ctx) = (state.clone(), ctx.clone());
    let answer = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let command = OrderCommand::RecordRefund { amount };
                let done = orders::transition_in(conn, &job_state, &job_ctx, id, &command).await?;
                audit::append(conn, &job_ctx.audit("payment.refund.given", Some(id.to_string()), detail)).await?;
                Ok(done)
            })
        })
        .await?;
    state.jobs_wakeup.notify_one();
    Ok((200, answer))
}
