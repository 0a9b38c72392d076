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
    // A cashier may not refund alone (a manager's PIN is asked for), a barista not at all.
    let cashier = app.client_as(crate::helpers::CASHIER_PIN).await;
    let alone = cashier
        .post(app.url(&format!("/api/v1/orders/{id}/refunds")))
        .json(&json!({"amount_cents": 1}))
        .send()
        .await
        .expect("sent");
    assert_eq!(alone.status(), 422);
    assert_eq!(alone.json::<Value>().await.expect("json")["errors"][0]["field"], "approval_pin");
    let barista = app.client_as(crate::helpers::BARISTA_PIN).await;
    let denied = barista
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

/// Steps `kind`'s jobs at ever later clock times until one is dead; returns its id.
async fn until_dead(app: &TestApp, kind: &str) -> uuid::Uuid {
    use crema_server::service::jobs::{self, StepOutcome};
    let mut t = chrono::Utc::now() + chrono::Duration::hours(1);
    for _ in 0..40 {
        match jobs::step_at(&app.state, t).await.expect("step") {
            StepOutcome::Dead { kind: dead, id, .. } if dead == kind => return id,
            _ => t += chrono::Duration::hours(1),
        }
    }
    panic!("no {kind} job died");
}

/// A captured card order whose refund of the whole total reached the gateway, which paid it,
/// but whose answers were all lost, so the refund job died. Returns (order id, total, job id).
async fn refund_lost_on_the_way_back(app: &TestApp, gateway: &Gateway) -> (String, i64, uuid::Uuid) {
    let order = card_order(app).await;
    let id = order["id"].as_str().expect("id").to_string();
    let total = order["total_cents"].as_i64().expect("total");
    wait_for_payment(app, &id, "authorized").await;
    complete(app, &order).await;
    wait_for_payment(app, &id, "captured").await;
    gateway.lost_answers.store(1_000_000, Ordering::SeqCst);
    let refund = app.post(&format!("/api/v1/orders/{id}/refunds"), &json!({"amount_cents": total})).await;
    assert_eq!(refund.status(), 202);
    let job = until_dead(app, "payment.refund").await;
    gateway.lost_answers.store(0, Ordering::SeqCst);
    assert_eq!(gateway.operations("refunds"), vec![("auth_0".to_string(), total)], "the gateway paid it");
    let now = app.client.get(app.url(&format!("/api/v1/orders/{id}"))).fetch_json().await;
    assert_eq!(now["refunded_cents"], 0, "but the order could not record it");
    (id, total, job)
}

#[tokio::test]
async fn a_refund_the_gateway_may_have_paid_is_never_paid_twice() {
    let gateway = Gateway::default();
    let app = app_with_gateway(&gateway).await;
    let (id, total, job) = refund_lost_on_the_way_back(&app, &gateway).await;
    // Asking again while it is unresolved would pay it twice: refused, naming why.
    let again = app.post(&format!("/api/v1/orders/{id}/refunds"), &json!({"amount_cents": total})).await;
    assert_eq!(again.status(), 422);
    let problem: Value = again.json().await.expect("problem");
    assert_eq!(problem["errors"][0]["field"], "amount_cents");
    assert!(problem["errors"][0]["message"].as_str().is_some_and(|m| m.contains("may have paid")), "{problem}");
    // Bad answers change nothing.
    let path = format!("/api/v1/orders/{id}/refunds/{job}/resolve");
    let missing = app.post(&path, &json!({"reason": "checked"})).await;
    assert_eq!(missing.status(), 422);
    assert_eq!(missing.json::<Value>().await.expect("problem")["errors"][0]["field"], "paid");
    assert_eq!(app.post(&path, &json!({"paid": true, "reason": " "})).await.status(), 422);
    let cashier = app.client_as(crate::helpers::CASHIER_PIN).await;
    let denied = cashier.post(app.url(&path)).json(&json!({"paid": true, "reason": "x"})).send().await.expect("sent");
    assert_eq!(denied.status(), 403);
    // The manager sees it in the gateway's dashboard: paid.
    let resolved = app.post(&path, &json!({"paid": true, "reason": "in the gateway's dashboard"})).await;
    assert_eq!(resolved.status(), 200);
    let order: Value = resolved.json().await.expect("order");
    assert_eq!(order["refunded_cents"], total);
    assert_eq!(order["payment_status"], "refunded");
    assert_eq!(app.post(&path, &json!({"paid": true, "reason": "twice"})).await.status(), 409);
    assert_eq!(app.post_empty(&format!("/api/v1/jobs/{job}/retry")).await.status(), 409, "never retried");
    assert_eq!(app.post(&format!("/api/v1/orders/{id}/refunds"), &json!({"amount_cents": 1})).await.status(), 409);
    let paid: i64 = gateway.operations("refunds").iter().map(|(_, a)| a).sum();
    assert_eq!(paid, total, "paid back once");
    let audit = app.client.get(app.url("/api/v1/audit?action=payment.refund.resolved")).fetch_json().await;
    assert!(audit.to_string().contains("in the gateway's dashboard"), "{audit}");
    app.stop().await;
}

#[tokio::test]
async fn a_refund_resolved_as_not_paid_can_be_refunded_again() {
    let gateway = Gateway::default();
    let app = app_with_gateway(&gateway).await;
    let (id, total, job) = refund_lost_on_the_way_back(&app, &gateway).await;
    let path = format!("/api/v1/orders/{id}/refunds/{job}/resolve");
    let resolved = app.post(&path, &json!({"paid": false, "reason": "not in the gateway's dashboard"})).await;
    assert_eq!(resolved.status(), 200);
    assert_eq!(resolved.json::<Value>().await.expect("order")["refunded_cents"], 0);
    let again = app.post(&format!("/api/v1/orders/{id}/refunds"), &json!({"amount_cents": total})).await;
    assert_eq!(again.status(), 202, "the amount is free again");
    wait_for_payment(&app, &id, "refunded").await;
    app.stop().await;
}
