//! The single writer, with group commit.
//!
//! SQLite has one writer at a time, and with `synchronous=FULL` every COMMIT waits for the
//! disk. So one thread ([`thread`]) owns the only write connection and runs *jobs* sent to it: it takes
//! every job that is waiting, runs them one after another inside one transaction, commits
//! once, and only then answers each of them. Under load one fsync acknowledges many orders;
//! with no load a batch is a single job and nothing waits. Nobody is answered before the
//! commit that holds their change is on disk, so a crash loses only unanswered work.
//!
//! Each job of a batch runs inside a savepoint of its own — unless it was handed over with
//! [`Writer::write_own_undo`], promising to undo its own writes when it fails, or to say that
//! it could not ([`StoreError::HalfWritten`]: the whole batch is then rolled back, as when the
//! transaction is lost). Order placement on SQLite checks everything that could refuse it
//! before its first write, so it needs neither a savepoint of the writer's nor one of its own. A job that refuses
//! ([`JobError::Refused`]) or fails with a store error ([`JobError::Store`]) is rolled back to
//! its savepoint and answered alone; the rest of the batch commits. Only when the
//! transaction itself is lost (SQLite aborted it, or the COMMIT failed) does every job in
//! the batch get the error — none of them was acknowledged. After any rollback the writer
//! says so (`on_rollback`), so caches filled from inside the batch can forget what they read.
//!
//! Each batch runs in a `store.batch` span (with its size, linked to every request whose
//! write it carries), and each job in a `store.write` span under the span that submitted it,
//! so a trace shows a request's own write and the commit it waited for.

mod batch;
mod connection;
pub mod direct;
mod thread;

use super::db::Db;
use super::StoreError;
pub use connection::WriteConnection;
use direct::{DirectConnection, DirectOutcome, DirectWork};
use futures::future::BoxFuture;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

/// Most jobs committed together.
pub const MAX_BATCH: usize = 128;

/// What a job wrote: its answer, and the last outbox sequence it appended (if any).
#[derive(Debug)]
pub struct Done<T> {
    pub value: T,
    pub last_sequence: Option<i64>,
}

impl<T> Done<T> {
    pub fn new(value: T, last_sequence: Option<i64>) -> Self {
        Done { value, last_sequence }
    }
}

/// Why a job did not finish.
#[derive(Debug)]
pub enum JobError<E> {
    /// Refused before writing anything (bad input, illegal transition, conflict...).
    Refused(E),
    /// The database failed; the batch is rolled back.
    Store(StoreError),
}

impl<E> From<StoreError> for JobError<E> {
    fn from(e: StoreError) -> Self {
        JobError::Store(e)
    }
}

impl<E> From<sqlx::Error> for JobError<E> {
    fn from(e: sqlx::Error) -> Self {
        JobError::Store(StoreError::Database(e))
    }
}

type Deliver = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

enum Outcome {
    Wrote { last_sequence: Option<i64>, deliver: Deliver },
    Refused { deliver: Deliver },
    Failed { error: StoreError, deliver: Deliver },
}

struct Hooks<C, R, B> {
    on_commit: C,
    on_rollback: R,
    /// Told each batch's size and how long its COMMIT (or ROLLBACK) took.
    on_batch: B,
}

type Work = Box<dyn for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Outcome> + Send>;

/// A job for the writer's sqlx connection.
struct AsyncJob {
    work: Work,
    /// It undoes its own writes when it fails: the writer opens no savepoint for it.
    own_undo: bool,
}

/// A job in the writer's hands.
enum Job {
    Async(AsyncJob),
    /// For the direct connection ([`direct`]), which runs it with its neighbours.
    Direct(DirectWork),
}

enum Message {
    /// A job, with the span that submitted it.
    Job(Job, tracing::Span),
    Stop(oneshot::Sender<()>),
}

/// A handle to the writer; cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer {
    sender: mpsc::Sender<Message>,
    /// Whether it has a direct connection ([`Writer::write_direct`]).
    direct: bool,
}

impl Writer {
    /// Starts the writer on `conn`; `on_commit` is told the last sequence of each commit,
    /// `on_rollback` that some written work was undone.
    pub fn spawn(
        conn: impl Into<WriteConnection>,
        on_commit: impl Fn(i64) + Send + Sync + 'static,
        on_rollback: impl Fn() + Send + Sync + 'static,
    ) -> Writer {
        Writer::spawn_observed(conn, on_commit, on_rollback, |_, _| {})
    }

    /// [`Writer::spawn`], also telling `on_batch` each batch's size and commit time.
    pub fn spawn_observed(
        conn: impl Into<WriteConnection>,
        on_commit: impl Fn(i64) + Send + Sync + 'static,
        on_rollback: impl Fn() + Send + Sync + 'static,
        on_batch: impl Fn(usize, Duration) + Send + Sync + 'static,
    ) -> Writer {
        Writer::spawn_with_direct(conn, None, on_commit, on_rollback, on_batch)
    }

    /// [`Writer::spawn_observed`], with a direct connection to the same SQLite file for
    /// [`Writer::write_direct`] (see [`direct`]).
    pub fn spawn_with_direct(
        conn: impl Into<WriteConnection>,
        direct: Option<rusqlite::Connection>,
        on_commit: impl Fn(i64) + Send + Sync + 'static,
        on_rollback: impl Fn() + Send + Sync + 'static,
        on_batch: impl Fn(usize, Duration) + Send + Sync + 'static,
    ) -> Writer {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        let has_direct = direct.is_some();
        let direct = direct.map(DirectConnection::new);
        thread::spawn(conn.into(), direct, receiver, Hooks { on_commit, on_rollback, on_batch });
        Writer { sender, direct: has_direct }
    }

    /// Whether the writer is still there to take work.
    pub fn is_running(&self) -> bool {
        !self.sender.is_closed()
    }

    /// Runs `work` in the next write transaction and returns its value once committed.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<Done<T>, JobError<E>>> + Send + 'static,
    {
        self.submit_job(work, false).await?.await
    }

    /// [`Writer::write`] for work that undoes its own writes when it fails (refusing before it
    /// writes, or writing inside a savepoint of its own that it rolls back): the writer then
    /// opens no savepoint for it.
    pub async fn write_own_undo<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<Done<T>, JobError<E>>> + Send + 'static,
    {
        self.submit_job(work, true).await?.await
    }

    /// Hands `work` to the writer now (jobs run in the order they were handed over) and
    /// returns the wait for its committed value: several writes can be in the writer's hands
    /// at once, in a known order, and share transactions.
    pub async fn submit<T, E, F>(&self, work: F) -> Result<impl std::future::Future<Output = Result<T, E>>, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<Done<T>, JobError<E>>> + Send + 'static,
    {
        self.submit_job(work, false).await
    }

    async fn submit_job<T, E, F>(
        &self,
        work: F,
        own_undo: bool,
    ) -> Result<impl std::future::Future<Output = Result<T, E>>, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<Done<T>, JobError<E>>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, E>>();
        let caller = tracing::Span::current();
        let write = tracing::debug_span!(parent: &caller, "store.write");
        let job = AsyncJob { work: async_work(work, reply, write), own_undo };
        self.sender
            .send(Message::Job(Job::Async(job), caller))
            .await
            .map_err(|_| E::from(StoreError::WriterStopped))?;
        Ok(async move { answer.await.map_err(|_| E::from(StoreError::WriterStopped))? })
    }

    /// Runs `direct` on the writer's direct connection (see [`direct`]), in a transaction with
    /// the direct jobs handed over beside it, and returns its value once committed. `direct`
    /// answers `Ok(None)` when it wrote nothing and `fallback` should do the work instead (it
    /// then runs as with [`Writer::write_own_undo`]); an error after it wrote rolls its group
    /// back. Without a direct connection (PostgreSQL, a database in memory) `fallback` runs.
    pub async fn write_direct<T, E, D, F>(&self, direct: D, fallback: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        D: FnOnce(&rusqlite::Connection) -> Result<Option<Done<T>>, StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<Done<T>, JobError<E>>> + Send + 'static,
    {
        if !self.direct {
            return self.write_own_undo(fallback).await;
        }
        let (reply, answer) = oneshot::channel::<Result<T, E>>();
        let caller = tracing::Span::current();
        let write = tracing::debug_span!(parent: &caller, "store.write");
        let job: DirectWork = Box::new(move |conn| match write.in_scope(|| direct(conn)) {
            Ok(Some(done)) => {
                let value = done.value;
                DirectOutcome::Wrote {
                    last_sequence: done.last_sequence,
                    deliver: Box::new(move |committed| {
                        let _ = reply.send(committed.map(|()| value).map_err(E::from));
                    }),
                }
            }
            Ok(None) => DirectOutcome::Missed(async_work(fallback, reply, write)),
            Err(error) => DirectOutcome::Lost {
                error,
                deliver: Box::new(move |_| {
                    let _ = reply.send(Err(E::from(StoreError::BatchRolledBack)));
                }),
            },
        });
        self.sender
            .send(Message::Job(Job::Direct(job), caller))
            .await
            .map_err(|_| E::from(StoreError::WriterStopped))?;
        answer.await.map_err(|_| E::from(StoreError::WriterStopped))?
    }
}

/// `work` as the writer runs it on its sqlx connection, answering `reply` when its
/// transaction ends.
fn async_work<T, E, F>(work: F, reply: oneshot::Sender<Result<T, E>>, write: tracing::Span) -> Work
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<Done<T>, JobError<E>>> + Send + 'static,
{
    Box::new(move |conn| {
        Box::pin(async move {
            match work(conn).instrument(write).await {
                Ok(done) => {
                    let value = done.value;
                    Outcome::Wrote {
                        last_sequence: done.last_sequence,
                        deliver: Box::new(move |committed| {
                            let _ = reply.send(committed.map(|()| value).map_err(E::from));
                        }),
                    }
                }
                Err(JobError::Refused(e)) => Outcome::Refused {
                    deliver: Box::new(move |_| {
                        let _ = reply.send(Err(e));
                    }),
                },
                Err(JobError::Store(error)) => Outcome::Failed {
                    error,
                    deliver: Box::new(move |result| {
                        let _ = reply.send(Err(E::from(result.err().unwrap_or(StoreError::BatchRolledBack))));
                    }),
                },
            }
        })
    })
}

impl Writer {
    /// Jobs waiting for the writer.
    pub fn queued(&self) -> usize {
        self.sender.max_capacity() - self.sender.capacity()
    }

    /// Finishes the batch in hand, closes the connection and stops.
    pub async fn stop(&self) {
        let (done, stopped) = oneshot::channel();
        if self.sender.send(Message::Stop(done)).await.is_ok() {
            let _ = stopped.await;
        }
    }
}

#[cfg(test)]
mod tests;
