//! The audit log: who did what, append-only, readable by managers with filters.

use crate::helpers::FetchJson;
use crate::helpers::{spawn_app, CASHIER_PIN};
use serde_json::{json, Value};

#[tokio::test]
async fn sign_ins_staff_changes_menu_edits_cancellations_and_refunds_are_audited() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    // A failed and a good sign-in.
    let wrong = reqwest::Client::new()
        .post(app.url("/api/v1/sessions"))
        .json(&json!({"pin": "4444"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong.status(), 401);
    let cashier = app.client_as(CASHIER_PIN).await;
    // A staff change, a menu edit, a paid order cancelled (refund).
    assert_eq!(
        app.post("/api/v1/staff", &json!({"name": "Dana", "role": "barista", "pin": "5050"})).await.status(),
        201
    );
    let uri = format!("/api/v1/menu/items/{}/availability", demo.item("Mocha"));
    assert_eq!(
        app.client.put(app.url(&uri)).json(&json!({"available": false})).send().await.expect("sent").status(),
        200
    );
    let mut body = demo.espresso("Ana");
    body["payment"] = json!({"method": "cash", "tendered_cents": 500});
    let order: Value = cashier.post(app.url("/api/v1/orders")).json(&body).fetch_json().await;
    let id = order["id"].as_str().expect("id");
    let cancelled = cashier
        .post(app.url(&format!("/api/v1/orders/{id}/cancel")))
        .json(&json!({"reason": "left"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(cancelled.status(), 200);

    let page: Value = app.get("/api/v1/audit").await.json().await.expect("json");
    let actions: Vec<&str> =
        page["entries"].as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in [
        "sign_in.failed",
        "sign_in.succeeded",
        "staff.created",
        "menu.item.availability",
        "order.cancelled",
        "payment.refunded",
    ] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    let cancel =
        page["entries"].as_array().expect("entries").iter().find(|e| e["action"] == "order.cancelled").expect("entry");
    assert_eq!(cancel["subject"], id);
    assert_eq!(cancel["detail"]["reason"], "left");
    assert!(cancel["staff_id"].is_string() && cancel["request_id"].is_string());

    // Filters.
    let menu: Value = app.get("/api/v1/audit?action=menu.").await.json().await.expect("json");
    assert!(menu["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .all(|e| e["action"].as_str().is_some_and(|a| a.starts_with("menu."))));
    let by_cashier: Value = app
        .get(&format!("/api/v1/audit?staff_id={}", cancel["staff_id"].as_str().expect("id")))
        .await
        .json()
        .await
        .expect("json");
    assert!(by_cashier["entries"].as_array().expect("entries").iter().all(|e| e["staff_id"] == cancel["staff_id"]));
    assert_eq!(app.get("/api/v1/audit?limit=0").await.status(), 400);
    assert_eq!(app.get("/api/v1/audit?since=monday").await.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let app = spawn_app().await;
    let db = app.dir.path().join("crema.db");
    let mut conn =
        <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}", db.display())).await.expect("db");
    let count = || sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log");
    let before = count().fetch_one(&mut conn).await.expect("count");
    assert!(before >= 1, "the manager's sign-in is audited");
    assert!(sqlx::query("UPDATE audit_log SET action = 'nothing'").execute(&mut conn).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_log").execute(&mut conn).await.is_err());
    assert_eq!(count().fetch_one(&mut conn).await.expect("count"), before);
    app.stop().await;
}
