//! An order written through the writer's direct connection (no sqlx) is stored exactly as
//! one written through sqlx: the same columns with the same SQLite storage classes and,
//! where two identical orders must agree, the same values.

use crate::helpers::{spawn_app, FetchJson, TestApp, CASHIER_PIN};
use serde_json::Value;
use sqlx::{Connection, Row, SqliteConnection};

/// The rows of `table` where `column` is `value`, each cell as (storage class, text), with
/// the column names.
async fn cells(
    conn: &mut SqliteConnection,
    table: &str,
    column: &str,
    value: &str,
) -> Vec<Vec<(String, String, String)>> {
    let names: Vec<String> = sqlx::query(&format!("PRAGMA table_info({table})"))
        .fetch_all(&mut *conn)
        .await
        .expect("columns")
        .iter()
        .map(|row| row.get::<String, _>("name"))
        .collect();
    let select: Vec<String> =
        names.iter().map(|n| format!("typeof({n}), COALESCE(CAST({n} AS TEXT), '<null>')")).collect();
    let sql = format!("SELECT {} FROM {table} WHERE {column} = ? ORDER BY rowid", select.join(", "));
    let rows = sqlx::query(&sql).bind(value).fetch_all(&mut *conn).await.expect("rows");
    rows.iter()
        .map(|row| {
            names
                .iter()
                .enumerate()
                .map(|(i, name)| (name.clone(), row.get::<String, _>(2 * i), row.get::<String, _>(2 * i + 1)))
                .collect()
        })
        .collect()
}

/// Columns whose values differ between two identical orders (ids, times, numbers, hashes,
/// and JSON that holds them).
const DIFFER: &[&str] = &[
    "id",
    "order_id",
    "ticket_number",
    "created_at",
    "updated_at",
    "at",
    "time",
    "event_id",
    "data",
    "hash",
    "prev_hash",
    "key",
    "response",
    "request_hash",
    "payload",
    "run_at",
    "dedupe_key",
    "sequence",
    "subject",
    "detail",
    "request_id",
    "traceparent",
];

async fn place(app: &TestApp, cashier: &reqwest::Client, body: &Value, key: &str) -> Value {
    cashier.post(app.url("/api/v1/orders")).header("Idempotency-Key", key).json(body).fetch_json().await
}

/// The answer's own text to `body` placed under `key` (asserted `201`).
async fn answer_text(app: &TestApp, cashier: &reqwest::Client, body: &Value, key: &str) -> String {
    let answer =
        cashier.post(app.url("/api/v1/orders")).header("Idempotency-Key", key).json(body).send().await.expect("placed");
    assert_eq!(answer.status(), 201, "{key}");
    answer.text().await.expect("body")
}

/// The sequence and the data (as stored) of the order's `order.placed` event.
async fn placed_event(conn: &mut SqliteConnection, order_id: &str) -> (i64, String) {
    sqlx::query_as("SELECT sequence, data FROM outbox WHERE subject = ? AND event_type = 'order.placed'")
        .bind(order_id)
        .fetch_one(conn)
        .await
        .expect("the order.placed event")
}

#[tokio::test]
async fn an_order_written_directly_is_stored_as_one_written_through_sqlx() {
    let app = spawn_app().await;
    if crate::helpers::on_postgres() {
        app.stop().await; // PostgreSQL has no direct connection
        return;
    }
    let demo = app.demo().await;
    let cashier = app.client_as(CASHIER_PIN).await;
    let body = demo.latte_and_croissant("Ana");
    // The first order is checked; the writer then remembers it and has the menu in memory.
    place(&app, &cashier, &body, "eq-a").await;
    let direct = place(&app, &cashier, &body, "eq-b").await;
    // Without the menu in memory the direct connection steps aside: sqlx writes the next.
    app.state.menu.forget();
    let through_sqlx = place(&app, &cashier, &body, "eq-c").await;
    assert_eq!((direct["ticket_number"].as_i64(), through_sqlx["ticket_number"].as_i64()), (Some(2), Some(3)));

    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", app.config.database_url)).await.expect("db");
    let ids = [direct["id"].as_str().expect("id"), through_sqlx["id"].as_str().expect("id")];
    let tables = [
        ("orders", "id"),
        ("order_lines", "order_id"),
        ("order_status_history", "order_id"),
        ("outbox", "subject"),
        ("audit_log", "subject"),
    ];
    let mut compared = 0;
    for (table, column) in tables {
        let a = cells(&mut conn, table, column, ids[0]).await;
        let b = cells(&mut conn, table, column, ids[1]).await;
        assert!(!a.is_empty(), "{table}: the direct order wrote rows");
        assert_eq!(a.len(), b.len(), "{table}: as many rows each way");
        for (row_a, row_b) in a.iter().zip(&b) {
            for ((name, type_a, value_a), (_, type_b, value_b)) in row_a.iter().zip(row_b) {
                assert_eq!(type_a, type_b, "{table}.{name}: stored as {type_a} directly, {type_b} through sqlx");
                if !DIFFER.contains(&name.as_str()) {
                    assert_eq!(value_a, value_b, "{table}.{name}");
                }
                compared += 1;
            }
        }
    }
    for key in ["eq-b", "eq-c"] {
        let saved = cells(&mut conn, "idempotency_keys", "key", key).await;
        assert_eq!(saved.len(), 1, "the answer for {key} is kept");
    }
    let kept = [
        cells(&mut conn, "idempotency_keys", "key", "eq-b").await,
        cells(&mut conn, "idempotency_keys", "key", "eq-c").await,
    ];
    for ((name, type_a, _), (_, type_b, _)) in kept[0][0].iter().zip(&kept[1][0]) {
        assert_eq!(type_a, type_b, "idempotency_keys.{name}");
    }
    assert!(compared > 60, "compared {compared} cells");
    // Either way the answer is not a second copy of the order: its row names the order's
    // `order.placed` event, whose `order` is the answer.
    for (key, order) in [("eq-b", &direct), ("eq-c", &through_sqlx)] {
        let (response, named): (Option<String>, Option<i64>) =
            sqlx::query_as("SELECT response, event_sequence FROM idempotency_keys WHERE key = ?")
                .bind(key)
                .fetch_one(&mut conn)
                .await
                .expect("answer");
        let (placed, _) = placed_event(&mut conn, order["id"].as_str().expect("id")).await;
        assert_eq!((response, named), (None, Some(placed)), "the answer under {key}");
    }
    // Both answers replay from what was kept, the same bytes as the first time.
    for (key, order) in [("eq-b", &direct), ("eq-c", &through_sqlx)] {
        let text = answer_text(&app, &cashier, &body, key).await;
        assert_eq!(serde_json::from_str::<Value>(&text).expect("json"), *order, "{key}");
        let (_, event) = placed_event(&mut conn, order["id"].as_str().expect("id")).await;
        assert!(event.contains(&text), "{key}: the replay is the event's order, byte for byte");
    }
    app.stop().await;
}

/// The `order` inside an `order.placed` event is the answer's own JSON, byte for byte, by
/// whichever way the order was written: the order is serialised once, not once for the
/// answer and again for its event.
#[tokio::test]
async fn an_order_placed_event_carries_the_answers_json_byte_for_byte() {
    let app = spawn_app().await;
    if crate::helpers::on_postgres() {
        app.stop().await; // PostgreSQL keeps `jsonb`, not the text it was given
        return;
    }
    let demo = app.demo().await;
    let cashier = app.client_as(CASHIER_PIN).await;
    let body = demo.latte_and_croissant("Ana");
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", app.config.database_url)).await.expect("db");
    // Checked, then direct, then through sqlx (the menu forgotten).
    for (key, forget) in [("raw-a", false), ("raw-b", false), ("raw-c", true)] {
        if forget {
            app.state.menu.forget();
        }
        let answer = answer_text(&app, &cashier, &body, key).await;
        let id = serde_json::from_str::<Value>(&answer).expect("json")["id"].as_str().expect("id").to_string();
        let (_, data) = placed_event(&mut conn, &id).await;
        #[derive(serde::Deserialize)]
        struct Placed<'a> {
            #[serde(borrow)]
            order: &'a serde_json::value::RawValue,
            ticket_number: i64,
        }
        let placed: Placed<'_> = serde_json::from_str(&data).expect("event data");
        assert_eq!(placed.order.get(), answer, "{key}: the event's order is the answer's JSON");
        assert_eq!(
            Some(placed.ticket_number),
            serde_json::from_str::<Value>(&answer).expect("json")["ticket_number"].as_i64()
        );
    }
    app.stop().await;
}
