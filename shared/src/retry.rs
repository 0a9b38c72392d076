//! When to try a failed job again: exponential backoff with jitter, capped, for a limited
//! number of attempts. Pure, so the schedule can be tested without waiting for it.

use std::time::Duration;

/// A job kind's retry policy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Delay before the second attempt (before jitter).
    pub base: Duration,
    /// Growth per attempt (2.0 doubles).
    pub factor: f64,
    /// Longest delay.
    pub cap: Duration,
    /// Attempts in all, the first included; after the last the job is dead.
    pub max_attempts: u32,
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NextStep {
    RetryAfter(Duration),
    GiveUp,
}

impl RetryPolicy {
    /// After failed attempt number `attempt` (1-based), with `jitter` drawn from `[0, 1)`:
    /// "equal jitter" — half the exponential delay, plus a random part of the other half, so
    /// retries from many jobs spread out but never come sooner than half the schedule.
    pub fn after_failure(&self, attempt: u32, jitter: f64) -> NextStep {
        if attempt >= self.max_attempts {
            return NextStep::GiveUp;
        }
        let exponent = attempt.saturating_sub(1).min(63) as i32;
        let raw = self.base.as_secs_f64() * self.factor.max(1.0).powi(exponent);
        let capped = raw.min(self.cap.as_secs_f64()).max(0.0);
        let jitter = jitter.clamp(0.0, 1.0);
        NextStep::RetryAfter(Duration::from_secs_f64(capped / 2.0 + capped / 2.0 * jitter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn policy() -> RetryPolicy {
        RetryPolicy { base: Duration::from_secs(2), factor: 2.0, cap: Duration::from_secs(60), max_attempts: 6 }
    }

    #[test]
    fn doubles_until_the_cap_then_gives_up() {
        let p = policy();
        let full = |attempt| match p.after_failure(attempt, 1.0) {
            NextStep::RetryAfter(d) => d.as_secs(),
            NextStep::GiveUp => u64::MAX,
        };
        assert_eq!([full(1), full(2), full(3), full(4), full(5)], [2, 4, 8, 16, 32]);
        assert_eq!(p.after_failure(6, 0.5), NextStep::GiveUp);
        let long = RetryPolicy { max_attempts: 20, ..p };
        assert_eq!(long.after_failure(10, 1.0), NextStep::RetryAfter(Duration::from_secs(60)));
    }

    proptest! {
        #[test]
        fn delay_is_between_half_and_all_of_the_capped_schedule(attempt in 1u32..5, jitter in 0.0f64..1.0) {
            let p = policy();
            let schedule = (2.0 * 2f64.powi(attempt as i32 - 1)).min(60.0);
            match p.after_failure(attempt, jitter) {
                NextStep::RetryAfter(d) => {
                    prop_assert!(d.as_secs_f64() >= schedule / 2.0 - 1e-9);
                    prop_assert!(d.as_secs_f64() <= schedule + 1e-9);
                }
                NextStep::GiveUp => prop_assert!(false, "gave up early"),
            }
        }

        #[test]
        fn never_exceeds_the_cap(attempt in 1u32..1000, jitter in 0.0f64..1.0, factor in 1.0f64..10.0) {
            let p = RetryPolicy { factor, max_attempts: u32::MAX, ..policy() };
            if let NextStep::RetryAfter(d) = p.after_failure(attempt, jitter) {
                prop_assert!(d <= p.cap);
            }
        }
    }
}
