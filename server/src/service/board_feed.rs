//! The pickup board, computed once per change and shared by every open board stream.
//!
//! The board is public (a TV nobody signs in on), so anyone on the network can open many
//! streams. Each stream used to re-run the board query on every commit, on the same small
//! reader pool the tills' session lookups use: a few hundred streams starved the tills. Now
//! one task reads the board after each commit (only while someone is watching) and hands
//! the serialized board to every stream through a `watch`; a stream costs no query at all.

use super::EventHub;
use crate::state::AppState;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{watch, Notify};

/// The board as sent: its JSON, shared.
pub type BoardJson = Arc<str>;

#[derive(Debug)]
pub struct BoardFeed {
    latest: watch::Sender<Option<BoardJson>>,
    refresh: Notify,
    reads: AtomicU64,
}

impl Default for BoardFeed {
    fn default() -> Self {
        BoardFeed { latest: watch::Sender::new(None), refresh: Notify::new(), reads: AtomicU64::new(0) }
    }
}

impl BoardFeed {
    /// A receiver of the board; the feed re-reads the board for it at once (it may have been
    /// idle while nobody watched).
    pub fn subscribe(&self) -> watch::Receiver<Option<BoardJson>> {
        let mut rx = self.latest.subscribe();
        rx.mark_changed();
        self.refresh.notify_one();
        rx
    }

    /// Board streams open now.
    pub fn watchers(&self) -> usize {
        self.latest.receiver_count()
    }

    /// Times the board was read from the database since start.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }
}

/// Runs the feed until the hub closes: after each commit (or a new watcher), reads the board
/// once if anyone watches, and publishes it if it changed.
pub async fn run(state: AppState) {
    let hub: Arc<EventHub> = state.hub.clone();
    let feed = state.board.clone();
    let mut commits = hub.subscribe();
    let mut closing = hub.closing();
    loop {
        if *closing.borrow() {
            return;
        }
        commits.borrow_and_update();
        if feed.latest.receiver_count() > 0 {
            feed.reads.fetch_add(1, Ordering::Relaxed);
            match super::orders::board(&state).await.map(|b| serde_json::to_string(&b)) {
                Ok(Ok(json)) => {
                    feed.latest.send_if_modified(|shown| {
                        let changed = shown.as_deref() != Some(json.as_str());
                        if changed {
                            *shown = Some(json.into());
                        }
                        changed
                    });
                }
                Ok(Err(e)) => tracing::error!(error = %e, "cannot encode the board"),
                Err(e) => tracing::error!(error = %e, "cannot read the board; retrying on the next change"),
            }
        }
        tokio::select! {
            changed = commits.changed() => if changed.is_err() { return },
            () = feed.refresh.notified() => {}
            _ = closing.changed() => return,
        }
    }
}
