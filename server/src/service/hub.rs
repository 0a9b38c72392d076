//! Wakes live readers of the event log after a commit.
//!
//! It carries only the highest committed sequence (a `watch`), never the events: readers
//! read the outbox themselves after their own cursor, so a slow reader can never lose an
//! event to a full channel, and a reader that wakes late simply reads more.

use tokio::sync::watch;

#[derive(Debug)]
pub struct EventHub {
    latest: watch::Sender<i64>,
    closing: watch::Sender<bool>,
}

impl EventHub {
    pub fn new(latest_sequence: i64) -> Self {
        EventHub { latest: watch::channel(latest_sequence).0, closing: watch::channel(false).0 }
    }

    /// Called after a commit that wrote events up to `sequence`.
    pub fn published(&self, sequence: i64) {
        self.latest.send_if_modified(|latest| {
            let newer = sequence > *latest;
            if newer {
                *latest = sequence;
            }
            newer
        });
    }

    pub fn latest(&self) -> i64 {
        *self.latest.borrow()
    }

    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.latest.subscribe()
    }

    /// Tells live streams to end (server shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }
}
