//! The transactional outbox: events are appended in the same transaction as the change
//! that caused them; `sequence` (SQLite `AUTOINCREMENT`, never reused) is the shop's global
//! event order. With a single writer, commits happen in sequence order, so a reader that
//! has seen sequence `n` has seen everything before it: resuming after `n` has no gap.

use super::{time, StoreError};
use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection, SqliteExecutor};
use uuid::Uuid;

/// An event about to be written.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub id: Uuid,
    pub event_type: &'static str,
    pub subject: Option<String>,
    pub time: DateTime<Utc>,
    pub data: serde_json::Value,
    pub traceparent: Option<String>,
    pub request_id: Option<String>,
    /// The member of staff whose action caused it.
    pub staff_id: Option<Uuid>,
}

/// An event as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub sequence: i64,
    pub id: String,
    pub event_type: String,
    pub subject: Option<String>,
    pub time: DateTime<Utc>,
    pub data: serde_json::Value,
    pub traceparent: Option<String>,
    pub request_id: Option<String>,
    pub staff_id: Option<String>,
}

/// Appends events in order; returns the sequence of the last one (or `None` if none).
pub async fn append(conn: &mut SqliteConnection, events: &[NewEvent]) -> Result<Option<i64>, StoreError> {
    let mut last = None;
    for event in events {
        let data = serde_json::to_string(&event.data).map_err(|e| StoreError::internal(e.to_string()))?;
        let sequence: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (event_id, event_type, subject, time, data, traceparent, request_id, staff_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING sequence",
        )
        .bind(event.id.to_string())
        .bind(event.event_type)
        .bind(&event.subject)
        .bind(time::to_text(event.time))
        .bind(data)
        .bind(&event.traceparent)
        .bind(&event.request_id)
        .bind(event.staff_id.map(|id| id.to_string()))
        .fetch_one(&mut *conn)
        .await?;
        last = Some(sequence);
    }
    Ok(last)
}

/// Up to `limit` events after `sequence`, in order.
pub async fn read_after(
    db: impl SqliteExecutor<'_>,
    sequence: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT sequence, event_id, event_type, subject, time, data, traceparent, request_id, staff_id
         FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?",
    )
    .bind(sequence)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let data: String = r.try_get("data")?;
            Ok(StoredEvent {
                sequence: r.try_get("sequence")?,
                id: r.try_get("event_id")?,
                event_type: r.try_get("event_type")?,
                subject: r.try_get("subject")?,
                time: time::from_text(&r.try_get::<String, _>("time")?)?,
                data: serde_json::from_str(&data).map_err(|e| StoreError::corrupt(format!("event data: {e}")))?,
                traceparent: r.try_get("traceparent")?,
                request_id: r.try_get("request_id")?,
                staff_id: r.try_get("staff_id")?,
            })
        })
        .collect()
}

/// The highest sequence written so far (0 when the log is empty).
pub async fn latest_sequence(db: impl SqliteExecutor<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COALESCE(MAX(sequence), 0) FROM outbox").fetch_one(db).await?)
}

/// Deletes up to `limit` events older than `before` that every sink has passed (at or below the
/// lowest sink cursor, active or not), that no dead letter still waiting for a replay points
/// at, and never the newest event; returns how many. (Sequences are never reused.)
pub async fn prune(conn: &mut SqliteConnection, before: DateTime<Utc>, limit: i64) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM outbox WHERE sequence IN (
             SELECT sequence FROM outbox
             WHERE time < ?1
               AND sequence <= COALESCE((SELECT MIN(cursor) FROM sinks), sequence)
               AND sequence < (SELECT MAX(sequence) FROM outbox)
               AND sequence NOT IN (SELECT sequence FROM sink_dead_letters WHERE replayed_at IS NULL)
             ORDER BY sequence LIMIT ?2)",
    )
    .bind(time::to_text(before))
    .bind(limit)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// The oldest sequence still kept (`None`: the log is empty).
pub async fn oldest_sequence(db: impl sqlx::SqliteExecutor<'_>) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar("SELECT MIN(sequence) FROM outbox").fetch_one(db).await?)
}

/// When the first event after `sequence` was written (`None`: there is none).
pub async fn time_after(db: impl SqliteExecutor<'_>, sequence: i64) -> Result<Option<DateTime<Utc>>, StoreError> {
    let at: Option<String> = sqlx::query_scalar("SELECT time FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT 1")
        .bind(sequence)
        .fetch_optional(db)
        .await?;
    at.as_deref().map(super::time::from_text).transpose()
}
