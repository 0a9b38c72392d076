//! The card payment saga against a real HTTP gateway started by the test: authorized at
//! placement, captured on completion, voided on cancel, refunded on request; declines leave
//! the order unpaid and say why; a flaky gateway is retried; nothing is charged twice.

use crate::helpers::{spawn_app_with, FetchJson, TestApp};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::Duration;

pub(crate) use crema_e2e::gateway::Gateway;

async fn app_with_gateway(gateway: &Gateway) -> TestApp {
    gateway.limit.store(100_000, Ordering::SeqCst);
    let url = gateway.clone().start().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crate::helpers::test_config(dir.path().join("crema.db"));
    config.payment_gateway_url = Some(url);
    spawn_app_with(config, dir).await
}

async fn wait_for_payment(app: &TestApp, id: &str, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let order = app.client.get(app.url(&format!("/api/v1/orders/{id}"))).fetch_json().await;
        if order["payment_status"] == status {
            return order;
        }
        assert!(tokio::time::Instant::now() < deadline, "payment never became {status}: {order}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn card_order(app: &TestApp) -> Value {
    let demo = app.demo().await;
    let mut body = demo.latte_and_croissant("Ana");
    body["payment"] = json!({"method": "card"});
    let response = app.post("/api/v1/orders", &body).await;
    assert_eq!(response.status(), 201);
    response.json().await.expect("json")
}

async fn complete(app: &TestApp, order: &Value) {
    let id = order["id"].as_str().expect("id");
    assert_eq!(app.post_empty(&format!("/api/v1/orders/{id}/accept")).await.status(), 200);
    for line in order["lines"].as_array().expect("lines") {
        let line = line["id"].as_str().expect("line");
        assert_eq!(app.post_empty(&format!("/api/v1/orders/{id}/lines/{line}/start")).await.status(), 200);
        assert_eq!(app.post_empty(&format!("/api/v1/orders/{id}/lines/{line}/done")).await.status(), 200);
    }
    assert_eq!(app.post_empty(&format!("/api/v1/orders/{id}/complete")).await.status(), 200);
}

#[tokio::test]
async fn a_card_is_authorized_at_placement_and_captured_once_on_completion_despite_a_flaky_gateway() {
    let gateway = Gateway::default();
    let app = app_with_gateway(&gateway).await;
    gateway.failures_left.store(2, Ordering::SeqCst);
    let order = card_order(&app).await;
    assert_eq!(order["payment_status"], "unpaid");
    let id = order["id"].as_str().expect("id").to_string();
    let authorized = wait_for_payment(&app, &id, "authorized").await;
    assert_eq!(authorized["payment_reference"], "auth_0");
    complete(&app, &order).await;
    let captured = wait_for_payment(&app, &id, "captured").await;
    assert_eq!(captured["payment_method"], "card");
    assert_eq!(
        gateway.operations("capture"),
        vec![("auth_0".to_string(), order["total_cents"].as_i64().expect("total"))]
    );
    let types: Vec<String> =
        app.events().await.into_iter().map(|e| e.event_type).filter(|t| t.starts_with("payment.")).collect();
    assert_eq!(types, ["payment.authorized", "payment.captured"]);
    app.stop().await;
}

#[tokio::test]
async fn a_declined_card_leaves_the_order_unpaid_and_says_why() {
    let gateway = Gateway::default();
    let app = app_with_gateway(&gateway).await;
    gateway.limit.store(100, Ordering::SeqCst);
    let order = card_order(&app).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let failed = loop {
        if let Some(event) = app.events().await.into_iter().find(|e| e.event_type == "payment.failed") {
            break event;
        }
        assert!(tokio::time::Instant::now() < deadline, "no payment.failed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(failed.data["reason"], "insufficient funds");
    let now =
        app.client.get(app.url(&format!("/api/v1/orders/{}", order["id"].as_str().expect("id")))).fetch_json().await;
    assert_eq!(now["payment_status"], "unpaid");
    // The cashier can still take it another way.
    let cash = app
        .post(
            &format!("/api/v1/orders/{}/payment", order["id"].as_str().expect("id")),
            &json!({"method": "cash", "tendered_cents": 2000}),
        )
        .await;
    assert_eq!(cash.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn cancelling_an_authorized_order_voids_it() {
    let gateway = Gateway::default();
    let app = app_with_gateway(&gateway).await;
    let order = card_order(&app).await;
    let id = order["id"].as_str().expect("id").to_string();
    wait_for_payment(&app, &id, "authorized").await;
    assert_eq!(app.post(&format!("/api/v1/orders/{id}/cancel"), &json!({"reason": "left"})).await.status(), 200);
    wait_for_payment(&app, &id, "voided").await;
    assert_eq!(gateway.operations("void").len(), 1);
    assert!(gateway.operations("capture").is_empty());
    app.stop().await;
}

#[tokio::test]
async fn managers_refund_part_then_the_rest_and_not_more() {
    let gateway = Gateway::default();
    let app = app_with_gateway(&gateway).await;
    let order = card_order(&app).await;
    let id = order["id"].as_str().expect("id").to_string();
    let total = order["total_cents"].as_i64().expect("total");
    wait_for_payment(&app, &id, "authorized").await;
    complete(&app, &order).await;
    wait_for_payment(&app, &id, "captured").await;

    let partial = app.post(&format!("/api/v1/orders/{id}/refunds"), &json!({"amount_cents": 300})).await;
    assert_eq!(partial.status(), 202);
    // The first refund is still on its way: it counts already.
    let too_much = app.post(&format!("/api/v1/orders/{id}/refunds"), &json!({"amount_cents": total})).await;
    assert_eq!(too_much.status(), 422);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = app.client.get(app.url(&format!("/api/v1/orders/{id}"))).fetch_json().await;
        if now["refunded_cents"] == 300 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "partial refund never recorded: {now}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rest = app.post(&format!("/api/v1/orders/{id}/refunds"), &json!({"amount_cents": total})).await;
    assert_eq!(rest.status(), 422, "more than is left");
    assert_eq!(rest.json::<Value>().await.expect("json")["errors"][0]["field"], "amount_cents");
    assert_eq!(
        app.post(&format!("/api/v1/orders/{id}/refunds"), &json!({"amount_cents": total - 300})).await.status(),
        202
    );
    wait_for_payment(&app, &id, "refunded").await;
    let refunds: i64 = gateway.operations("refunds").iter().map(|(_, a)| a).sum();
    assert!(refunds >= total, "the gateway gave back {refunds} of {total}");
    // A cashier may not refund.
    let cashier = app.client_as(crate::helpers::CASHIER_PIN).await;
    let denied = cashier
        .post(app.url(&format!("/api/v1/orders/{id}/refunds")))
        .json(&json!({"amount_cents": 1}))
        .send()
        .await
        .expect("sent");
    assert_eq!(denied.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn a_terminal_approval_is_paid_at_once_and_refunded_at_the_till_on_cancel() {
    let gateway = Gateway::default();
    let app = app_with_gateway(&gateway).await;
    let demo = app.demo().await;
    let mut body = demo.espresso("Ana");
    body["payment"] = json!({"method": "card", "approval_code": "A1B2-C3"});
    let order: Value = app.post("/api/v1/orders", &body).await.json().await.expect("json");
    assert_eq!(
        (order["payment_status"].as_str(), order["payment_reference"].as_str()),
        (Some("captured"), Some("terminal:A1B2-C3"))
    );
    let id = order["id"].as_str().expect("id");
    let cancelled: Value =
        app.post(&format!("/api/v1/orders/{id}/cancel"), &json!({"reason": "left"})).await.json().await.expect("json");
    assert_eq!(cancelled["payment_status"], "refunded");
    assert!(gateway.done.lock().expect("lock").is_empty(), "the gateway is never involved");
    for (payment, field) in [
        (json!({"method": "card", "tendered_cents": 500}), "payment.tendered_cents"),
        (json!({"method": "card", "approval_code": "no spaces allowed"}), "payment.approval_code"),
        (json!({"method": "cash"}), "payment.tendered_cents"),
    ] {
        let mut body = demo.espresso("Ben");
        body["payment"] = payment.clone();
        let response = app.post("/api/v1/orders", &body).await;
        assert_eq!(response.status(), 422, "{payment}");
        assert_eq!(response.json::<Value>().await.expect("json")["errors"][0]["field"], field, "{payment}");
    }
    app.stop().await;
}
