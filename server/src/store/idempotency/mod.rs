//! Saved answers to creating requests, keyed by `(scope, Idempotency-Key)`. The row is
//! written in the same transaction as what the request created, so a retry either finds
//! the complete first answer or nothing at all.
//!
//! On SQLite the rows are appended by id and found through [`KeyIndex`] (see [`index`] for
//! why); on PostgreSQL through the table's primary key. Either way the single writer looks a
//! key up and saves under it in one job, so one key has one answer.
//!
//! On SQLite a placement's answer is not a second copy of the order: its row names the
//! `order.placed` event written with it (`event_sequence`), whose `order` is the answer's
//! text byte for byte, and [`find`] reads it from there. The outbox keeps an event as long as
//! an answer names it (`store::outbox::prune`).

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
        let row = sqlx::query(
            "SELECT i.scope, i.key, i.request_hash, i.status_code, i.response, i.event_sequence, o.data AS event_data
             FROM idempotency_keys i LEFT JOIN outbox o ON o.sequence = i.event_sequence WHERE i.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut **c)
        .await?;
        if let Some(row) = row.map(Record::from) {
            if row.try_get::<String, _>("scope")? == scope && row.try_get::<String, _>("key")? == key {
                return saved_sqlite(&row).map(Some);
            }
        }
    }
    Ok(None)
}

/// A saved answer from its SQLite row: its own text, or the `order` of the event it names.
fn saved_sqlite(row: &Record) -> Result<SavedResponse, StoreError> {
    if row.try_get::<Option<String>, _>("response")?.is_some() {
        return saved(row);
    }
    let sequence: Option<i64> = row.try_get("event_sequence")?;
    let data: Option<String> = row.try_get("event_data")?;
    let Some(data) = data else {
        return Err(StoreError::corrupt(format!("the event {sequence:?} an idempotency answer names is gone")));
    };
    let status: i64 = row.try_get("status_code")?;
    Ok(SavedResponse {
        request_hash: row.try_get("request_hash")?,
        status_code: u16::try_from(status).map_err(|_| StoreError::corrupt("status code"))?,
        body: answer_in_event(&data)?,
    })
}

/// The answer inside an `order.placed` event's data: its `order`, as the text it was written.
pub fn answer_in_event(data: &str) -> Result<String, StoreError> {
    #[derive(serde::Deserialize)]
    struct Placed<'a> {
        #[serde(borrow)]
        order: &'a serde_json::value::RawValue,
    }
    let placed: Placed<'_> = serde_json::from_str(data)
        .map_err(|e| StoreError::corrupt(format!("the event an idempotency answer names holds no order: {e}")))?;
    Ok(placed.order.get().to_owned())
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

/// An answer's row on SQLite, with the id [`KeyIndex::assign`] gave it.
pub(crate) const INSERT_SQLITE: &str =
    "INSERT INTO idempotency_keys (id, scope, key, request_hash, status_code, response, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// A placement's answer on SQLite: the row names the `order.placed` event (by its sequence)
/// whose `order` is the answer, instead of holding a copy. Bound: id, scope, key, request
/// hash, status, created at, the event's sequence.
pub(crate) const INSERT_SQLITE_BY_EVENT: &str =
    "INSERT INTO idempotency_keys (id, scope, key, request_hash, status_code, created_at, event_sequence)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

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
