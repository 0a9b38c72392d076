//! One batch's jobs on the writer's sqlx connection, in one transaction: each in a savepoint
//! of its own unless it undoes its own writes, one COMMIT for all, every job answered after it.

use super::{AsyncJob, Deliver, Hooks, Outcome, WriteConnection};
use crate::store::StoreError;
use std::time::{Duration, Instant};

/// Runs one job inside its own savepoint (when it shares the transaction with others and
/// does not undo its own writes): what it wrote is kept, or undone alone. The savepoint before
/// it is released and its own opened in one statement (one savepoint is open at a time: SQLite
/// checks every open one on each page it writes); the COMMIT releases the last. `open` says
/// whether a job savepoint is open. `Err` means the transaction is lost.
async fn run_job(
    conn: &mut WriteConnection,
    job: AsyncJob,
    shared: bool,
    open: &mut bool,
) -> Result<(Outcome, bool), StoreError> {
    let savepoint = shared && !job.own_undo;
    if savepoint {
        let statement = if *open { "RELEASE job; SAVEPOINT job" } else { "SAVEPOINT job" };
        conn.run(statement).await?;
        *open = true;
    }
    let outcome = (job.work)(&mut conn.db()).await;
    let outcome = match outcome {
        // The job could not undo what it wrote: nothing of this transaction may commit.
        Outcome::Failed { error: error @ StoreError::HalfWritten(_), deliver } => {
            deliver(Err(StoreError::BatchRolledBack));
            return Err(error);
        }
        outcome => outcome,
    };
    let undo = matches!(outcome, Outcome::Refused { .. } | Outcome::Failed { .. });
    if undo && savepoint {
        // Fails only when SQLite already aborted the whole transaction.
        if let Err(e) = conn.run("ROLLBACK TO job").await {
            outcome.deliver(Err(StoreError::BatchRolledBack));
            return Err(StoreError::Database(e));
        }
    }
    Ok((outcome, undo))
}

impl Outcome {
    fn deliver(self, result: Result<(), StoreError>) {
        match self {
            Outcome::Wrote { deliver, .. } | Outcome::Refused { deliver } | Outcome::Failed { deliver, .. } => {
                deliver(result)
            }
        }
    }
}

pub(super) async fn run_batch<C: Fn(i64), R: Fn(), B: Fn(usize, Duration)>(
    conn: &mut WriteConnection,
    jobs: Vec<AsyncJob>,
    hooks: &Hooks<C, R, B>,
) {
    let size = jobs.len();
    if let Err(e) = conn.begin().await {
        tracing::error!(error = %e, "cannot begin a write transaction");
        drop(jobs); // never ran: their callers are answered "not carried out"
        return;
    }
    let shared = jobs.len() > 1;
    let mut written: Vec<Deliver> = Vec::with_capacity(jobs.len());
    let mut last_sequence = None;
    let mut undone = false;
    let mut lost = None;
    let mut discard = false;
    let mut open = false;
    let mut jobs = jobs.into_iter();
    for job in jobs.by_ref() {
        match run_job(conn, job, shared, &mut open).await {
            Ok((Outcome::Wrote { last_sequence: seq, deliver }, _)) => {
                last_sequence = seq.or(last_sequence);
                written.push(deliver);
            }
            Ok((Outcome::Refused { deliver }, _)) => {
                // Refused work writes nothing: alone in its transaction, that is ended unwritten.
                discard = !shared;
                deliver(Ok(()));
            }
            Ok((Outcome::Failed { error, deliver }, _)) if shared => {
                tracing::error!(error = %error, "a write job failed; rolled back to its savepoint");
                undone = true;
                deliver(Err(error));
            }
            Ok((Outcome::Failed { error, deliver }, _)) => {
                tracing::error!(error = %error, "a write job failed; rolling back");
                written.push(deliver);
                lost = Some(error);
                break;
            }
            Err(error) => {
                tracing::error!(error = %error, "the write transaction was lost; rolling back its batch");
                lost = Some(error);
                break;
            }
        }
    }
    drop(jobs); // never ran (the transaction was lost): answered "not carried out"
    let ending = Instant::now();
    let committed = match lost {
        None if discard => match conn.run("ROLLBACK").await {
            Ok(_) => Ok(()),
            Err(e) => Err(StoreError::Database(e)),
        },
        Some(e) => {
            let _ = conn.run("ROLLBACK").await;
            Err(e)
        }
        None => match conn.run("COMMIT").await {
            Ok(_) => Ok(()),
            Err(e) => {
                let _ = conn.run("ROLLBACK").await;
                Err(StoreError::Database(e))
            }
        },
    };
    (hooks.on_batch)(size, ending.elapsed());
    match &committed {
        Ok(()) => {
            if undone {
                (hooks.on_rollback)();
            }
            if let Some(sequence) = last_sequence {
                (hooks.on_commit)(sequence);
            }
        }
        Err(_) => (hooks.on_rollback)(),
    }
    for deliver in written {
        deliver(match &committed {
            Ok(()) => Ok(()),
            Err(_) => Err(StoreError::BatchRolledBack),
        });
    }
    tracing::trace!(size, "batch committed");
}
