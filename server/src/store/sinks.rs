//! Sink rows (each with its cursor into the outbox and its breaker state) and dead letters.

use super::db::{exec, fetch_all, fetch_optional, At, Db, Id, Record};
use super::{time, StoreError};
use chrono::{DateTime, Utc};
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

pub async fn list(conn: &mut Db<'_>) -> Result<Vec<SinkRecord>, StoreError> {
    let rows = fetch_all!(conn, sqlx::query(
        "SELECT id, kind, target, secret, topic, name, event_types, active, cursor, rejections, consecutive_failures,
                next_attempt_at, last_error, created_at, updated_at FROM sinks ORDER BY name",
    ))?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut Db<'_>, id: Uuid) -> Result<Option<SinkRecord>, StoreError> {
    let row = fetch_optional!(conn, sqlx::query(
        "SELECT id, kind, target, secret, topic, name, event_types, active, cursor, rejections, consecutive_failures,
                next_attempt_at, last_error, created_at, updated_at FROM sinks WHERE id = $1",
    )
    .bind(Id(id)))?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_name(conn: &mut Db<'_>, name: &str) -> Result<Option<SinkRecord>, StoreError> {
    let row = fetch_optional!(conn, sqlx::query(
        "SELECT id, kind, target, secret, topic, name, event_types, active, cursor, rejections, consecutive_failures,
                next_attempt_at, last_error, created_at, updated_at FROM sinks WHERE name = $1",
    )
    .bind(name))?;
    row.as_ref().map(from_row).transpose()
}

/// Adds a sink.
pub async fn insert(conn: &mut Db<'_>, s: &SinkRecord) -> Result<(), StoreError> {
    exec!(conn, sqlx::query(
        "INSERT INTO sinks (id, kind, name, target, secret, topic, event_types, active, cursor, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(Id(s.id))
    .bind(s.target.kind())
    .bind(&s.name)
    .bind(s.target.columns().0)
    .bind(s.target.columns().1)
    .bind(s.target.columns().2)
    .bind(sqlx::types::Json(&s.event_types))
    .bind(s.active)
    .bind(s.cursor)
    .bind(At(s.created_at))
    .bind(At(s.updated_at)))?;
    Ok(())
}

/// Changes a sink's configuration, leaving its delivery state alone.
pub async fn update_config(conn: &mut Db<'_>, s: &SinkRecord) -> Result<(), StoreError> {
    exec!(conn, sqlx::query(
        "UPDATE sinks SET name = $1, target = $2, secret = $3, topic = $4, event_types = $5, active = $6, updated_at = $7
         WHERE id = $8",
    )
    .bind(&s.name)
    .bind(s.target.columns().0)
    .bind(s.target.columns().1)
    .bind(s.target.columns().2)
    .bind(sqlx::types::Json(&s.event_types))
    .bind(s.active)
    .bind(At(time::now()))
    .bind(Id(s.id)))?;
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
pub async fn update_delivery(conn: &mut Db<'_>, id: Uuid, d: &DeliveryState) -> Result<(), StoreError> {
    exec!(conn, sqlx::query(
        "UPDATE sinks SET cursor = $1, rejections = $2, consecutive_failures = $3, next_attempt_at = $4, last_error = $5,
           updated_at = $6 WHERE id = $7",
    )
    .bind(d.cursor)
    .bind(i64::from(d.rejections))
    .bind(i64::from(d.consecutive_failures))
    .bind(d.next_attempt_at.map(At))
    .bind(&d.last_error)
    .bind(At(time::now()))
    .bind(Id(id)))?;
    Ok(())
}

/// Replaces a webhook sink's stored secret (sealing secrets written before sealing existed).
pub async fn set_secret(conn: &mut Db<'_>, id: Uuid, stored: &str) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query("UPDATE sinks SET secret = $1 WHERE id = $2 AND kind = 'webhook'").bind(stored).bind(Id(id))
    )?;
    Ok(())
}

pub async fn delete(conn: &mut Db<'_>, id: Uuid) -> Result<bool, StoreError> {
    let done = exec!(conn, sqlx::query("DELETE FROM sinks WHERE id = $1").bind(Id(id)))?;
    Ok(done == 1)
}

pub async fn add_dead_letter(
    conn: &mut Db<'_>,
    sink_id: Uuid,
    sequence: i64,
    event_id: &str,
    error: &str,
    attempts: u32,
) -> Result<(), StoreError> {
    exec!(conn, sqlx::query(
        "INSERT INTO sink_dead_letters (sink_id, sequence, event_id, error, attempts, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Id(sink_id))
    .bind(sequence)
    .bind(Id(Uuid::parse_str(event_id).map_err(|_| StoreError::corrupt(format!("event id {event_id:?}")))?))
    .bind(error)
    .bind(i64::from(attempts))
    .bind(At(time::now())))?;
    Ok(())
}

pub async fn dead_letters(conn: &mut Db<'_>, sink_id: Uuid) -> Result<Vec<DeadLetter>, StoreError> {
    let rows = fetch_all!(
        conn,
        sqlx::query(
            "SELECT id, sink_id, sequence, event_id, error, attempts, at, replayed_at FROM sink_dead_letters
         WHERE sink_id = $1 ORDER BY id",
        )
        .bind(Id(sink_id))
    )?;
    rows.iter()
        .map(|r| {
            let attempts: i64 = r.try_get("attempts")?;
            Ok(DeadLetter {
                id: r.try_get("id")?,
                sink_id: r.uuid("sink_id")?,
                sequence: r.try_get("sequence")?,
                event_id: r.uuid("event_id")?.to_string(),
                error: r.try_get("error")?,
                attempts: u32::try_from(attempts).map_err(|_| StoreError::corrupt("attempts"))?,
                at: r.time("at")?,
                replayed_at: r.opt_time("replayed_at")?,
            })
        })
        .collect()
}

pub async fn mark_replayed(conn: &mut Db<'_>, dead_letter: i64) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query("UPDATE sink_dead_letters SET replayed_at = $1 WHERE id = $2")
            .bind(At(time::now()))
            .bind(dead_letter)
    )?;
    Ok(())
}

fn from_row(r: &Record) -> Result<SinkRecord, StoreError> {
    let rejections: i64 = r.try_get("rejections")?;
    let failures: i64 = r.try_get("consecutive_failures")?;
    Ok(SinkRecord {
        id: r.uuid("id")?,
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
        event_types: r.json("event_types")?,
        active: r.try_get("active")?,
        cursor: r.try_get("cursor")?,
        rejections: u32::try_from(rejections).map_err(|_| StoreError::corrupt("rejections"))?,
        consecutive_failures: u32::try_from(failures).map_err(|_| StoreError::corrupt("failures"))?,
        next_attempt_at: r.opt_time("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

/// Deletes up to `limit` dead letters recorded before `before`; returns how many.
pub async fn prune_dead_letters(
    conn: &mut Db<'_>,
    before: chrono::DateTime<chrono::Utc>,
    limit: i64,
) -> Result<u64, StoreError> {
    let done = exec!(
        conn,
        sqlx::query(
            "DELETE FROM sink_dead_letters WHERE id IN (SELECT id FROM sink_dead_letters WHERE at < $1 LIMIT $2)",
        )
        .bind(At(before))
        .bind(limit)
    )?;
    Ok(done)
}

/// The right to relay one sink's events. On SQLite the one serving process always has it.
/// On PostgreSQL, where several instances share the sinks, it is a session advisory lock on
/// a connection of its own: one instance relays a sink at a time, and when that instance
/// dies its connection closes, the lock goes with it and another instance takes over.
#[derive(Debug)]
pub struct RelayLease {
    _holder: Option<sqlx::PgConnection>,
}

/// Takes the relay lease of `sink_id` if no instance holds it.
pub async fn try_relay_lease(store: &super::Store, sink_id: Uuid) -> Result<Option<RelayLease>, StoreError> {
    use sqlx::Connection;
    let Some(pool) = store.postgres_pool() else { return Ok(Some(RelayLease { _holder: None })) };
    let mut conn = sqlx::PgConnection::connect_with(&pool.connect_options()).await?;
    let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
        .bind(format!("crema.relay.{sink_id}"))
        .fetch_one(&mut conn)
        .await?;
    Ok(taken.then_some(RelayLease { _holder: Some(conn) }))
}
