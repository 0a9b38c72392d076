//! How many PIN checks a sign-in source may cause: the lockout, as a pure state machine.
//!
//! A PIN is 4–8 digits and PINs are unique across staff, so every guess is a guess at
//! *anyone's* PIN, the manager's included. The limiter therefore bounds PIN checks, not
//! just failures, and is built so none of the known bypasses works:
//!
//! - **Sources the client cannot choose.** A source is an enrolled terminal (proved by its
//!   secret) or else the network address (the peer, or what a trusted proxy says). A header
//!   the client makes up is never a key.
//! - **Counted before the check.** [`SignInLimiter::begin`] reserves the attempt before the
//!   PIN is verified; attempts still being checked count as failures until they finish, so
//!   a thousand concurrent guesses get `per_source` checks, not a thousand.
//! - **A success never erases failures.** Failures leave only with the window.
//! - **A shop-wide budget.** When failures across all sources reach `shop_budget` within the
//!   window, the shop is under attack: an alert is raised once (the caller writes
//!   `security.signin_alert`), and every source must wait `slowdown` between attempts until
//!   the window passes. Nobody is locked out, everybody is slowed down.
//!
//! Time is passed in, so tests move it instead of sleeping.

use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// A moment on the server's clock (see [`crate::clock::Clock`]).
pub type Instant = DateTime<Utc>;

/// How long after `earlier` `now` is (zero if the clock went back).
fn since(now: Instant, earlier: Instant) -> Duration {
    (now - earlier).to_std().unwrap_or(Duration::ZERO)
}
use uuid::Uuid;

/// The limits (see `docs/configuration.md`, security).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimiterPolicy {
    /// Failed (or still running) PIN checks one source may have within `window`.
    pub per_source: usize,
    pub window: Duration,
    /// Failures across the shop within `window` that raise the alert.
    pub shop_budget: usize,
    /// While the alert stands, the least time between two attempts from one source.
    pub slowdown: Duration,
    /// Sources remembered at once; past it, new sources wait (memory stays bounded).
    pub max_sources: usize,
}

/// Who an attempt comes from, as far as the server can tell without trusting the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// An enrolled terminal that proved it holds its secret.
    Terminal(Uuid),
    /// A network address (the peer, or the client address a trusted proxy reported).
    Address(IpAddr),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Terminal(id) => write!(f, "terminal {id}"),
            Source::Address(ip) => write!(f, "address {ip}"),
        }
    }
}

/// Why an attempt may not go ahead now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The source used up its attempts; `first` is true for the first refusal of this lockout
    /// (the caller audits that one, not every refused guess).
    LockedOut { retry_after: Duration, first: bool },
    /// The shop is under a sign-in alert and this source tried too soon.
    SlowedDown { retry_after: Duration },
    /// Too many sources at once; try again shortly.
    Crowded { retry_after: Duration },
}

impl Refusal {
    pub fn retry_after(&self) -> Duration {
        match self {
            Refusal::LockedOut { retry_after, .. }
            | Refusal::SlowedDown { retry_after }
            | Refusal::Crowded { retry_after } => *retry_after,
        }
    }
}

/// A reserved attempt: finish it with [`SignInLimiter::succeeded`] or [`SignInLimiter::failed`].
#[derive(Debug, PartialEq, Eq)]
#[must_use = "an attempt counts as a failure until it is finished"]
pub struct Attempt {
    source: Source,
}

impl Attempt {
    pub fn source(&self) -> Source {
        self.source
    }
}

/// What a failure means beyond itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailureNote {
    /// The source's first failure in its window (audit it; later ones are counted, not logged).
    pub first_in_window: bool,
    /// The shop-wide budget was just reached: `Some(failures in the window)`.
    pub alert: Option<usize>,
    /// Whether the shop is under an alert (per-source rows are then left to the alert row).
    pub under_alert: bool,
}

#[derive(Debug, Default)]
struct SourceState {
    failures: VecDeque<Instant>,
    in_flight: usize,
    last_attempt: Option<Instant>,
    lockout_noted: bool,
}

#[derive(Debug)]
pub struct SignInLimiter {
    policy: LimiterPolicy,
    sources: HashMap<Source, SourceState>,
    shop_failures: VecDeque<Instant>,
    alert_since: Option<Instant>,
}

impl SignInLimiter {
    pub fn new(policy: LimiterPolicy) -> Self {
        SignInLimiter { policy, sources: HashMap::new(), shop_failures: VecDeque::new(), alert_since: None }
    }

    pub fn policy(&self) -> LimiterPolicy {
        self.policy
    }

    /// Reserves an attempt for `source`, or says why not and for how long.
    pub fn begin(&mut self, source: Source, now: Instant) -> Result<Attempt, Refusal> {
        self.expire(now);
        let under_alert = self.alert_since.is_some();
        if !self.sources.contains_key(&source) && self.sources.len() >= self.policy.max_sources {
            let window = self.policy.window;
            self.sources.retain(|_, s| {
                prune(&mut s.failures, now, window);
                !s.failures.is_empty() || s.in_flight > 0
            });
            if self.sources.len() >= self.policy.max_sources {
                return Err(Refusal::Crowded { retry_after: Duration::from_secs(1) });
            }
        }
        let policy = self.policy;
        let state = self.sources.entry(source).or_default();
        prune(&mut state.failures, now, policy.window);
        if state.failures.is_empty() {
            state.lockout_noted = false;
        }
        if state.failures.len() + state.in_flight >= policy.per_source {
            let retry_after = match state.failures.front() {
                Some(oldest) => policy.window.saturating_sub(since(now, *oldest)),
                None => Duration::from_secs(1), // only in-flight checks: they finish soon
            };
            let first = !state.lockout_noted;
            state.lockout_noted = true;
            return Err(Refusal::LockedOut { retry_after: retry_after.max(Duration::from_secs(1)), first });
        }
        if under_alert {
            if let Some(last) = state.last_attempt {
                let since = since(now, last);
                if since < policy.slowdown {
                    return Err(Refusal::SlowedDown {
                        retry_after: (policy.slowdown - since).max(Duration::from_secs(1)),
                    });
                }
            }
        }
        state.in_flight += 1;
        state.last_attempt = Some(now);
        Ok(Attempt { source })
    }

    /// The PIN was right: the reservation is released, earlier failures stay.
    pub fn succeeded(&mut self, attempt: Attempt, _now: Instant) {
        if let Some(state) = self.sources.get_mut(&attempt.source) {
            state.in_flight = state.in_flight.saturating_sub(1);
        }
    }

    /// The PIN was wrong: the reservation becomes a failure of the source and of the shop.
    pub fn failed(&mut self, attempt: Attempt, now: Instant) -> FailureNote {
        self.expire(now);
        let window = self.policy.window;
        let state = self.sources.entry(attempt.source).or_default();
        state.in_flight = state.in_flight.saturating_sub(1);
        prune(&mut state.failures, now, window);
        let first_in_window = state.failures.is_empty();
        state.failures.push_back(now);
        self.shop_failures.push_back(now);
        let mut note = FailureNote { first_in_window, alert: None, under_alert: self.alert_since.is_some() };
        if self.alert_since.is_none() && self.shop_failures.len() >= self.policy.shop_budget {
            self.alert_since = Some(now);
            note.alert = Some(self.shop_failures.len());
            note.under_alert = true;
        }
        note
    }

    /// Whether the shop-wide alert stands.
    pub fn under_alert(&mut self, now: Instant) -> bool {
        self.expire(now);
        self.alert_since.is_some()
    }

    /// Sources remembered (for tests of the memory bound).
    pub fn remembered_sources(&self) -> usize {
        self.sources.len()
    }

    /// Forgets failures older than the window; the alert ends once the shop is back under budget.
    fn expire(&mut self, now: Instant) {
        prune(&mut self.shop_failures, now, self.policy.window);
        if self.alert_since.is_some() && self.shop_failures.len() < self.policy.shop_budget {
            self.alert_since = None;
        }
    }
}

fn prune(failures: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while failures.front().is_some_and(|t| since(now, *t) >= window) {
        failures.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    fn policy() -> LimiterPolicy {
        LimiterPolicy {
            per_source: 5,
            window: Duration::from_secs(300),
            shop_budget: 20,
            slowdown: Duration::from_secs(10),
            max_sources: 1_000,
        }
    }

    fn address(n: u8) -> Source {
        Source::Address(IpAddr::V4(Ipv4Addr::new(192, 168, 1, n)))
    }

    #[test]
    fn a_source_gets_its_attempts_then_waits_for_the_window() {
        let t0 = Utc::now();
        let mut l = SignInLimiter::new(policy());
        for _ in 0..5 {
            let a = l.begin(address(1), t0).expect("allowed");
            l.failed(a, t0);
        }
        match l.begin(address(1), t0 + Duration::from_secs(60)) {
            Err(Refusal::LockedOut { retry_after, first: true }) => assert_eq!(retry_after, Duration::from_secs(240)),
            other => panic!("expected a lockout, got {other:?}"),
        }
        assert!(matches!(l.begin(address(1), t0), Err(Refusal::LockedOut { first: false, .. })), "noted once");
        assert!(l.begin(address(2), t0).is_ok(), "another source is not locked");
        assert!(l.begin(address(1), t0 + Duration::from_secs(300)).is_ok(), "the window passed");
    }

    #[test]
    fn concurrent_attempts_are_counted_before_they_are_checked() {
        let t0 = Utc::now();
        let mut l = SignInLimiter::new(policy());
        let granted: Vec<Attempt> = (0..1_000).filter_map(|_| l.begin(address(1), t0).ok()).collect();
        assert_eq!(granted.len(), 5);
    }

    #[test]
    fn a_success_does_not_erase_failures() {
        let t0 = Utc::now();
        let mut l = SignInLimiter::new(policy());
        let mut checks = 0;
        for _ in 0..100 {
            if let Ok(a) = l.begin(address(1), t0) {
                checks += 1;
                l.failed(a, t0);
            }
            if let Ok(a) = l.begin(address(1), t0) {
                l.succeeded(a, t0);
            }
        }
        assert_eq!(checks, 5);
    }

    #[test]
    fn the_shop_budget_raises_one_alert_and_slows_every_source() {
        let t0 = Utc::now();
        let mut l = SignInLimiter::new(policy());
        let mut alerts = 0;
        for n in 0..20u8 {
            let a = l.begin(address(n), t0).expect("allowed");
            if l.failed(a, t0).alert.is_some() {
                alerts += 1;
            }
        }
        assert_eq!(alerts, 1);
        // A fresh source may try once, then waits the slowdown.
        let a = l.begin(address(200), t0).expect("first attempt");
        l.succeeded(a, t0);
        assert!(matches!(l.begin(address(200), t0 + Duration::from_secs(3)), Err(Refusal::SlowedDown { .. })));
        assert!(l.begin(address(200), t0 + Duration::from_secs(10)).is_ok());
        // Once the window has passed, the alert is over.
        assert!(!l.under_alert(t0 + Duration::from_secs(301)));
    }

    #[test]
    fn memory_is_bounded_by_max_sources() {
        let t0 = Utc::now();
        let mut l = SignInLimiter::new(LimiterPolicy { max_sources: 10, ..policy() });
        for n in 0..10u8 {
            let a = l.begin(address(n), t0).expect("allowed");
            l.failed(a, t0);
        }
        assert!(matches!(l.begin(address(100), t0), Err(Refusal::Crowded { .. })));
        assert_eq!(l.remembered_sources(), 10);
        assert!(l.begin(address(100), t0 + Duration::from_secs(300)).is_ok(), "old sources are forgotten");
    }

    #[derive(Clone, Debug)]
    enum Op {
        Begin(u8),
        FinishOldest { ok: bool },
        Wait(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..3).prop_map(Op::Begin),
            3 => any::<bool>().prop_map(|ok| Op::FinishOldest { ok }),
            1 => (0u64..120).prop_map(Op::Wait),
        ]
    }

    proptest! {
        /// Whatever the interleaving of attempts, successes and waits, no source ever has more
        /// wrong or pending PIN checks within one window than the policy allows.
        #[test]
        fn never_more_failed_or_pending_checks_per_window_than_allowed(ops in prop::collection::vec(op(), 1..400)) {
            let policy = policy();
            let mut l = SignInLimiter::new(policy);
            let t0 = Utc::now();
            let mut now = t0;
            let mut pending: VecDeque<(usize, Attempt)> = VecDeque::new();
            // (attempt number, source, time) of every check that failed or is pending.
            let mut costly: Vec<(usize, Source, Instant)> = Vec::new();
            for (number, op) in ops.into_iter().enumerate() {
                match op {
                    Op::Begin(n) => if let Ok(a) = l.begin(address(n), now) {
                        costly.push((number, a.source(), now));
                        pending.push_back((number, a));
                    },
                    Op::FinishOldest { ok } => if let Some((begun, a)) = pending.pop_front() {
                        if ok {
                            // It was not a failure after all: it costs nothing.
                            costly.retain(|(n, _, _)| *n != begun);
                            l.succeeded(a, now);
                        } else {
                            // A failure counts from when it finished.
                            for entry in costly.iter_mut().filter(|(n, _, _)| *n == begun) { entry.2 = now; }
                            l.failed(a, now);
                        }
                    },
                    Op::Wait(secs) => now += Duration::from_secs(secs),
                }
                for n in 0..3 {
                    let recent = costly.iter().filter(|(_, s, t)| *s == address(n) && since(now, *t) < policy.window).count();
                    prop_assert!(recent <= policy.per_source, "{recent} costly checks for source {n} within a window");
                }
            }
        }
    }
}
