//! A manager resolves a card refund whose job died: did the gateway give the money back after
//! all (its answer lost), or not? Until then the refund counts against what can still be
//! refunded, so a timeout, a second refund and a retry can never pay twice.
//!
//! "Paid" records the refund on the order (`payment.refunded`), exactly as if the job had
//! heard the gateway's answer; "not paid" releases the amount for a new refund. Either way
//! the answer is kept, audited, and the dead job can never be retried.

use super::REFUND;
use crate::service::orders::{self, transition_in};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::jobs::{self, JobState};
use crate::store::refunds::{self, Resolution};
use crate::store::{audit, Done, JobError};
use crema_shared::api::{OrderDto, ResolveRefundRequest};
use crema_shared::lifecycle::OrderCommand;
use crema_shared::validation::bounded_text;
use crema_shared::{Money, ValidationErrors};
use serde_json::json;
use uuid::Uuid;

/// Longest reason a manager may give.
pub const MAX_REASON_CHARS: usize = 200;

/// Resolves refund job `job_id` of order `order_id`; answers the order as it is after.
#[tracing::instrument(name = "payments.resolve_refund", skip_all, fields(order_id = %order_id, job_id = %job_id))]
pub async fn resolve(
    state: &AppState,
    ctx: &RequestContext,
    order_id: Uuid,
    job_id: Uuid,
    request: &ResolveRefundRequest,
) -> Result<OrderDto, ServiceError> {
    let mut errors = ValidationErrors::new();
    let paid = request.paid;
    if paid.is_none() {
        errors.push("paid", "say whether the gateway gave the money back (true) or not (false)");
    }
    let reason = errors.check("reason", bounded_text(request.reason.as_deref().unwrap_or_default(), MAX_REASON_CHARS));
    let (Some(paid), Some(reason)) = (paid, reason) else { return Err(errors.into()) };
    let (job_state, ctx, now) = (state.clone(), ctx.clone(), state.clock.now());
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let job = jobs::get(conn, job_id).await?.ok_or(ServiceError::NotFound("refund"))?;
                let step: super::PaymentStep = job.payload_as().map_err(ServiceError::Conflict)?;
                if job.kind != REFUND || step.order_id != order_id {
                    return Err(ServiceError::NotFound("refund").into());
                }
                if job.state != JobState::Dead {
                    let message =
                        format!("the refund is {}: only a refund that failed needs resolving", job.state.as_str());
                    return Err(ServiceError::Conflict(message).into());
                }
                if refunds::is_resolved(conn, job_id).await? {
                    return Err(ServiceError::Conflict("the refund was resolved already".into()).into());
                }
                let amount = step.amount_cents.unwrap_or(0);
                let resolution = Resolution {
                    job_id,
                    order_id,
                    amount_cents: amount,
                    paid,
                    reason: reason.clone(),
                    staff_id: ctx.staff_id(),
                    at: now,
                };
                refunds::resolve(conn, &resolution).await?;
                let mut last = None;
                if paid {
                    let command = OrderCommand::RecordRefund { amount: Money::from_minor(amount) };
                    last = transition_in(conn, &job_state, &ctx, order_id, &command).await?.last_sequence;
                }
                let detail = json!({ "job_id": job_id, "amount_cents": amount, "paid": paid, "reason": reason });
                audit::append(conn, &ctx.audit("payment.refund.resolved", Some(order_id.to_string()), detail)).await?;
                Ok::<_, JobError<ServiceError>>(Done::new((), last))
            })
        })
        .await?;
    orders::get(state, order_id).await
}
