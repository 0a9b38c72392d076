//! A retried create (same Idempotency-Key) never makes a second order or charge.

use crate::helpers::spawn_app;
use serde_json::{json, Value};

#[tokio::test]
async fn same_key_same_body_returns_the_first_answer() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let body = demo.latte_and_croissant("Ana");
    let send =
        || app.client.post(app.url("/api/v1/orders")).header("idempotency-key", "till-1-0001").json(&body).send();
    let first = send().await.expect("sent");
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.expect("json");
    let retry = send().await.expect("sent");
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    assert_eq!(retry.json::<Value>().await.expect("json"), first);
    assert_eq!(app.order_count().await, 1);
    assert_eq!(app.events().await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn key_order_and_whitespace_do_not_make_a_different_body() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let espresso = demo.item("Espresso");
    let a = format!(r#"{{"customer_name":"Ana","lines":[{{"item_id":"{espresso}","quantity":1}}]}}"#);
    let b = format!(r#"{{ "lines" : [ {{ "quantity" : 1, "item_id" : "{espresso}" }} ], "customer_name" : "Ana" }}"#);
    for body in [a, b] {
        let response = app
            .client
            .post(app.url("/api/v1/orders"))
            .header("idempotency-key", "k")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 201);
    }
    assert_eq!(app.order_count().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn same_key_different_body_is_422_and_changes_nothing() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let send =
        |body: Value| app.client.post(app.url("/api/v1/orders")).header("idempotency-key", "k-1").json(&body).send();
    assert_eq!(send(demo.espresso("Ana")).await.expect("sent").status(), 201);
    let other = send(demo.espresso("Ben")).await.expect("sent");
    assert_eq!(other.status(), 422);
    assert_eq!(other.json::<Value>().await.expect("json")["type"], "/problems/idempotency-key-reused");
    assert_eq!(app.order_count().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_retries_of_one_key_make_one_order() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let body = demo.latte_and_croissant("Ana");
    let mut tasks = Vec::new();
    for _ in 0..24 {
        let client = app.client.clone();
        let url = app.url("/api/v1/orders");
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let response = client.post(url).header("idempotency-key", "race").json(&body).send().await.expect("sent");
            (response.status().as_u16(), response.json::<Value>().await.expect("json"))
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert_eq!(status, 201);
        ids.insert(body["id"].as_str().expect("id").to_string());
    }
    assert_eq!(ids.len(), 1, "retries made different orders: {ids:?}");
    assert_eq!(app.order_count().await, 1);
    assert_eq!(app.events().await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_client_made_id_makes_a_resend_safe_without_a_key() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let mut body = demo.espresso("Ana");
    body["id"] = json!(uuid::Uuid::now_v7());
    let first = app.place(&body).await;
    let again = app.place(&body).await;
    assert_eq!((first.id, first.ticket_number), (again.id, again.ticket_number));
    body["customer_name"] = json!("Someone else");
    let clash = app.post("/api/v1/orders", &body).await;
    assert_eq!(clash.status(), 409);
    assert_eq!(app.order_count().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_retried_payment_with_a_key_charges_once() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let order = app.place(&demo.espresso("Ana")).await;
    let url = app.url(&format!("/api/v1/orders/{}/payment", order.id));
    let pay = || {
        app.client
            .post(&url)
            .header("idempotency-key", "pay-1")
            .json(&json!({"method": "cash", "tendered_cents": 500}))
            .send()
    };
    let first = pay().await.expect("sent");
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.expect("json");
    let retry = pay().await.expect("sent");
    assert_eq!(retry.status(), 200);
    assert_eq!(retry.json::<Value>().await.expect("json"), first);
    let captured = app.events().await.into_iter().filter(|e| e.event_type == "payment.captured").count();
    assert_eq!(captured, 1);
    app.stop().await;
}

/// The answers' keys are found through an index the server builds when it opens the file
/// (SQLite): a retry that comes after a restart still gets the first answer, for an order and
/// for a change to it, and another request under a used key is still refused.
#[tokio::test]
async fn a_retry_after_the_server_restarts_gets_the_first_answer() {
    let dir = tempfile::tempdir().expect("dir");
    let config = crate::helpers::test_config(dir.path().join("crema.db"));
    let app = crate::helpers::spawn_app_with(config.clone(), tempfile::tempdir().expect("spare")).await;
    let demo = app.demo().await;
    let body = demo.latte_and_croissant("Ana");
    let order_key = uuid::Uuid::new_v4().to_string();
    let place = |app: &crate::helpers::TestApp, body: &Value| {
        app.client.post(app.url("/api/v1/orders")).header("idempotency-key", &order_key).json(body).send()
    };
    let first: Value = place(&app, &body).await.expect("sent").json().await.expect("json");
    let pay_url = format!("/api/v1/orders/{}/payment", first["id"].as_str().expect("id"));
    let pay = |app: &crate::helpers::TestApp| {
        app.client
            .post(app.url(&pay_url))
            .header("idempotency-key", "pay-after-restart")
            .json(&json!({"method": "cash", "tendered_cents": 5000}))
            .send()
    };
    let paid = pay(&app).await.expect("sent");
    assert_eq!(paid.status(), 200);
    let paid: Value = paid.json().await.expect("json");
    app.stop().await;

    let app = crate::helpers::spawn_app_with(config, tempfile::tempdir().expect("spare")).await;
    let retry = place(&app, &body).await.expect("sent");
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    assert_eq!(retry.json::<Value>().await.expect("json"), first);
    let paid_again = pay(&app).await.expect("sent");
    assert_eq!(paid_again.status(), 200);
    assert_eq!(paid_again.json::<Value>().await.expect("json"), paid);
    let other = place(&app, &demo.espresso("Ben")).await.expect("sent");
    assert_eq!(other.status(), 422);
    assert_eq!(app.order_count().await, 1);
    let captured = app.events().await.into_iter().filter(|e| e.event_type == "payment.captured").count();
    assert_eq!(captured, 1);
    app.stop().await;
}
