//! The writer's direct connection: a second connection to the same SQLite file, beside the
//! sqlx one on the writer's thread, for the writes that decide throughput (order placement).
//!
//! Every statement through sqlx-sqlite crosses to the connection's worker thread and back —
//! two wake-ups, tens of microseconds on a busy two-core box, most of it the scheduler's —
//! and the writer's path is serial: each order's write waited for its own crossing. Work
//! handed over with [`super::Writer::write_direct`] is a plain function of a
//! `rusqlite::Connection`, called on the writer's own thread: a whole run of such jobs runs in
//! one transaction (`BEGIN IMMEDIATE` … `COMMIT`) with statements SQLite prepared once and
//! keeps, and each is answered when the COMMIT is on disk — no hand-over to another thread at
//! all.
//!
//! The two connections never write at the same time: the writer runs one transaction after
//! another, and each ends before the next begins. Nobody is answered before the COMMIT that
//! holds their write. A job that wrote nothing and says so (it *missed*: the memory it built
//! on was stale, or its case needs the checked way) is run next on the sqlx connection, and
//! the rest of its run after it, in order. A job that fails after writing rolls its run back:
//! nobody in it is answered "written".

use super::{Deliver, Hooks, Job, Work};
use crate::store::StoreError;
use std::time::{Duration, Instant};

/// A direct job: runs on the writer's thread, inside its run's transaction.
pub(super) type DirectWork = Box<dyn FnOnce(&rusqlite::Connection) -> DirectOutcome + Send>;

pub(super) enum DirectOutcome {
    Wrote {
        last_sequence: Option<i64>,
        deliver: Deliver,
    },
    /// Wrote nothing: this runs instead, on the sqlx connection.
    Missed(Work),
    /// Failed after writing: the run's transaction is rolled back.
    Lost {
        error: StoreError,
        deliver: Deliver,
    },
}

/// What a run did.
struct Ran {
    written: Vec<(Option<i64>, Deliver)>,
    missed: Option<Work>,
    /// The jobs after the one that missed or failed, not run.
    unrun: Vec<DirectWork>,
    lost: Option<(StoreError, Deliver)>,
    /// The COMMIT's outcome (`Ok` also when nothing was written).
    committed: Result<(), StoreError>,
    commit_took: Duration,
}

/// The direct connection, in the writer thread's hands.
pub(super) struct DirectConnection {
    conn: rusqlite::Connection,
}

impl DirectConnection {
    pub(super) fn new(conn: rusqlite::Connection) -> DirectConnection {
        DirectConnection { conn }
    }

    /// Runs `works` in one transaction, answers those written once it is committed, and
    /// returns what is to run next: the fallback of a job that missed and the jobs after it.
    pub(super) fn run<C: Fn(i64), R: Fn(), B: Fn(usize, Duration)>(
        &self,
        works: Vec<DirectWork>,
        hooks: &Hooks<C, R, B>,
    ) -> Vec<Job> {
        let Ran { written, missed, unrun, lost, committed, commit_took } = execute(&self.conn, works);
        (hooks.on_batch)(written.len() + usize::from(lost.is_some()), commit_took);
        let mut last_sequence = None;
        for (sequence, _) in &written {
            last_sequence = sequence.or(last_sequence);
        }
        match (&committed, &lost) {
            (Ok(()), None) => {
                if let Some(sequence) = last_sequence {
                    (hooks.on_commit)(sequence);
                }
            }
            _ => (hooks.on_rollback)(),
        }
        let kept = committed.is_ok() && lost.is_none();
        for (_, deliver) in written {
            deliver(if kept { Ok(()) } else { Err(StoreError::BatchRolledBack) });
        }
        if let Some((error, deliver)) = lost {
            tracing::error!(%error, "a direct write failed after writing; its run was rolled back");
            deliver(Err(error));
        }
        let mut next = Vec::with_capacity(unrun.len() + 1);
        if let Some(work) = missed {
            next.push(Job::Async(super::AsyncJob { work, own_undo: true }));
        }
        next.extend(unrun.into_iter().map(Job::Direct));
        next
    }

    pub(super) fn close(self) {
        if let Err((_, e)) = self.conn.close() {
            tracing::warn!(error = %e, "closing the direct write connection failed");
        }
    }
}

/// One transaction for `works`, stopping at the first that misses or fails.
fn execute(conn: &rusqlite::Connection, works: Vec<DirectWork>) -> Ran {
    let mut ran = Ran {
        written: Vec::with_capacity(works.len()),
        missed: None,
        unrun: Vec::new(),
        lost: None,
        committed: Ok(()),
        commit_took: Duration::ZERO,
    };
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "cannot begin a direct write transaction");
        ran.committed = Err(e.into());
        return ran; // the jobs are dropped unrun: "not carried out"
    }
    let mut works = works.into_iter();
    for work in works.by_ref() {
        match work(conn) {
            DirectOutcome::Wrote { last_sequence, deliver } => ran.written.push((last_sequence, deliver)),
            DirectOutcome::Missed(fallback) => {
                ran.missed = Some(fallback);
                break;
            }
            DirectOutcome::Lost { error, deliver } => {
                ran.lost = Some((error, deliver));
                break;
            }
        }
    }
    ran.unrun = works.collect();
    let ending = Instant::now();
    let end = if ran.lost.is_some() || ran.written.is_empty() { "ROLLBACK" } else { "COMMIT" };
    if let Err(e) = conn.execute_batch(end) {
        let _ = conn.execute_batch("ROLLBACK");
        ran.committed = Err(e.into());
    }
    ran.commit_took = ending.elapsed();
    ran
}

/// Opens the direct connection to the SQLite file at `path` with the writer's settings
/// (WAL, `synchronous=FULL`, foreign keys, undo copies in memory; SQLite's automatic
/// checkpoint, see `store::checkpoint`), readied for placement's guard.
pub fn open(path: &std::path::Path, busy_timeout: Duration) -> Result<rusqlite::Connection, StoreError> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(busy_timeout)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    conn.set_prepared_statement_cache_capacity(32);
    crate::store::placement::prepare_direct(&conn)?;
    Ok(conn)
}

#[cfg(test)]
pub(super) mod tests;
