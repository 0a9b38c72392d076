//! The pickup board, computed once per change and shared by every open board stream.
//!
//! The board is public (a TV nobody signs in on), so anyone on the network can open many
//! streams. Each stream used to re-run the board query on every commit, on the same small
//! reader pool the tills' session lookups use: a few hundred streams starved the tills. Now
//! one task reads the board after each commit (only while someone is watching) and hands
//! the serialized board to every stream through a `watch`; a stream costs no query at all.
//! Commits within [`COALESCE`] of a read are shown together, so a busy till makes at most a
//! few board updates a second, and the board holds at most
//! [`crate::service::orders::BOARD_TICKETS_PER_COLUMN`] tickets per column (what a TV can show).

use crate::service::EventHub;
use crate::state::AppState;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// The board as sent: one whole Server-Sent Events frame (`event: board`, `data: <json>`),
/// encoded once and shared by every stream.
pub type BoardJson = axum::body::Bytes;

/// The least time between two board reads: changes within it are shown together. A TV
/// needs no more than a few updates a second, and a busy till makes many commits.
pub const COALESCE: Duration = Duration::from_millis(200);

#[derive(Debug)]
pub struct BoardFeed {
    latest: watch::Sender<Option<BoardJson>>,
    refresh: Notify,
    refresh_pending: AtomicBool,
    reads: AtomicU64,
}

impl Default for BoardFeed {
    fn default() -> Self {
        BoardFeed {
            latest: watch::Sender::new(None),
            refresh: Notify::new(),
            refresh_pending: AtomicBool::new(false),
            reads: AtomicU64::new(0),
        }
    }
}

impl BoardFeed {
    /// A receiver of the board; the feed re-reads the board for it at once (it may have been
    /// idle while nobody watched).
    pub fn subscribe(&self) -> watch::Receiver<Option<BoardJson>> {
        let mut rx = self.latest.subscribe();
        rx.mark_changed();
        self.refresh_pending.store(true, Ordering::Relaxed);
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
            match crate::service::orders::board(&state).await.map(|b| serde_json::to_string(&b)) {
                Ok(Ok(json)) => {
                    let frame = BoardJson::from(format!("event: board\ndata: {json}\n\n"));
                    feed.latest.send_if_modified(|shown| {
                        let changed = shown.as_ref() != Some(&frame);
                        if changed {
                            *shown = Some(frame);
                        }
                        changed
                    });
                }
                Ok(Err(e)) => tracing::error!(error = %e, "cannot encode the board"),
                Err(e) => tracing::error!(error = %e, "cannot read the board; retrying on the next change"),
            }
        }
        let read_at = tokio::time::Instant::now();
        tokio::select! {
            changed = commits.changed() => if changed.is_err() { return },
            () = feed.refresh.notified() => {}
            _ = closing.changed() => return,
        }
        // Let more commits land before the next read (a new watcher is served at once).
        if feed.refresh_pending.swap(false, Ordering::Relaxed) {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep_until(read_at + COALESCE) => {}
            _ = closing.changed() => return,
        }
    }
}
