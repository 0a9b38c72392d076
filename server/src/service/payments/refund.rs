//! Refunds: cash and a card terminal's payments go back over the counter at once; a gateway
//! card refund is a saga step (202: the order shows it once the gateway has given the money
//! back), checked against what is already on its way back so no two requests over-refund.

use super::{job, REFUND};
use crate::service::error::JobResult;
use crate::service::idempotency::Answer;
use crate::service::orders::{self, to_json, TERMINAL_PREFIX};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::{audit, jobs, refunds, Done};
use crema_shared::lifecycle::{OrderCommand, TransitionError};
use crema_shared::placing::MAX_TENDER_CENTS;
use crema_shared::status::{PaymentMethod, PaymentStatus};
use crema_shared::{Money, ValidationErrors};
use serde_json::json;
use uuid::Uuid;

/// Starts a refund: cash goes back over the counter at once; a card refund is a saga step
/// (202: the order shows it once the gateway has given the money back).
#[tracing::instrument(name = "payments.refund", skip_all)]
pub async fn refund(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    amount: Money,
) -> Result<(u16, Answer), ServiceError> {
    if !(1..=MAX_TENDER_CENTS).contains(&amount.minor()) {
        let message = format!("must be between 1 and {MAX_TENDER_CENTS}");
        return Err(ValidationErrors::single("amount_cents", message).into());
    }
    let order = orders::get(state, id).await?;
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
                    let detail = json!({ "amount_cents": amount.minor(), "job_id": step.id });
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
    let answer = orders::transition(state, ctx, id, OrderCommand::RecordRefund { amount }, None, None).await?;
    Ok((200, answer))
}
