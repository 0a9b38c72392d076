//! The ticket-age alert: when an order is placed, a durable job is enqueued in the same
//! write, due when the order reaches the shop's limit (`CREMA_TICKET_SLA_SECS`). If the order
//! is still not ready then, the job emits `order.sla_breached`; either way it is done. The
//! check and the event are one write, so a crash never alerts twice.

use super::jobs::{Handler, JobFailure, JobSpec};
use super::order_view::event_data;
use super::RequestContext;
use crate::state::AppState;
use crate::store::jobs::{self, JobRecord, NewJob};
use crate::store::{orders, outbox, time, Done, JobError, StoreError};
use chrono::{DateTime, Utc};
use crema_shared::events::types;
use crema_shared::retry::RetryPolicy;
use crema_shared::status::OrderStatus;
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
    }
}

/// The check job for an order placed at `placed_at`.
pub fn job_for(order_id: Uuid, placed_at: DateTime<Utc>, limit: Duration) -> NewJob {
    NewJob {
        id: Uuid::now_v7(),
        kind: KIND.to_string(),
        payload: serde_json::json!({ "order_id": order_id, "limit_seconds": limit.as_secs() }),
        run_at: placed_at + chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::minutes(10)),
        dedupe_key: Some(format!("{KIND}:{order_id}")),
    }
}

pub fn handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { check(&state, job).await }))
}

async fn check(state: &AppState, job: JobRecord) -> Result<(), JobFailure> {
    let order_id = job
        .payload
        .get("order_id")
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| JobFailure::Permanent("payload has no order_id".into()))?;
    let limit = job.payload.get("limit_seconds").and_then(|v| v.as_u64()).unwrap_or(0);
    let job_id = job.id;
    let ctx = RequestContext::internal();
    let result = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let Some(order) = orders::get(conn, order_id).await? else {
                    return Err(JobError::Refused(StoreError::corrupt(format!("order {order_id} no longer exists"))));
                };
                let mut last = None;
                if matches!(order.status, OrderStatus::Placed | OrderStatus::Accepted | OrderStatus::Preparing) {
                    let now = time::now();
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
                Ok::<_, JobError<StoreError>>(Done::new((), last))
            })
        })
        .await;
    match result {
        Ok(()) => Ok(()),
        Err(StoreError::Corrupt(detail)) => Err(JobFailure::Permanent(detail)),
        Err(other) => Err(JobFailure::Retryable(other.to_string())),
    }
}
