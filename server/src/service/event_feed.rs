//! Following the event log live, after a cursor: what the SSE stream (`GET /api/v1/events`)
//! and the gRPC streams (`WatchEvents`, `WatchOrder`, `TrackOrders`, `WatchMenu`) all read.
//!
//! The feed reads the outbox after its own cursor and uses the hub only as a wake-up, so a
//! reader resumed from the last sequence it saw has no gap and no repeat, and a slow reader
//! can never lose an event to a full channel. A feed opened for a session ends within
//! seconds of that session ending (sign-out, deactivation, PIN reset, expiry): it re-checks
//! the session whenever sessions end and every [`SESSION_CHECK`].

use crate::service::staff::auth;
use crate::state::AppState;
use crate::store::outbox::{self, StoredEvent};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::watch;

const BATCH: i64 = 256;
/// How often a feed re-checks its session (it also does when any session ends).
pub const SESSION_CHECK: Duration = Duration::from_secs(5);

pub struct EventFeed {
    state: AppState,
    after: i64,
    buffer: VecDeque<StoredEvent>,
    latest: watch::Receiver<i64>,
    closing: watch::Receiver<bool>,
    session: Option<SessionWatch>,
    /// Counted in `crema_event_streams` while the feed is open.
    _counted: crate::metrics::StreamGuard,
}

/// The session a feed lives on: its token's hash, re-checked while the feed is open.
struct SessionWatch {
    hash: String,
    changed: watch::Receiver<u64>,
    check: tokio::time::Interval,
}

impl EventFeed {
    /// A feed of the events after sequence `after`, for as long as the server runs.
    pub fn new(state: AppState, after: i64) -> Self {
        EventFeed {
            latest: state.hub.subscribe(),
            closing: state.hub.closing(),
            _counted: state.metrics.event_stream(),
            state,
            after,
            buffer: VecDeque::new(),
            session: None,
        }
    }

    /// The same feed, ending when the session of `token` ends.
    pub fn for_session(mut self, token: &str) -> Self {
        let mut check = tokio::time::interval(SESSION_CHECK);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        self.session =
            Some(SessionWatch { hash: auth::token_hash(token), changed: self.state.auth.sessions_changed(), check });
        self
    }

    /// The sequence of the last event handed out (or the starting cursor).
    pub fn after(&self) -> i64 {
        self.after
    }

    /// The next event, waiting for one if need be; `None` when the feed ends (the server
    /// shuts down, the session ended, or the log cannot be read: the reader resumes from
    /// [`EventFeed::after`] and loses nothing).
    pub async fn next(&mut self) -> Option<StoredEvent> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.after = event.sequence;
                return Some(event);
            }
            if *self.closing.borrow() {
                return None;
            }
            // Mark the wake-up seen *before* reading, so a commit after the read still wakes us.
            self.latest.borrow_and_update();
            match self.read_next().await {
                Ok(events) if !events.is_empty() => {
                    self.buffer.extend(events);
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, after = self.after, "event feed read failed; closing it");
                    return None;
                }
            }
            if !self.wait().await {
                return None;
            }
        }
    }

    /// The next events after the cursor, from a reader connection.
    async fn read_next(&self) -> Result<Vec<StoredEvent>, crate::store::StoreError> {
        outbox::read_after(&mut self.state.store.read().await?, self.after, BATCH).await
    }

    /// Waits for a commit; false when the feed must end instead.
    async fn wait(&mut self) -> bool {
        let Some(session) = self.session.as_mut() else {
            return tokio::select! {
                changed = self.latest.changed() => changed.is_ok(),
                _ = self.closing.changed() => false,
            };
        };
        tokio::select! {
            changed = self.latest.changed() => changed.is_ok(),
            _ = self.closing.changed() => false,
            _ = session.changed.changed() => session_stands(&self.state, &session.hash).await,
            _ = session.check.tick() => session_stands(&self.state, &session.hash).await,
        }
    }
}

/// Whether the session is still live (an error reading it ends the feed too: the client
/// reconnects, and is asked to sign in if it must).
async fn session_stands(state: &AppState, hash: &str) -> bool {
    match auth::check(state, hash).await {
        Ok(Some(_)) => true,
        Ok(None) => {
            tracing::info!("live stream closed: its session ended");
            false
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot check a live stream's session; closing it");
            false
        }
    }
}
