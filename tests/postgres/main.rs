//! The PostgreSQL store's schema against SQLite's, on a private PostgreSQL the test starts:
//! both migration folders list the same versions and end in the same tables, columns and
//! NOT NULLs (PostgreSQL's only extras are the `outbox_head` table and every row's `shop_id`);
//! and the outbox's sequence
//! becomes visible in order, which a serial would not.

mod migrate_store;
mod scale_out;
mod shops;

use crema_e2e::postgres::Postgres;
use sqlx::{Connection, PgConnection, Row, SqliteConnection};
use std::collections::BTreeMap;
use std::time::Duration;

/// `url` for a connection that names its shop, as Crema's do (`crema.shop`).
fn as_shop(url: &str) -> String {
    format!("{url}?options=-c%20crema.shop%3Dtest")
}

type Columns = BTreeMap<String, BTreeMap<String, (String, bool)>>;

/// The type family a column's declared type belongs to, in either dialect.
fn family(declared: &str) -> &'static str {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "boolean" => "number",
        "text" | "uuid" | "date" | "timestamp with time zone" | "jsonb" => "text",
        other => panic!("a column type this test does not know: {other}"),
    }
}

async fn sqlite_columns() -> (Columns, Vec<i64>) {
    let mut conn = SqliteConnection::connect("sqlite::memory:").await.expect("sqlite");
    let migrator = sqlx::migrate!("../migrations/sqlite");
    migrator.run(&mut conn).await.expect("sqlite migrations");
    let versions = migrator.iter().map(|m| m.version).collect();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    let mut columns = Columns::new();
    for table in tables {
        for row in sqlx::query(&format!("PRAGMA table_info('{table}')")).fetch_all(&mut conn).await.expect("info") {
            let name: String = row.get("name");
            let declared: String = row.get("type");
            let not_null = row.get::<i64, _>("notnull") == 1 || row.get::<i64, _>("pk") > 0;
            columns.entry(table.clone()).or_default().insert(name, (family(&declared).to_string(), not_null));
        }
    }
    (columns, versions)
}

async fn postgres_columns(url: &str) -> (Columns, Vec<i64>) {
    let mut conn = PgConnection::connect(url).await.expect("postgres");
    let migrator = sqlx::migrate!("../migrations/postgres");
    migrator.run(&mut conn).await.expect("postgres migrations");
    let versions = migrator.iter().map(|m| m.version).collect();
    let rows = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d, is_nullable::text AS n
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name != '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("columns");
    let mut columns = Columns::new();
    for row in rows {
        let (table, column, declared, nullable): (String, String, String, String) =
            (row.get("t"), row.get("c"), row.get("d"), row.get("n"));
        columns.entry(table).or_default().insert(column, (family(&declared).to_string(), nullable == "NO"));
    }
    (columns, versions)
}

#[tokio::test]
async fn both_dialects_list_the_same_versions_and_end_in_the_same_schema() {
    let postgres = Postgres::start();
    let url = postgres.create_database("schema");
    let (lite, lite_versions) = sqlite_columns().await;
    let (mut pg, pg_versions) = postgres_columns(&url).await;
    assert_eq!(lite_versions, pg_versions, "the two folders list the same migrations");
    assert!(pg.remove("outbox_head").is_some(), "PostgreSQL's sequence counter row");
    for (table, columns) in pg.iter_mut() {
        let shop = columns.remove("shop_id");
        assert_eq!(shop, Some(("text".to_string(), true)), "{table}: every PostgreSQL row names its shop");
    }
    assert_eq!(lite.keys().collect::<Vec<_>>(), pg.keys().collect::<Vec<_>>(), "the same tables");
    for (table, columns) in &lite {
        assert_eq!(columns, &pg[table], "table {table}: columns, type families and NOT NULLs");
    }
}

/// Two writers append at once and the first to take a number commits last. With a serial the
/// later number is visible first, so a reader following by cursor passes the earlier one for
/// good; with the `outbox_head` row the second writer waits for the first's commit.
#[tokio::test]
async fn outbox_sequences_become_visible_in_order() {
    let postgres = Postgres::start();
    let url = as_shop(&postgres.create_database("outbox"));
    let mut setup = PgConnection::connect(&url).await.expect("connect");
    sqlx::migrate!("../migrations/postgres").run(&mut setup).await.expect("migrations");
    sqlx::query("INSERT INTO outbox_head (id, sequence) VALUES (1, 0)").execute(&mut setup).await.expect("head row");
    sqlx::query("CREATE TABLE serial_log (sequence bigserial PRIMARY KEY, note text)")
        .execute(&mut setup)
        .await
        .expect("serial table");

    // The serial: a reader sees 2 while 1 is still to come.
    let mut first = PgConnection::connect(&url).await.expect("connect");
    let mut second = PgConnection::connect(&url).await.expect("connect");
    sqlx::query("BEGIN").execute(&mut first).await.expect("begin");
    sqlx::query("INSERT INTO serial_log (note) VALUES ('first')").execute(&mut first).await.expect("insert");
    sqlx::query("INSERT INTO serial_log (note) VALUES ('second')").execute(&mut second).await.expect("insert");
    let seen: Vec<i64> = sqlx::query_scalar("SELECT sequence FROM serial_log WHERE sequence > 0 ORDER BY sequence")
        .fetch_all(&mut setup)
        .await
        .expect("read");
    assert_eq!(seen, vec![2], "a serial makes 2 visible before 1: a cursor at 2 would skip 1");
    sqlx::query("COMMIT").execute(&mut first).await.expect("commit");

    // The head row: the second writer waits until the first commits.
    let take = "UPDATE outbox_head SET sequence = sequence + 1 WHERE id = 1 RETURNING sequence";
    sqlx::query("BEGIN").execute(&mut first).await.expect("begin");
    let one: i64 = sqlx::query_scalar(take).fetch_one(&mut first).await.expect("take");
    let waiting = tokio::spawn(async move {
        sqlx::query("BEGIN").execute(&mut second).await.expect("begin");
        let two: i64 = sqlx::query_scalar(take).fetch_one(&mut second).await.expect("take");
        sqlx::query("COMMIT").execute(&mut second).await.expect("commit");
        two
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "the second writer waits for the first's commit");
    sqlx::query("COMMIT").execute(&mut first).await.expect("commit");
    let two = tokio::time::timeout(Duration::from_secs(10), waiting).await.expect("done").expect("joined");
    assert_eq!((one, two), (1, 2));
}

/// PostgreSQL's audit log is append-only like SQLite's: its triggers refuse changing or
/// removing a row (only linking an unlinked one, once, is allowed).
#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let postgres = Postgres::start();
    let url = as_shop(&postgres.create_database("audit"));
    let mut conn = PgConnection::connect(&url).await.expect("connect");
    sqlx::migrate!("../migrations/postgres").run(&mut conn).await.expect("migrations");
    sqlx::query(
        "INSERT INTO audit_log (id, at, action, detail, prev_hash, hash) VALUES (1, now(), 'order.placed', '{}', 'p', 'h')",
    )
    .execute(&mut conn)
    .await
    .expect("an audit row");
    let changed = sqlx::query("UPDATE audit_log SET action = 'nothing' WHERE id = 1").execute(&mut conn).await;
    assert!(changed.is_err(), "an audit row was changed");
    let relinked = sqlx::query("UPDATE audit_log SET hash = 'x' WHERE id = 1").execute(&mut conn).await;
    assert!(relinked.is_err(), "a linked row was linked again");
    let removed = sqlx::query("DELETE FROM audit_log").execute(&mut conn).await;
    assert!(removed.is_err(), "an audit row was deleted");
    let action: String =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE id = 1").fetch_one(&mut conn).await.expect("row");
    assert_eq!(action, "order.placed");
}
