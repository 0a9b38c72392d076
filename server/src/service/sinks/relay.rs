//! The outbox relay: forwards the event log to each sink after that sink's own cursor, in
//! sequence order, at least once.
//!
//! One task per active sink calls [`step_at`] and sleeps as it says. A sink that cannot be
//! reached (down, 5xx, timeout) *holds its backlog*: nothing is skipped, attempts back off,
//! and after repeated failures the circuit breaker opens (no attempts for a while, then a
//! single half-open probe; a success closes it). An event the endpoint *rejects* (a 4xx) is
//! retried a few times, then moved to the sink's dead letters — kept, visible, replayable —
//! so one poisoned event cannot stop the stream. Events the sink does not subscribe to are
//! passed over.

use super::delivery;
use crate::service::error::JobResult;
use crate::service::ServiceError;
use crate::sinks::Delivery;
use crate::state::AppState;
use crate::store::sinks::{self, DeliveryState, SinkRecord};
use crate::store::{outbox, Done};
use chrono::{DateTime, Utc};
use crema_shared::retry::{NextStep, RetryPolicy};
use rand::Rng;
use std::time::Duration;
use uuid::Uuid;

/// Consecutive unreachable attempts that open the breaker.
pub const BREAKER_THRESHOLD: u32 = 5;
/// Attempts at an event the endpoint rejects before it is dead-lettered.
pub const REJECTED_ATTEMPTS: u32 = 5;

/// How the relay backs off; from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct RelayPolicy {
    /// First retry delay (doubling, with jitter, up to a minute).
    pub retry_base: Duration,
    /// How long an open breaker waits before its half-open probe.
    pub breaker_open_for: Duration,
}

impl RelayPolicy {
    /// Backoff while an endpoint is unreachable (never gives up: the backlog is held).
    fn unreachable(&self) -> RetryPolicy {
        RetryPolicy { base: self.retry_base, factor: 2.0, cap: Duration::from_secs(60), max_attempts: u32::MAX }
    }

    /// Backoff and attempts for an event the endpoint rejects.
    fn rejected(&self) -> RetryPolicy {
        RetryPolicy {
            base: self.retry_base,
            factor: 2.0,
            cap: Duration::from_secs(30),
            max_attempts: REJECTED_ATTEMPTS,
        }
    }
}
/// Events read per look at the outbox.
const BATCH: i64 = 500;

/// What one relay step did.
#[derive(Clone, Debug, PartialEq)]
pub enum RelayOutcome {
    /// Nothing after the cursor.
    Idle,
    /// Not yet time to try again (backoff or open breaker).
    Waiting {
        until: DateTime<Utc>,
    },
    Delivered {
        sequence: i64,
    },
    /// Events the sink does not want, passed over up to this sequence.
    Skipped {
        through: i64,
    },
    /// Could not deliver; the event stays at the head of the backlog.
    Held {
        sequence: i64,
        error: String,
        until: DateTime<Utc>,
        breaker_open: bool,
    },
    DeadLettered {
        sequence: i64,
        error: String,
    },
    /// The sink is gone or switched off.
    Inactive,
}

/// One relay step for `sink_id` at `now`.
pub async fn step_at(state: &AppState, sink_id: Uuid, now: DateTime<Utc>) -> Result<RelayOutcome, ServiceError> {
    let mut conn = state.store.read().await?;
    let Some(sink) = sinks::get(&mut conn, sink_id).await?.filter(|s| s.active) else {
        return Ok(RelayOutcome::Inactive);
    };
    if let Some(until) = sink.next_attempt_at.filter(|t| *t > now) {
        return Ok(RelayOutcome::Waiting { until });
    }
    let batch = outbox::read_after(&mut conn, sink.cursor, BATCH).await?;
    drop(conn);
    let Some(last) = batch.last().map(|e| e.sequence) else { return Ok(RelayOutcome::Idle) };
    if !batch.iter().any(|e| sink.wants(&e.event_type)) {
        let state_after = DeliveryState { cursor: last, ..delivery_state(&sink) };
        record(state, sink_id, state_after, None).await?;
        return Ok(RelayOutcome::Skipped { through: last });
    }
    let attempt = delivery::attempt(state, &sink, sink.cursor, batch, |t| sink.wants(t)).await;
    let jitter: f64 = rand::thread_rng().gen();
    let progressed = DeliveryState { cursor: attempt.cursor, ..delivery_state(&sink) };
    let (next, outcome, dead_letter) = match attempt.failure {
        None => (
            DeliveryState {
                cursor: attempt.cursor,
                rejections: 0,
                consecutive_failures: 0,
                next_attempt_at: None,
                last_error: None,
            },
            RelayOutcome::Delivered { sequence: attempt.delivered.unwrap_or(attempt.cursor) },
            None,
        ),
        Some((Delivery::Delivered, ..)) => (progressed, RelayOutcome::Skipped { through: attempt.cursor }, None),
        Some((Delivery::Rejected(error), sequence, event_id)) => {
            let rejections = if attempt.delivered.is_some() { 1 } else { sink.rejections + 1 };
            match state.relay_policy.rejected().after_failure(rejections, jitter) {
                NextStep::GiveUp => (
                    DeliveryState {
                        cursor: sequence,
                        rejections: 0,
                        consecutive_failures: 0,
                        next_attempt_at: None,
                        last_error: Some(error.clone()),
                    },
                    RelayOutcome::DeadLettered { sequence, error: error.clone() },
                    Some((event_id, error, rejections)),
                ),
                NextStep::RetryAfter(delay) => {
                    let until = now + chrono_duration(delay);
                    (
                        DeliveryState {
                            rejections,
                            consecutive_failures: 0,
                            next_attempt_at: Some(until),
                            last_error: Some(error.clone()),
                            ..progressed
                        },
                        RelayOutcome::Held { sequence, error, until, breaker_open: false },
                        None,
                    )
                }
            }
        }
        Some((Delivery::Unreachable(error), sequence, _)) => {
            let failures = if attempt.delivered.is_some() { 1 } else { sink.consecutive_failures + 1 };
            let breaker_open = failures >= BREAKER_THRESHOLD;
            let open_for = state.relay_policy.breaker_open_for;
            let delay = if breaker_open {
                open_for
            } else {
                match state.relay_policy.unreachable().after_failure(failures, jitter) {
                    NextStep::RetryAfter(delay) => delay,
                    NextStep::GiveUp => open_for,
                }
            };
            let until = now + chrono_duration(delay);
            (
                DeliveryState {
                    consecutive_failures: failures,
                    next_attempt_at: Some(until),
                    last_error: Some(error.clone()),
                    ..progressed
                },
                RelayOutcome::Held { sequence, error, until, breaker_open },
                None,
            )
        }
    };
    let dead = dead_letter.map(|(id, error, attempts)| (next.cursor, id, error, attempts));
    record(state, sink_id, next, dead).await?;
    match &outcome {
        RelayOutcome::Held { sequence, error, breaker_open, .. } => {
            tracing::warn!(sink = %sink.name, sequence, error, breaker_open, "delivery failed; holding the backlog")
        }
        RelayOutcome::DeadLettered { sequence, error } => {
            tracing::error!(sink = %sink.name, sequence, error, "event dead-lettered after the sink kept refusing it")
        }
        _ => {}
    }
    Ok(outcome)
}

/// The relay task of one sink: steps while there is work, sleeps while there is none.
pub async fn run(state: AppState, sink_id: Uuid) {
    let mut latest = state.hub.subscribe();
    let mut closing = state.hub.closing();
    // Only the instance holding the sink's lease relays it (see `sinks::RelayLease`).
    let lease = lease(&state, sink_id, &mut closing).await;
    loop {
        if lease.is_none() {
            break;
        }
        if *closing.borrow() {
            break;
        }
        latest.borrow_and_update();
        let outcome = match step_at(&state, sink_id, state.clock.now()).await {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::error!(error = %e, %sink_id, "relay step failed");
                RelayOutcome::Waiting { until: state.clock.now() + chrono::Duration::seconds(5) }
            }
        };
        let pause = match outcome {
            RelayOutcome::Inactive => break,
            RelayOutcome::Delivered { .. } | RelayOutcome::Skipped { .. } | RelayOutcome::DeadLettered { .. } => {
                continue
            }
            RelayOutcome::Idle => None,
            RelayOutcome::Waiting { until } | RelayOutcome::Held { until, .. } => {
                Some((until - state.clock.now()).to_std().unwrap_or(Duration::ZERO))
            }
        };
        tokio::select! {
            _ = async { match pause { Some(p) => tokio::time::sleep(p).await, None => std::future::pending().await } } => {}
            changed = latest.changed() => if changed.is_err() { break },
            _ = closing.changed() => break,
            _ = state.relay_wakeup.notified() => {}
        }
    }
    if let Ok(mut running) = state.relays.lock() {
        running.remove(&sink_id);
    }
}

/// Waits for the relay lease of `sink_id` (another instance may hold it: it is tried again
/// every few seconds); `None` when the server closes or the sink stops being active first.
async fn lease(
    state: &AppState,
    sink_id: Uuid,
    closing: &mut tokio::sync::watch::Receiver<bool>,
) -> Option<sinks::RelayLease> {
    loop {
        if *closing.borrow() {
            return None;
        }
        match sinks::try_relay_lease(&state.store, sink_id).await {
            Ok(Some(lease)) => return Some(lease),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, %sink_id, "cannot take the relay lease; trying again"),
        }
        let active = async { sinks::get(&mut state.store.read().await?, sink_id).await }.await;
        if matches!(active, Ok(None)) || matches!(active, Ok(Some(ref s)) if !s.active) {
            return None;
        }
        tokio::select! {
            _ = tokio::time::sleep(LEASE_RETRY) => {}
            _ = closing.changed() => {}
        }
    }
}

/// How often an instance without a sink's lease tries to take it over.
const LEASE_RETRY: Duration = Duration::from_secs(2);

/// Starts the relay task of `sink_id` unless it runs already.
pub fn ensure_running(state: &AppState, sink_id: Uuid) {
    let Ok(mut running) = state.relays.lock() else { return };
    if running.insert(sink_id) {
        tokio::spawn(run(state.clone(), sink_id));
    }
}

async fn record(
    state: &AppState,
    sink_id: Uuid,
    next: DeliveryState,
    dead_letter: Option<(i64, String, String, u32)>,
) -> Result<(), ServiceError> {
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                if let Some((sequence, event_id, error, attempts)) = &dead_letter {
                    sinks::add_dead_letter(conn, sink_id, *sequence, event_id, error, *attempts).await?;
                }
                sinks::update_delivery(conn, sink_id, &next).await?;
                JobResult::Ok(Done::new((), None))
            })
        })
        .await
}

fn delivery_state(sink: &SinkRecord) -> DeliveryState {
    DeliveryState {
        cursor: sink.cursor,
        rejections: sink.rejections,
        consecutive_failures: sink.consecutive_failures,
        next_attempt_at: sink.next_attempt_at,
        last_error: sink.last_error.clone(),
    }
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::seconds(60))
}
