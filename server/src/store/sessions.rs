//! Sign-in sessions, stored by the SHA-256 of their token (the token itself is only ever
//! known to the client).

use super::menu::uuid_col;
use super::{time, StoreError};
use chrono::{DateTime, Utc};
use crema_shared::staff::Role;
use sqlx::{Row, SqliteConnection, SqliteExecutor};
use uuid::Uuid;

/// A live session and who it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub staff_id: Uuid,
    pub staff_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut SqliteConnection,
    token_hash: &str,
    staff_id: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, staff_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(staff_id.to_string())
    .bind(time::to_text(now))
    .bind(time::to_text(now))
    .bind(time::to_text(expires_at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn find(db: impl SqliteExecutor<'_>, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT s.staff_id, st.name, st.role, st.active, s.created_at, s.last_seen_at, s.expires_at
         FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = ?",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let role: String = r.try_get("role")?;
        Ok(SessionRecord {
            staff_id: uuid_col(&r, "staff_id")?,
            staff_name: r.try_get("name")?,
            role: Role::parse(&role).ok_or_else(|| StoreError::corrupt(format!("role {role:?}")))?,
            active: r.try_get("active")?,
            created_at: time::from_text(&r.try_get::<String, _>("created_at")?)?,
            last_seen_at: time::from_text(&r.try_get::<String, _>("last_seen_at")?)?,
            expires_at: time::from_text(&r.try_get::<String, _>("expires_at")?)?,
        })
    })
    .transpose()
}

/// Extends an idle session.
pub async fn touch(
    conn: &mut SqliteConnection,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?")
        .bind(time::to_text(now))
        .bind(time::to_text(expires_at))
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut SqliteConnection, token_hash: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&mut *conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes sessions that ended before `now` (idle or absolute lifetime); returns how many.
pub async fn prune(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    oldest_start: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= ? OR created_at <= ?")
        .bind(time::to_text(now))
        .bind(time::to_text(oldest_start))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Signs someone out everywhere (deactivation, PIN reset).
pub async fn delete_for_staff(conn: &mut SqliteConnection, staff_id: Uuid) -> Result<u64, StoreError> {
    let done =
        sqlx::query("DELETE FROM sessions WHERE staff_id = ?").bind(staff_id.to_string()).execute(&mut *conn).await?;
    Ok(done.rows_affected())
}
