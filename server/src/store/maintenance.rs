//! What backups and their checks ask of a database file: an online snapshot, SQLite's own
//! integrity checks, and a few counts that say what a copy holds.

use super::StoreError;
use sqlx::SqliteConnection;
use std::path::Path;

/// Writes a consistent copy of the database to `to` (a new file) while writers go on:
/// `VACUUM INTO` reads one snapshot, so the copy holds exactly the transactions committed
/// before it began.
pub async fn snapshot_into(conn: &mut SqliteConnection, to: &Path) -> Result<(), StoreError> {
    let to = to.to_str().ok_or_else(|| StoreError::internal("the backup path is not valid UTF-8"))?;
    sqlx::query("VACUUM INTO ?").bind(to).execute(&mut *conn).await?;
    Ok(())
}

/// SQLite's `integrity_check` (`["ok"]` when sound) and the number of rows whose foreign
/// keys point nowhere.
pub async fn integrity(conn: &mut SqliteConnection) -> Result<(Vec<String>, i64), StoreError> {
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut *conn).await?;
    let dangling = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut *conn).await?.len();
    Ok((problems, i64::try_from(dangling).unwrap_or(i64::MAX)))
}

/// What a database holds, in brief.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contents {
    /// The last migration applied.
    pub schema_version: i64,
    pub orders: i64,
    pub outbox_sequence: i64,
    pub audit_entries: i64,
}

pub async fn contents(conn: &mut SqliteConnection) -> Result<Contents, StoreError> {
    let schema_version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success").fetch_one(&mut *conn).await?;
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&mut *conn).await?;
    let outbox_sequence: Option<i64> =
        sqlx::query_scalar("SELECT MAX(sequence) FROM outbox").fetch_one(&mut *conn).await?;
    let audit_entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&mut *conn).await?;
    Ok(Contents {
        schema_version: schema_version.unwrap_or(0),
        orders,
        outbox_sequence: outbox_sequence.unwrap_or(0),
        audit_entries,
    })
}

/// The ids of every order, for comparing a copy with its original.
pub async fn order_ids(conn: &mut SqliteConnection) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT id FROM orders ORDER BY id").fetch_all(&mut *conn).await?)
}
