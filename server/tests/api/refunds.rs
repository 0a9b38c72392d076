//! Refunds at the till: by line with a reason, a cashier with a manager's PIN on the spot, a
//! manager alone; what a line gives back is its share of the order; bad refunds are refused by
//! name and give nothing back.

use crate::helpers::{assert_problem, spawn_app, TestApp, CASHIER_PIN, MANAGER_PIN};
use crema_shared::api::{AuditPage, OrderDto, SessionDto};
use serde_json::{json, Value};

async fn refund(client: &reqwest::Client, app: &TestApp, order: &OrderDto, body: Value) -> (u16, Value) {
    let response =
        client.post(app.url(&format!("/api/v1/orders/{}/refunds", order.id))).json(&body).send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn refused(client: &reqwest::Client, app: &TestApp, order: &OrderDto, body: Value, field: &str) {
    let response =
        client.post(app.url(&format!("/api/v1/orders/{}/refunds", order.id))).json(&body).send().await.expect("sent");
    let (code, headers) = (response.status(), response.headers().clone());
    let problem: Value = response.json().await.expect("problem");
    assert_problem(code, &headers, &problem, 422, Some(field));
    assert_eq!(app.order(order.id).await.refunded_cents, order.refunded_cents, "nothing given back for {body}");
}

#[tokio::test]
async fn a_cashier_refunds_a_line_with_a_managers_pin_and_the_reason_is_kept() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let mut body = app.demo().await.latte_and_croissant("Ana");
    body["payment"] = json!({"method": "cash", "tendered_cents": 2_000, "tip_cents": 100});
    let order = app.place(&body).await;
    let croissant = order.lines[1].id;

    refused(&till, &app, &order, json!({"line_ids": [croissant], "reason": "stale"}), "approval_pin").await;
    refused(
        &till,
        &app,
        &order,
        json!({"line_ids": [croissant], "reason": "stale", "approval_pin": CASHIER_PIN}),
        "approval_pin",
    )
    .await;
    refused(&app.client, &app, &order, json!({"line_ids": [croissant], "amount_cents": 10}), "amount_cents").await;
    refused(&app.client, &app, &order, json!({"reason": "nothing said"}), "amount_cents").await;
    refused(&app.client, &app, &order, json!({"line_ids": [uuid::Uuid::now_v7()]}), "line_ids[0]").await;
    refused(&app.client, &app, &order, json!({"line_ids": [croissant, croissant]}), "line_ids[1]").await;
    refused(&app.client, &app, &order, json!({"amount_cents": 10, "reason": "x".repeat(141)}), "reason").await;

    let before_tip = order.total_cents - order.tip_cents;
    let share = (2 * before_tip * order.lines[1].line_total_cents + order.subtotal_cents) / (2 * order.subtotal_cents);
    let (status, after) =
        refund(&till, &app, &order, json!({"line_ids": [croissant], "reason": "stale", "approval_pin": MANAGER_PIN}))
            .await;
    assert_eq!(status, 200, "{after}");
    let after: OrderDto = serde_json::from_value(after).expect("order");
    assert_eq!(after.refunded_cents, share, "the croissant's share, tax included");
    let manager: SessionDto = app.get("/api/v1/sessions/current").await.json().await.expect("manager");
    let audit: AuditPage = app.get("/api/v1/audit?limit=200").await.json().await.expect("audit");
    let given = audit.entries.iter().find(|e| e.action == "payment.refund.given").expect("audited");
    assert_eq!(given.detail["reason"], "stale");
    assert_eq!(given.detail["line_ids"], json!([croissant]));
    assert_eq!(given.detail["approved_by"], json!(manager.staff.id));

    // The manager gives the latte back alone: the two lines come to the order before its tip.
    let (status, all) =
        refund(&app.client, &app, &after, json!({"line_ids": [order.lines[0].id], "reason": "cold"})).await;
    assert_eq!(status, 200, "{all}");
    let all: OrderDto = serde_json::from_value(all).expect("order");
    let latte_share = before_tip - share;
    assert_eq!(all.refunded_cents, share + latte_share);
    assert_eq!(all.refunded_cents, before_tip, "the tip stays unless given back as an amount");
    app.stop().await;
}
