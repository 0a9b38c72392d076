//! The SQLite store: the only place SQL lives.
//!
//! One file, WAL journal, `synchronous=FULL` (an acknowledged order survives a power cut,
//! not only a crash), foreign keys on, a busy timeout, migrations applied at open.
//! Writes go through a pool of exactly **one** connection: SQLite has one writer anyway,
//! and queueing writers fairly in the pool beats letting them spin on the file lock. Reads
//! use a separate pool of `query_only` connections that WAL lets run beside the writer.
//!
//! Submodules take a `&mut SqliteConnection` (usually a transaction) so a service can put
//! several of them — a state change, its history and its outbox events — in one commit.

pub mod audit;
pub mod idempotency;
pub mod jobs;
pub mod maintenance;
pub mod menu;
pub mod orders;
pub mod outbox;
pub mod placement;
pub mod report;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod sinks;
pub mod staff;
pub mod stock;
pub mod sync;
pub mod terminals;
pub mod time;
pub mod writer;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;
pub use writer::{Done, JobError, Writer};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A failure that is not the data's fault (hashing, encoding, a task that died).
    #[error("internal error: {0}")]
    Internal(String),
    #[error("the write was not carried out: the writer is not running")]
    WriterStopped,
    #[error("the write was rolled back with its batch after a database error")]
    BatchRolledBack,
}

impl StoreError {
    pub fn corrupt(what: impl Into<String>) -> Self {
        StoreError::Corrupt(what.into())
    }

    pub fn internal(what: impl Into<String>) -> Self {
        StoreError::Internal(what.into())
    }
}

/// Handles to the database file: the writer task and a pool of readers.
#[derive(Clone, Debug)]
pub struct Store {
    writer: Writer,
    reader: SqlitePool,
}

/// Opening options.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// `sqlite://path/to/file.db` or a plain path.
    pub url: String,
    pub readers: u32,
    pub busy_timeout: Duration,
}

impl StoreOptions {
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions { url: url.into(), readers: 4, busy_timeout: Duration::from_secs(5) }
    }
}

/// The connection options every Crema connection uses (also used by the benchmark's floor).
pub fn connect_options(url: &str, busy_timeout: Duration) -> Result<SqliteConnectOptions, StoreError> {
    let url = if url.starts_with("sqlite:") { url.to_string() } else { format!("sqlite://{url}") };
    Ok(SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // Each write job runs in a savepoint, whose undo copies live in temporary storage:
        // keep it in memory (a file would cost a write per page touched per order).
        .pragma("temp_store", "memory")
        .busy_timeout(busy_timeout))
}

impl Store {
    /// Opens (creating if needed) the database, applies pending migrations and starts the
    /// writer; `on_commit` hears the last outbox sequence of every commit that wrote events,
    /// `on_batch` each write batch's size and commit time.
    pub async fn open(
        options: &StoreOptions,
        on_commit: impl Fn(i64) + Send + Sync + 'static,
        on_rollback: impl Fn() + Send + Sync + 'static,
        on_batch: impl Fn(usize, Duration) + Send + Sync + 'static,
    ) -> Result<Store, StoreError> {
        let connect = connect_options(&options.url, options.busy_timeout)?;
        let mut conn = SqliteConnection::connect_with(&connect).await?;
        sqlx::migrate!("../migrations").run(&mut conn).await?;
        let writer = Writer::spawn_observed(conn, on_commit, on_rollback, on_batch);
        let reader = SqlitePoolOptions::new()
            .max_connections(options.readers.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(connect.pragma("query_only", "ON"))
            .await?;
        Ok(Store { writer, reader })
    }

    /// The single writer: every change goes through it (see [`writer`]).
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    pub fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// Whether the database answers a trivial query and the writer is there to take writes.
    pub async fn ping(&self) -> Result<(), StoreError> {
        if !self.writer.is_running() {
            return Err(StoreError::WriterStopped);
        }
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// Finishes pending writes, then closes the writer and the readers.
    pub async fn close(&self) {
        self.writer.stop().await;
        self.reader.close().await;
    }
}
