//! Voiding one line of an order not yet paid in full: priced again without it (its discount
//! gone, the order's percentage worked out again, tax once more), struck on the kitchen's
//! copy, its stock back, audited with why and who approved; a cashier needs a manager's PIN;
//! a paid order refunds the line instead; the day's report counts line voids.

use crate::helpers::{assert_problem, spawn_app, TestApp, BARISTA_PIN, CASHIER_PIN, MANAGER_PIN};
use crema_shared::api::OrderDto;
use crema_shared::close::CloseReport;
use serde_json::{json, Value};

async fn void(client: &reqwest::Client, app: &TestApp, order: &OrderDto, line: usize, body: Value) -> (u16, Value) {
    let path = format!("/api/v1/orders/{}/lines/{}/void", order.id, order.lines[line].id);
    let response = client.post(app.url(&path)).json(&body).send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_cashier_voids_a_line_of_a_tab_with_a_managers_pin_and_the_order_is_priced_again() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let demo = app.demo().await;
    let tab = app.place(&demo.latte_and_croissant("Eve")).await;
    let croissant = tab.lines.iter().position(|l| l.name == "Croissant").expect("croissant");
    let latte = 1 - croissant;

    // Refused, changing nothing: no reason; a cashier without a PIN, with a barista's.
    let (status, problem) = void(&till, &app, &tab, croissant, json!({})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("reason")), "{problem}");
    let (status, problem) = void(&till, &app, &tab, croissant, json!({"reason": "changed mind"})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("approval_pin")), "{problem}");
    let (status, _) = void(&till, &app, &tab, croissant, json!({"reason": "x", "approval_pin": BARISTA_PIN})).await;
    assert_eq!(status, 422);
    let bar = app.client_as(BARISTA_PIN).await;
    assert_eq!(void(&bar, &app, &tab, croissant, json!({"reason": "x"})).await.0, 403);
    assert_eq!(app.order(tab.id).await.version, tab.version, "nothing changed");

    let (status, voided) =
        void(&till, &app, &tab, croissant, json!({"reason": "changed mind", "approval_pin": MANAGER_PIN})).await;
    assert_eq!(status, 200, "{voided}");
    let voided: OrderDto = serde_json::from_value(voided).expect("order");
    assert_eq!(voided.lines[croissant].status.as_str(), "voided");
    let latte_total = tab.lines[latte].line_total_cents;
    assert_eq!(voided.subtotal_cents, latte_total);
    assert!(voided.total_cents < tab.total_cents && voided.tax_cents < tab.tax_cents, "{voided:?}");
    assert_eq!(voided.due_cents, voided.total_cents);
    // Twice, the last line, an unknown line: refused.
    assert_eq!(void(&app.client, &app, &voided, croissant, json!({"reason": "again"})).await.0, 409);
    let (status, problem) = void(&app.client, &app, &voided, latte, json!({"reason": "all"})).await;
    assert!(status == 409 && problem["detail"].as_str().is_some_and(|d| d.contains("cancel the order")), "{problem}");
    let path = format!("/api/v1/orders/{}/lines/{}/void", tab.id, uuid::Uuid::now_v7());
    let response = app.client.post(app.url(&path)).json(&json!({"reason": "ghost"})).send().await.expect("sent");
    let (code, headers) = (response.status(), response.headers().clone());
    assert_problem(code, &headers, &response.json().await.expect("problem"), 404, None);

    // The kitchen's event, the audit row with the approver, the day's report.
    let event = app.events().await.into_iter().find(|e| e.event_type == "order.line.voided").expect("event");
    assert_eq!(event.data["line_id"].as_str(), Some(tab.lines[croissant].id.to_string().as_str()));
    assert_eq!(event.data["amount_cents"].as_i64(), Some(tab.lines[croissant].line_total_cents));
    let audit: Value = app.get("/api/v1/audit?action=order.line.voided").await.json().await.expect("audit");
    let entry = &audit["entries"][0];
    assert_eq!(entry["detail"]["reason"].as_str(), Some("changed mind"), "{audit}");
    assert!(entry["detail"]["approved_by"].is_string(), "{audit}");
    // Paid now: exactly the new total; the receipt leaves the croissant off.
    let pay = json!({"method": "cash", "tendered_cents": voided.total_cents});
    let response =
        till.post(app.url(&format!("/api/v1/orders/{}/payment", tab.id))).json(&pay).send().await.expect("sent");
    assert_eq!(response.status(), 200);
    let receipt = app.get(&format!("/api/v1/orders/{}/receipt", tab.id)).await.text().await.expect("page");
    assert!(receipt.contains("Latte") && !receipt.contains("Croissant"), "{receipt}");
    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X");
    assert_eq!((x.line_voids, x.line_voids_cents), (1, tab.lines[croissant].line_total_cents));
    assert_eq!(x.collected_cents, voided.total_cents);
    // A paid order gives a line back as a refund instead.
    let paid = app.order(tab.id).await;
    let (status, problem) = void(&app.client, &app, &paid, latte, json!({"reason": "late"})).await;
    assert!(status == 409 && problem["detail"].as_str().is_some_and(|d| d.contains("captured")), "{problem}");
}

#[tokio::test]
async fn a_voided_line_gives_its_stock_back_and_a_part_paid_tab_never_comes_to_less_than_paid() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let croissant = demo.item("Croissant");
    let response = app
        .client
        .put(app.url(&format!("/api/v1/menu/items/{croissant}/stock")))
        .json(&json!({"stock": 5}))
        .send()
        .await
        .expect("sent");
    assert!(response.status().is_success(), "{}", response.text().await.unwrap_or_default());
    let mut body = demo.latte_and_croissant("Fay");
    body["lines"][1]["quantity"] = json!(2);
    let tab = app.place(&body).await;
    let left = |item: Value| item["stock"].as_i64();
    let path = format!("/api/v1/menu/items/{croissant}");
    assert_eq!(left(app.get(&path).await.json().await.expect("item")), Some(3));
    let index = tab.lines.iter().position(|l| l.name == "Croissant").expect("croissant");
    // All but 1.00 paid: voiding the croissants would bring it below what is paid.
    let pay = json!({"method": "cash", "tendered_cents": tab.total_cents - 100, "part_cents": tab.total_cents - 100});
    let response = app.post(&format!("/api/v1/orders/{}/payment", tab.id), &pay).await;
    assert_eq!(response.status(), 200);
    let part_paid = app.order(tab.id).await;
    let (status, problem) = void(&app.client, &app, &part_paid, index, json!({"reason": "burnt"})).await;
    assert!(status == 409 && problem["detail"].as_str().is_some_and(|d| d.contains("is paid already")), "{problem}");
    assert_eq!(left(app.get(&path).await.json().await.expect("item")), Some(3), "nothing given back");

    let unpaid = app.place(&body).await;
    assert_eq!(left(app.get(&path).await.json().await.expect("item")), Some(1));
    let (status, _) = void(&app.client, &app, &unpaid, index, json!({"reason": "burnt"})).await;
    assert_eq!(status, 200);
    assert_eq!(left(app.get(&path).await.json().await.expect("item")), Some(3), "both croissants back");
}
