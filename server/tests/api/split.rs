//! One order paid by several tenders at once: cash and a card with its tip, split evenly by
//! three; change only from cash; the X report counts each tender's part; a refund goes back
//! to the tenders last first; bad splits are refused by name and place nothing.

use crate::helpers::{assert_problem, spawn_app, TestApp, CASHIER_PIN};
use crema_shared::api::OrderDto;
use crema_shared::close::CloseReport;
use crema_shared::split::split_evenly;
use crema_shared::Money;
use serde_json::{json, Value};

async fn place(app: &TestApp, client: &reqwest::Client, body: &Value) -> (u16, Value) {
    let response = client.post(app.url("/api/v1/orders")).json(body).send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn refused(app: &TestApp, client: &reqwest::Client, body: &Value, field: &str) {
    let before = app.order_count().await;
    let response = client.post(app.url("/api/v1/orders")).json(body).send().await.expect("sent");
    let (code, headers) = (response.status(), response.headers().clone());
    let problem: Value = response.json().await.expect("problem");
    assert_problem(code, &headers, &problem, 422, Some(field));
    assert_eq!(app.order_count().await, before, "nothing placed for {body}");
}

#[tokio::test]
async fn cash_and_a_card_with_its_tip_pay_one_order_and_the_day_counts_each_part() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let demo = app.demo().await;
    // What the order comes to before tips (an unpaid twin tells).
    let (_, quote) = place(&app, &till, &demo.latte_and_croissant("Quote")).await;
    let due = quote["total_cents"].as_i64().expect("total");

    let mut body = demo.latte_and_croissant("Ana");
    let card_part = due - 500;
    body["split"] = json!([
        {"method": "cash", "amount_cents": 500, "tendered_cents": 1_000},
        {"method": "card", "amount_cents": card_part, "approval_code": "CARD-77", "tip_percent_bps": 1500},
    ]);
    let (status, order) = place(&app, &till, &body).await;
    assert_eq!(status, 201, "{order}");
    let order: OrderDto = serde_json::from_value(order).expect("order");
    let card_tip = (card_part * 1500 + 5_000) / 10_000;
    assert_eq!(order.payment_status.as_str(), "captured");
    assert_eq!(order.tip_cents, card_tip);
    assert_eq!(order.total_cents, due + card_tip);
    assert_eq!(order.tenders.len(), 2);
    assert_eq!((order.tenders[0].change_cents, order.tenders[1].change_cents), (500, 0), "change only from cash");
    assert_eq!(order.tenders[1].tendered_cents, card_part + card_tip);
    assert_eq!(order.tenders[1].reference.as_deref(), Some("terminal:CARD-77"));
    assert_eq!(order.change_due_cents, Some(500));

    // Split evenly by three, all cash, exact.
    let mut even = demo.latte_and_croissant("Ben");
    let parts: Vec<Value> = split_evenly(Money::from_minor(due), 3)
        .iter()
        .map(|m| json!({"method": "cash", "amount_cents": m.minor(), "tendered_cents": m.minor()}))
        .collect();
    even["split"] = json!(parts);
    let (status, thirds) = place(&app, &till, &even).await;
    assert_eq!(status, 201, "{thirds}");

    // The receipt lists both tenders; the X report counts each part under its tender.
    let page = till
        .get(app.url(&format!("/api/v1/orders/{}/receipt", order.id)))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("page");
    assert!(page.contains("Cash") && page.contains("Card"), "{page}");
    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X");
    let tender = |method: &str| x.tenders.iter().find(|t| t.method.as_str() == method).cloned().expect(method);
    assert_eq!(tender("cash").collected_cents, 500 + due);
    assert_eq!((tender("card").collected_cents, tender("card").orders), (card_part + card_tip, 1));
    assert_eq!(x.collected_cents, order.total_cents + due);

    // A refund goes back to the card first (the last tender): the cash in the drawer is untouched.
    let response = app.post(&format!("/api/v1/orders/{}/refunds", order.id), &json!({"amount_cents": 300})).await;
    assert_eq!(response.status().as_u16(), 200);
    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X");
    let tender = |method: &str| x.tenders.iter().find(|t| t.method.as_str() == method).cloned().expect(method);
    assert_eq!((tender("card").refunded_cents, tender("cash").refunded_cents), (300, 0));
    app.stop().await;
}

#[tokio::test]
async fn bad_splits_are_refused_by_name_and_place_nothing() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let demo = app.demo().await;
    let (_, quote) = place(&app, &till, &demo.espresso("Quote")).await;
    let due = quote["total_cents"].as_i64().expect("total");
    let with = |split: Value| {
        let mut body = demo.espresso("Cy");
        body["split"] = split;
        body
    };
    let cash =
        |amount: i64, tendered: i64| json!({"method": "cash", "amount_cents": amount, "tendered_cents": tendered});
    refused(&app, &till, &with(json!([cash(1, 1), cash(1, 1)])), "split").await;
    refused(&app, &till, &with(json!([cash(due, due)])), "split").await;
    refused(&app, &till, &with(json!([cash(1, 0), cash(due - 1, due)])), "split[0].tendered_cents").await;
    refused(
        &app,
        &till,
        &with(json!([cash(1, 1), {"method": "card", "amount_cents": due - 1}])),
        "split[1].approval_code",
    )
    .await;
    refused(
        &app,
        &till,
        &with(json!([cash(1, 1), {"method": "cash", "tendered_cents": due}])),
        "split[1].amount_cents",
    )
    .await;
    let mut both = with(json!([cash(1, 1), cash(due - 1, due)]));
    both["payment"] = json!({"method": "cash", "tendered_cents": due});
    refused(&app, &till, &both, "split").await;
    let mut part_alone = demo.espresso("Dee");
    part_alone["payment"] = json!({"method": "cash", "tendered_cents": due, "amount_cents": 1});
    refused(&app, &till, &part_alone, "payment.amount_cents").await;
    app.stop().await;
}
