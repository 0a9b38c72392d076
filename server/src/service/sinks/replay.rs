//! Sending events again: a dead letter (now, answering whether it was taken), or a range of
//! sequences (a durable job, in order, from its start on every attempt: consumers dedupe by
//! event id). Both send through [`super::delivery`], like the relay.

use super::delivery;
use crate::service::error::JobResult;
use crate::service::jobs::{Handler, JobFailure, JobSpec};
use crate::service::{RequestContext, ServiceError};
use crate::sinks::Delivery;
use crate::state::AppState;
use crate::store::jobs::{self, JobRecord, NewJob};
use crate::store::sinks::{self, DeadLetter};
use crate::store::{audit, outbox, Done};
use crema_shared::api::{DeadLetterDto, ReplayRequest};
use crema_shared::retry::RetryPolicy;
use crema_shared::ValidationErrors;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The job kind that redelivers a range of sequences to a sink.
pub const REPLAY_KIND: &str = "sink.replay";
/// Most events one replay request may cover.
pub const MAX_REPLAY: i64 = 10_000;

/// A range replay's payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinkReplay {
    pub sink_id: Uuid,
    pub from: i64,
    pub to: i64,
}

pub fn dead_letter_dto(d: &DeadLetter) -> DeadLetterDto {
    DeadLetterDto {
        id: d.id,
        sequence: d.sequence,
        event_id: d.event_id.clone(),
        error: d.error.clone(),
        attempts: d.attempts,
        at: d.at,
        replayed_at: d.replayed_at,
    }
}

pub async fn dead_letters(state: &AppState, id: Uuid) -> Result<Vec<DeadLetterDto>, ServiceError> {
    let mut conn = state.store.read().await?;
    sinks::get(&mut conn, id).await?.ok_or(ServiceError::NotFound("sink"))?;
    Ok(sinks::dead_letters(&mut conn, id).await?.iter().map(dead_letter_dto).collect())
}

/// Delivers a dead letter again, now. Refused by the endpoint or unreachable: a 409 saying so.
pub async fn replay_dead_letter(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    dead_letter_id: i64,
) -> Result<DeadLetterDto, ServiceError> {
    let mut conn = state.store.read().await?;
    let sink = sinks::get(&mut conn, id).await?.ok_or(ServiceError::NotFound("sink"))?;
    let letter = sinks::dead_letters(&mut conn, id)
        .await?
        .into_iter()
        .find(|d| d.id == dead_letter_id)
        .ok_or(ServiceError::NotFound("dead letter"))?;
    let event = outbox::read_after(&mut conn, letter.sequence - 1, 1)
        .await?
        .into_iter()
        .find(|e| e.sequence == letter.sequence)
        .ok_or_else(|| ServiceError::Conflict("the event is no longer in the outbox".into()))?;
    drop(conn);
    // Sent even if the sink no longer subscribes to its type: the manager asked for it.
    let attempt = delivery::attempt(state, &sink, letter.sequence - 1, vec![event], |_| true).await;
    if let Some((Delivery::Rejected(error) | Delivery::Unreachable(error), ..)) = attempt.failure {
        return Err(ServiceError::Conflict(format!("not delivered: {error}")));
    }
    let (ctx, now) = (ctx.clone(), state.clock.now());
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                sinks::mark_replayed(conn, dead_letter_id).await?;
                let detail = json!({ "dead_letter": dead_letter_id, "sequence": letter.sequence });
                audit::append(conn, &ctx.audit("sink.dead_letter.replayed", Some(id.to_string()), detail)).await?;
                let replayed = DeadLetter { replayed_at: Some(now), ..letter };
                JobResult::Ok(Done::new(dead_letter_dto(&replayed), None))
            })
        })
        .await
}

/// Queues a durable job that delivers `from..=to` to the sink again, in order.
pub async fn replay_range(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    request: &ReplayRequest,
) -> Result<JobRecord, ServiceError> {
    let (from, to) = (request.from_sequence, request.to_sequence);
    let mut errors = ValidationErrors::new();
    if from < 1 {
        errors.push("from_sequence", "must be at least 1");
    }
    if to < from {
        errors.push("to_sequence", "must not be before from_sequence");
    } else if to.checked_sub(from).is_none_or(|span| span >= MAX_REPLAY) {
        errors.push("to_sequence", format!("a replay covers at most {MAX_REPLAY} events"));
    }
    errors.into_result(())?;
    let (ctx, now) = (ctx.clone(), state.clock.now());
    let job = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                sinks::get(conn, id).await?.ok_or(ServiceError::NotFound("sink"))?;
                let job = NewJob::new(REPLAY_KIND, &SinkReplay { sink_id: id, from, to }, now);
                jobs::enqueue(conn, &job).await?;
                let detail = json!({ "from": from, "to": to, "job_id": job.id });
                audit::append(conn, &ctx.audit("sink.replay.requested", Some(id.to_string()), detail)).await?;
                let record = jobs::get(conn, job.id).await?.ok_or(ServiceError::NotFound("job"))?;
                JobResult::Ok(Done::new(record, None))
            })
        })
        .await?;
    state.jobs_wakeup.notify_one();
    Ok(job)
}

pub fn replay_spec() -> JobSpec {
    JobSpec {
        policy: RetryPolicy {
            base: Duration::from_secs(5),
            factor: 2.0,
            cap: Duration::from_secs(300),
            max_attempts: 10,
        },
        timeout: Duration::from_secs(300),
        concurrency: 1,
    }
}

/// Redelivers the range (from its start on every attempt: consumers dedupe by event id).
pub fn replay_handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { replay(&state, &job).await }))
}

async fn replay(state: &AppState, job: &JobRecord) -> Result<(), JobFailure> {
    let SinkReplay { sink_id, from, to } = job.payload_as().map_err(JobFailure::Permanent)?;
    let mut conn = state.store.read().await?;
    let sink = sinks::get(&mut conn, sink_id).await?.ok_or_else(|| JobFailure::Permanent("the sink is gone".into()))?;
    drop(conn);
    let mut after = from - 1;
    while after < to {
        let mut conn = state.store.read().await?;
        let mut batch = outbox::read_after(&mut conn, after, 200).await?;
        drop(conn);
        batch.retain(|e| e.sequence <= to);
        if batch.is_empty() {
            break;
        }
        let attempt = delivery::attempt(state, &sink, after, batch, |t| sink.wants(t)).await;
        if let Some((Delivery::Rejected(e) | Delivery::Unreachable(e), sequence, _)) = attempt.failure {
            return Err(JobFailure::Retryable(format!("at sequence {sequence}: {e}")));
        }
        after = attempt.cursor;
    }
    Ok(())
}
