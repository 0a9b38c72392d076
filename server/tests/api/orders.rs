//! Placing, reading and listing orders.

use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test]
async fn an_order_is_priced_by_the_server_and_numbered_from_1() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let mut body = demo.latte_and_croissant("Ana");
    // Prices sent by a client are not part of the contract and are refused.
    body["lines"][0]["price_cents"] = json!(1);
    assert_eq!(app.post("/api/v1/orders", &body).await.status(), 422);
    let order = app.place(&demo.latte_and_croissant("Ana")).await;
    assert_eq!(order.ticket_number, 1);
    assert_eq!(order.status.as_str(), "placed");
    assert_eq!(order.payment_status.as_str(), "unpaid");
    assert_eq!(order.lines[0].name, "Latte");
    // Latte 4.75 + large 1.00 + oat 0.60 + extra shot 0.80 = 7.15; croissant 3.75.
    assert_eq!(order.lines[0].unit_price_cents, 715);
    assert_eq!(order.lines[0].line_total_cents, 715);
    assert_eq!(order.lines[1].line_total_cents, 375);
    assert_eq!(order.subtotal_cents, 1090);
    assert_eq!(order.tax_cents, 95); // 8.75 % of 10.90 = 0.95375
    assert_eq!(order.total_cents, 1185);
    assert_eq!(order.version, 1);
    let second = app.place(&demo.espresso("Ben")).await;
    assert_eq!(second.ticket_number, 2);
    let events = app.events().await;
    let placed: Vec<_> = events.iter().filter(|e| e.event_type == "order.placed").collect();
    assert_eq!(placed.len(), 2);
    assert_eq!(placed[0].subject.as_deref(), Some(order.id.to_string().as_str()));
    assert_eq!(placed[0].data["order"]["total_cents"], 1185);
    app.stop().await;
}

#[tokio::test]
async fn cash_at_placement_is_captured_with_change_due() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let mut body = demo.latte_and_croissant("Ana");
    body["payment"] = json!({"method": "cash", "tendered_cents": 2000});
    let order = app.place(&body).await;
    assert_eq!(order.payment_status.as_str(), "captured");
    assert_eq!(order.change_due_cents, Some(2000 - 1185));
    let types: Vec<String> = app.events().await.into_iter().map(|e| e.event_type).collect();
    assert_eq!(types, ["order.placed", "payment.captured"]);
    app.stop().await;
}

#[tokio::test]
async fn snapshots_survive_menu_edits() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let order = app.place(&demo.espresso("Ana")).await;
    let uri = format!("/api/v1/menu/items/{}", demo.item("Espresso"));
    let response = app
        .client
        .patch(app.url(&uri))
        .json(&json!({"name": "Ristretto", "price_cents": 999}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let again = app.order(order.id).await;
    assert_eq!(again.lines[0].name, "Espresso");
    assert_eq!(again.lines[0].unit_price_cents, 300);
    // And a new order is priced from the edited menu.
    let next = app.place(&demo.espresso("Ben")).await;
    assert_eq!((next.lines[0].name.as_str(), next.lines[0].unit_price_cents), ("Ristretto", 999));
    app.stop().await;
}

#[tokio::test]
async fn a_client_made_uuidv7_is_kept_and_other_ids_are_refused() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let id = Uuid::now_v7();
    let mut body = demo.espresso("Ana");
    body["id"] = json!(id);
    assert_eq!(app.place(&body).await.id, id);
    body["id"] = json!(Uuid::new_v4());
    let response = app.post("/api/v1/orders", &body).await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "id");
    app.stop().await;
}

async fn assert_refused(app: &TestApp, body: Value, status: u16, field: &str) {
    let response = app.post("/api/v1/orders", &body).await;
    assert_eq!(response.status(), status, "{body}");
    assert_eq!(response.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    let problem: Value = response.json().await.expect("json");
    let fields: Vec<&str> =
        problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert!(fields.contains(&field), "expected {field} in {problem}");
}

#[tokio::test]
async fn bad_orders_name_the_field_and_change_nothing() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let latte = demo.item("Latte");
    let espresso = demo.item("Espresso");
    let large = demo.option("Latte", "Large");
    let oat = demo.option("Latte", "Oat milk");
    let skim = demo.option("Latte", "Skim milk");
    let warmed = demo.option("Croissant", "Warmed");
    let line = |item: Uuid, quantity: i64, options: Vec<Uuid>| json!({"item_id": item, "quantity": quantity, "option_ids": options});
    let order = |lines: Vec<Value>| json!({"customer_name": "Ana", "lines": lines});
    let cases: Vec<(Value, u16, &str)> = vec![
        (order(vec![]), 422, "lines"),
        (order(vec![line(Uuid::now_v7(), 1, vec![])]), 422, "lines[0].item_id"),
        (order(vec![line(latte, 1, vec![])]), 422, "lines[0].options"),
        (order(vec![line(latte, 1, vec![large, oat, skim])]), 422, "lines[0].options"),
        (
            order(vec![line(espresso, 1, vec![]), line(latte, 1, vec![large, Uuid::now_v7()])]),
            422,
            "lines[1].option_ids[1]",
        ),
        (order(vec![line(latte, 1, vec![large, warmed])]), 422, "lines[0].option_ids[1]"),
        (order(vec![line(espresso, 0, vec![])]), 422, "lines[0].quantity"),
        (order(vec![line(espresso, 100, vec![])]), 422, "lines[0].quantity"),
        (
            json!({"customer_name": "Ana", "lines": [{"item_id": espresso, "quantity": 1, "note": "x".repeat(141)}]}),
            422,
            "lines[0].note",
        ),
        (json!({"customer_name": "", "lines": [line(espresso, 1, vec![])]}), 422, "customer_name"),
        (
            json!({"customer_name": "Ana", "customer_email": "ana@", "lines": [line(espresso, 1, vec![])]}),
            422,
            "customer_email",
        ),
        (json!({"lines": [line(espresso, 1, vec![])]}), 422, "customer_name"),
        (json!({"customer_name": "Ana", "lines": [{"item_id": espresso}]}), 422, "lines[0].quantity"),
        (
            json!({"customer_name": "Ana", "lines": [{"item_id": espresso, "quantity": "two"}]}),
            422,
            "lines[0].quantity",
        ),
        (
            json!({"customer_name": "Ana", "lines": [line(espresso, 1, vec![])], "payment": {"method": "cash", "tendered_cents": 100}}),
            422,
            "payment.tendered_cents",
        ),
        (
            json!({"customer_name": "Ana", "lines": [line(espresso, 1, vec![])], "payment": {"method": "bitcoin", "tendered_cents": 100}}),
            422,
            "payment.method",
        ),
    ];
    for (body, status, field) in cases {
        assert_refused(&app, body, status, field).await;
    }
    // A sold-out item is refused too.
    let uri = format!("/api/v1/menu/items/{espresso}/availability");
    assert_eq!(
        app.client.put(app.url(&uri)).json(&json!({"available": false})).send().await.expect("sent").status(),
        200
    );
    assert_refused(&app, order(vec![line(espresso, 1, vec![])]), 422, "lines[0].item_id").await;
    assert_eq!(app.order_count().await, 0);
    assert!(app.events().await.iter().all(|e| e.event_type == "menu.updated"));
    app.stop().await;
}

#[tokio::test]
async fn get_one_order_with_history_and_etag() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let order = app.place(&demo.espresso("Ana")).await;
    assert_eq!(app.post_empty(&format!("/api/v1/orders/{}/accept", order.id)).await.status(), 200);
    let response = app.get(&format!("/api/v1/orders/{}", order.id)).await;
    assert_eq!(response.headers().get("etag").and_then(|v| v.to_str().ok()), Some("\"2\""));
    let got: Value = response.json().await.expect("json");
    let history: Vec<(Value, Value)> =
        got["history"].as_array().expect("history").iter().map(|h| (h["from"].clone(), h["to"].clone())).collect();
    assert_eq!(history, [(Value::Null, json!("placed")), (json!("placed"), json!("accepted"))]);
    assert_eq!(app.get(&format!("/api/v1/orders/{}", Uuid::now_v7())).await.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn list_is_newest_first_filtered_and_paged() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.place(&demo.espresso(&format!("Guest {i}"))).await.id);
    }
    assert_eq!(app.post_empty(&format!("/api/v1/orders/{}/accept", ids[1])).await.status(), 200);

    let page: Value = app.get("/api/v1/orders?limit=2").await.json().await.expect("json");
    let first: Vec<&str> = page["orders"].as_array().expect("orders").iter().filter_map(|o| o["id"].as_str()).collect();
    assert_eq!(first, [ids[4].to_string(), ids[3].to_string()]);
    assert_eq!(page["next_offset"], 2);
    let last: Value = app.get("/api/v1/orders?limit=2&offset=4").await.json().await.expect("json");
    assert_eq!(last["orders"].as_array().map(Vec::len), Some(1));
    assert_eq!(last["next_offset"], Value::Null);

    let accepted: Value = app.get("/api/v1/orders?status=accepted").await.json().await.expect("json");
    assert_eq!(accepted["orders"].as_array().map(Vec::len), Some(1));
    assert_eq!(accepted["orders"][0]["id"], ids[1].to_string());

    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let none: Value = app.get(&format!("/api/v1/orders?since={future}")).await.json().await.expect("json");
    assert_eq!(none["orders"].as_array().map(Vec::len), Some(0));

    for (query, field) in [
        ("status=brewing", "status"),
        ("limit=0", "limit"),
        ("limit=500", "limit"),
        ("since=yesterday", "since"),
        ("offset=-1", "offset"),
    ] {
        let response = app.get(&format!("/api/v1/orders?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
    app.stop().await;
}
