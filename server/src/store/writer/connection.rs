//! The one connection the writer owns, on either database, and the statements of its own
//! (transaction control) it runs on it: how a batch begins differs between SQLite and
//! PostgreSQL, the rest is the same.

use super::Db;
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};

/// The connection the writer owns.
pub enum WriteConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl From<SqliteConnection> for WriteConnection {
    fn from(conn: SqliteConnection) -> Self {
        WriteConnection::Sqlite(conn)
    }
}

impl From<PgConnection> for WriteConnection {
    fn from(conn: PgConnection) -> Self {
        WriteConnection::Postgres(conn)
    }
}

impl WriteConnection {
    /// Runs a statement of the writer's own (transaction control), without arguments.
    pub(super) async fn run(&mut self, statement: &'static str) -> Result<(), sqlx::Error> {
        match self {
            WriteConnection::Sqlite(c) => sqlx::query(statement).execute(c).await.map(drop),
            // No arguments: the simple protocol, which also takes `RELEASE …; SAVEPOINT …`.
            WriteConnection::Postgres(c) => c.execute(statement).await.map(drop),
        }
    }

    /// Opens the batch's transaction. SQLite takes its one write lock at once. PostgreSQL
    /// locks the outbox head first: the batches of every instance on the database then run one
    /// after another, so they cannot deadlock on each other's rows, and events commit in
    /// sequence order.
    pub(super) async fn begin(&mut self) -> Result<(), sqlx::Error> {
        match self {
            WriteConnection::Sqlite(_) => self.run("BEGIN IMMEDIATE").await,
            WriteConnection::Postgres(_) => {
                self.run("BEGIN; SELECT sequence FROM outbox_head WHERE id = 1 FOR UPDATE").await
            }
        }
    }

    pub(super) fn db(&mut self) -> Db<'_> {
        match self {
            WriteConnection::Sqlite(c) => Db::sqlite(c),
            WriteConnection::Postgres(c) => Db::postgres(c),
        }
    }

    pub(super) async fn close(self) -> Result<(), sqlx::Error> {
        match self {
            WriteConnection::Sqlite(c) => c.close().await,
            WriteConnection::Postgres(c) => c.close().await,
        }
    }
}
