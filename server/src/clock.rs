//! The server's clock, passed through the state so tests move time instead of sleeping.
//!
//! [`Clock::system`] reads the wall clock (at the microsecond precision timestamps are stored
//! with); [`Clock::manual`] starts at a given instant and moves only when told, for tests of
//! lockout windows, ticket-age alerts, job backoff and retention.

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<RwLock<DateTime<Utc>>>>,
}

impl Clock {
    /// The wall clock.
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock that stands at `at` until [`Clock::advance`] or [`Clock::set`] moves it.
    pub fn manual(at: DateTime<Utc>) -> Clock {
        Clock { manual: Some(Arc::new(RwLock::new(at.trunc_subsecs(6)))) }
    }

    /// Now, at the precision it is stored with, so an answer given before a write and one
    /// read back after it agree.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.manual {
            None => Utc::now().trunc_subsecs(6),
            Some(at) => at.read().map(|t| *t).unwrap_or_else(|poisoned| *poisoned.into_inner()),
        }
    }

    /// Moves a manual clock forward (a system clock ignores it: time moves by itself).
    pub fn advance(&self, by: Duration) {
        if let Some(at) = &self.manual {
            let mut at = at.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            *at += chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        }
    }

    /// Puts a manual clock at `to`.
    pub fn set(&self, to: DateTime<Utc>) {
        if let Some(at) = &self.manual {
            *at.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = to.trunc_subsecs(6);
        }
    }

    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = DateTime::parse_from_rfc3339("2026-12-03T08:00:00Z").map(|t| t.with_timezone(&Utc));
        let clock = Clock::manual(start.unwrap_or_default());
        let copy = clock.clone();
        assert_eq!(clock.now(), copy.now());
        copy.advance(Duration::from_secs(90));
        assert_eq!((clock.now() - start.unwrap_or_default()).num_seconds(), 90);
    }

    #[test]
    fn the_system_clock_is_at_microsecond_precision() {
        assert_eq!(Clock::system().now().timestamp_subsec_nanos() % 1_000, 0);
    }
}
