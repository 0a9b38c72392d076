//! Sign-in sessions, stored by the SHA-256 of their token (the token itself is only ever
//! known to the client).

use super::db::{exec, fetch_optional, At, Db, Id};
use super::StoreError;
use chrono::{DateTime, Utc};
use crema_shared::staff::Role;
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
    conn: &mut Db<'_>,
    token_hash: &str,
    staff_id: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec!(conn, sqlx::query(
        "INSERT INTO sessions (token_hash, staff_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(Id(staff_id))
    .bind(At(now))
    .bind(At(now))
    .bind(At(expires_at)))?;
    Ok(())
}

pub async fn find(db: &mut Db<'_>, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
    let row = fetch_optional!(
        db,
        sqlx::query(
            "SELECT s.staff_id, st.name, st.role, st.active, s.created_at, s.last_seen_at, s.expires_at
         FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = $1",
        )
        .bind(token_hash)
    )?;
    row.map(|r| {
        let role: String = r.try_get("role")?;
        Ok(SessionRecord {
            staff_id: r.uuid("staff_id")?,
            staff_name: r.try_get("name")?,
            role: Role::parse(&role).ok_or_else(|| StoreError::corrupt(format!("role {role:?}")))?,
            active: r.try_get("active")?,
            created_at: r.time("created_at")?,
            last_seen_at: r.time("last_seen_at")?,
            expires_at: r.time("expires_at")?,
        })
    })
    .transpose()
}

/// [`find`] on the calling thread when the store can read there (a SQLite file: see
/// [`super::direct_read`]), through the reader pool otherwise.
pub async fn find_now(store: &super::Store, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
    match store.direct_readers() {
        Some(readers) => readers.read(|conn| find_direct(conn, token_hash)),
        None => find(&mut store.read().await?, token_hash).await,
    }
}

/// [`find`] on a plain SQLite connection.
fn find_direct(conn: &rusqlite::Connection, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
    use rusqlite::OptionalExtension;
    let mut statement = conn.prepare_cached(
        "SELECT s.staff_id, st.name, st.role, st.active, s.created_at, s.last_seen_at, s.expires_at
         FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = ?1",
    )?;
    let row = statement
        .query_row([token_hash], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
                [r.get::<_, String>(4)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?],
            ))
        })
        .optional()?;
    let Some((staff_id, staff_name, role, active, [created_at, last_seen_at, expires_at])) = row else {
        return Ok(None);
    };
    Ok(Some(SessionRecord {
        staff_id: Uuid::parse_str(&staff_id).map_err(|e| StoreError::corrupt(format!("staff_id: {e}")))?,
        staff_name,
        role: Role::parse(&role).ok_or_else(|| StoreError::corrupt(format!("role {role:?}")))?,
        active,
        created_at: super::time::from_text(&created_at)?,
        last_seen_at: super::time::from_text(&last_seen_at)?,
        expires_at: super::time::from_text(&expires_at)?,
    }))
}

/// Extends an idle session.
pub async fn touch(
    conn: &mut Db<'_>,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(At(now))
            .bind(At(expires_at))
            .bind(token_hash)
    )?;
    Ok(())
}

pub async fn delete(conn: &mut Db<'_>, token_hash: &str) -> Result<bool, StoreError> {
    let done = exec!(conn, sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash))?;
    Ok(done == 1)
}

/// Deletes sessions that ended before `now` (idle or absolute lifetime); returns how many.
pub async fn prune(conn: &mut Db<'_>, now: DateTime<Utc>, oldest_start: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = exec!(
        conn,
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR created_at <= $2")
            .bind(At(now))
            .bind(At(oldest_start))
    )?;
    Ok(done)
}

/// Signs someone out everywhere (deactivation, PIN reset).
pub async fn delete_for_staff(conn: &mut Db<'_>, staff_id: Uuid) -> Result<u64, StoreError> {
    let done = exec!(conn, sqlx::query("DELETE FROM sessions WHERE staff_id = $1").bind(Id(staff_id)))?;
    Ok(done)
}
