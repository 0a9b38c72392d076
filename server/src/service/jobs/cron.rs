//! Periodic work, driven by `tokio-cron-scheduler` with cron expressions from the settings:
//! a sweep that wakes the job runner (so a due job is never left waiting for a missed
//! wake-up), the end-of-day summary and audit chain head, an hourly audit chain check, and
//! the pruning of what is past its retention (see [`super::retention`]), and the nightly
//! backup when a backup folder is set.

use crate::state::AppState;
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
                if let Err(e) = super::retention::prune(&state).await {
                    tracing::error!(error = %e, "pruning failed");
                }
            })
        })?)
        .await?;
    if state.cron.backups.is_some() {
        let backer = state.clone();
        scheduler
            .add(Job::new_async(state.cron.backup.as_str(), move |_id, _scheduler| {
                let state = backer.clone();
                Box::pin(async move {
                    let today = state.day.date_of(state.clock.now());
                    if let Err(e) = crate::service::shop::backups::enqueue(&state, &today).await {
                        tracing::error!(error = %e, "cannot queue the nightly backup");
                    }
                })
            })?)
            .await?;
    }
    scheduler.start().await?;
    Ok(scheduler)
}
