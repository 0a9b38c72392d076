//! The writer's thread: takes every job waiting, runs them as one batch and answers them, then
//! takes the next — on one thread of its own ("crema-writer"), which also owns the direct
//! connection.
//!
//! The loop once ran as a tokio task, with the direct connection on a thread beside it. Each
//! batch then crossed between them twice: the thread's answer woke the task (≈ 45 µs), the
//! task delivered, gathered the next batch when the runtime got round to it (≈ 140 µs) and
//! woke the thread (≈ 70 µs) — about a quarter of a millisecond per batch in which nothing
//! was written, on a path where every order waits for the batch before its own. Now the
//! thread that COMMITs answers at once and finds the next batch already queued. Work on the
//! sqlx connection (every write but order placement, and all of them on PostgreSQL) runs
//! here too, through the runtime's handle: sqlx's futures are driven from this thread, their
//! I/O by the runtime.

use super::batch;
use super::direct::DirectConnection;
use super::{Hooks, Job, Message, WriteConnection, MAX_BATCH};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

/// Starts the writer's thread on the runtime the caller runs in.
pub(super) fn spawn<C, R, B>(
    conn: WriteConnection,
    direct: Option<DirectConnection>,
    receiver: mpsc::Receiver<Message>,
    hooks: Hooks<C, R, B>,
) where
    C: Fn(i64) + Send + 'static,
    R: Fn() + Send + 'static,
    B: Fn(usize, Duration) + Send + 'static,
{
    let handle = Handle::current();
    let spawned = std::thread::Builder::new()
        .name("crema-writer".into())
        .spawn(move || run(&handle, conn, direct, receiver, &hooks));
    if let Err(e) = spawned {
        // The receiver went with the closure: every write is answered "writer stopped".
        tracing::error!(error = %e, "cannot start the writer's thread");
    }
}

fn run<C: Fn(i64), R: Fn(), B: Fn(usize, Duration)>(
    handle: &Handle,
    mut conn: WriteConnection,
    direct: Option<DirectConnection>,
    mut receiver: mpsc::Receiver<Message>,
    hooks: &Hooks<C, R, B>,
) {
    // Whatever the jobs call that looks for a runtime (spawning, sqlx) finds this one.
    let _runtime = handle.enter();
    let mut stop = None;
    while stop.is_none() {
        let Some(first) = receiver.blocking_recv() else { break };
        let mut jobs = Vec::new();
        let batch = tracing::debug_span!(parent: None, "store.batch", size = tracing::field::Empty);
        take(first, &batch, &mut jobs, &mut stop);
        while stop.is_none() && jobs.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(message) => take(message, &batch, &mut jobs, &mut stop),
                Err(_) => break,
            }
        }
        if !jobs.is_empty() {
            batch.record("size", jobs.len());
            run_batch(handle, &mut conn, direct.as_ref(), jobs, hooks, &batch);
        }
    }
    // Closed before the stop is answered: whoever hears "stopped" finds the writer gone, and
    // jobs still queued are answered "not carried out".
    drop(receiver);
    if let Some(direct) = direct {
        direct.close();
    }
    if let Err(e) = handle.block_on(conn.close()) {
        tracing::warn!(error = %e, "closing the write connection failed");
    }
    if let Some(done) = stop {
        let _ = done.send(());
    }
}

/// Runs a batch: each run of direct jobs on the direct connection in one transaction, the
/// jobs between them on the sqlx connection in another. A direct job that missed runs next
/// the ordinary way, then the rest of its run. Transactions follow one another: the two
/// connections never write at once.
fn run_batch<C: Fn(i64), R: Fn(), B: Fn(usize, Duration)>(
    handle: &Handle,
    conn: &mut WriteConnection,
    direct: Option<&DirectConnection>,
    jobs: Vec<Job>,
    hooks: &Hooks<C, R, B>,
    span: &tracing::Span,
) {
    let mut queue = VecDeque::from(jobs);
    while let Some(first) = queue.pop_front() {
        match first {
            Job::Direct(work) => {
                let mut works = vec![work];
                while let Some(Job::Direct(_)) = queue.front() {
                    if let Some(Job::Direct(work)) = queue.pop_front() {
                        works.push(work);
                    }
                }
                // Without a direct connection no direct job is handed over (`write_direct`).
                let Some(direct) = direct else { continue };
                let next = span.in_scope(|| direct.run(works, hooks));
                for job in next.into_iter().rev() {
                    queue.push_front(job);
                }
            }
            Job::Async(job) => {
                let mut jobs = vec![job];
                while let Some(Job::Async(_)) = queue.front() {
                    if let Some(Job::Async(job)) = queue.pop_front() {
                        jobs.push(job);
                    }
                }
                handle.block_on(batch::run_batch(conn, jobs, hooks).instrument(span.clone()));
            }
        }
    }
}

/// Adds a job to the batch (linking the batch's span to the job's caller), or notes the stop.
fn take(message: Message, batch: &tracing::Span, jobs: &mut Vec<Job>, stop: &mut Option<oneshot::Sender<()>>) {
    match message {
        Message::Job(job, caller) => {
            crate::telemetry::propagation::link(batch, &caller);
            jobs.push(job);
        }
        Message::Stop(done) => *stop = Some(done),
    }
}

#[cfg(test)]
mod tests;
