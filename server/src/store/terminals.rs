//! Enrolled terminals. Only hashes of pairing codes and secrets are stored.

use super::menu::uuid_col;
use super::{time, StoreError};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqliteExecutor};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalRecord {
    pub id: Uuid,
    pub name: String,
    pub label: String,
    pub code_hash: Option<String>,
    pub code_expires_at: Option<DateTime<Utc>>,
    pub secret_hash: Option<String>,
    pub paired_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `SELECT <every column> FROM terminals <rest>`, as one literal (no SQL is built at run time).
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, name, label, code_hash, code_expires_at, secret_hash, paired_at, last_seen_at, ",
            "revoked_at, created_at, updated_at FROM terminals ",
            $rest
        )
    };
}

pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<TerminalRecord>, StoreError> {
    let rows = sqlx::query(select!("ORDER BY created_at, id")).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(db: impl SqliteExecutor<'_>, id: Uuid) -> Result<Option<TerminalRecord>, StoreError> {
    let row = sqlx::query(select!("WHERE id = ?")).bind(id.to_string()).fetch_optional(db).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_code(conn: &mut SqliteConnection, code_hash: &str) -> Result<Option<TerminalRecord>, StoreError> {
    let row = sqlx::query(select!("WHERE code_hash = ?")).bind(code_hash).fetch_optional(&mut *conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// Labels already given (revoked terminals keep theirs: old tickets still name them).
pub async fn labels(conn: &mut SqliteConnection) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT label FROM terminals").fetch_all(&mut *conn).await?)
}

/// Inserts or replaces a terminal row.
pub async fn upsert(conn: &mut SqliteConnection, t: &TerminalRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO terminals (id, name, label, code_hash, code_expires_at, secret_hash, paired_at, last_seen_at,
                                revoked_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, code_hash = excluded.code_hash,
           code_expires_at = excluded.code_expires_at, secret_hash = excluded.secret_hash,
           paired_at = excluded.paired_at, last_seen_at = excluded.last_seen_at,
           revoked_at = excluded.revoked_at, updated_at = excluded.updated_at",
    )
    .bind(t.id.to_string())
    .bind(&t.name)
    .bind(&t.label)
    .bind(&t.code_hash)
    .bind(t.code_expires_at.map(time::to_text))
    .bind(&t.secret_hash)
    .bind(t.paired_at.map(time::to_text))
    .bind(t.last_seen_at.map(time::to_text))
    .bind(t.revoked_at.map(time::to_text))
    .bind(time::to_text(t.created_at))
    .bind(time::to_text(t.updated_at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn from_row(r: &SqliteRow) -> Result<TerminalRecord, StoreError> {
    let at = |name: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        r.try_get::<Option<String>, _>(name)?.as_deref().map(time::from_text).transpose()
    };
    Ok(TerminalRecord {
        id: uuid_col(r, "id")?,
        name: r.try_get("name")?,
        label: r.try_get("label")?,
        code_hash: r.try_get("code_hash")?,
        code_expires_at: at("code_expires_at")?,
        secret_hash: r.try_get("secret_hash")?,
        paired_at: at("paired_at")?,
        last_seen_at: at("last_seen_at")?,
        revoked_at: at("revoked_at")?,
        created_at: time::from_text(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_text(&r.try_get::<String, _>("updated_at")?)?,
    })
}
