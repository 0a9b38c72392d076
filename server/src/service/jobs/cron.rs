//! Periodic work, driven by `tokio-cron-scheduler` with cron expressions from the settings:
//! a sweep that wakes the job runner (so a due job is never left waiting for a missed
//! wake-up), the end-of-day summary and audit chain head, an hourly audit chain check, and
//! the pruning of finished jobs, old idempotency answers and ended sessions.

use crate::service::error::JobResult;
use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::{idempotency, jobs, sessions, Done};
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

/// Starts the scheduler with Crema's periodic jobs.
pub async fn start(state: &AppState) -> Result<JobScheduler, JobSchedulerError> {
    let scheduler = JobScheduler::new().await?;
    let wake = state.jobs_wakeup.clone();
    scheduler
        .add(Job::new_async(state.cron.job_sweep.as_str(), move |_id, _scheduler| {
            let wake = wake.clone();
            Box::pin(async move { wake.notify_one() })
        })?)
        .await?;
    let reporter = state.clone();
    scheduler
        .add(Job::new_async(state.cron.end_of_day.as_str(), move |_id, _scheduler| {
            let state = reporter.clone();
            Box::pin(async move {
                let today = state.day.date_of(state.clock.now());
                if let Err(e) = crate::service::reports::end_of_day::enqueue(&state, &today).await {
                    tracing::error!(error = %e, "cannot queue the end-of-day summary");
                }
                // The chain head leaves the box daily: an event the sinks forward.
                if let Err(e) = crate::service::shop::audit::publish_check(&state).await {
                    tracing::error!(error = %e, "cannot check the audit chain");
                }
            })
        })?)
        .await?;
    let checker = state.clone();
    scheduler
        .add(Job::new_async(state.cron.audit_check.as_str(), move |_id, _scheduler| {
            let state = checker.clone();
            Box::pin(async move {
                match crate::service::shop::audit::verify(&state).await {
                    Ok(crate::store::audit::ChainCheck::Intact { .. }) => {}
                    Ok(crate::store::audit::ChainCheck::Broken { .. }) => {
                        if let Err(e) = crate::service::shop::audit::publish_check(&state).await {
                            tracing::error!(error = %e, "cannot report the broken audit chain");
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "cannot check the audit chain"),
                }
            })
        })?)
        .await?;
    let pruner = state.clone();
    scheduler
        .add(Job::new_async(state.cron.prune.as_str(), move |_id, _scheduler| {
            let state = pruner.clone();
            Box::pin(async move {
                match prune(&state).await {
                    Ok((jobs, keys)) => tracing::info!(jobs, keys, "pruned finished jobs and old idempotency answers"),
                    Err(e) => tracing::error!(error = %e, "pruning failed"),
                }
            })
        })?)
        .await?;
    scheduler.start().await?;
    Ok(scheduler)
}

/// Deletes succeeded jobs and idempotency answers older than the retention period, and
/// sessions that have ended.
pub async fn prune(state: &AppState) -> Result<(u64, u64), ServiceError> {
    let now = state.clock.now();
    let before = now - chrono::Duration::from_std(state.cron.retention).unwrap_or(chrono::Duration::days(7));
    let oldest_start =
        now - chrono::Duration::from_std(state.auth.policy.session_max).unwrap_or(chrono::Duration::hours(16));
    let (jobs, keys, sessions) = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let jobs = jobs::prune_succeeded(conn, before).await?;
                let keys = idempotency::prune(conn, before).await?;
                let ended = sessions::prune(conn, now, oldest_start).await?;
                JobResult::Ok(Done::new((jobs, keys, ended), None))
            })
        })
        .await?;
    if sessions > 0 {
        tracing::info!(sessions, "pruned ended sessions");
        state.auth.sessions_ended();
    }
    Ok((jobs, keys))
}
