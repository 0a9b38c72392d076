//! The store: the only place SQL lives. SQLite by default, PostgreSQL when the URL says
//! `postgres://` (see [`db`] for how one set of store functions serves both).
//!
//! SQLite: one file, WAL journal, `synchronous=FULL` (an acknowledged order survives a power cut,
//! not only a crash), foreign keys on, a busy timeout, migrations applied at open.
//! Writes go through a pool of exactly **one** connection: SQLite has one writer anyway,
//! and queueing writers fairly in the pool beats letting them spin on the file lock. Reads
//! use a separate pool of `query_only` connections that WAL lets run beside the writer.
//!
//! PostgreSQL: the same single writer with group commit on one connection (its batches lock
//! the outbox head, so several instances on one database take turns), `synchronous_commit`
//! on so an acknowledged write is on disk, and a pool of readers.
//!
//! Submodules take a `&mut Db` (usually the writer's transaction) so a service can put
//! several of them — a state change, its history and its outbox events — in one commit.

pub mod audit;
pub mod checkpoint;
pub mod db;
pub mod direct_read;
pub mod discounts;
pub mod drawers;
pub mod idempotency;
pub mod jobs;
pub mod maintenance;
pub mod menu;
pub mod migrate;
pub mod orders;
pub mod outbox;
pub mod placement;
pub mod printouts;
pub mod refunds;
pub mod report;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod shops;
pub mod sinks;
pub mod staff;
pub mod stock;
pub mod sync;
pub mod terminals;
#[cfg(test)]
pub(crate) mod test_db;
pub mod time;
pub mod writer;

use db::{Db, Dialect, Handle};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgConnection, PgPool, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;
pub use writer::{Done, JobError, Writer};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From the writer's direct connection (`writer::direct`).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
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
    /// A job that undoes its own writes (`Writer::write_own_undo`) failed part-way and could
    /// not: the whole transaction must be rolled back.
    #[error("a write failed part-way: {0}")]
    HalfWritten(Box<StoreError>),
}

impl StoreError {
    pub fn corrupt(what: impl Into<String>) -> Self {
        StoreError::Corrupt(what.into())
    }

    pub fn internal(what: impl Into<String>) -> Self {
        StoreError::Internal(what.into())
    }
}

/// Handles to the database: the writer task and a pool of readers.
#[derive(Clone, Debug)]
pub struct Store {
    writer: Writer,
    readers: Readers,
    shop: String,
    /// What the writer's last placement left (SQLite): see [`placement::Tail`].
    tail: std::sync::Arc<std::sync::Mutex<Option<placement::Tail>>>,
    /// Reads on the calling thread (a SQLite file): see [`direct_read`].
    direct_readers: Option<std::sync::Arc<direct_read::DirectReaders>>,
    /// Where each saved idempotency answer is (SQLite; empty on PostgreSQL).
    keys: idempotency::KeyIndex,
}

#[derive(Clone, Debug)]
enum Readers {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A read transaction from [`Store::snapshot`] (rolled back if dropped unfinished).
pub enum Snapshot {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Snapshot {
    /// The snapshot's connection, for store functions.
    pub fn db(&mut self) -> Db<'_> {
        match self {
            Snapshot::Sqlite(tx) => Db::sqlite(tx),
            Snapshot::Postgres(tx) => Db::postgres(tx),
        }
    }

    /// Ends the transaction.
    pub async fn finish(self) -> Result<(), StoreError> {
        match self {
            Snapshot::Sqlite(tx) => tx.commit().await?,
            Snapshot::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Opening options.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// `sqlite://path/to/file.db`, a plain path, or `postgres://…`.
    pub url: String,
    /// The shop whose rows this store reads and writes (PostgreSQL: `crema.shop`, which
    /// row-level security holds every query to; a SQLite file is one shop).
    pub shop: String,
    pub readers: u32,
    pub busy_timeout: Duration,
}

impl StoreOptions {
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions { url: url.into(), shop: "demo".into(), readers: 4, busy_timeout: Duration::from_secs(5) }
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

/// Whether `url` names a PostgreSQL database.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The connection options for PostgreSQL: `synchronous_commit` on whatever the server's
/// default, so a COMMIT returns only once the write is durable; and the shop every query of
/// the connection is held to (`crema.shop`, see `migrations/postgres/20261204000012_shops.sql`).
pub fn pg_connect_options(url: &str, shop: &str) -> Result<PgConnectOptions, StoreError> {
    if shop.is_empty() || !shop.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(StoreError::corrupt(format!("shop id {shop:?}: letters, digits, - and _ only")));
    }
    Ok(PgConnectOptions::from_str(url)?.application_name("crema").options([
        ("synchronous_commit", "on"),
        ("timezone", "UTC"),
        ("crema.shop", shop),
    ]))
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
        if is_postgres(&options.url) {
            let connect = pg_connect_options(&options.url, &options.shop)?;
            let mut conn = PgConnection::connect_with(&connect).await?;
            sqlx::migrate!("../migrations/postgres").run(&mut conn).await?;
            shops::prepare(&mut conn, &options.shop).await?;
            let writer = Writer::spawn_observed(conn, on_commit, on_rollback, on_batch);
            let readers = PgPoolOptions::new()
                .max_connections(options.readers.max(1))
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(connect.options([("default_transaction_read_only", "on")]))
                .await?;
            return Ok(Store {
                writer,
                readers: Readers::Postgres(readers),
                shop: options.shop.clone(),
                tail: Default::default(),
                direct_readers: None,
                keys: Default::default(),
            });
        }
        let connect = connect_options(&options.url, options.busy_timeout)?;
        let mut conn = SqliteConnection::connect_with(&connect).await?;
        sqlx::migrate!("../migrations/sqlite").run(&mut conn).await?;
        placement::prepare_writer(&mut conn).await?;
        let keys = idempotency::KeyIndex::load(&mut conn).await?;
        // Most of the WAL is copied into the file beside the writer, not in its COMMITs.
        let checkpoints = checkpoint::Checkpoints::spawn(SqliteConnection::connect_with(&connect).await?);
        let on_batch = move |size, took| {
            on_batch(size, took);
            checkpoints.committed();
        };
        // Order placement writes through a connection of its own, without sqlx's worker thread.
        let file = connect.get_filename();
        let in_memory = file == std::path::Path::new(":memory:") || options.url.contains("mode=memory");
        let direct = if in_memory { None } else { Some(writer::direct::open(file, options.busy_timeout)?) };
        let direct_readers = (!in_memory)
            .then(|| std::sync::Arc::new(direct_read::DirectReaders::new(file.to_path_buf(), options.busy_timeout)));
        let writer = Writer::spawn_with_direct(conn, direct, on_commit, on_rollback, on_batch);
        let readers = SqlitePoolOptions::new()
            .max_connections(options.readers.max(1))
            .acquire_timeout(Duration::from_secs(30))
            // A file in this process cannot drop a connection the way a network can: no ping
            // (a round trip to the connection's worker thread) before every read.
            .test_before_acquire(false)
            .connect_with(connect.pragma("query_only", "ON"))
            .await?;
        Ok(Store {
            writer,
            readers: Readers::Sqlite(readers),
            shop: options.shop.clone(),
            tail: Default::default(),
            direct_readers,
            keys,
        })
    }

    /// Reads on the calling thread, for a SQLite file (see [`direct_read`]).
    pub fn direct_readers(&self) -> Option<&direct_read::DirectReaders> {
        self.direct_readers.as_deref()
    }

    /// What the writer's last placement left, if it is remembered (SQLite).
    pub fn placement_tail(&self) -> Option<placement::Tail> {
        self.tail.lock().ok().and_then(|tail| tail.clone())
    }

    /// Remembers (or, with `None`, forgets) what the writer's last placement left.
    pub fn set_placement_tail(&self, tail: Option<placement::Tail>) {
        if let Ok(mut slot) = self.tail.lock() {
            *slot = tail;
        }
    }

    /// Where each saved idempotency answer is: what [`idempotency`]'s functions take.
    pub fn keys(&self) -> &idempotency::KeyIndex {
        &self.keys
    }

    /// The shop this store serves.
    pub fn shop(&self) -> &str {
        &self.shop
    }

    pub fn dialect(&self) -> Dialect {
        match self.readers {
            Readers::Sqlite(_) => Dialect::Sqlite,
            Readers::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The single writer: every change goes through it (see [`writer`]).
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// The PostgreSQL readers' pool (`None` on SQLite).
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.readers {
            Readers::Postgres(pool) => Some(pool),
            Readers::Sqlite(_) => None,
        }
    }

    /// A read-only connection from the readers' pool.
    pub async fn read(&self) -> Result<Db<'static>, StoreError> {
        Ok(match &self.readers {
            Readers::Sqlite(pool) => Db::Sqlite(Handle::Pooled(pool.acquire().await?)),
            Readers::Postgres(pool) => Db::Postgres(Handle::Pooled(pool.acquire().await?)),
        })
    }

    /// A read-only transaction: every read in it sees one snapshot of the database.
    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        Ok(match &self.readers {
            Readers::Sqlite(pool) => Snapshot::Sqlite(pool.begin().await?),
            Readers::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::Executor::execute(&mut *tx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
                Snapshot::Postgres(tx)
            }
        })
    }

    /// Whether the database answers a trivial query and the writer is there to take writes.
    pub async fn ping(&self) -> Result<(), StoreError> {
        if !self.writer.is_running() {
            return Err(StoreError::WriterStopped);
        }
        let mut db = self.read().await?;
        db::exec!(&mut db, sqlx::query("SELECT 1"))?;
        Ok(())
    }

    /// Finishes pending writes, then closes the writer and the readers.
    pub async fn close(&self) {
        self.writer.stop().await;
        match &self.readers {
            Readers::Sqlite(pool) => pool.close().await,
            Readers::Postgres(pool) => pool.close().await,
        }
    }
}
