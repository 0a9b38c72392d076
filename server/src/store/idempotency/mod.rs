//! Saved answers to creating requests, keyed by `(scope, Idempotency-Key)`. The row is
//! written in the same transaction as what the request created, so a retry either finds
//! the complete first answer or nothing at all.
//!
//! On SQLite the rows are appended by id and found through [`KeyIndex`] (see [`index`] for
//! why); on PostgreSQL through the table's primary key. Either way the single writer looks a
//! key up and saves under it in one job, so one key has one answer.

pub mod index;

use super::db::{exec, fetch_optional, At, Db, Record};
use super::StoreError;
use chrono::Utc;
pub use index::KeyIndex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedResponse {
    pub request_hash: String,
    pub status_code: u16,
    pub body: String,
}

/// The answer saved under `(scope, key)`, if any.
pub async fn find(
    conn: &mut Db<'_>,
    keys: &KeyIndex,
    scope: &str,
    key: &str,
) -> Result<Option<SavedResponse>, StoreError> {
    let Db::Sqlite(c) = conn else {
        let row = fetch_optional!(
            conn,
            sqlx::query(
                "SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2"
            )
            .bind(scope)
            .bind(key)
        )?;
        return row.map(|r| saved(&r)).transpose();
    };
    for id in keys.candidates(scope, key) {
        let row =
            sqlx::query("SELECT scope, key, request_hash, status_code, response FROM idempotency_keys WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **c)
                .await?;
        if let Some(row) = row.map(Record::from) {
            if row.try_get::<String, _>("scope")? == scope && row.try_get::<String, _>("key")? == key {
                return saved(&row).map(Some);
            }
        }
    }
    Ok(None)
}

/// A saved answer from the row that holds it.
pub(crate) fn saved(row: &Record) -> Result<SavedResponse, StoreError> {
    let status: i64 = row.try_get("status_code")?;
    Ok(SavedResponse {
        request_hash: row.try_get("request_hash")?,
        status_code: u16::try_from(status).map_err(|_| StoreError::corrupt("status code"))?,
        body: row.try_get("response")?,
    })
}

/// Saves `saved` under `(scope, key)`, which must not hold an answer yet (as the primary key
/// on PostgreSQL refuses a second one, so does SQLite's writer).
pub async fn save(
    conn: &mut Db<'_>,
    keys: &KeyIndex,
    scope: &str,
    key: &str,
    saved: &SavedResponse,
) -> Result<(), StoreError> {
    if let Db::Sqlite(_) = conn {
        if !keys.is_unused(scope, key) && find(conn, keys, scope, key).await?.is_some() {
            return Err(StoreError::corrupt(format!("an answer is already saved under this {scope} key")));
        }
    }
    let created_at = At(Utc::now());
    match conn {
        Db::Sqlite(c) => {
            let id = keys.assign(scope, key);
            bind_answer!(sqlx::query(INSERT_SQLITE).bind(id), scope, key, saved, created_at).execute(&mut **c).await?;
        }
        Db::Postgres(_) => {
            exec!(
                conn,
                bind_answer!(
                    sqlx::query(
                        "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    ),
                    scope,
                    key,
                    saved,
                    created_at
                )
            )?;
        }
    }
    Ok(())
}

/// Binds an answer's columns in the order both inserts list them (after the id on SQLite).
macro_rules! bind_answer {
    ($query:expr, $scope:expr, $key:expr, $saved:expr, $at:expr) => {{
        let saved: &SavedResponse = $saved;
        $query
            .bind($scope)
            .bind($key)
            .bind(&saved.request_hash)
            .bind(i64::from(saved.status_code))
            .bind(&saved.body)
            .bind($at)
    }};
}
use bind_answer;

/// An answer's row on SQLite, with the id [`KeyIndex::assign`] gave it (placement writes the
/// same statement).
pub(crate) const INSERT_SQLITE: &str =
    "INSERT INTO idempotency_keys (id, scope, key, request_hash, status_code, response, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Forgets answers saved before `before` (at most `limit` of them); returns how many.
pub async fn prune(
    conn: &mut Db<'_>,
    keys: &KeyIndex,
    before: chrono::DateTime<Utc>,
    limit: i64,
) -> Result<u64, StoreError> {
    match conn {
        Db::Sqlite(c) => {
            let gone: Vec<(i64, String, String)> = sqlx::query_as(
                "DELETE FROM idempotency_keys WHERE id IN
                   (SELECT id FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2)
                 RETURNING id, scope, key",
            )
            .bind(At(before))
            .bind(limit)
            .fetch_all(&mut **c)
            .await?;
            for (id, scope, key) in &gone {
                keys.forget(scope, key, *id);
            }
            Ok(gone.len() as u64)
        }
        Db::Postgres(_) => {
            let done = exec!(
                conn,
                sqlx::query(
                    "DELETE FROM idempotency_keys WHERE (scope, key) IN
                       (SELECT scope, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)"
                )
                .bind(At(before))
                .bind(limit)
            )?;
            Ok(done)
        }
    }
}

#[cfg(test)]
mod tests;
