//! Sink rows (each with its cursor into the outbox and its breaker state) and dead letters.

use super::menu::uuid_col;
use super::{time, StoreError};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkRecord {
    pub id: Uuid,
    pub name: String,
    pub target: SinkTarget,
    pub event_types: Vec<String>,
    pub active: bool,
    pub cursor: i64,
    pub rejections: u32,
    pub consecutive_failures: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a sink sends events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SinkTarget {
    /// A signed webhook endpoint.
    Webhook { url: String, secret: String },
    /// A Kafka topic on these bootstrap brokers.
    Kafka { brokers: String, topic: String },
}

impl SinkTarget {
    pub fn kind(&self) -> &'static str {
        match self {
            SinkTarget::Webhook { .. } => "webhook",
            SinkTarget::Kafka { .. } => "kafka",
        }
    }

    /// `(target, secret, topic)` columns.
    fn columns(&self) -> (&str, Option<&str>, Option<&str>) {
        match self {
            SinkTarget::Webhook { url, secret } => (url, Some(secret), None),
            SinkTarget::Kafka { brokers, topic } => (brokers, None, Some(topic)),
        }
    }
}

impl SinkRecord {
    /// Whether this sink wants events of `event_type` (exact, or a prefix ending in `.`).
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.is_empty()
            || self
                .event_types
                .iter()
                .any(|t| t == event_type || (t.ends_with('.') && event_type.starts_with(t.as_str())))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: i64,
    pub sink_id: Uuid,
    pub sequence: i64,
    pub event_id: String,
    pub error: String,
    pub attempts: u32,
    pub at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
}

pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<SinkRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, target, secret, topic, name, event_types, active, cursor, rejections, consecutive_failures,
                next_attempt_at, last_error, created_at, updated_at FROM sinks ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<SinkRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, kind, target, secret, topic, name, event_types, active, cursor, rejections, consecutive_failures,
                next_attempt_at, last_error, created_at, updated_at FROM sinks WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_name(conn: &mut SqliteConnection, name: &str) -> Result<Option<SinkRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, kind, target, secret, topic, name, event_types, active, cursor, rejections, consecutive_failures,
                next_attempt_at, last_error, created_at, updated_at FROM sinks WHERE name = ?",
    )
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Adds a sink.
pub async fn insert(conn: &mut SqliteConnection, s: &SinkRecord) -> Result<(), StoreError> {
    let types = serde_json::to_string(&s.event_types).map_err(|e| StoreError::internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO sinks (id, kind, name, target, secret, topic, event_types, active, cursor, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id.to_string())
    .bind(s.target.kind())
    .bind(&s.name)
    .bind(s.target.columns().0)
    .bind(s.target.columns().1)
    .bind(s.target.columns().2)
    .bind(types)
    .bind(s.active)
    .bind(s.cursor)
    .bind(time::to_text(s.created_at))
    .bind(time::to_text(s.updated_at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Changes a sink's configuration, leaving its delivery state alone.
pub async fn update_config(conn: &mut SqliteConnection, s: &SinkRecord) -> Result<(), StoreError> {
    let types = serde_json::to_string(&s.event_types).map_err(|e| StoreError::internal(e.to_string()))?;
    sqlx::query(
        "UPDATE sinks SET name = ?, target = ?, secret = ?, topic = ?, event_types = ?, active = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(&s.name)
    .bind(s.target.columns().0)
    .bind(s.target.columns().1)
    .bind(s.target.columns().2)
    .bind(types)
    .bind(s.active)
    .bind(time::to_text(time::now()))
    .bind(s.id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Where delivery stands for a sink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryState {
    pub cursor: i64,
    pub rejections: u32,
    pub consecutive_failures: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// Records where delivery stands, leaving the configuration alone.
pub async fn update_delivery(conn: &mut SqliteConnection, id: Uuid, d: &DeliveryState) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sinks SET cursor = ?, rejections = ?, consecutive_failures = ?, next_attempt_at = ?, last_error = ?,
           updated_at = ? WHERE id = ?",
    )
    .bind(d.cursor)
    .bind(i64::from(d.rejections))
    .bind(i64::from(d.consecutive_failures))
    .bind(d.next_attempt_at.map(time::to_text))
    .bind(&d.last_error)
    .bind(time::to_text(time::now()))
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces a webhook sink's stored secret (sealing secrets written before sealing existed).
pub async fn set_secret(conn: &mut SqliteConnection, id: Uuid, stored: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sinks SET secret = ? WHERE id = ? AND kind = 'webhook'")
        .bind(stored)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut SqliteConnection, id: Uuid) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM sinks WHERE id = ?").bind(id.to_string()).execute(&mut *conn).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn add_dead_letter(
    conn: &mut SqliteConnection,
    sink_id: Uuid,
    sequence: i64,
    event_id: &str,
    error: &str,
    attempts: u32,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sink_dead_letters (sink_id, sequence, event_id, error, attempts, at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(sink_id.to_string())
    .bind(sequence)
    .bind(event_id)
    .bind(error)
    .bind(i64::from(attempts))
    .bind(time::to_text(time::now()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn dead_letters(conn: &mut SqliteConnection, sink_id: Uuid) -> Result<Vec<DeadLetter>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, sink_id, sequence, event_id, error, attempts, at, replayed_at FROM sink_dead_letters
         WHERE sink_id = ? ORDER BY id",
    )
    .bind(sink_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let attempts: i64 = r.try_get("attempts")?;
            let replayed: Option<String> = r.try_get("replayed_at")?;
            Ok(DeadLetter {
                id: r.try_get("id")?,
                sink_id: uuid_col(r, "sink_id")?,
                sequence: r.try_get("sequence")?,
                event_id: r.try_get("event_id")?,
                error: r.try_get("error")?,
                attempts: u32::try_from(attempts).map_err(|_| StoreError::corrupt("attempts"))?,
                at: time::from_text(&r.try_get::<String, _>("at")?)?,
                replayed_at: replayed.as_deref().map(time::from_text).transpose()?,
            })
        })
        .collect()
}

pub async fn mark_replayed(conn: &mut SqliteConnection, dead_letter: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE sink_dead_letters SET replayed_at = ? WHERE id = ?")
        .bind(time::to_text(time::now()))
        .bind(dead_letter)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn from_row(r: &SqliteRow) -> Result<SinkRecord, StoreError> {
    let types: String = r.try_get("event_types")?;
    let next: Option<String> = r.try_get("next_attempt_at")?;
    let rejections: i64 = r.try_get("rejections")?;
    let failures: i64 = r.try_get("consecutive_failures")?;
    Ok(SinkRecord {
        id: uuid_col(r, "id")?,
        name: r.try_get("name")?,
        target: {
            let kind: String = r.try_get("kind")?;
            let target: String = r.try_get("target")?;
            let secret: Option<String> = r.try_get("secret")?;
            let topic: Option<String> = r.try_get("topic")?;
            match (kind.as_str(), secret, topic) {
                ("webhook", Some(secret), _) => SinkTarget::Webhook { url: target, secret },
                ("kafka", _, Some(topic)) => SinkTarget::Kafka { brokers: target, topic },
                _ => return Err(StoreError::corrupt(format!("sink kind {kind:?}"))),
            }
        },
        event_types: serde_json::from_str(&types).map_err(|e| StoreError::corrupt(format!("event types: {e}")))?,
        active: r.try_get("active")?,
        cursor: r.try_get("cursor")?,
        rejections: u32::try_from(rejections).map_err(|_| StoreError::corrupt("rejections"))?,
        consecutive_failures: u32::try_from(failures).map_err(|_| StoreError::corrupt("failures"))?,
        next_attempt_at: next.as_deref().map(time::from_text).transpose()?,
        last_error: r.try_get("last_error")?,
        created_at: time::from_text(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_text(&r.try_get::<String, _>("updated_at")?)?,
    })
}

/// Deletes up to `limit` dead letters recorded before `before`; returns how many.
pub async fn prune_dead_letters(
    conn: &mut SqliteConnection,
    before: chrono::DateTime<chrono::Utc>,
    limit: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM sink_dead_letters WHERE id IN (SELECT id FROM sink_dead_letters WHERE at < ? LIMIT ?)",
    )
    .bind(time::to_text(before))
    .bind(limit)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
