//! Retention: what the cron prunes, and what it never does.
//!
//! Run by the cron (`CREMA_CRON_PRUNE`, nightly): succeeded jobs and idempotency answers
//! after `CREMA_RETENTION_DAYS`; outbox events after `CREMA_OUTBOX_RETENTION_DAYS`, but only
//! once every sink (active or switched off) has passed them, never the newest event, never
//! one a dead letter still waits to replay, and never one a kept idempotency answer is kept
//! in (answers are pruned first, so such an event goes in the same run as its answer); dead
//! jobs and dead letters after `CREMA_DEAD_RETENTION_DAYS`; sessions once they have ended.
//! The audit log is never pruned (`crema-server audit export` copies it out). Each table is
//! pruned in small writes, so the writer never stalls order placement behind one big delete.

use crate::service::error::JobResult;
use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::idempotency::KeyIndex;
use crate::store::jobs::JobState;
use crate::store::{idempotency, jobs, outbox, sessions, sinks, Done, StoreError};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use std::time::Duration;

/// How long each kind of record is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Succeeded jobs and idempotency answers.
    pub finished: Duration,
    /// Outbox events every sink has passed.
    pub events: Duration,
    /// Dead jobs and dead letters (left for a manager to look at and retry).
    pub dead: Duration,
}

/// What one pruning removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub succeeded_jobs: u64,
    pub dead_jobs: u64,
    pub idempotency_answers: u64,
    pub sessions: u64,
    pub events: u64,
    pub dead_letters: u64,
}

/// Rows deleted per write.
const CHUNK: i64 = 2_000;

/// Deletes up to so many rows from before a time (given the store's index of idempotency
/// keys, which forgets the answers it deletes).
type Delete = for<'c> fn(&'c mut Db<'_>, &'c KeyIndex, DateTime<Utc>, i64) -> BoxFuture<'c, Result<u64, StoreError>>;

/// Prunes everything past its retention at the server's clock.
pub async fn prune(state: &AppState) -> Result<Pruned, ServiceError> {
    let now = state.clock.now();
    let ago = |d: Duration| now - chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(3650));
    let keep = state.cron.retention;
    let succeeded: Delete = |c, _, before, n| Box::pin(jobs::prune(c, JobState::Succeeded, before, n));
    let dead: Delete = |c, _, before, n| Box::pin(jobs::prune(c, JobState::Dead, before, n));
    let answers: Delete = |c, keys, before, n| Box::pin(idempotency::prune(c, keys, before, n));
    let events: Delete = |c, _, before, n| Box::pin(outbox::prune(c, before, n));
    let letters: Delete = |c, _, before, n| Box::pin(sinks::prune_dead_letters(c, before, n));
    let pruned = Pruned {
        succeeded_jobs: in_chunks(state, succeeded, ago(keep.finished)).await?,
        dead_jobs: in_chunks(state, dead, ago(keep.dead)).await?,
        idempotency_answers: in_chunks(state, answers, ago(keep.finished)).await?,
        events: in_chunks(state, events, ago(keep.events)).await?,
        dead_letters: in_chunks(state, letters, ago(keep.dead)).await?,
        sessions: ended_sessions(state, now).await?,
    };
    tracing::info!(?pruned, "pruned what is past its retention");
    Ok(pruned)
}

async fn in_chunks(state: &AppState, delete: Delete, before: DateTime<Utc>) -> Result<u64, ServiceError> {
    let mut total = 0;
    loop {
        let keys = state.store.keys().clone();
        let deleted = state
            .store
            .writer()
            .write(move |conn| {
                Box::pin(async move {
                    let n = delete(conn, &keys, before, CHUNK).await?;
                    JobResult::Ok(Done::new(n, None))
                })
            })
            .await?;
        total += deleted;
        if deleted < CHUNK as u64 {
            return Ok(total);
        }
    }
}

async fn ended_sessions(state: &AppState, now: DateTime<Utc>) -> Result<u64, ServiceError> {
    let oldest_start =
        now - chrono::Duration::from_std(state.auth.policy.session_max).unwrap_or(chrono::Duration::hours(16));
    let ended = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let n = sessions::prune(conn, now, oldest_start).await?;
                JobResult::Ok(Done::new(n, None))
            })
        })
        .await?;
    if ended > 0 {
        state.auth.sessions_ended();
    }
    Ok(ended)
}
