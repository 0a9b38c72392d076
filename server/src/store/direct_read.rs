//! Reads that answer on the calling thread: plain SQLite connections to the same file, for
//! the small indexed lookup every request makes (its sign-in session).
//!
//! A read through sqlx's pool crosses to the connection's worker thread and back twice (the
//! query, then the ping sqlx sends when a connection goes back to its pool): four wake-ups
//! per request, on a two-core box mostly the scheduler's, for a lookup SQLite does in a few
//! microseconds. Here the lookup runs where it is asked, through a statement SQLite prepared
//! once. It still reads the database every time — a revoked session or a deactivated member
//! of staff is refused on the very next request, whichever process wrote it — and in WAL
//! mode a reader neither waits for the writer nor holds it up.

use super::StoreError;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// Idle connections kept for the next read (more are opened while more read at once).
const KEEP: usize = 8;

/// Plain read-only connections to one SQLite file, opened as needed and kept.
#[derive(Debug)]
pub struct DirectReaders {
    path: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl DirectReaders {
    pub fn new(path: PathBuf, busy_timeout: Duration) -> DirectReaders {
        DirectReaders { path, busy_timeout, idle: Mutex::new(Vec::new()) }
    }

    /// Runs `read` on an idle connection (or a new one).
    pub fn read<T>(&self, read: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        let answer = read(&conn);
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < KEEP {
                idle.push(conn);
            }
        }
        answer
    }

    fn open(&self) -> Result<rusqlite::Connection, StoreError> {
        let conn = rusqlite::Connection::open(&self.path)?;
        conn.busy_timeout(self.busy_timeout)?;
        conn.execute_batch("PRAGMA query_only = ON;")?;
        Ok(conn)
    }
}
