//! Saved answers to creating requests, keyed by `(scope, Idempotency-Key)`. The row is
//! written in the same transaction as what the request created, so a retry either finds
//! the complete first answer or nothing at all.

use super::{time, StoreError};
use chrono::Utc;
use sqlx::{Row, SqliteConnection};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedResponse {
    pub request_hash: String,
    pub status_code: u16,
    pub body: String,
}

pub async fn find(conn: &mut SqliteConnection, scope: &str, key: &str) -> Result<Option<SavedResponse>, StoreError> {
    let row =
        sqlx::query("SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = ? AND key = ?")
            .bind(scope)
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|r| {
        let status: i64 = r.try_get("status_code")?;
        Ok(SavedResponse {
            request_hash: r.try_get("request_hash")?,
            status_code: u16::try_from(status).map_err(|_| StoreError::corrupt("status code"))?,
            body: r.try_get("response")?,
        })
    })
    .transpose()
}

pub async fn save(
    conn: &mut SqliteConnection,
    scope: &str,
    key: &str,
    saved: &SavedResponse,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(key)
    .bind(&saved.request_hash)
    .bind(i64::from(saved.status_code))
    .bind(&saved.body)
    .bind(time::to_text(Utc::now()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets answers saved before `before`; returns how many.
pub async fn prune(conn: &mut SqliteConnection, before: chrono::DateTime<Utc>, limit: i64) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at < ? LIMIT ?)",
    )
    .bind(time::to_text(before))
    .bind(limit)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
