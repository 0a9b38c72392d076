//! Staff rows. PINs are never stored: only a keyed lookup (to find the person and keep PINs
//! unique) and an argon2id hash (to verify).

use super::menu::uuid_col;
use super::{time, StoreError};
use chrono::{DateTime, Utc};
use crema_shared::staff::Role;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRecord {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub pin_lookup: String,
    pub pin_hash: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<StaffRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, role, active, pin_lookup, pin_hash, email, created_at, updated_at FROM staff ORDER BY name, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<StaffRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, name, role, active, pin_lookup, pin_hash, email, created_at, updated_at FROM staff WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_lookup(conn: &mut SqliteConnection, lookup: &str) -> Result<Option<StaffRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, name, role, active, pin_lookup, pin_hash, email, created_at, updated_at FROM staff WHERE pin_lookup = ?",
    )
    .bind(lookup)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Inserts or replaces a staff row.
pub async fn upsert(conn: &mut SqliteConnection, s: &StaffRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO staff (id, name, role, active, pin_lookup, pin_hash, email, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, active = excluded.active,
           pin_lookup = excluded.pin_lookup, pin_hash = excluded.pin_hash, email = excluded.email,
           updated_at = excluded.updated_at",
    )
    .bind(s.id.to_string())
    .bind(&s.name)
    .bind(s.role.as_str())
    .bind(s.active)
    .bind(&s.pin_lookup)
    .bind(&s.pin_hash)
    .bind(&s.email)
    .bind(time::to_text(s.created_at))
    .bind(time::to_text(s.updated_at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Email addresses of the active managers who have one.
pub async fn manager_emails(conn: &mut SqliteConnection) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT email FROM staff WHERE role = 'manager' AND active = 1 AND email IS NOT NULL ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Active managers other than `except`.
pub async fn other_active_managers(conn: &mut SqliteConnection, except: Uuid) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE role = 'manager' AND active = 1 AND id <> ?")
        .bind(except.to_string())
        .fetch_one(&mut *conn)
        .await?)
}

fn from_row(r: &SqliteRow) -> Result<StaffRecord, StoreError> {
    let role: String = r.try_get("role")?;
    Ok(StaffRecord {
        id: uuid_col(r, "id")?,
        name: r.try_get("name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::corrupt(format!("role {role:?}")))?,
        active: r.try_get("active")?,
        pin_lookup: r.try_get("pin_lookup")?,
        pin_hash: r.try_get("pin_hash")?,
        email: r.try_get("email")?,
        created_at: time::from_text(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_text(&r.try_get::<String, _>("updated_at")?)?,
    })
}
