//! Tabs: an order paid in parts over time (what is due shown until the last part, each part
//! its own tender and tip), the shop's setting that keeps an unpaid order from the kitchen
//! until it is paid, and a gateway card's tip raised before capture within the shop's limit.

use crate::helpers::{assert_problem, spawn_app, TestApp, BARISTA_PIN, CASHIER_PIN};
use crate::payments::Gateway;
use crema_shared::api::{KitchenDto, OrderDto};
use crema_shared::close::CloseReport;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::Duration;

async fn send(client: &reqwest::Client, app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = client.post(app.url(path)).json(&body).send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `body` refused with 422 naming `field`, and the order unchanged.
async fn refused(app: &TestApp, client: &reqwest::Client, path: &str, body: Value, field: &str, order: &OrderDto) {
    let response = client.post(app.url(path)).json(&body).send().await.expect("sent");
    let (code, headers) = (response.status(), response.headers().clone());
    let problem: Value = response.json().await.expect("problem");
    assert_problem(code, &headers, &problem, 422, Some(field));
    assert_eq!(app.order(order.id).await.version, order.version, "{body} changed the order");
}

#[tokio::test]
async fn a_tab_is_paid_in_parts_showing_what_is_due_until_the_last() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let demo = app.demo().await;
    let tab = app.place(&demo.latte_and_croissant("Ana")).await;
    let (total, pay) = (tab.total_cents, format!("/api/v1/orders/{}/payment", tab.id));
    assert_eq!((tab.payment_status.as_str(), tab.paid_cents, tab.due_cents), ("unpaid", 0, total));

    // Bad parts: nothing, more than is due, negative; an amount meant for a split.
    refused(&app, &till, &pay, json!({"method": "cash", "tendered_cents": 500, "part_cents": 0}), "part_cents", &tab)
        .await;
    refused(
        &app,
        &till,
        &pay,
        json!({"method": "cash", "tendered_cents": 99_999, "part_cents": total + 1}),
        "part_cents",
        &tab,
    )
    .await;
    refused(
        &app,
        &till,
        &pay,
        json!({"method": "cash", "tendered_cents": 500, "amount_cents": 500}),
        "amount_cents",
        &tab,
    )
    .await;
    refused(
        &app,
        &till,
        &pay,
        json!({"method": "cash", "tendered_cents": 400, "part_cents": 500}),
        "tendered_cents",
        &tab,
    )
    .await;

    // Ana's friend pays 5.00 of it in cash with a 10 % tip on their part, 10.00 handed over.
    let (status, first) = send(
        &till,
        &app,
        &pay,
        json!({"method": "cash", "tendered_cents": 1_000, "part_cents": 500, "tip_percent_bps": 1000}),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    let first: OrderDto = serde_json::from_value(first).expect("order");
    assert_eq!(first.payment_status.as_str(), "partly_paid");
    assert_eq!(
        (first.paid_cents, first.due_cents, first.tip_cents, first.total_cents),
        (550, total - 500, 50, total + 50)
    );
    assert_eq!(first.tenders.len(), 1);
    assert_eq!(
        (first.tenders[0].amount_cents, first.tenders[0].tip_cents, first.tenders[0].change_cents),
        (500, 50, 450)
    );
    // The receipt so far says what is due.
    let page = app.get(&format!("/api/v1/orders/{}/receipt", tab.id)).await.text().await.expect("receipt");
    assert!(page.contains("Due"), "{page}");
    // Mid-day: the part is in the drawer's tender, not yet a sale.
    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X");
    assert_eq!((x.paid_orders, x.part_paid, x.part_paid_cents), (0, 1, 550));
    assert_eq!(x.tenders.iter().find(|t| t.method.as_str() == "cash").map(|t| t.collected_cents), Some(550));

    // Ana pays the rest on the card terminal.
    let (status, last) = send(&till, &app, &pay, json!({"method": "card", "approval_code": "CARD-9"})).await;
    assert_eq!(status, 200, "{last}");
    let last: OrderDto = serde_json::from_value(last).expect("order");
    assert_eq!(last.payment_status.as_str(), "captured");
    assert_eq!((last.paid_cents, last.due_cents, last.total_cents), (total + 50, 0, total + 50));
    assert_eq!(last.tenders.len(), 2);
    assert_eq!(last.tenders[1].reference.as_deref(), Some("terminal:CARD-9"));
    assert_eq!(last.tenders[1].amount_cents, total - 500);
    let (status, _) = send(&till, &app, &pay, json!({"method": "cash", "tendered_cents": 100})).await;
    assert_eq!(status, 409, "paid already");

    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X");
    assert_eq!((x.paid_orders, x.part_paid, x.collected_cents, x.tips_cents), (1, 0, total + 50, 50));
    let card = x.tenders.iter().find(|t| t.method.as_str() == "card").expect("card");
    assert_eq!(card.collected_cents, total - 500);
    // A refund goes back to the last tender (the card) first.
    let (status, refunded) = send(
        &app.client,
        &app,
        &format!("/api/v1/orders/{}/refunds", tab.id),
        json!({"amount_cents": 100, "reason": "cold"}),
    )
    .await;
    assert_eq!(status, 200, "{refunded}");
    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X");
    let card = x.tenders.iter().find(|t| t.method.as_str() == "card").expect("card");
    assert_eq!(card.refunded_cents, 100);
    let audit = app.get("/api/v1/audit?action=payment.captured").await.text().await.expect("audit");
    assert!(audit.contains("\"due_cents\":"), "{audit}");
}

#[tokio::test]
async fn a_cancelled_tab_gives_back_its_parts() {
    let app = spawn_app().await;
    let tab = app.place(&app.demo().await.latte_and_croissant("Bo")).await;
    let pay = format!("/api/v1/orders/{}/payment", tab.id);
    let (status, _) =
        send(&app.client, &app, &pay, json!({"method": "cash", "tendered_cents": 300, "part_cents": 300})).await;
    assert_eq!(status, 200);
    let (status, cancelled) =
        send(&app.client, &app, &format!("/api/v1/orders/{}/cancel", tab.id), json!({"reason": "walked out"})).await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["refunded_cents"].as_i64(), cancelled["due_cents"].as_i64()),
        (Some("cancelled"), Some(300), Some(0))
    );
    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X");
    assert_eq!((x.paid_orders, x.voids, x.part_paid, x.part_paid_cents), (0, 1, 0, 0));
}

#[tokio::test]
async fn with_tabs_off_an_unpaid_order_waits_for_its_payment_before_the_kitchen_sees_it() {
    let app = spawn_app().await;
    let (till, bar) = (app.client_as(CASHIER_PIN).await, app.client_as(BARISTA_PIN).await);
    // Only a manager changes it; a bad limit is named.
    let (status, _) = send_patch(&till, &app, json!({"kitchen_before_paid": false})).await;
    assert_eq!(status, 403);
    let (status, problem) = send_patch(&app.client, &app, json!({"tip_adjust_limit_bps": 10_001})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("tip_adjust_limit_bps")));
    let (status, settings) = send_patch(&app.client, &app, json!({"kitchen_before_paid": false})).await;
    assert_eq!((status, settings["kitchen_before_paid"].as_bool()), (200, Some(false)), "{settings}");

    let demo = app.demo().await;
    let mut paid = demo.latte_and_croissant("Paid");
    paid["payment"] = json!({"method": "cash", "tendered_cents": 5_000});
    let paid = app.place(&paid).await;
    assert!(!paid.kitchen_held, "paid at once: straight to the kitchen");
    let tab = app.place(&demo.latte_and_croissant("Tab")).await;
    assert!(tab.kitchen_held);
    assert!(app.order(tab.id).await.kitchen_held, "stored held");
    let kitchen: KitchenDto =
        bar.get(app.url("/api/v1/kitchen")).send().await.expect("sent").json().await.expect("kitchen");
    assert_eq!(kitchen.orders.iter().map(|o| o.id).collect::<Vec<_>>(), [paid.id], "the tab is not on the display");
    let response = bar.post(app.url(&format!("/api/v1/orders/{}/accept", tab.id))).send().await.expect("sent");
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.expect("problem");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("waits for its payment")), "{problem}");

    // A part does not send it; the rest does, with the whole order for the display.
    let pay = format!("/api/v1/orders/{}/payment", tab.id);
    let (status, part) =
        send(&till, &app, &pay, json!({"method": "cash", "tendered_cents": 200, "part_cents": 200})).await;
    assert_eq!((status, part["kitchen_held"].as_bool()), (200, Some(true)), "{part}");
    let (status, rest) = send(&till, &app, &pay, json!({"method": "card", "approval_code": "A1"})).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest.get("kitchen_held"), None, "no longer held: {rest}");
    let sent: Vec<_> = app.events().await.into_iter().filter(|e| e.event_type == "order.sent_to_kitchen").collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].data["order"]["id"].as_str(), Some(tab.id.to_string().as_str()));
    let placed = app
        .events()
        .await
        .into_iter()
        .find(|e| e.event_type == "order.placed" && e.subject.as_deref() == Some(tab.id.to_string().as_str()))
        .expect("placed");
    assert_eq!(placed.data["order"]["kitchen_held"].as_bool(), Some(true), "the display skips it");
    let kitchen: KitchenDto =
        bar.get(app.url("/api/v1/kitchen")).send().await.expect("sent").json().await.expect("kitchen");
    assert_eq!(kitchen.orders.len(), 2);
    let response = bar.post(app.url(&format!("/api/v1/orders/{}/accept", tab.id))).send().await.expect("sent");
    assert_eq!(response.status(), 200);
}

async fn send_patch(client: &reqwest::Client, app: &TestApp, body: Value) -> (u16, Value) {
    let response = client.patch(app.url("/api/v1/settings")).json(&body).send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_gateway_cards_tip_is_raised_before_capture_within_the_limit_and_captured_with_it() {
    let gateway = Gateway::default();
    gateway.limit.store(100_000, Ordering::SeqCst);
    let url = gateway.clone().start().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crate::helpers::test_config(dir.path().join("crema.db"));
    config.payment_gateway_url = Some(url);
    let app = crate::helpers::spawn_app_with(config, dir).await;
    let till = app.client_as(CASHIER_PIN).await;
    let mut body = app.demo().await.latte_and_croissant("Cy");
    body["payment"] = json!({"method": "card"});
    let order = app.place(&body).await;
    let tip = format!("/api/v1/orders/{}/tip", order.id);
    // Until the card is authorized there is nothing to adjust.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while app.order(order.id).await.payment_status.as_str() != "authorized" {
        assert!(tokio::time::Instant::now() < deadline, "never authorized");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let authorized = app.order(order.id).await;
    let before_tip = authorized.total_cents;
    // Past the shop's 25 %, both shapes, negative: refused by name, nothing changed.
    refused(&app, &till, &tip, json!({"tip_percent_bps": 2_600}), "tip_cents", &authorized).await;
    refused(&app, &till, &tip, json!({"tip_cents": -1}), "tip_cents", &authorized).await;
    refused(&app, &till, &tip, json!({"tip_cents": 1, "tip_percent_bps": 1}), "tip_percent_bps", &authorized).await;
    let (status, tipped) = send(&till, &app, &tip, json!({"tip_percent_bps": 2_000})).await;
    assert_eq!(status, 200, "{tipped}");
    let twenty = (before_tip * 2_000 + 5_000) / 10_000;
    assert_eq!(
        (tipped["tip_cents"].as_i64(), tipped["total_cents"].as_i64()),
        (Some(twenty), Some(before_tip + twenty))
    );
    // Changed again: it replaces the first.
    let (status, tipped) = send(&till, &app, &tip, json!({"tip_cents": 150})).await;
    assert_eq!((status, tipped["total_cents"].as_i64()), (200, Some(before_tip + 150)));
    // A barista may not.
    let bar = app.client_as(BARISTA_PIN).await;
    assert_eq!(send(&bar, &app, &tip, json!({"tip_cents": 100})).await.0, 403);

    // The capture takes the new total, once; after it the tip is fixed.
    let id = order.id;
    assert_eq!(app.post_empty(&format!("/api/v1/orders/{id}/accept")).await.status(), 200);
    for line in &order.lines {
        let line = line.id;
        assert_eq!(app.post_empty(&format!("/api/v1/orders/{id}/lines/{line}/start")).await.status(), 200);
        assert_eq!(app.post_empty(&format!("/api/v1/orders/{id}/lines/{line}/done")).await.status(), 200);
    }
    assert_eq!(app.post_empty(&format!("/api/v1/orders/{id}/complete")).await.status(), 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while app.order(id).await.payment_status.as_str() != "captured" {
        assert!(tokio::time::Instant::now() < deadline, "never captured");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(gateway.operations("capture").iter().map(|(_, a)| *a).collect::<Vec<_>>(), [before_tip + 150]);
    assert_eq!(send(&till, &app, &tip, json!({"tip_cents": 10})).await.0, 409);
    let audit = app.get("/api/v1/audit?action=payment.tip_adjusted").await.text().await.expect("audit");
    assert!(audit.contains("\"previous_cents\":"), "{audit}");
}
