//! Staff rows. PINs are never stored: only a keyed lookup (to find the person and keep PINs
//! unique) and an argon2id hash (to verify).

use super::db::{exec, fetch_all, fetch_optional, fetch_value, At, Db, Id, Record};
use super::StoreError;
use chrono::{DateTime, Utc};
use crema_shared::staff::Role;
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

pub async fn list(conn: &mut Db<'_>) -> Result<Vec<StaffRecord>, StoreError> {
    let rows = fetch_all!(conn, sqlx::query(
        "SELECT id, name, role, active, pin_lookup, pin_hash, email, created_at, updated_at FROM staff ORDER BY name, id",
    ))?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut Db<'_>, id: Uuid) -> Result<Option<StaffRecord>, StoreError> {
    let row = fetch_optional!(conn, sqlx::query(
        "SELECT id, name, role, active, pin_lookup, pin_hash, email, created_at, updated_at FROM staff WHERE id = $1",
    )
    .bind(Id(id)))?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_lookup(conn: &mut Db<'_>, lookup: &str) -> Result<Option<StaffRecord>, StoreError> {
    let row = fetch_optional!(conn, sqlx::query(
        "SELECT id, name, role, active, pin_lookup, pin_hash, email, created_at, updated_at FROM staff WHERE pin_lookup = $1",
    )
    .bind(lookup))?;
    row.as_ref().map(from_row).transpose()
}

/// Inserts or replaces a staff row.
pub async fn upsert(conn: &mut Db<'_>, s: &StaffRecord) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO staff (id, name, role, active, pin_lookup, pin_hash, email, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, active = excluded.active,
           pin_lookup = excluded.pin_lookup, pin_hash = excluded.pin_hash, email = excluded.email,
           updated_at = excluded.updated_at",
        )
        .bind(Id(s.id))
        .bind(&s.name)
        .bind(s.role.as_str())
        .bind(s.active)
        .bind(&s.pin_lookup)
        .bind(&s.pin_hash)
        .bind(&s.email)
        .bind(At(s.created_at))
        .bind(At(s.updated_at))
    )?;
    Ok(())
}

/// Email addresses of the active managers who have one.
pub async fn manager_emails(conn: &mut Db<'_>) -> Result<Vec<String>, StoreError> {
    Ok(fetch_value!(
        conn,
        sqlx::query_scalar(
            "SELECT email FROM staff WHERE role = 'manager' AND active = true AND email IS NOT NULL ORDER BY name",
        ),
        fetch_all
    )?)
}

/// Active managers other than `except`.
pub async fn other_active_managers(conn: &mut Db<'_>, except: Uuid) -> Result<i64, StoreError> {
    Ok(fetch_value!(
        conn,
        sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE role = 'manager' AND active = true AND id <> $1")
            .bind(Id(except)),
        fetch_one
    )?)
}

fn from_row(r: &Record) -> Result<StaffRecord, StoreError> {
    let role: String = r.try_get("role")?;
    Ok(StaffRecord {
        id: r.uuid("id")?,
        name: r.try_get("name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::corrupt(format!("role {role:?}")))?,
        active: r.try_get("active")?,
        pin_lookup: r.try_get("pin_lookup")?,
        pin_hash: r.try_get("pin_hash")?,
        email: r.try_get("email")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}
