//! The durable job runner.
//!
//! A job is a row in `jobs`. [`step`] claims the job due first (with a lease, so a worker
//! that dies mid-job leaves it to be claimed again once the lease expires), runs its
//! handler under the kind's timeout, and records the outcome: done; failed and rescheduled
//! by the kind's [`RetryPolicy`] (exponential backoff with jitter); or dead — at once for a
//! permanent error, after the last attempt otherwise — with the error kept for a manager,
//! who can retry it. `step` returns what it did, so tests drain jobs deterministically; the
//! background runner only calls it, woken when a job may be due and by a cron sweep.

pub mod catalogue;
pub mod cron;
pub mod retention;
mod runner;
mod wakeup;

pub use runner::run;
pub use wakeup::JobsWakeup;

use crate::service::error::JobResult;
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::jobs::{self, JobFilter, JobRecord, NewJob};
use crate::store::{audit, Done};
use chrono::{DateTime, Utc};
use crema_shared::retry::{NextStep, RetryPolicy};
use futures::future::BoxFuture;
use rand::Rng;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tracing::Instrument;
use uuid::Uuid;

/// Why a job did not succeed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JobFailure {
    /// Worth trying again later (a timeout, a sink that is down).
    #[error("{0}")]
    Retryable(String),
    /// Will never work (bad payload, the thing it was about is gone).
    #[error("{0}")]
    Permanent(String),
}

/// A database failure is worth another try.
impl From<crate::store::StoreError> for JobFailure {
    fn from(e: crate::store::StoreError) -> Self {
        JobFailure::Retryable(e.to_string())
    }
}

impl From<sqlx::Error> for JobFailure {
    fn from(e: sqlx::Error) -> Self {
        JobFailure::Retryable(e.to_string())
    }
}

/// How a kind of job is run.
#[derive(Clone, Copy, Debug)]
pub struct JobSpec {
    pub policy: RetryPolicy,
    pub timeout: Duration,
    /// At most this many jobs of the kind run at once (a long replay never holds up a card
    /// capture or an email: each kind has its own lane).
    pub concurrency: usize,
}

impl JobSpec {
    /// How long a claim of this kind lasts: always longer than the kind may run.
    pub fn lease(&self) -> Duration {
        self.timeout + LEASE_MARGIN
    }
}

/// The work of one job kind.
pub type Handler = Arc<dyn Fn(AppState, JobRecord) -> BoxFuture<'static, Result<(), JobFailure>> + Send + Sync>;

/// The job kinds this server knows, with their specs and handlers.
#[derive(Default)]
pub struct JobKinds {
    kinds: RwLock<HashMap<String, (JobSpec, Handler)>>,
}

impl std::fmt::Debug for JobKinds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kinds = self.kinds.read().map(|k| k.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        f.debug_struct("JobKinds").field("kinds", &kinds).finish()
    }
}

impl JobKinds {
    pub fn register(&self, kind: &str, spec: JobSpec, handler: Handler) {
        if let Ok(mut kinds) = self.kinds.write() {
            kinds.insert(kind.to_string(), (spec, handler));
        }
    }

    fn get(&self, kind: &str) -> Option<(JobSpec, Handler)> {
        self.kinds.read().ok().and_then(|k| k.get(kind).cloned())
    }

    /// The spec of `kind`, if it is known.
    pub fn spec(&self, kind: &str) -> Option<JobSpec> {
        self.get(kind).map(|(spec, _)| spec)
    }
}

/// What one [`step`] did.
#[derive(Clone, Debug, PartialEq)]
pub enum StepOutcome {
    /// Nothing was due.
    Idle,
    Succeeded {
        id: Uuid,
        kind: String,
    },
    Retrying {
        id: Uuid,
        kind: String,
        attempt: u32,
        run_at: DateTime<Utc>,
        error: String,
    },
    Dead {
        id: Uuid,
        kind: String,
        attempt: u32,
        error: String,
    },
}

/// Extra time a claim lasts beyond the kind's timeout.
const LEASE_MARGIN: Duration = Duration::from_secs(30);
/// How long a claim of a job of an unknown kind lasts (it is buried at once).
const UNKNOWN_KIND_LEASE: Duration = Duration::from_secs(60);

/// Runs the job due first at `now` (the runner passes the clock; tests pass any time).
pub async fn step_at(state: &AppState, now: DateTime<Utc>) -> Result<StepOutcome, ServiceError> {
    match claim(state, now, Vec::new()).await? {
        None => Ok(StepOutcome::Idle),
        Some(job) => run_claimed(state, job, now).await,
    }
}

/// Claims the job due first at `now` whose kind is not in `skip`, leased for its kind.
pub async fn claim(state: &AppState, now: DateTime<Utc>, skip: Vec<String>) -> Result<Option<JobRecord>, ServiceError> {
    let kinds = state.job_kinds.clone();
    let lease_for = move |kind: &str| {
        let lease = kinds.spec(kind).map_or(UNKNOWN_KIND_LEASE, |spec| spec.lease());
        now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(10))
    };
    let claimed = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let job = jobs::claim(conn, now, &skip, lease_for).await?;
                JobResult::Ok(Done::new(job, None))
            })
        })
        .await?;
    Ok(claimed)
}

/// Runs a claimed job under its kind's timeout and records the outcome; `now` is when it was
/// claimed (a retry is scheduled from there).
pub async fn run_claimed(state: &AppState, job: JobRecord, now: DateTime<Utc>) -> Result<StepOutcome, ServiceError> {
    let (id, kind, attempt) = (job.id, job.kind.clone(), job.attempts);
    // The run continues the trace of whatever queued the job.
    let span = tracing::info_span!("job", otel.name = %format!("job {kind}"), job.id = %id, job.kind = %kind, job.attempt = attempt);
    crate::telemetry::propagation::continue_from(&span, job.traceparent.as_deref());
    let run = async {
        match state.job_kinds.get(&kind) {
            None => Err((JobFailure::Permanent(format!("no handler for job kind {kind:?}")), None)),
            Some((spec, handler)) => match tokio::time::timeout(spec.timeout, handler(state.clone(), job)).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(failure)) => Err((failure, Some(spec))),
                Err(_) => Err((JobFailure::Retryable(format!("timed out after {:?}", spec.timeout)), Some(spec))),
            },
        }
    };
    let result = run.instrument(span.clone()).await;
    let outcome = match result {
        Ok(()) => StepOutcome::Succeeded { id, kind },
        Err((failure, spec)) => {
            let error = failure.to_string();
            let next = match (&failure, spec) {
                (JobFailure::Retryable(_), Some(spec)) => spec.policy.after_failure(attempt, rand::thread_rng().gen()),
                _ => NextStep::GiveUp,
            };
            match next {
                NextStep::RetryAfter(delay) => StepOutcome::Retrying {
                    id,
                    kind,
                    attempt,
                    run_at: now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(1)),
                    error,
                },
                NextStep::GiveUp => StepOutcome::Dead { id, kind, attempt, error },
            }
        }
    };
    let recorded = outcome.clone();
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                match &recorded {
                    StepOutcome::Succeeded { id, .. } => jobs::succeed(conn, *id).await?,
                    StepOutcome::Retrying { id, run_at, error, .. } => {
                        jobs::reschedule(conn, *id, *run_at, error).await?
                    }
                    StepOutcome::Dead { id, error, .. } => jobs::bury(conn, *id, error).await?,
                    StepOutcome::Idle => {}
                }
                JobResult::Ok(Done::new((), None))
            })
        })
        .await?;
    let _entered = span.enter();
    match &outcome {
        StepOutcome::Dead { id, kind, error, .. } => {
            state.metrics.job(kind, "dead");
            tracing::error!(%id, kind, error, "job is dead")
        }
        StepOutcome::Retrying { id, kind, attempt, error, .. } => {
            state.metrics.job(kind, "retried");
            tracing::warn!(%id, kind, attempt, error, "job failed; will retry")
        }
        StepOutcome::Succeeded { id, kind } => {
            state.metrics.job(kind, "succeeded");
            tracing::debug!(%id, kind, "job done")
        }
        StepOutcome::Idle => {}
    }
    Ok(outcome)
}

/// Queues `job` in a write of its own and wakes the runner; answers whether it was added
/// (a job with the same dedupe key already queued is not added twice).
pub async fn enqueue(state: &AppState, job: NewJob) -> Result<bool, crate::store::StoreError> {
    let added = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let added = jobs::enqueue(conn, &job).await?;
                Ok::<_, crate::store::JobError<crate::store::StoreError>>(Done::new(added, None))
            })
        })
        .await?;
    state.jobs_wakeup.notify_one();
    Ok(added)
}

/// The payload of a job that runs once per business day (the end-of-day summary, the
/// nightly backup).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Daily {
    pub business_date: String,
}

/// Queues `kind` for `business_date`, once however often it is asked for; answers whether it
/// was added.
pub async fn enqueue_daily(
    state: &AppState,
    kind: &str,
    business_date: &str,
) -> Result<bool, crate::store::StoreError> {
    let payload = Daily { business_date: business_date.to_string() };
    let job = NewJob::new(kind, &payload, state.clock.now()).once(format!("{kind}:{business_date}"));
    enqueue(state, job).await
}

/// [`step_at`] now.
pub async fn step(state: &AppState) -> Result<StepOutcome, ServiceError> {
    step_at(state, state.clock.now()).await
}

/// Steps until nothing is due at `now`; returns every outcome (for tests and tools).
pub async fn drain_at(state: &AppState, now: DateTime<Utc>) -> Result<Vec<StepOutcome>, ServiceError> {
    let mut outcomes = Vec::new();
    loop {
        match step_at(state, now).await? {
            StepOutcome::Idle => return Ok(outcomes),
            outcome => outcomes.push(outcome),
        }
    }
}

/// Jobs for the manager's list, newest first.
pub async fn list(state: &AppState, filter: JobFilter) -> Result<(Vec<JobRecord>, bool), ServiceError> {
    let mut conn = state.store.read().await?;
    let probe = JobFilter { limit: crate::service::paging::probe(filter.limit), ..filter.clone() };
    let (found, more) = crate::service::paging::page(jobs::list(&mut conn, &probe).await?, filter.limit);
    Ok((found, more))
}

/// A manager retries a dead job: fresh attempts, due now.
pub async fn retry(state: &AppState, ctx: &RequestContext, id: Uuid) -> Result<JobRecord, ServiceError> {
    let ctx = ctx.clone();
    let job = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                if crate::store::refunds::is_resolved(conn, id).await? {
                    let message = "a manager resolved this refund by hand: retrying it could pay it twice";
                    return Err(ServiceError::Conflict(message.into()).into());
                }
                match jobs::revive(conn, id).await? {
                    None => return Err(ServiceError::NotFound("job").into()),
                    Some(false) => return Err(ServiceError::Conflict("only a dead job can be retried".into()).into()),
                    Some(true) => {}
                }
                let job = jobs::get(conn, id).await?.ok_or(ServiceError::NotFound("job"))?;
                audit::append(
                    conn,
                    &ctx.audit("job.retried", Some(id.to_string()), serde_json::json!({ "kind": job.kind })),
                )
                .await?;
                Ok(Done::new(job, None))
            })
        })
        .await?;
    state.jobs_wakeup.notify_one();
    Ok(job)
}

/// Records what a job did — its events — and, if `finished`, marks it succeeded, in one write:
/// a crash leaves either both or neither.
pub async fn record(
    state: &AppState,
    job_id: Uuid,
    events: Vec<crate::store::outbox::NewEvent>,
    finished: bool,
) -> Result<(), crate::store::StoreError> {
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let last = crate::store::outbox::append(conn, &events).await?;
                if finished {
                    jobs::succeed(conn, job_id).await?;
                }
                Ok::<_, crate::store::JobError<crate::store::StoreError>>(Done::new((), last))
            })
        })
        .await
}
