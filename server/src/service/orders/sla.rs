//! The ticket-age alert: an order still not ready when it reaches the shop's limit
//! (`CREMA_TICKET_SLA_SECS`) raises `order.sla_breached`, once. The check is a durable job
//! queued in the order's own write; the check, the event and the job's completion are one
//! write, so a crash never alerts twice.
//!
//! Orders placed at this server are checked **a second at a time**: every placement queues
//! the check of the second it was placed in (once-only key `order.sla_check:second:<unix
//! second>`, due the limit after that second ends), and only the first placement of each
//! second writes it — the others find its key and write nothing. A job row per order was the
//! largest single cost on the placement path (≈ 12 % of a busy server's throughput); the
//! price is that an alert comes up to a second after the limit instead of at it.
//!
//! An order that reaches the kitchen later than it was made — a tab held until paid and then
//! sent, an order a terminal took offline and synced — has a check of its own (keyed
//! `order.sla_check:<order id>`, due the limit after it arrived), and the second's check leaves
//! it to that one.

use crate::service::jobs::{Handler, JobFailure, JobSpec};
use crate::service::orders::view::event_data;
use crate::service::reactions::{Change, Effects, OrderChange};
use crate::service::RequestContext;
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::jobs::{self, JobRecord, NewJob};
use crate::store::orders::{self, OrderRecord};
use crate::store::outbox::{self, NewEvent};
use crate::store::{Done, JobError, StoreError};
use chrono::{DateTime, TimeZone, Utc};
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

/// The check of one order (a tab sent to the kitchen, an order synced from a terminal; and
/// every order's check queued before checks went by the second).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketAgeCheck {
    pub order_id: Uuid,
    pub limit_seconds: u64,
}

/// The check of the orders placed in `[from, to)` (one second).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondCheck {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub limit_seconds: u64,
}

/// A check job's payload, either shape.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum Check {
    Second(SecondCheck),
    Order(TicketAgeCheck),
}

/// The once-only key of an order's own check.
pub fn order_key(order_id: Uuid) -> String {
    format!("{KIND}:{order_id}")
}

/// The check job of an order that reached the kitchen at `arrived_at`, on its own.
pub fn job_for(order_id: Uuid, arrived_at: DateTime<Utc>, limit: Duration) -> NewJob {
    NewJob::new(KIND, &TicketAgeCheck { order_id, limit_seconds: limit.as_secs() }, arrived_at + chrono_limit(limit))
        .once(order_key(order_id))
}

/// The check job of the second `placed_at` falls in.
pub fn second_job_for(placed_at: DateTime<Utc>, limit: Duration) -> NewJob {
    let second = placed_at.timestamp();
    let from = Utc.timestamp_opt(second, 0).single().unwrap_or(placed_at);
    let to = from + chrono::Duration::seconds(1);
    NewJob::new(KIND, &SecondCheck { from, to, limit_seconds: limit.as_secs() }, to + chrono_limit(limit))
        .once(format!("{KIND}:second:{second}"))
}

fn chrono_limit(limit: Duration) -> chrono::Duration {
    chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::minutes(10))
}

/// The reaction: an order placed here joins its second's check; one that reaches the kitchen
/// later than it was made (sent when held, or synced) gets a check of its own from then.
pub fn on_order_change(state: &AppState, change: &OrderChange<'_>, effects: &mut Effects) {
    let Some(limit) = state.ticket_sla else { return };
    let order = change.order;
    match change.change {
        Change::Placed { .. } if order.kitchen_held => {}
        Change::Placed { .. } if change.at == order.created_at => {
            effects.jobs.push(second_job_for(order.created_at, limit))
        }
        Change::Placed { .. } => effects.jobs.push(job_for(order.id, change.at, limit)),
        Change::Moved { events } if events.iter().any(|e| matches!(e, OrderEvent::SentToKitchen)) => {
            effects.jobs.push(job_for(order.id, change.at, limit))
        }
        Change::Moved { .. } => {}
    }
}

pub fn handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { check(&state, job).await }))
}

async fn check(state: &AppState, job: JobRecord) -> Result<(), JobFailure> {
    let payload: Check = job.payload_as().map_err(JobFailure::Permanent)?;
    let job_id = job.id;
    let ctx = RequestContext::internal();
    let clock = state.clock.clone();
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let now = clock.now();
                let (waiting, limit) = match payload {
                    Check::Order(TicketAgeCheck { order_id, limit_seconds }) => {
                        let Some(order) = orders::get(conn, order_id).await? else {
                            return Err(JobError::Refused(JobFailure::Permanent(format!(
                                "order {order_id} no longer exists"
                            ))));
                        };
                        (Vec::from_iter(still_waiting(&order).then_some(order)), limit_seconds)
                    }
                    Check::Second(SecondCheck { from, to, limit_seconds }) => {
                        (checked_with_the_second(conn, from, to).await?, limit_seconds)
                    }
                };
                let events: Vec<NewEvent> = waiting.iter().map(|order| breach(&ctx, order, now, limit)).collect();
                let last = if events.is_empty() { None } else { outbox::append(conn, &events).await? };
                jobs::succeed(conn, job_id).await?;
                Ok::<_, JobError<JobFailure>>(Done::new((), last))
            })
        })
        .await
}

fn still_waiting(order: &OrderRecord) -> bool {
    matches!(order.status, OrderStatus::Placed | OrderStatus::Accepted | OrderStatus::Preparing) && !order.kitchen_held
}

/// The orders of `[from, to)` still waiting, but for those with a check of their own.
async fn checked_with_the_second(
    conn: &mut Db<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<OrderRecord>, StoreError> {
    let mut waiting = Vec::new();
    for order in orders::waiting_placed_between(conn, from, to).await? {
        if !jobs::queued_once(conn, &order_key(order.id)).await? {
            waiting.push(order);
        }
    }
    Ok(waiting)
}

fn breach(ctx: &RequestContext, order: &OrderRecord, now: DateTime<Utc>, limit: u64) -> NewEvent {
    let mut data = event_data(order);
    if let Some(map) = data.as_object_mut() {
        map.insert("waited_seconds".into(), (now - order.created_at).num_seconds().into());
        map.insert("limit_seconds".into(), limit.into());
    }
    tracing::warn!(order_id = %order.id, ticket = order.ticket_number, "ticket waited past the limit");
    ctx.event(types::ORDER_SLA_BREACHED, Some(order.id.to_string()), now, data)
}
