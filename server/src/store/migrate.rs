//! Moving a shop from its SQLite file to PostgreSQL (`crema-server migrate-store`): every
//! row of every table — orders with their lines and history, the outbox with its sequence
//! numbers, sink cursors and dead letters, jobs, staff, sessions, the audit chain — copied
//! as it is, in one PostgreSQL transaction, so the target is either the whole shop or
//! untouched.
//!
//! The source is brought to the latest schema first (its migrations run), the target gets
//! PostgreSQL's migrations and must hold no shop yet. Columns are read from the target's own
//! catalogue; each value goes across as SQLite stores it (text, integer, real or NULL) and
//! PostgreSQL casts it to the column's type (`uuid`, `timestamptz`, `jsonb`, `boolean`…), so
//! a value that does not fit stops the copy with the table and column named. Identifiers
//! come from the target's catalogue, never from input; every value is bound. Afterwards the
//! identity columns and the outbox head continue after the highest copied number (and after
//! any number SQLite handed out before pruning), so nothing is ever numbered twice.

use super::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow, SqliteValueRef};
use sqlx::{Column, Connection, PgConnection, Row, SqliteConnection, TypeInfo, Value, ValueRef};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// What was copied, table by table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub rows: BTreeMap<String, u64>,
    /// The outbox head on the target: the next event is numbered after it.
    pub outbox_head: i64,
}

/// Copies the shop in the SQLite database `from` into the empty PostgreSQL database `to`.
pub async fn sqlite_to_postgres(from: &str, to: &str, shop: &str) -> Result<Copied, StoreError> {
    let mut source = SqliteConnection::connect_with(&source_options(from)?).await?;
    sqlx::migrate!("../migrations/sqlite").run(&mut source).await?;
    let mut target = PgConnection::connect_with(&super::pg_connect_options(to, shop)?).await?;
    sqlx::migrate!("../migrations/postgres").run(&mut target).await?;
    super::shops::prepare(&mut target, shop).await?;
    let existing: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM shop_settings) + (SELECT COUNT(*) FROM orders)")
            .fetch_one(&mut target)
            .await?;
    if existing > 0 {
        return Err(StoreError::corrupt(format!("the target database already holds shop {shop:?}")));
    }
    let tables = tables_in_order(&mut target).await?;
    let mut tx = target.begin().await?;
    let mut copied = Copied::default();
    for table in &tables {
        let columns = columns_of(&mut tx, table).await?;
        let rows = copy_table(&mut source, &mut tx, table, &columns).await?;
        copied.rows.insert(table.clone(), rows);
    }
    continue_numbering(&mut tx, &tables).await?;
    // The outbox head continues after every number SQLite ever handed out (pruned ones too).
    let handed_out: Option<i64> =
        sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetch_optional(&mut source).await?;
    let head: i64 = sqlx::query_scalar(
        "UPDATE outbox_head SET sequence = GREATEST($1, (SELECT COALESCE(MAX(sequence), 0) FROM outbox)) WHERE id = 1
         RETURNING sequence",
    )
    .bind(handed_out.unwrap_or(0))
    .fetch_one(&mut *tx)
    .await?;
    copied.outbox_head = head;
    tx.commit().await?;
    source.close().await?;
    Ok(copied)
}

/// The source as every Crema connection opens it, but never made if it is missing.
fn source_options(from: &str) -> Result<SqliteConnectOptions, StoreError> {
    if super::is_postgres(from) {
        return Err(StoreError::corrupt(format!("the source must be a SQLite database, not {from}")));
    }
    super::connect_options(from, Duration::from_secs(5)).map(|options| options.create_if_missing(false))
}

/// The target's tables (but the migrations' own and the outbox head), each after the
/// tables its foreign keys point at.
async fn tables_in_order(target: &mut PgConnection) -> Result<Vec<String>, StoreError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
           AND table_name NOT IN ('_sqlx_migrations', 'outbox_head')
         ORDER BY table_name",
    )
    .fetch_all(&mut *target)
    .await?;
    let links: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c
         WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut *target)
    .await?;
    let mut ordered = Vec::with_capacity(names.len());
    let mut placed = BTreeSet::new();
    while ordered.len() < names.len() {
        let ready: Vec<&String> = names
            .iter()
            .filter(|t| !placed.contains(*t))
            .filter(|t| links.iter().all(|(from, to)| from != *t || to == *t || placed.contains(to)))
            .collect();
        if ready.is_empty() {
            return Err(StoreError::corrupt("the tables' foreign keys form a cycle"));
        }
        for table in ready {
            placed.insert(table.clone());
            ordered.push(table.clone());
        }
    }
    Ok(ordered)
}

/// A target column: its name and the type values are cast to.
struct TargetColumn {
    name: String,
    cast: String,
}

async fn columns_of(target: &mut PgConnection, table: &str) -> Result<Vec<TargetColumn>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, format_type(a.atttypid, a.atttypmod)
         FROM information_schema.columns c
         JOIN pg_attribute a ON a.attrelid = (quote_ident(c.table_name))::regclass AND a.attname = c.column_name
         WHERE c.table_schema = current_schema() AND c.table_name = $1
         ORDER BY c.ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *target)
    .await?;
    // `shop_id` is not SQLite's: it comes from the connection's shop.
    Ok(rows.into_iter().filter(|(name, _)| name != "shop_id").map(|(name, cast)| TargetColumn { name, cast }).collect())
}

/// A double-quoted identifier (names come from the target's catalogue).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn copy_table(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    table: &str,
    columns: &[TargetColumn],
) -> Result<u64, StoreError> {
    let list = columns.iter().map(|c| quoted(&c.name)).collect::<Vec<_>>().join(", ");
    let read = columns.iter().map(|c| source_column(table, &c.name)).collect::<Vec<_>>().join(", ");
    let select = format!("SELECT {read} FROM {}", quoted(table));
    let casts = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("CAST(${} AS {})", i + 1, c.cast))
        .collect::<Vec<_>>()
        .join(", ");
    let insert = format!("INSERT INTO {} ({list}) VALUES ({casts})", quoted(table));
    let rows: Vec<SqliteRow> = sqlx::query(&select).fetch_all(&mut *source).await?;
    for row in &rows {
        let mut query = sqlx::query(&insert);
        for (i, column) in row.columns().iter().enumerate() {
            let value = row.try_get_raw(i)?;
            query =
                query.bind(as_text(value).map_err(|e| StoreError::corrupt(format!("{table}.{}: {e}", column.name())))?);
        }
        query.execute(&mut *target).await.map_err(|e| StoreError::corrupt(format!("copying a row of {table}: {e}")))?;
    }
    Ok(rows.len() as u64)
}

/// What the source is read as for a column of the target: the column itself, but for a
/// placement's idempotency answer, which SQLite keeps in its `order.placed` event
/// (`store::idempotency`) and PostgreSQL as text: that event's `order`, and no event named.
fn source_column(table: &str, column: &str) -> String {
    match (table, column) {
        ("idempotency_keys", "response") => {
            "COALESCE(\"response\", (SELECT json_extract(o.data, '$.order') FROM outbox o
             WHERE o.sequence = \"idempotency_keys\".\"event_sequence\")) AS \"response\""
                .to_string()
        }
        ("idempotency_keys", "event_sequence") => "NULL AS \"event_sequence\"".to_string(),
        _ => quoted(column),
    }
}

/// A SQLite value as the text PostgreSQL's cast reads (`None`: NULL).
fn as_text(value: SqliteValueRef<'_>) -> Result<Option<String>, String> {
    if value.is_null() {
        return Ok(None);
    }
    let owned = ValueRef::to_owned(&value);
    let kind = owned.type_info().name().to_ascii_uppercase();
    Ok(Some(match kind.as_str() {
        "INTEGER" | "BOOLEAN" => owned.try_decode::<i64>().map_err(|e| e.to_string())?.to_string(),
        "REAL" => owned.try_decode::<f64>().map_err(|e| e.to_string())?.to_string(),
        "BLOB" => return Err("a binary value: Crema stores none".into()),
        _ => owned.try_decode::<String>().map_err(|e| e.to_string())?,
    }))
}

/// Identity columns continue after the highest copied value.
async fn continue_numbering(target: &mut PgConnection, tables: &[String]) -> Result<(), StoreError> {
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *target)
    .await?;
    for (table, column) in identities.iter().filter(|(t, _)| tables.contains(t)) {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX({col}) FROM {tab}), 0) + 1, false)",
            col = quoted(column),
            tab = quoted(table)
        );
        sqlx::query(&sql).bind(quoted(table)).bind(column).execute(&mut *target).await?;
    }
    Ok(())
}
