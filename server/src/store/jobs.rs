//! The durable jobs table: enqueue, claim with a lease, finish, reschedule, bury, revive.

use super::menu::uuid_col;
use super::{time, StoreError};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Running,
    Succeeded,
    Dead,
}

impl JobState {
    pub const ALL: &'static [JobState] = &[JobState::Pending, JobState::Running, JobState::Succeeded, JobState::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.iter().copied().find(|j| j.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    pub dedupe_key: Option<String>,
    /// The trace its run continues (the span that queued it, when traces are exported).
    pub traceparent: Option<String>,
}

impl NewJob {
    /// A job of `kind` carrying `payload` (a typed struct of its handler's module), due at
    /// `run_at`.
    pub fn new(kind: &str, payload: &impl serde::Serialize, run_at: DateTime<Utc>) -> NewJob {
        // Our payload structs are plain fields: encoding them cannot fail.
        let payload = serde_json::to_value(payload).unwrap_or(serde_json::Value::Null);
        NewJob {
            id: Uuid::now_v7(),
            kind: kind.to_string(),
            payload,
            run_at,
            dedupe_key: None,
            traceparent: crate::telemetry::propagation::current(),
        }
    }

    /// At most one job with this key is ever queued (a second enqueue is ignored).
    pub fn once(mut self, dedupe_key: String) -> NewJob {
        self.dedupe_key = Some(dedupe_key);
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobRecord {
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub state: JobState,
    pub attempts: u32,
    pub run_at: DateTime<Utc>,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The trace its run continues.
    pub traceparent: Option<String>,
}

impl JobRecord {
    /// The payload as its handler's typed struct.
    pub fn payload_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_value(self.payload.clone()).map_err(|e| format!("the {} job's payload: {e}", self.kind))
    }
}

#[derive(Clone, Debug, Default)]
pub struct JobFilter {
    pub state: Option<JobState>,
    pub kind: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// Adds a job (a second one with the same dedupe key is ignored); returns whether it was added.
pub async fn enqueue(conn: &mut SqliteConnection, job: &NewJob) -> Result<bool, StoreError> {
    let now = time::to_text(time::now());
    let done = sqlx::query(
        "INSERT INTO jobs (id, kind, payload, state, attempts, run_at, dedupe_key, traceparent, created_at, updated_at)
         VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(job.id.to_string())
    .bind(&job.kind)
    .bind(job.payload.to_string())
    .bind(time::to_text(job.run_at))
    .bind(&job.dedupe_key)
    .bind(&job.traceparent)
    .bind(&now)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims the job due first (pending and due, or running with an expired claim) whose kind
/// is not in `skip` (kinds already running as many as they may), counting an attempt and
/// leasing it until `lease_for(kind)`.
pub async fn claim(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    skip: &[String],
    lease_for: impl Fn(&str) -> DateTime<Utc>,
) -> Result<Option<JobRecord>, StoreError> {
    let now = time::to_text(now);
    let skip = serde_json::to_string(skip).map_err(|e| StoreError::internal(e.to_string()))?;
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT id, kind FROM jobs
         WHERE ((state = 'pending' AND run_at <= ?1) OR (state = 'running' AND lease_until <= ?1))
           AND kind NOT IN (SELECT value FROM json_each(?2))
         ORDER BY run_at, id LIMIT 1",
    )
    .bind(&now)
    .bind(&skip)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, kind)) = found else { return Ok(None) };
    let row = sqlx::query(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?2, updated_at = ?1 WHERE id = ?3
         RETURNING id, kind, payload, state, attempts, run_at, lease_until, last_error, created_at, updated_at, traceparent",
    )
    .bind(&now)
    .bind(time::to_text(lease_for(&kind)))
    .bind(&id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Puts every running job back to pending, due now (attempts are kept). Called at start:
/// the process that claimed them is gone, so waiting for their leases would only delay them.
pub async fn release_orphans(conn: &mut SqliteConnection) -> Result<u64, StoreError> {
    let now = time::to_text(time::now());
    let done = sqlx::query(
        "UPDATE jobs SET state = 'pending', lease_until = NULL, run_at = ?, updated_at = ? WHERE state = 'running'",
    )
    .bind(&now)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Marks a claimed job done.
pub async fn succeed(conn: &mut SqliteConnection, id: Uuid) -> Result<(), StoreError> {
    sqlx::query("UPDATE jobs SET state = 'succeeded', lease_until = NULL, updated_at = ? WHERE id = ?")
        .bind(time::to_text(time::now()))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Puts a failed job back to wait until `run_at`, keeping the error.
pub async fn reschedule(
    conn: &mut SqliteConnection,
    id: Uuid,
    run_at: DateTime<Utc>,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE jobs SET state = 'pending', run_at = ?, lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?")
        .bind(time::to_text(run_at))
        .bind(error)
        .bind(time::to_text(time::now()))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Gives up on a job: it stays, dead, with its last error, until a manager retries it.
pub async fn bury(conn: &mut SqliteConnection, id: Uuid, error: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE jobs SET state = 'dead', lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?")
        .bind(error)
        .bind(time::to_text(time::now()))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A dead job back to pending with fresh attempts; `None` if it does not exist, `Some(false)`
/// if it is not dead.
pub async fn revive(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<bool>, StoreError> {
    let Some(job) = get(conn, id).await? else { return Ok(None) };
    if job.state != JobState::Dead {
        return Ok(Some(false));
    }
    let now = time::to_text(time::now());
    sqlx::query(
        "UPDATE jobs SET state = 'pending', attempts = 0, run_at = ?, updated_at = ? WHERE id = ? AND state = 'dead'",
    )
    .bind(&now)
    .bind(&now)
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(Some(true))
}

pub async fn get(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, kind, payload, state, attempts, run_at, lease_until, last_error, created_at, updated_at, traceparent
         FROM jobs WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Newest first.
pub async fn list(conn: &mut SqliteConnection, filter: &JobFilter) -> Result<Vec<JobRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, payload, state, attempts, run_at, lease_until, last_error, created_at, updated_at, traceparent
         FROM jobs WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR kind = ?2)
         ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4",
    )
    .bind(filter.state.map(JobState::as_str))
    .bind(&filter.kind)
    .bind(filter.limit)
    .bind(filter.offset)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Deletes up to `limit` jobs of `state` last touched before `before`; returns how many.
pub async fn prune(
    conn: &mut SqliteConnection,
    state: JobState,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<u64, StoreError> {
    let done =
        sqlx::query("DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = ?1 AND updated_at < ?2 LIMIT ?3)")
            .bind(state.as_str())
            .bind(time::to_text(before))
            .bind(limit)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected())
}

/// The amounts of the refunds of `order_id` still under way (pending or running jobs of `kind`).
pub async fn pending_amounts(conn: &mut SqliteConnection, kind: &str, order_id: Uuid) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(SUM(json_extract(payload, '$.amount_cents')), 0) FROM jobs
         WHERE kind = ? AND state IN ('pending', 'running') AND json_extract(payload, '$.order_id') = ?",
    )
    .bind(kind)
    .bind(order_id.to_string())
    .fetch_one(&mut *conn)
    .await?)
}

/// How many jobs are in each state.
pub async fn count_by_state(conn: &mut SqliteConnection) -> Result<Vec<(JobState, i64)>, StoreError> {
    let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").fetch_all(&mut *conn).await?;
    let mut counts: Vec<(JobState, i64)> = JobState::ALL.iter().map(|s| (*s, 0)).collect();
    for row in &rows {
        let state: String = row.try_get("state")?;
        let n: i64 = row.try_get("n")?;
        if let Some(slot) = counts.iter_mut().find(|(s, _)| s.as_str() == state) {
            slot.1 = n;
        }
    }
    Ok(counts)
}

/// Dead jobs (waiting for a manager) by kind.
pub async fn dead_by_kind(conn: &mut SqliteConnection) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query("SELECT kind, COUNT(*) AS n FROM jobs WHERE state = 'dead' GROUP BY kind")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|row| Ok((row.try_get("kind")?, row.try_get("n")?))).collect()
}

/// When the next pending job is due, if any.
pub async fn next_due(conn: &mut SqliteConnection, skip: &[String]) -> Result<Option<DateTime<Utc>>, StoreError> {
    let skip = serde_json::to_string(skip).map_err(|e| StoreError::internal(e.to_string()))?;
    // Each half walks the `jobs_due` index in order and stops at the first row of a kind
    // with room (a MIN() with the kind filter would read every pending row).
    let next: Option<String> = sqlx::query_scalar(
        "SELECT MIN(t) FROM (
           SELECT * FROM (SELECT run_at AS t FROM jobs WHERE state = 'pending'
                            AND kind NOT IN (SELECT value FROM json_each(?1)) ORDER BY run_at LIMIT 1)
           UNION ALL
           SELECT * FROM (SELECT lease_until AS t FROM jobs WHERE state = 'running'
                            AND kind NOT IN (SELECT value FROM json_each(?1)) ORDER BY lease_until LIMIT 1))",
    )
    .bind(&skip)
    .fetch_one(&mut *conn)
    .await?;
    next.as_deref().map(time::from_text).transpose()
}

fn from_row(r: &SqliteRow) -> Result<JobRecord, StoreError> {
    let state: String = r.try_get("state")?;
    let payload: String = r.try_get("payload")?;
    let attempts: i64 = r.try_get("attempts")?;
    let lease: Option<String> = r.try_get("lease_until")?;
    Ok(JobRecord {
        id: uuid_col(r, "id")?,
        kind: r.try_get("kind")?,
        payload: serde_json::from_str(&payload).map_err(|e| StoreError::corrupt(format!("job payload: {e}")))?,
        state: JobState::parse(&state).ok_or_else(|| StoreError::corrupt(format!("job state {state:?}")))?,
        attempts: u32::try_from(attempts).map_err(|_| StoreError::corrupt("attempts"))?,
        run_at: time::from_text(&r.try_get::<String, _>("run_at")?)?,
        lease_until: lease.as_deref().map(time::from_text).transpose()?,
        last_error: r.try_get("last_error")?,
        created_at: time::from_text(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_text(&r.try_get::<String, _>("updated_at")?)?,
        traceparent: r.try_get("traceparent")?,
    })
}
