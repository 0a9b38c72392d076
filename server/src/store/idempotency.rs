//! Saved answers to creating requests, keyed by `(scope, Idempotency-Key)`. The row is
//! written in the same transaction as what the request created, so a retry either finds
//! the complete first answer or nothing at all.

use super::db::{exec, fetch_optional, At, Db};
use super::StoreError;
use chrono::Utc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedResponse {
    pub request_hash: String,
    pub status_code: u16,
    pub body: String,
}

pub async fn find(conn: &mut Db<'_>, scope: &str, key: &str) -> Result<Option<SavedResponse>, StoreError> {
    let row = fetch_optional!(
        conn,
        sqlx::query("SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2")
            .bind(scope)
            .bind(key)
    )?;
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

pub async fn save(conn: &mut Db<'_>, scope: &str, key: &str, saved: &SavedResponse) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(scope)
        .bind(key)
        .bind(&saved.request_hash)
        .bind(i64::from(saved.status_code))
        .bind(&saved.body)
        .bind(At(Utc::now()))
    )?;
    Ok(())
}

/// Forgets answers saved before `before`; returns how many.
pub async fn prune(conn: &mut Db<'_>, before: chrono::DateTime<Utc>, limit: i64) -> Result<u64, StoreError> {
    let sql = match conn {
        Db::Sqlite(_) => {
            "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at < $1 LIMIT $2)"
        }
        Db::Postgres(_) => {
            "DELETE FROM idempotency_keys WHERE (scope, key) IN
               (SELECT scope, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)"
        }
    };
    let done = exec!(conn, sqlx::query(sql).bind(At(before)).bind(limit))?;
    Ok(done)
}
