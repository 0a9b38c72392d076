//! The durable jobs table: enqueue, claim with a lease, finish, reschedule, bury, revive.

use super::db::{exec, fetch_all, fetch_optional, on_db, At, Db, Id, Record};
use super::{time, StoreError};
use chrono::{DateTime, Utc};
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
    /// When the first of `jobs` is due (`None` for no jobs): what wakes the runner.
    pub fn first_due(jobs: &[NewJob]) -> Option<DateTime<Utc>> {
        jobs.iter().map(|job| job.run_at).min()
    }

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
pub async fn enqueue(conn: &mut Db<'_>, job: &NewJob) -> Result<bool, StoreError> {
    let now = At(time::now());
    let done = exec!(conn, sqlx::query(
        "INSERT INTO jobs (id, kind, payload, state, attempts, run_at, dedupe_key, traceparent, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending', 0, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(Id(job.id))
    .bind(&job.kind)
    .bind(sqlx::types::Json(&job.payload))
    .bind(At(job.run_at))
    .bind(&job.dedupe_key)
    .bind(&job.traceparent)
    .bind(now)
    .bind(now))?;
    Ok(done == 1)
}

/// Whether a job with the once-only key `key` was ever queued (and not yet pruned).
pub async fn queued_once(conn: &mut Db<'_>, key: &str) -> Result<bool, StoreError> {
    let row = fetch_optional!(conn, sqlx::query("SELECT 1 AS queued FROM jobs WHERE dedupe_key = $1").bind(key))?;
    Ok(row.is_some())
}

/// Claims the job due first (pending and due, or running with an expired claim) whose kind
/// is not in `skip` (kinds already running as many as they may), counting an attempt and
/// leasing it until `lease_for(kind)`.
pub async fn claim(
    conn: &mut Db<'_>,
    now: DateTime<Utc>,
    skip: &[String],
    lease_for: impl Fn(&str) -> DateTime<Utc>,
) -> Result<Option<JobRecord>, StoreError> {
    let now = At(now);
    // On PostgreSQL several instances claim from one table: a row another transaction is
    // claiming is skipped, not waited for, and never claimed twice.
    let found: Option<(Id, String)> = on_db!(&mut *conn, c,
        sqlite: {
            let skip = serde_json::to_string(skip).map_err(|e| StoreError::internal(e.to_string()))?;
            sqlx::query_as(
                "SELECT id, kind FROM jobs
                 WHERE ((state = 'pending' AND run_at <= $1) OR (state = 'running' AND lease_until <= $1))
                   AND kind NOT IN (SELECT value FROM json_each($2))
                 ORDER BY run_at, id LIMIT 1",
            )
            .bind(now)
            .bind(skip)
            .fetch_optional(&mut *c)
            .await?
        },
        postgres: sqlx::query_as(
            "SELECT id, kind FROM jobs
             WHERE ((state = 'pending' AND run_at <= $1) OR (state = 'running' AND lease_until <= $1))
               AND kind <> ALL($2)
             ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
        )
        .bind(now)
        .bind(skip)
        .fetch_optional(&mut *c)
        .await?
    );
    let Some((id, kind)) = found else { return Ok(None) };
    let row = fetch_optional!(conn, sqlx::query(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $2, updated_at = $1 WHERE id = $3
         RETURNING id, kind, payload, state, attempts, run_at, lease_until, last_error, created_at, updated_at, traceparent",
    )
    .bind(now)
    .bind(At(lease_for(&kind)))
    .bind(id))?;
    row.as_ref().map(from_row).transpose()
}

/// Puts every running job back to pending, due now (attempts are kept). Called at start:
/// the process that claimed them is gone, so waiting for their leases would only delay them.
pub async fn release_orphans(conn: &mut Db<'_>) -> Result<u64, StoreError> {
    let now = At(time::now());
    let done = exec!(conn, sqlx::query(
        "UPDATE jobs SET state = 'pending', lease_until = NULL, run_at = $1, updated_at = $2 WHERE state = 'running'",
    )
    .bind(now)
    .bind(now))?;
    Ok(done)
}

/// Marks a claimed job done.
pub async fn succeed(conn: &mut Db<'_>, id: Uuid) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query("UPDATE jobs SET state = 'succeeded', lease_until = NULL, updated_at = $1 WHERE id = $2")
            .bind(At(time::now()))
            .bind(Id(id))
    )?;
    Ok(())
}

/// Puts a failed job back to wait until `run_at`, keeping the error.
pub async fn reschedule(conn: &mut Db<'_>, id: Uuid, run_at: DateTime<Utc>, error: &str) -> Result<(), StoreError> {
    exec!(conn, sqlx::query("UPDATE jobs SET state = 'pending', run_at = $1, lease_until = NULL, last_error = $2, updated_at = $3 WHERE id = $4")
        .bind(At(run_at))
        .bind(error)
        .bind(At(time::now()))
        .bind(Id(id)))?;
    Ok(())
}

/// Gives up on a job: it stays, dead, with its last error, until a manager retries it.
pub async fn bury(conn: &mut Db<'_>, id: Uuid, error: &str) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "UPDATE jobs SET state = 'dead', lease_until = NULL, last_error = $1, updated_at = $2 WHERE id = $3"
        )
        .bind(error)
        .bind(At(time::now()))
        .bind(Id(id))
    )?;
    Ok(())
}

/// A dead job back to pending with fresh attempts; `None` if it does not exist, `Some(false)`
/// if it is not dead.
pub async fn revive(conn: &mut Db<'_>, id: Uuid) -> Result<Option<bool>, StoreError> {
    let Some(job) = get(conn, id).await? else { return Ok(None) };
    if job.state != JobState::Dead {
        return Ok(Some(false));
    }
    let now = At(time::now());
    exec!(conn, sqlx::query(
        "UPDATE jobs SET state = 'pending', attempts = 0, run_at = $1, updated_at = $2 WHERE id = $3 AND state = 'dead'",
    )
    .bind(now)
    .bind(now)
    .bind(Id(id)))?;
    Ok(Some(true))
}

pub async fn get(conn: &mut Db<'_>, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
    let row = fetch_optional!(conn, sqlx::query(
        "SELECT id, kind, payload, state, attempts, run_at, lease_until, last_error, created_at, updated_at, traceparent
         FROM jobs WHERE id = $1",
    )
    .bind(Id(id)))?;
    row.as_ref().map(from_row).transpose()
}

/// Newest first.
pub async fn list(conn: &mut Db<'_>, filter: &JobFilter) -> Result<Vec<JobRecord>, StoreError> {
    let rows = fetch_all!(conn, sqlx::query(
        "SELECT id, kind, payload, state, attempts, run_at, lease_until, last_error, created_at, updated_at, traceparent
         FROM jobs WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR kind = $2)
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
    )
    .bind(filter.state.map(JobState::as_str))
    .bind(&filter.kind)
    .bind(filter.limit)
    .bind(filter.offset))?;
    rows.iter().map(from_row).collect()
}

/// Deletes up to `limit` jobs of `state` last touched before `before`; returns how many. A
/// dead card refund no manager has resolved is kept: it counts against what can still be
/// refunded (see `refunds`).
pub async fn prune(conn: &mut Db<'_>, state: JobState, before: DateTime<Utc>, limit: i64) -> Result<u64, StoreError> {
    let done = exec!(
        conn,
        sqlx::query(
            "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = $1 AND updated_at < $2
               AND NOT (kind = $4 AND state = 'dead' AND id NOT IN (SELECT job_id FROM refund_resolutions))
             LIMIT $3)"
        )
        .bind(state.as_str())
        .bind(At(before))
        .bind(limit)
        .bind(super::refunds::REFUND_KIND)
    )?;
    Ok(done)
}

/// The amounts of the refunds of `order_id` still under way (pending or running jobs of `kind`).
pub async fn pending_amounts(conn: &mut Db<'_>, kind: &str, order_id: Uuid) -> Result<i64, StoreError> {
    let order_id = order_id.to_string();
    Ok(on_db!(&mut *conn, c,
        sqlite: sqlx::query_scalar(
            "SELECT COALESCE(SUM(json_extract(payload, '$.amount_cents')), 0) FROM jobs
             WHERE kind = $1 AND state IN ('pending', 'running') AND json_extract(payload, '$.order_id') = $2",
        )
        .bind(kind)
        .bind(order_id)
        .fetch_one(&mut *c)
        .await?,
        postgres: sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(CAST(payload->>'amount_cents' AS bigint)), 0) AS bigint) FROM jobs
             WHERE kind = $1 AND state IN ('pending', 'running') AND payload->>'order_id' = $2",
        )
        .bind(kind)
        .bind(order_id)
        .fetch_one(&mut *c)
        .await?
    ))
}

/// How many jobs are in each state.
pub async fn count_by_state(conn: &mut Db<'_>) -> Result<Vec<(JobState, i64)>, StoreError> {
    let rows = fetch_all!(conn, sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state"))?;
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
pub async fn dead_by_kind(conn: &mut Db<'_>) -> Result<Vec<(String, i64)>, StoreError> {
    let rows =
        fetch_all!(conn, sqlx::query("SELECT kind, COUNT(*) AS n FROM jobs WHERE state = 'dead' GROUP BY kind"))?;
    rows.iter().map(|row| Ok((row.try_get("kind")?, row.try_get("n")?))).collect()
}

/// When the next pending job is due, if any.
pub async fn next_due(conn: &mut Db<'_>, skip: &[String]) -> Result<Option<DateTime<Utc>>, StoreError> {
    // Each half walks the `jobs_due` index in order and stops at the first row of a kind
    // with room (a MIN() with the kind filter would read every pending row).
    let next: Option<At> = on_db!(&mut *conn, c,
        sqlite: {
            let skip = serde_json::to_string(skip).map_err(|e| StoreError::internal(e.to_string()))?;
            sqlx::query_scalar(
                "SELECT MIN(t) FROM (
                   SELECT * FROM (SELECT run_at AS t FROM jobs WHERE state = 'pending'
                                    AND kind NOT IN (SELECT value FROM json_each($1)) ORDER BY run_at LIMIT 1)
                   UNION ALL
                   SELECT * FROM (SELECT lease_until AS t FROM jobs WHERE state = 'running'
                                    AND kind NOT IN (SELECT value FROM json_each($1)) ORDER BY lease_until LIMIT 1))",
            )
            .bind(skip)
            .fetch_one(&mut *c)
            .await?
        },
        postgres: sqlx::query_scalar(
            "SELECT MIN(t) FROM (
               (SELECT run_at AS t FROM jobs WHERE state = 'pending' AND kind <> ALL($1) ORDER BY run_at LIMIT 1)
               UNION ALL
               (SELECT lease_until AS t FROM jobs WHERE state = 'running' AND kind <> ALL($1)
                ORDER BY lease_until LIMIT 1)) due",
        )
        .bind(skip)
        .fetch_one(&mut *c)
        .await?
    );
    Ok(next.map(|at| at.0))
}

fn from_row(r: &Record) -> Result<JobRecord, StoreError> {
    let state: String = r.try_get("state")?;
    let attempts: i64 = r.try_get("attempts")?;
    Ok(JobRecord {
        id: r.uuid("id")?,
        kind: r.try_get("kind")?,
        payload: r.json("payload")?,
        state: JobState::parse(&state).ok_or_else(|| StoreError::corrupt(format!("job state {state:?}")))?,
        attempts: u32::try_from(attempts).map_err(|_| StoreError::corrupt("attempts"))?,
        run_at: r.time("run_at")?,
        lease_until: r.opt_time("lease_until")?,
        last_error: r.try_get("last_error")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
        traceparent: r.try_get("traceparent")?,
    })
}

#[cfg(test)]
mod tests;
