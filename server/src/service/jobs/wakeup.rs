//! Waking the job runner: always for work it must look at now, and for a newly queued job
//! only when the runner could otherwise sleep past it.
//!
//! Every placement queues a job due minutes later (the ticket's age check). Waking the runner
//! for it made the runner claim through the writer — a write transaction of its own on the
//! writer's serial path — once per order, only to find nothing due. The runner never sleeps
//! longer than [`IDLE_POLL`] after it last looked, so a job due at least that long after it
//! was queued is found by a look the runner makes anyway, and sleeps to it from there.

use super::runner::IDLE_POLL;
use chrono::{DateTime, Utc};
use tokio::sync::Notify;

/// The runner's wake-up; shared through `AppState`.
#[derive(Debug, Default)]
pub struct JobsWakeup {
    notify: Notify,
}

impl JobsWakeup {
    /// Wakes the runner (a job was revived, the sweep fired, a job is due now).
    pub fn notify_one(&self) {
        self.notify.notify_one();
    }

    /// Says that jobs were committed at `now`, the first of them due at `due`: the runner is
    /// woken unless its next look comes before the job is due.
    pub fn queued(&self, due: DateTime<Utc>, now: DateTime<Utc>) {
        let idle_poll = chrono::Duration::from_std(IDLE_POLL).unwrap_or(chrono::Duration::zero());
        if due < now + idle_poll {
            self.notify.notify_one();
        }
    }

    /// Waits for a wake-up (one given while nobody waited is kept for the next wait).
    pub(super) async fn notified(&self) {
        self.notify.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("time")
    }

    async fn woken(wakeup: &JobsWakeup) -> bool {
        tokio::time::timeout(Duration::from_millis(20), wakeup.notified()).await.is_ok()
    }

    #[tokio::test]
    async fn a_job_due_after_the_runners_next_look_does_not_wake_it() {
        let wakeup = JobsWakeup::default();
        wakeup.queued(at(IDLE_POLL.as_secs() as i64), at(0));
        wakeup.queued(at(600), at(0));
        assert!(!woken(&wakeup).await);
    }

    #[tokio::test]
    async fn a_job_due_now_or_before_the_runners_next_look_wakes_it() {
        let wakeup = JobsWakeup::default();
        wakeup.queued(at(0), at(0));
        assert!(woken(&wakeup).await);
        wakeup.queued(at(IDLE_POLL.as_secs() as i64 - 1), at(0));
        assert!(woken(&wakeup).await);
        wakeup.queued(at(-5), at(0));
        assert!(woken(&wakeup).await);
    }

    #[tokio::test]
    async fn a_plain_wake_up_always_wakes_the_runner() {
        let wakeup = JobsWakeup::default();
        wakeup.notify_one();
        assert!(woken(&wakeup).await);
    }
}
