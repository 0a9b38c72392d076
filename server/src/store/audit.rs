//! The audit log: append-only (the schema refuses UPDATE and DELETE), written in the same
//! transaction as the action it records, and chained: each row stores the SHA-256 of the
//! previous row's hash and its own fields, so anyone holding the file who changes, removes
//! or inserts a row breaks every link after it ([`verify`] finds the first). The newest
//! hash (the chain head) is sent off the box daily, so rewriting the whole chain shows too.

use super::db::{exec, fetch_all, fetch_one, fetch_optional, fetch_value, on_db, At, Db, Id, Record};
use super::{time, StoreError};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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

/// The columns a link covers, as stored (text), in chain order.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Link {
    id: i64,
    at: String,
    staff_id: Option<String>,
    action: String,
    subject: Option<String>,
    detail: String,
    request_id: Option<String>,
}

impl Link {
    /// SHA-256 over the previous hash and this row's fields, each length-prefixed (so no two
    /// different rows hash the same input), absent fields marked as such.
    fn hash(&self, prev_hash: &str) -> String {
        let mut digest = Sha256::new();
        digest.update(prev_hash.as_bytes());
        digest.update(self.id.to_le_bytes());
        let fields = [
            Some(&self.at),
            self.staff_id.as_ref(),
            Some(&self.action),
            self.subject.as_ref(),
            Some(&self.detail),
            self.request_id.as_ref(),
        ];
        for field in fields {
            match field {
                Some(value) => {
                    digest.update([1u8]);
                    digest.update((value.len() as u64).to_le_bytes());
                    digest.update(value.as_bytes());
                }
                None => digest.update([0u8]),
            }
        }
        hex::encode(digest.finalize())
    }
}

/// The newest row's id and hash (`None` for an empty log).
pub async fn head(conn: &mut Db<'_>) -> Result<Option<(i64, String)>, StoreError> {
    let row = fetch_optional!(conn, sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"))?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get::<Option<String>, _>("hash")?.unwrap_or_default()))).transpose()
}

/// An audit row linked to the chain, ready to insert.
#[derive(Clone, Debug)]
pub struct LinkedRow {
    link: Link,
    at: DateTime<Utc>,
    staff_id: Option<Uuid>,
    prev_hash: String,
    hash: String,
}

impl LinkedRow {
    /// This row as the chain's new head: its id and hash.
    pub fn as_head(&self) -> (i64, String) {
        (self.link.id, self.hash.clone())
    }

    /// Its columns as SQLite keeps them, in [`INSERT`]'s order (for writers outside sqlx,
    /// such as the placement benchmark's floor).
    pub fn sqlite_columns(&self) -> AuditColumns<'_> {
        AuditColumns {
            id: self.link.id,
            at: &self.link.at,
            staff_id: self.link.staff_id.as_deref(),
            action: &self.link.action,
            subject: self.link.subject.as_deref(),
            detail: &self.link.detail,
            request_id: self.link.request_id.as_deref(),
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        }
    }
}

/// A [`LinkedRow`]'s columns, as text and integers.
#[derive(Clone, Copy, Debug)]
pub struct AuditColumns<'a> {
    pub id: i64,
    pub at: &'a str,
    pub staff_id: Option<&'a str>,
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub detail: &'a str,
    pub request_id: Option<&'a str>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// `entry` as the row after `head` (the newest row's id and hash; `None` for an empty log).
pub fn link_after(head: Option<(i64, String)>, entry: &AuditEntry) -> LinkedRow {
    let (last_id, prev_hash) = head.unwrap_or((0, GENESIS.to_string()));
    let link = Link {
        id: last_id + 1,
        at: time::to_text(entry.at),
        staff_id: entry.staff_id.map(|id| id.to_string()),
        action: entry.action.clone(),
        subject: entry.subject.clone(),
        detail: entry.detail.to_string(),
        request_id: entry.request_id.clone(),
    };
    let hash = link.hash(&prev_hash);
    LinkedRow { link, at: entry.at, staff_id: entry.staff_id, prev_hash, hash }
}

/// The statement that inserts a [`LinkedRow`] (bound with [`bind_row`]).
pub const INSERT: &str =
    "INSERT INTO audit_log (id, at, staff_id, action, subject, detail, request_id, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);";

/// [`INSERT`] with positional placeholders, for SQLite multi-statement queries that put it
/// beside other writes to save a round trip (`$n` there would count from the first statement).
pub const INSERT_POSITIONAL: &str =
    "INSERT INTO audit_log (id, at, staff_id, action, subject, detail, request_id, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);";

/// Binds a [`LinkedRow`] to [`INSERT`]'s placeholders, on either database.
pub fn bind_row<'q, DB>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    row: &'q LinkedRow,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    At: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<Id>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(row.link.id)
        .bind(At(row.at))
        .bind(row.staff_id.map(Id))
        .bind(row.link.action.as_str())
        .bind(row.link.subject.as_deref())
        .bind(row.link.detail.as_str())
        .bind(row.link.request_id.as_deref())
        .bind(row.prev_hash.as_str())
        .bind(row.hash.as_str())
}

pub async fn append(conn: &mut Db<'_>, entry: &AuditEntry) -> Result<(), StoreError> {
    let row = link_after(head(conn).await?, entry);
    exec!(conn, bind_row(sqlx::query(INSERT), &row))?;
    Ok(())
}

/// What [`verify`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every link holds; `head` is the newest row's `(id, hash)`.
    Intact { rows: u64, head: Option<(i64, String)> },
    /// The first row whose link does not hold, and why.
    Broken { id: i64, reason: String },
}

/// Walks the whole chain, oldest first, in one read.
pub async fn verify(conn: &mut Db<'_>) -> Result<ChainCheck, StoreError> {
    const ALL: &str =
        "SELECT id, at, staff_id, action, subject, detail, request_id, prev_hash, hash FROM audit_log ORDER BY id";
    let mut walk = Walk { prev: GENESIS.to_string(), count: 0, head: None };
    on_db!(&mut *conn, c => {
        let mut rows = sqlx::query(ALL).fetch(&mut *c);
        while let Some(r) = rows.try_next().await? {
            if let Some(broken) = walk.step(&Record::from(r))? {
                return Ok(broken);
            }
        }
    });
    Ok(ChainCheck::Intact { rows: walk.count, head: walk.head })
}

/// The chain walked so far.
struct Walk {
    prev: String,
    count: u64,
    head: Option<(i64, String)>,
}

impl Walk {
    /// Checks the next row's link; `Some` when it does not hold.
    fn step(&mut self, r: &Record) -> Result<Option<ChainCheck>, StoreError> {
        let link = link_of(r)?;
        let stored_prev: Option<String> = r.try_get("prev_hash")?;
        let stored_hash: Option<String> = r.try_get("hash")?;
        let id = link.id;
        let broken = |reason: &str| Ok(Some(ChainCheck::Broken { id, reason: reason.to_string() }));
        match (stored_prev, stored_hash) {
            (None, _) | (_, None) => return broken("the row has no link (written outside Crema?)"),
            (Some(p), _) if p != self.prev => {
                return broken(
                    "its previous-hash does not match the row before it (a row was removed, inserted or changed)",
                )
            }
            (_, Some(h)) if h != link.hash(&self.prev) => {
                return broken("its fields do not match its hash (the row was changed)")
            }
            (_, Some(h)) => {
                self.prev = h.clone();
                self.head = Some((id, h));
            }
        }
        self.count += 1;
        Ok(None)
    }
}

/// Links rows written before the chain existed (once, oldest first); returns how many.
pub async fn link_legacy_rows(conn: &mut Db<'_>) -> Result<u64, StoreError> {
    let unlinked: Vec<i64> =
        fetch_value!(conn, sqlx::query_scalar("SELECT id FROM audit_log WHERE hash IS NULL ORDER BY id"), fetch_all)?;
    let mut linked = 0;
    for id in unlinked {
        let prev: String = fetch_value!(
            conn,
            sqlx::query_scalar("SELECT hash FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT 1").bind(id),
            fetch_optional
        )?
        .flatten()
        .unwrap_or_else(|| GENESIS.to_string());
        let row = fetch_one!(
            conn,
            sqlx::query("SELECT id, at, staff_id, action, subject, detail, request_id FROM audit_log WHERE id = $1")
                .bind(id)
        )?;
        let hash = link_of(&row)?.hash(&prev);
        exec!(
            conn,
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(id)
        )?;
        linked += 1;
    }
    Ok(linked)
}

/// A row's linked fields as they were hashed: SQLite's stored text, PostgreSQL's values
/// written back in the same form.
fn link_of(r: &Record) -> Result<Link, StoreError> {
    Ok(Link {
        id: r.try_get("id")?,
        at: r.time_text("at")?,
        staff_id: r.uuid_text("staff_id")?,
        action: r.try_get("action")?,
        subject: r.try_get("subject")?,
        detail: r.try_get("detail")?,
        request_id: r.try_get("request_id")?,
    })
}

/// Newest first.
pub async fn list(conn: &mut Db<'_>, filter: &AuditFilter) -> Result<Vec<StoredAuditEntry>, StoreError> {
    let (exact, prefix) = match filter.action.as_deref() {
        Some(a) if a.ends_with('.') => (None, Some(format!("{a}%"))),
        Some(a) => (Some(a.to_string()), None),
        None => (None, None),
    };
    let rows = fetch_all!(
        conn,
        sqlx::query(
            "SELECT id, at, staff_id, action, subject, detail, request_id FROM audit_log
         WHERE ($1 IS NULL OR staff_id = $1) AND ($2 IS NULL OR action = $2) AND ($3 IS NULL OR action LIKE $3)
           AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5)
         ORDER BY id DESC LIMIT $6 OFFSET $7",
        )
        .bind(filter.staff_id.map(Id))
        .bind(exact)
        .bind(prefix)
        .bind(filter.since.map(At))
        .bind(filter.until.map(At))
        .bind(filter.limit)
        .bind(filter.offset)
    )?;
    rows.iter()
        .map(|r| {
            let detail: String = r.try_get("detail")?;
            Ok(StoredAuditEntry {
                id: r.try_get("id")?,
                entry: AuditEntry {
                    at: r.time("at")?,
                    staff_id: r.opt_uuid("staff_id")?,
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

/// One audit row as exported: the entry with its place in the chain.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ExportedRow {
    pub id: i64,
    pub at: String,
    pub staff_id: Option<String>,
    pub action: String,
    pub subject: Option<String>,
    pub detail: serde_json::Value,
    pub request_id: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// Up to `limit` rows after `after_id`, oldest first, for an export.
pub async fn export_after(conn: &mut Db<'_>, after_id: i64, limit: i64) -> Result<Vec<ExportedRow>, StoreError> {
    let rows = fetch_all!(
        conn,
        sqlx::query(
            "SELECT id, at, staff_id, action, subject, detail, request_id, prev_hash, hash FROM audit_log
         WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after_id)
        .bind(limit)
    )?;
    rows.iter()
        .map(|r| {
            let detail: String = r.try_get("detail")?;
            Ok(ExportedRow {
                id: r.try_get("id")?,
                at: r.time_text("at")?,
                staff_id: r.uuid_text("staff_id")?,
                action: r.try_get("action")?,
                subject: r.try_get("subject")?,
                detail: serde_json::from_str(&detail).map_err(|e| StoreError::corrupt(format!("audit detail: {e}")))?,
                request_id: r.try_get("request_id")?,
                prev_hash: r.try_get("prev_hash")?,
                hash: r.try_get("hash")?,
            })
        })
        .collect()
}
