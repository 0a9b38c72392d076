//! The background job runner: keeps each kind's lane as full as its spec allows.
//!
//! Every job kind has its own lane of at most [`JobSpec::concurrency`](super::JobSpec)
//! running jobs, so a 300-second sink replay never delays a card capture or an email. The
//! runner claims due jobs of kinds with room (skipping full lanes), runs each in its own
//! task, and sleeps until a job finishes, the next one is due, a wake-up (a new job, the cron
//! sweep) or shutdown.

use super::{claim, run_claimed, JobsWakeup, StepOutcome};
use crate::state::AppState;
use crate::store::jobs;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// Longest the runner sleeps without a wake-up.
pub(super) const IDLE_POLL: Duration = Duration::from_secs(30);
/// Most jobs running at once, all kinds together.
const MAX_RUNNING: usize = 32;

/// Runs jobs until `closing` turns true; jobs still running then finish on their own
/// (their leases hand them to the next start if the process ends first).
pub async fn run(state: AppState, wake: Arc<JobsWakeup>, mut closing: tokio::sync::watch::Receiver<bool>) {
    let mut running: HashMap<String, usize> = HashMap::new();
    let mut tasks: JoinSet<(String, StepOutcome)> = JoinSet::new();
    loop {
        if *closing.borrow() {
            return;
        }
        fill(&state, &mut running, &mut tasks).await;
        let pause = next_due_in(&state, full_lanes(&state, &running)).await.unwrap_or(IDLE_POLL).min(IDLE_POLL);
        tokio::select! {
            Some(finished) = tasks.join_next(), if !tasks.is_empty() => {
                if let Ok((kind, _)) = finished {
                    if let Some(n) = running.get_mut(&kind) {
                        *n = n.saturating_sub(1);
                    }
                } else {
                    // A job task panicked: recount from the tasks still there.
                    running.clear();
                    tracing::error!("a job task panicked; its lease hands it to a later claim");
                }
            }
            _ = tokio::time::sleep(pause) => {}
            _ = wake.notified() => {}
            _ = closing.changed() => return,
        }
    }
}

/// Claims and starts due jobs while some kind has room.
async fn fill(state: &AppState, running: &mut HashMap<String, usize>, tasks: &mut JoinSet<(String, StepOutcome)>) {
    while tasks.len() < MAX_RUNNING {
        let now = state.clock.now();
        let job = match claim(state, now, full_lanes(state, running)).await {
            Ok(Some(job)) => job,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "cannot claim a job");
                return;
            }
        };
        let kind = job.kind.clone();
        *running.entry(kind.clone()).or_default() += 1;
        let state = state.clone();
        tasks.spawn(async move {
            let outcome = match run_claimed(&state, job, now).await {
                Ok(outcome) => outcome,
                Err(e) => {
                    tracing::error!(error = %e, kind, "recording a job's outcome failed; its lease will lapse");
                    StepOutcome::Idle
                }
            };
            (kind, outcome)
        });
    }
}

/// The kinds running as many jobs as they may.
fn full_lanes(state: &AppState, running: &HashMap<String, usize>) -> Vec<String> {
    running
        .iter()
        .filter(|(kind, n)| **n >= state.job_kinds.spec(kind).map_or(1, |s| s.concurrency.max(1)))
        .map(|(kind, _)| kind.clone())
        .collect()
}

/// Until a job of a kind with room is due (or a lease lapses).
async fn next_due_in(state: &AppState, full: Vec<String>) -> Option<Duration> {
    let mut conn = state.store.read().await.ok()?;
    let next = jobs::next_due(&mut conn, &full).await.ok()??;
    Some((next - state.clock.now()).to_std().unwrap_or(Duration::ZERO))
}
