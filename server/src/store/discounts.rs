//! The discount reasons managers keep (see `crema_shared::discount`).

use super::db::{exec, fetch_all, fetch_optional, At, Db, Id, Record};
use super::StoreError;
use chrono::{DateTime, Utc};
use crema_shared::discount::DiscountReason;
use crema_shared::staff::Role;
use uuid::Uuid;

/// A reason as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReasonRecord {
    pub reason: DiscountReason,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, roles, limit_bps, active, created_at, updated_at";

/// Every reason, by name (the till offers the active ones).
pub async fn list(conn: &mut Db<'_>) -> Result<Vec<ReasonRecord>, StoreError> {
    let rows = fetch_all!(conn, sqlx::query(&format!("SELECT {COLUMNS} FROM discount_reasons ORDER BY name, id")))?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut Db<'_>, id: Uuid) -> Result<Option<ReasonRecord>, StoreError> {
    let row = fetch_optional!(
        conn,
        sqlx::query(&format!("SELECT {COLUMNS} FROM discount_reasons WHERE id = $1")).bind(Id(id))
    )?;
    row.as_ref().map(from_row).transpose()
}

/// A reason's row, bound with [`bind_reason`]; what a clash does is appended.
macro_rules! insert_reason {
    ($on_conflict:literal) => {
        concat!(
            "INSERT INTO discount_reasons (id, name, roles, limit_bps, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ",
            $on_conflict
        )
    };
}

fn bind_reason<'q, DB: sqlx::Database>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    record: &'q ReasonRecord,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    Id: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    At: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    sqlx::types::Json<&'q Vec<Role>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let r = &record.reason;
    query
        .bind(Id(r.id))
        .bind(r.name.as_str())
        .bind(sqlx::types::Json(&r.roles))
        .bind(i64::from(r.limit_bps))
        .bind(r.active)
        .bind(At(record.created_at))
        .bind(At(record.updated_at))
}

/// Adds `record`; false when another reason has its name.
pub async fn insert(conn: &mut Db<'_>, record: &ReasonRecord) -> Result<bool, StoreError> {
    let done = exec!(conn, bind_reason(sqlx::query(insert_reason!("ON CONFLICT DO NOTHING")), record))?;
    Ok(done == 1)
}

/// Writes the hub's `record` as it is (a terminal's mirror; names are the hub's to keep apart).
pub async fn upsert(conn: &mut Db<'_>, record: &ReasonRecord) -> Result<(), StoreError> {
    let r = &record.reason;
    exec!(conn, sqlx::query("DELETE FROM discount_reasons WHERE name = $1 AND id <> $2").bind(&r.name).bind(Id(r.id)))?;
    let sql = insert_reason!(
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, roles = excluded.roles,
           limit_bps = excluded.limit_bps, active = excluded.active, updated_at = excluded.updated_at"
    );
    exec!(conn, bind_reason(sqlx::query(sql), record))?;
    Ok(())
}

/// Writes `record` over the reason with its id; false when another reason has its name.
pub async fn update(conn: &mut Db<'_>, record: &ReasonRecord) -> Result<bool, StoreError> {
    let r = &record.reason;
    let clash = fetch_optional!(
        conn,
        sqlx::query("SELECT id FROM discount_reasons WHERE name = $1 AND id <> $2").bind(&r.name).bind(Id(r.id))
    )?;
    if clash.is_some() {
        return Ok(false);
    }
    exec!(
        conn,
        sqlx::query(
            "UPDATE discount_reasons SET name = $1, roles = $2, limit_bps = $3, active = $4, updated_at = $5
             WHERE id = $6",
        )
        .bind(&r.name)
        .bind(sqlx::types::Json(&r.roles))
        .bind(i64::from(r.limit_bps))
        .bind(r.active)
        .bind(At(record.updated_at))
        .bind(Id(r.id))
    )?;
    Ok(true)
}

fn from_row(r: &Record) -> Result<ReasonRecord, StoreError> {
    let roles: Vec<Role> = r.json("roles")?;
    let limit: i64 = r.try_get("limit_bps")?;
    Ok(ReasonRecord {
        reason: DiscountReason {
            id: r.uuid("id")?,
            name: r.try_get("name")?,
            roles,
            limit_bps: u32::try_from(limit).map_err(|_| StoreError::corrupt("discount limit"))?,
            active: r.try_get("active")?,
        },
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}
