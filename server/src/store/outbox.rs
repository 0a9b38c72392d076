//! The transactional outbox: events are appended in the same transaction as the change
//! that caused them; `sequence` (never reused) is the shop's global event order. A reader
//! that has seen sequence `n` must have seen everything before it, so resuming after `n`
//! has no gap: sequences must become visible in order.
//!
//! SQLite: `AUTOINCREMENT`, and a single writer, so commits happen in sequence order.
//! PostgreSQL: not a serial (serial values are taken before commit and can become visible
//! out of order); the appending transaction takes its numbers from the `outbox_head` row,
//! whose lock it holds to its commit, so a later number is never visible before an earlier.

use super::db::{exec, fetch_all, fetch_value, At, Db, Id};
use super::StoreError;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The PostgreSQL channel a commit that appended events is announced on (`<shop>:<last
/// sequence>`), so every instance of that shop wakes its live readers; see [`listen`].
pub const COMMITS_CHANNEL: &str = "crema_outbox";

/// On PostgreSQL: tells `published` the last sequence of every commit any instance makes,
/// until `closing` turns true. After a lost connection it reads the newest sequence again,
/// so a wake-up missed while reconnecting is made up for (readers read by cursor anyway).
pub async fn listen(
    store: &super::Store,
    published: impl Fn(i64) + Send + 'static,
    mut closing: tokio::sync::watch::Receiver<bool>,
) -> Result<(), StoreError> {
    let Some(pool) = store.postgres_pool() else { return Ok(()) };
    let ours = format!("{}:", store.shop());
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(COMMITS_CHANNEL).await?;
    let store = store.clone();
    tokio::spawn(async move {
        loop {
            let received = tokio::select! {
                received = listener.try_recv() => received,
                _ = closing.changed() => return,
            };
            match received {
                // Another shop's commits are not ours to announce (its numbers are its own).
                Ok(Some(notification)) => match notification.payload().strip_prefix(&ours).map(str::parse::<i64>) {
                    Some(Ok(sequence)) => published(sequence),
                    Some(Err(_)) => {
                        tracing::warn!(payload = notification.payload(), "a commit notice without a sequence")
                    }
                    None => {}
                },
                Ok(None) => {
                    tracing::warn!("the commit notices' connection was lost; reconnecting");
                    if let Ok(mut db) = store.read().await {
                        if let Ok(latest) = latest_sequence(&mut db).await {
                            published(latest);
                        }
                    }
                }
                Err(_) if store.postgres_pool().is_some_and(|pool| pool.is_closed()) => return,
                Err(e) => {
                    tracing::error!(error = %e, "listening for commits failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(())
}

/// An event about to be written.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub id: Uuid,
    pub event_type: &'static str,
    pub subject: Option<String>,
    pub time: DateTime<Utc>,
    /// Its `data`, already JSON text: serialised once, where it is made (an order's events
    /// reuse the text of the answer), and written as it is.
    pub data: Box<serde_json::value::RawValue>,
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
pub async fn append(conn: &mut Db<'_>, events: &[NewEvent]) -> Result<Option<i64>, StoreError> {
    if events.is_empty() {
        return Ok(None);
    }
    // PostgreSQL: the numbers come from the head row (locked until this transaction ends).
    let mut next = match conn {
        Db::Postgres(_) => {
            let count = i64::try_from(events.len()).map_err(|_| StoreError::internal("too many events"))?;
            let head: i64 = fetch_value!(
                conn,
                sqlx::query_scalar("UPDATE outbox_head SET sequence = sequence + $1 WHERE id = 1 RETURNING sequence")
                    .bind(count),
                fetch_one
            )?;
            // Every instance listening hears of it when (and only if) this commits.
            exec!(
                conn,
                sqlx::query("SELECT pg_notify($1, current_setting('crema.shop') || ':' || $2)")
                    .bind(COMMITS_CHANNEL)
                    .bind(head.to_string())
            )?;
            Some(head - count + 1)
        }
        // SQLite: NULL into the `INTEGER PRIMARY KEY AUTOINCREMENT` column numbers it.
        Db::Sqlite(_) => None,
    };
    let mut last = None;
    for event in events {
        let sequence: i64 = fetch_value!(conn, sqlx::query_scalar(
            "INSERT INTO outbox (sequence, event_id, event_type, subject, time, data, traceparent, request_id, staff_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING sequence",
        )
        .bind(next)
        .bind(Id(event.id))
        .bind(event.event_type)
        .bind(&event.subject)
        .bind(At(event.time))
        .bind(sqlx::types::Json(&event.data))
        .bind(&event.traceparent)
        .bind(&event.request_id)
        .bind(event.staff_id.map(Id)), fetch_one)?;
        next = next.map(|n| n + 1);
        last = Some(sequence);
    }
    Ok(last)
}

/// Up to `limit` events after `sequence`, in order.
pub async fn read_after(db: &mut Db<'_>, sequence: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = fetch_all!(
        db,
        sqlx::query(
            "SELECT sequence, event_id, event_type, subject, time, data, traceparent, request_id, staff_id
         FROM outbox WHERE sequence > $1 ORDER BY sequence LIMIT $2",
        )
        .bind(sequence)
        .bind(limit)
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredEvent {
                sequence: r.try_get("sequence")?,
                id: r.uuid("event_id")?.to_string(),
                event_type: r.try_get("event_type")?,
                subject: r.try_get("subject")?,
                time: r.time("time")?,
                data: r.json("data")?,
                traceparent: r.try_get("traceparent")?,
                request_id: r.try_get("request_id")?,
                staff_id: r.uuid_text("staff_id")?,
            })
        })
        .collect()
}

/// The highest sequence written so far (0 when the log is empty).
pub async fn latest_sequence(db: &mut Db<'_>) -> Result<i64, StoreError> {
    Ok(fetch_value!(db, sqlx::query_scalar("SELECT COALESCE(MAX(sequence), 0) FROM outbox"), fetch_one)?)
}

/// Deletes up to `limit` events older than `before` that every sink has passed (at or below the
/// lowest sink cursor, active or not), that no dead letter still waiting for a replay points
/// at, that no saved idempotency answer is kept in (`store::idempotency`: it goes once the
/// answer has), and never the newest event; returns how many. (Sequences are never reused.)
pub async fn prune(conn: &mut Db<'_>, before: DateTime<Utc>, limit: i64) -> Result<u64, StoreError> {
    let done = exec!(
        conn,
        sqlx::query(
            "DELETE FROM outbox WHERE sequence IN (
             SELECT sequence FROM outbox
             WHERE time < $1
               AND sequence <= COALESCE((SELECT MIN(cursor) FROM sinks), sequence)
               AND sequence < (SELECT MAX(sequence) FROM outbox)
               AND sequence NOT IN (SELECT sequence FROM sink_dead_letters WHERE replayed_at IS NULL)
               AND NOT EXISTS (SELECT 1 FROM idempotency_keys i WHERE i.event_sequence = outbox.sequence)
             ORDER BY sequence LIMIT $2)",
        )
        .bind(At(before))
        .bind(limit)
    )?;
    Ok(done)
}

/// The oldest sequence still kept (`None`: the log is empty).
pub async fn oldest_sequence(db: &mut Db<'_>) -> Result<Option<i64>, StoreError> {
    Ok(fetch_value!(db, sqlx::query_scalar("SELECT MIN(sequence) FROM outbox"), fetch_one)?)
}

/// When the first event after `sequence` was written (`None`: there is none).
pub async fn time_after(db: &mut Db<'_>, sequence: i64) -> Result<Option<DateTime<Utc>>, StoreError> {
    let at: Option<At> = fetch_value!(
        db,
        sqlx::query_scalar("SELECT time FROM outbox WHERE sequence > $1 ORDER BY sequence LIMIT 1").bind(sequence),
        fetch_optional
    )?;
    Ok(at.map(|at| at.0))
}
