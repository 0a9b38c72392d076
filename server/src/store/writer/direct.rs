//! The writer's direct connection: a second connection to the same SQLite file, owned by a
//! thread of its own, for the writes that decide throughput (order placement).
//!
//! Every statement through sqlx-sqlite crosses to the connection's worker thread and back —
//! two wake-ups, tens of microseconds on a busy two-core box, most of it the scheduler's —
//! and the writer's path is serial: each order's write waited for its own crossing. Work
//! handed over with [`super::Writer::write_direct`] is a plain function of a
//! `rusqlite::Connection`; the writer hands a whole run of such jobs to this thread at once,
//! which runs them in one transaction (`BEGIN IMMEDIATE` … `COMMIT`) with statements SQLite
//! prepared once and keeps, and answers when the COMMIT is on disk: two wake-ups per batch
//! instead of two per statement.
//!
//! The two connections never write at the same time: the writer runs one transaction after
//! another, and each ends before the next begins. Nobody is answered before the COMMIT that
//! holds their write. A job that wrote nothing and says so (it *missed*: the memory it built
//! on was stale, or its case needs the checked way) is run next on the sqlx connection, and
//! the rest of its run after it, in order. A job that fails after writing rolls its run back:
//! nobody in it is answered "written".

use super::{Deliver, Hooks, Job, Work};
use crate::store::StoreError;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// A direct job: runs on the direct connection's thread, inside the run's transaction.
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

/// What the thread did with a run.
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

struct Run {
    works: Vec<DirectWork>,
    reply: oneshot::Sender<Ran>,
}

/// The handle the writer task keeps; dropping it ends the thread, which closes the connection.
pub(super) struct DirectConnection {
    runs: mpsc::Sender<Run>,
}

impl DirectConnection {
    pub(super) fn spawn(conn: rusqlite::Connection) -> DirectConnection {
        let (runs, received) = mpsc::channel::<Run>();
        let spawned = std::thread::Builder::new().name("crema-writer".into()).spawn(move || {
            for run in received {
                let _ = run.reply.send(execute(&conn, run.works));
            }
            if let Err((_, e)) = conn.close() {
                tracing::warn!(error = %e, "closing the direct write connection failed");
            }
        });
        if let Err(e) = spawned {
            // Without the thread every direct job is answered "not carried out".
            tracing::error!(error = %e, "cannot start the direct write connection's thread");
        }
        DirectConnection { runs }
    }

    /// Runs `works` in one transaction, answers those written once it is committed, and
    /// returns what is to run next: the fallback of a job that missed and the jobs after it.
    pub(super) async fn run<C: Fn(i64), R: Fn(), B: Fn(usize, Duration)>(
        &self,
        works: Vec<DirectWork>,
        hooks: &Hooks<C, R, B>,
    ) -> Vec<Job> {
        let (reply, answer) = oneshot::channel();
        // A thread that is gone drops the jobs: their callers hear "not carried out".
        if self.runs.send(Run { works, reply }).is_err() {
            return Vec::new();
        }
        let Ok(ran) = answer.await else { return Vec::new() };
        let Ran { written, missed, unrun, lost, committed, commit_took } = ran;
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
}

/// On the thread: one transaction for `works`, stopping at the first that misses or fails.
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
mod tests;
