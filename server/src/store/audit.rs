//! The audit log: append-only (the schema refuses UPDATE and DELETE), written in the same
//! transaction as the action it records.

use super::menu::uuid_col;
use super::{time, StoreError};
use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub staff_id: Option<Uuid>,
    pub action: String,
    pub subject: Option<String>,
    pub detail: serde_json::Value,
    pub request_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoredAuditEntry {
    pub id: i64,
    pub entry: AuditEntry,
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub staff_id: Option<Uuid>,
    /// Exact action, or a prefix ending in `.` (`menu.`).
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn append(conn: &mut SqliteConnection, entry: &AuditEntry) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_log (at, staff_id, action, subject, detail, request_id) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(time::to_text(entry.at))
        .bind(entry.staff_id.map(|id| id.to_string()))
        .bind(&entry.action)
        .bind(&entry.subject)
        .bind(entry.detail.to_string())
        .bind(&entry.request_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Newest first.
pub async fn list(conn: &mut SqliteConnection, filter: &AuditFilter) -> Result<Vec<StoredAuditEntry>, StoreError> {
    let (exact, prefix) = match filter.action.as_deref() {
        Some(a) if a.ends_with('.') => (None, Some(format!("{a}%"))),
        Some(a) => (Some(a.to_string()), None),
        None => (None, None),
    };
    let rows = sqlx::query(
        "SELECT id, at, staff_id, action, subject, detail, request_id FROM audit_log
         WHERE (?1 IS NULL OR staff_id = ?1) AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR action LIKE ?3)
           AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at < ?5)
         ORDER BY id DESC LIMIT ?6 OFFSET ?7",
    )
    .bind(filter.staff_id.map(|id| id.to_string()))
    .bind(exact)
    .bind(prefix)
    .bind(filter.since.map(time::to_text))
    .bind(filter.until.map(time::to_text))
    .bind(filter.limit)
    .bind(filter.offset)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let staff: Option<String> = r.try_get("staff_id")?;
            let detail: String = r.try_get("detail")?;
            Ok(StoredAuditEntry {
                id: r.try_get("id")?,
                entry: AuditEntry {
                    at: time::from_text(&r.try_get::<String, _>("at")?)?,
                    staff_id: match staff {
                        Some(_) => Some(uuid_col(r, "staff_id")?),
                        None => None,
                    },
                    action: r.try_get("action")?,
                    subject: r.try_get("subject")?,
                    detail: serde_json::from_str(&detail)
                        .map_err(|e| StoreError::corrupt(format!("audit detail: {e}")))?,
                    request_id: r.try_get("request_id")?,
                },
            })
        })
        .collect()
}
