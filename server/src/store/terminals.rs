//! Enrolled terminals. Only hashes of pairing codes and secrets are stored.

use super::db::{exec, fetch_all, fetch_optional, fetch_value, At, Db, Id, Record};
use super::StoreError;
use chrono::{DateTime, Utc};
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

pub async fn list(conn: &mut Db<'_>) -> Result<Vec<TerminalRecord>, StoreError> {
    let rows = fetch_all!(conn, sqlx::query(select!("ORDER BY created_at, id")))?;
    rows.iter().map(from_row).collect()
}

pub async fn get(db: &mut Db<'_>, id: Uuid) -> Result<Option<TerminalRecord>, StoreError> {
    let row = fetch_optional!(db, sqlx::query(select!("WHERE id = $1")).bind(Id(id)))?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_code(conn: &mut Db<'_>, code_hash: &str) -> Result<Option<TerminalRecord>, StoreError> {
    let row = fetch_optional!(conn, sqlx::query(select!("WHERE code_hash = $1")).bind(code_hash))?;
    row.as_ref().map(from_row).transpose()
}

/// Labels already given (revoked terminals keep theirs: old tickets still name them).
pub async fn labels(conn: &mut Db<'_>) -> Result<Vec<String>, StoreError> {
    Ok(fetch_value!(conn, sqlx::query_scalar("SELECT label FROM terminals"), fetch_all)?)
}

/// Inserts or replaces a terminal row.
pub async fn upsert(conn: &mut Db<'_>, t: &TerminalRecord) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO terminals (id, name, label, code_hash, code_expires_at, secret_hash, paired_at, last_seen_at,
                                revoked_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, code_hash = excluded.code_hash,
           code_expires_at = excluded.code_expires_at, secret_hash = excluded.secret_hash,
           paired_at = excluded.paired_at, last_seen_at = excluded.last_seen_at,
           revoked_at = excluded.revoked_at, updated_at = excluded.updated_at",
        )
        .bind(Id(t.id))
        .bind(&t.name)
        .bind(&t.label)
        .bind(&t.code_hash)
        .bind(t.code_expires_at.map(At))
        .bind(&t.secret_hash)
        .bind(t.paired_at.map(At))
        .bind(t.last_seen_at.map(At))
        .bind(t.revoked_at.map(At))
        .bind(At(t.created_at))
        .bind(At(t.updated_at))
    )?;
    Ok(())
}

fn from_row(r: &Record) -> Result<TerminalRecord, StoreError> {
    let at = |name: &str| -> Result<Option<DateTime<Utc>>, StoreError> { r.opt_time(name) };
    Ok(TerminalRecord {
        id: r.uuid("id")?,
        name: r.try_get("name")?,
        label: r.try_get("label")?,
        code_hash: r.try_get("code_hash")?,
        code_expires_at: at("code_expires_at")?,
        secret_hash: r.try_get("secret_hash")?,
        paired_at: at("paired_at")?,
        last_seen_at: at("last_seen_at")?,
        revoked_at: at("revoked_at")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}
