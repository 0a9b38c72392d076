//! The card payment saga, as durable jobs: authorize at placement, capture when the order
//! completes (or is ready, by setting), void if cancelled while authorized, refund on a
//! manager's request (partial refunds add up). An order paid at the till — cash, or the
//! shop's own card terminal (reference `terminal:<approval code>`) — is refunded at the
//! till. Each step calls the gateway with an idempotency key of its own and then records the outcome through the order lifecycle; a step repeated after
//! a crash finds the gateway's first answer and an order that already moved, so nothing is
//! charged or recorded twice. A decline is recorded (`payment.failed`) and ends the step.

mod refund;
pub mod resolve;

pub use refund::{refund, RefundAsk};

use crate::payments::GatewayError;
use crate::service::jobs::{Handler, JobFailure, JobSpec};
use crate::service::reactions::{Change, Effects, OrderChange};
use crate::service::{orders, RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::jobs::{JobRecord, NewJob};
use crate::store::orders::OrderRecord;
use chrono::{DateTime, Utc};
use crema_shared::lifecycle::{OrderCommand, OrderEvent};
use crema_shared::placing::Tender;
use crema_shared::retry::RetryPolicy;
use crema_shared::status::{OrderStatus, PaymentStatus};
use crema_shared::Money;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub const AUTHORIZE: &str = "payment.authorize";
pub const CAPTURE: &str = "payment.capture";
pub const VOID: &str = "payment.void";
pub const REFUND: &str = "payment.refund";
pub const KINDS: [&str; 4] = [AUTHORIZE, CAPTURE, VOID, REFUND];

/// When a card authorization is captured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureOn {
    Completed,
    Ready,
}

pub fn spec() -> JobSpec {
    JobSpec {
        policy: RetryPolicy {
            base: Duration::from_secs(5),
            factor: 2.0,
            cap: Duration::from_secs(300),
            max_attempts: 10,
        },
        timeout: Duration::from_secs(60),
        concurrency: 4,
    }
}

/// A saga step's payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentStep {
    pub order_id: Uuid,
    /// Only for refunds.
    #[serde(default)]
    pub amount_cents: Option<i64>,
}

/// A saga step for `order_id`, due at `at`; `amount` only for refunds; `once`: at most one
/// such step per order.
pub fn job(kind: &str, order_id: Uuid, amount: Option<Money>, once: bool, at: DateTime<Utc>) -> NewJob {
    let job = NewJob::new(kind, &PaymentStep { order_id, amount_cents: amount.map(Money::minor) }, at);
    if once {
        job.once(format!("{kind}:{order_id}"))
    } else {
        job
    }
}

/// The reaction: a gateway card sale is authorized; later changes may capture or void it.
pub fn on_order_change(state: &AppState, change: &OrderChange<'_>, effects: &mut Effects) {
    match change.change {
        Change::Placed { tender: Some(Tender::CardGateway) } => {
            effects.jobs.push(job(AUTHORIZE, change.order.id, None, true, change.at));
        }
        Change::Placed { .. } => {}
        Change::Moved { events } => effects.jobs.extend(next_steps(change.order, events, state.capture_on, change.at)),
    }
}

/// The saga steps that the events just recorded on `order` (as it is now) call for.
pub fn next_steps(order: &OrderRecord, events: &[OrderEvent], capture_on: CaptureOn, at: DateTime<Utc>) -> Vec<NewJob> {
    let happened = |wanted: fn(&OrderEvent) -> bool| events.iter().any(wanted);
    let authorized = order.payment_status == PaymentStatus::Authorized;
    let finished = match capture_on {
        CaptureOn::Completed => matches!(order.status, OrderStatus::Completed),
        CaptureOn::Ready => matches!(order.status, OrderStatus::Ready | OrderStatus::Completed),
    };
    let mut steps = Vec::new();
    let moved =
        happened(|e| matches!(e, OrderEvent::Completed | OrderEvent::Ready | OrderEvent::PaymentAuthorized { .. }));
    if authorized && finished && moved {
        steps.push(job(CAPTURE, order.id, None, true, at));
    }
    let cancelled_now = happened(|e| matches!(e, OrderEvent::Cancelled { .. }));
    let authorized_late = happened(|e| matches!(e, OrderEvent::PaymentAuthorized { .. }));
    if authorized && order.status == OrderStatus::Cancelled && (cancelled_now || authorized_late) {
        steps.push(job(VOID, order.id, None, true, at));
    }
    steps
}

pub fn handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { run(&state, job).await }))
}

async fn run(state: &AppState, job: JobRecord) -> Result<(), JobFailure> {
    let gateway =
        state.gateway.clone().ok_or_else(|| JobFailure::Permanent("no payment gateway is configured".into()))?;
    let step: PaymentStep = job.payload_as().map_err(JobFailure::Permanent)?;
    let order_id = step.order_id;
    let order = orders::get(state, order_id).await.map_err(|e| match e {
        ServiceError::NotFound(_) => JobFailure::Permanent(format!("order {order_id} no longer exists")),
        other => JobFailure::Retryable(other.to_string()),
    })?;
    let total = Money::from_minor(order.total_cents);
    let reference = order.payment_reference.clone().unwrap_or_default();
    // One key per order and step (per job for refunds, which may be several).
    let key = if job.kind == REFUND { job.id.to_string() } else { format!("{order_id}:{}", job.kind) };
    let command = match job.kind.as_str() {
        AUTHORIZE => match gateway.authorize(&key, total, &order.currency).await {
            Ok(reference) => OrderCommand::RecordAuthorization { reference },
            Err(GatewayError::Declined(reason)) => OrderCommand::RecordDecline { reason },
            Err(e) => return Err(JobFailure::Retryable(e.to_string())),
        },
        CAPTURE => {
            gateway.capture(&key, &reference, total).await.map_err(failure)?;
            OrderCommand::RecordCapture
        }
        VOID => {
            gateway.void(&key, &reference).await.map_err(failure)?;
            OrderCommand::RecordVoid
        }
        REFUND => {
            let amount = step
                .amount_cents
                .map(Money::from_minor)
                .ok_or_else(|| JobFailure::Permanent("a refund step without an amount".into()))?;
            gateway.refund(&key, &reference, amount).await.map_err(failure)?;
            OrderCommand::RecordRefund { amount }
        }
        other => return Err(JobFailure::Permanent(format!("not a payment step: {other}"))),
    };
    match orders::transition(state, &RequestContext::internal(), order_id, command, None, None).await {
        Ok(_) => Ok(()),
        // Already recorded by an earlier run of this step (the gateway answered the same).
        Err(ServiceError::Transition(_)) => Ok(()),
        Err(e) => Err(JobFailure::Retryable(e.to_string())),
    }
}

fn failure(e: GatewayError) -> JobFailure {
    match e {
        GatewayError::Declined(reason) => JobFailure::Permanent(format!("the gateway refused: {reason}")),
        GatewayError::Unavailable(reason) => JobFailure::Retryable(reason),
    }
}
