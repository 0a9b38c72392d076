//! Two shops in one PostgreSQL database, each served by its own instance connecting as an
//! ordinary role (not a superuser, which row-level security would not hold). Nothing one
//! shop's staff, sessions or requests can do reads or changes the other's data: its PINs do
//! not sign in there, its tokens are refused there, its orders are not found, listed,
//! streamed, moved or reported there, and each shop numbers its tickets and events on its own.

use crema_e2e::binary::start_on;
use crema_e2e::http::{client_with, sign_in, SseReader, MANAGER_PIN};
use crema_e2e::postgres::Postgres;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

#[tokio::test]
async fn no_request_of_one_shop_reads_or_changes_anothers_data() {
    let postgres = Postgres::start();
    let admin = postgres.create_database("chain");
    // An ordinary role that owns the database (and so the tables Crema creates in it).
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.expect("connect");
    for statement in [
        "CREATE ROLE shops LOGIN NOSUPERUSER NOBYPASSRLS",
        "ALTER DATABASE chain OWNER TO shops",
        "ALTER SCHEMA public OWNER TO shops",
    ] {
        sqlx::query(statement).execute(&mut conn).await.expect(statement);
    }
    let url = admin.replacen("postgres://crema@", "postgres://shops@", 1);
    let dir = tempfile::tempdir().expect("dir");
    let key = dir.path().join("chain.key");
    let key = key.to_str().expect("path");
    let north = start_on(Path::new(&url), 0, &[("CREMA_KEY_FILE", key), ("CREMA_SHOP_ID", "north")]);
    let south = start_on(Path::new(&url), 0, &[("CREMA_KEY_FILE", key), ("CREMA_SHOP_ID", "south")]);

    // Each shop is seeded on its own: its own menu, its own (demo) staff.
    let north_manager = client_with(&sign_in(&north.base, MANAGER_PIN).await);
    let south_manager = client_with(&sign_in(&south.base, MANAGER_PIN).await);
    let staff = north_manager
        .post(format!("{}/api/v1/staff", north.base))
        .json(&json!({"name": "Nora North", "role": "manager", "pin": "48213"}))
        .send()
        .await
        .expect("staff");
    assert_eq!(staff.status(), 201);
    let north_menu: Value = north_manager
        .get(format!("{}/api/v1/menu", north.base))
        .send()
        .await
        .expect("menu")
        .json()
        .await
        .expect("json");
    let south_menu: Value = south_manager
        .get(format!("{}/api/v1/menu", south.base))
        .send()
        .await
        .expect("menu")
        .json()
        .await
        .expect("json");
    assert_ne!(north_menu["categories"][0]["id"], south_menu["categories"][0]["id"], "one menu for two shops");

    let mut south_events =
        SseReader::connect(&south_manager, &format!("{}/api/v1/events?after=0", south.base), None).await;
    let espresso = north_menu["categories"][0]["items"][0]["id"].clone();
    let body = json!({"customer_name": "Ana", "lines": [{"item_id": espresso, "quantity": 1}]});
    let placed = north_manager.post(format!("{}/api/v1/orders", north.base)).json(&body).send().await.expect("order");
    assert_eq!(placed.status(), 201);
    let order: Value = placed.json().await.expect("json");
    let id = order["id"].as_str().expect("id");

    // North's PIN, token, order and menu mean nothing at south.
    let refused = reqwest::Client::new()
        .post(format!("{}/api/v1/sessions", south.base))
        .json(&json!({"pin": "48213"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 401, "north's PIN signed in at south");
    let north_token_at_south = north_manager.get(format!("{}/api/v1/orders", south.base)).send().await.expect("sent");
    assert_eq!(north_token_at_south.status(), 401, "north's session is valid at south");
    let get = south_manager.get(format!("{}/api/v1/orders/{id}", south.base)).send().await.expect("sent");
    assert_eq!(get.status(), 404, "south reads north's order");
    let cancel = south_manager
        .post(format!("{}/api/v1/orders/{id}/cancel", south.base))
        .json(&json!({"reason": "not ours"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(cancel.status(), 404, "south moves north's order");
    let listed: Value = south_manager
        .get(format!("{}/api/v1/orders", south.base))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["orders"].as_array().map(Vec::len), Some(0), "south lists north's orders: {listed}");
    let kitchen: Value = south_manager
        .get(format!("{}/api/v1/kitchen", south.base))
        .send()
        .await
        .expect("kitchen")
        .json()
        .await
        .expect("json");
    assert_eq!(kitchen["orders"].as_array().map(Vec::len), Some(0), "south's kitchen shows north's tickets");
    let with_north_item =
        south_manager.post(format!("{}/api/v1/orders", south.base)).json(&body).send().await.expect("sent");
    assert_eq!(with_north_item.status(), 422, "south sells from north's menu");
    let report: Value = south_manager
        .get(format!("{}/api/v1/reports/day", south.base))
        .send()
        .await
        .expect("report")
        .json()
        .await
        .expect("json");
    assert_eq!(report["orders"], 0, "south's report counts north's orders: {report}");
    // South's stream carries only south's events; its own first order is ticket 1, event 1.
    let south_espresso = south_menu["categories"][0]["items"][0]["id"].clone();
    let south_order: Value = south_manager
        .post(format!("{}/api/v1/orders", south.base))
        .json(&json!({"customer_name": "Bo", "lines": [{"item_id": south_espresso, "quantity": 1}]}))
        .send()
        .await
        .expect("order")
        .json()
        .await
        .expect("json");
    assert_eq!(south_order["ticket_number"], 1);
    let message = south_events.next(Duration::from_secs(10)).await.expect("south's event");
    let event: Value = serde_json::from_str(&message.data).expect("event");
    assert_eq!(message.id.as_deref(), Some("1"), "south's events are numbered on their own");
    assert_eq!(event["subject"], south_order["id"], "south's stream carried another shop's event");
    // North still has its order, untouched.
    let still: Value = north_manager
        .get(format!("{}/api/v1/orders/{id}", north.base))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(still["status"], "placed");
    north.kill();
    south.kill();
}
