//! The ticket-age alert: when an order is placed, a durable job is enqueued in the same
//! write, due when the order reaches the shop's limit (`CREMA_TICKET_SLA_SECS`). If the order
//! is still not ready then, the job emits `order.sla_breached`; either way it is done. The
//! check and the event are one write, so a crash never alerts twice.

use crate::service::jobs::{Handler, JobFailure, JobSpec};
use crate::service::orders::view::event_data;
use crate::service::reactions::{Change, Effects, OrderChange};
use crate::service::RequestContext;
use crate::state::AppState;
use crate::store::jobs::{self, JobRecord, NewJob};
use crate::store::{orders, outbox, Done, JobError};
use chrono::{DateTime, Utc};
use crema_shared::events::types;
use crema_shared::lifecycle::OrderEvent;
use crema_shared::retry::RetryPolicy;
use crema_shared::status::OrderStatus;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub const KIND: &str = "order.sla_check";

pub fn spec() -> JobSpec {
    JobSpec {
        policy: RetryPolicy {
            base: Duration::from_secs(5),
            factor: 2.0,
            cap: Duration::from_secs(300),
            max_attempts: 8,
        },
        timeout: Duration::from_secs(30),
        concurrency: 4,
    }
}

/// The check job's payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketAgeCheck {
    pub order_id: Uuid,
    pub limit_seconds: u64,
}

/// The check job for an order that reached the kitchen at `placed_at`.
pub fn job_for(order_id: Uuid, placed_at: DateTime<Utc>, limit: Duration) -> NewJob {
    let due = placed_at + chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::minutes(10));
    NewJob::new(KIND, &TicketAgeCheck { order_id, limit_seconds: limit.as_secs() }, due)
}

/// The reaction: every new order gets its check, when the shop has a limit; a tab held from
/// the kitchen until paid gets it when it reaches the kitchen (the wait starts there).
///
/// An order reaches the kitchen once — placed, or sent when held (never held again) — and is
/// placed once, so the placement's check needs no once-only key: without one it costs no
/// entry in that index, on the path every order takes. The tab's keeps one.
pub fn on_order_change(state: &AppState, change: &OrderChange<'_>, effects: &mut Effects) {
    let Some(limit) = state.ticket_sla else { return };
    let order_id = change.order.id;
    match change.change {
        Change::Placed { .. } if !change.order.kitchen_held => effects.jobs.push(job_for(order_id, change.at, limit)),
        Change::Moved { events } if events.iter().any(|e| matches!(e, OrderEvent::SentToKitchen)) => {
            effects.jobs.push(job_for(order_id, change.at, limit).once(format!("{KIND}:{order_id}")))
        }
        _ => {}
    }
}

pub fn handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { check(&state, job).await }))
}

async fn check(state: &AppState, job: JobRecord) -> Result<(), JobFailure> {
    let TicketAgeCheck { order_id, limit_seconds: limit } = job.payload_as().map_err(JobFailure::Permanent)?;
    let job_id = job.id;
    let ctx = RequestContext::internal();
    let clock = state.clock.clone();
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let Some(order) = orders::get(conn, order_id).await? else {
                    return Err(JobError::Refused(JobFailure::Permanent(format!("order {order_id} no longer exists"))));
                };
                let mut last = None;
                let waiting =
                    matches!(order.status, OrderStatus::Placed | OrderStatus::Accepted | OrderStatus::Preparing);
                if waiting && !order.kitchen_held {
                    let now = clock.now();
                    let mut data = event_data(&order, None);
                    if let Some(map) = data.as_object_mut() {
                        map.remove("order");
                        map.insert("waited_seconds".into(), (now - order.created_at).num_seconds().into());
                        map.insert("limit_seconds".into(), limit.into());
                    }
                    let event = ctx.event(types::ORDER_SLA_BREACHED, Some(order.id.to_string()), now, data);
                    last = outbox::append(conn, &[event]).await?;
                    tracing::warn!(order_id = %order.id, ticket = order.ticket_number, "ticket waited past the limit");
                }
                jobs::succeed(conn, job_id).await?;
                Ok::<_, JobError<JobFailure>>(Done::new((), last))
            })
        })
        .await
}
