//! Stock counts: reserved with the order, never below zero, one winner for the last unit,
//! released on cancellation, sold out and back in stock on the menu and in the event log.

use crate::helpers::{spawn_app, TestApp, CASHIER_PIN};
use serde_json::{json, Value};

async fn set_stock(app: &TestApp, what: &str, id: uuid::Uuid, stock: Value) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/menu/{what}/{id}/stock")))
        .json(&json!({ "stock": stock }))
        .send()
        .await
        .expect("sent")
}

fn event_types(events: &[crema_server::store::outbox::StoredEvent]) -> Vec<String> {
    events.iter().map(|e| e.event_type.clone()).collect()
}

#[tokio::test]
async fn the_last_croissant_goes_to_exactly_one_of_many_concurrent_orders_and_comes_back_on_cancel() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let croissant = demo.item("Croissant");
    assert_eq!(set_stock(&app, "items", croissant, json!(1)).await.status(), 200);
    let version_before = app.menu().await.version;

    let cashier = app.client_as(CASHIER_PIN).await;
    let body = json!({"customer_name": "Ana", "lines": [{"item_id": croissant, "quantity": 1}]});
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (client, url, body) = (cashier.clone(), app.url("/api/v1/orders"), body.clone());
        tasks.push(tokio::spawn(async move {
            let response = client.post(url).json(&body).send().await.expect("sent");
            (response.status().as_u16(), response.json::<Value>().await.expect("json"))
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        let (status, body) = task.await.expect("task");
        match status {
            201 => winners.push(body),
            409 => assert!(body["detail"].as_str().is_some_and(|d| d.contains("Croissant")), "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one order gets the last croissant");

    let menu = app.menu().await;
    let shown = menu.categories.iter().flat_map(|c| &c.items).find(|i| i.id == croissant).expect("croissant");
    assert!(!shown.available, "sold out on the menu");
    assert!(menu.version > version_before, "the menu version moved, so screens refresh");
    let item: Value = app.get(&format!("/api/v1/menu/items/{croissant}")).await.json().await.expect("json");
    assert_eq!(item["stock"], 0);
    let types = event_types(&app.events().await);
    assert_eq!(types.iter().filter(|t| *t == "item.sold_out").count(), 1);

    // Cancelling the winner gives the croissant back.
    let id = winners[0]["id"].as_str().expect("id");
    let cancelled = cashier
        .post(app.url(&format!("/api/v1/orders/{id}/cancel")))
        .json(&json!({"reason": "changed mind"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(cancelled.status(), 200);
    let item: Value = app.get(&format!("/api/v1/menu/items/{croissant}")).await.json().await.expect("json");
    assert_eq!(item["stock"], 1);
    let back = app.events().await.into_iter().filter(|e| e.event_type == "item.back_in_stock").collect::<Vec<_>>();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].data["name"], "Croissant");
    let menu = app.menu().await;
    assert!(menu.categories.iter().flat_map(|c| &c.items).any(|i| i.id == croissant && i.available));
    app.stop().await;
}

#[tokio::test]
async fn more_than_is_left_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let latte = demo.item("Latte");
    let oat = demo.option("Latte", "Oat milk");
    assert_eq!(set_stock(&app, "options", oat, json!(1)).await.status(), 200);
    let two_oat_lattes = json!({"customer_name": "Ana", "lines": [
        {"item_id": latte, "quantity": 2, "option_ids": [demo.option("Latte", "Small"), oat]}
    ]});
    let refused = app.post("/api/v1/orders", &two_oat_lattes).await;
    assert_eq!(refused.status(), 409);
    let problem: Value = refused.json().await.expect("json");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("Oat milk") && d.contains("1 left")), "{problem}");
    let option: Value = app.get(&format!("/api/v1/menu/options/{oat}")).await.json().await.expect("json");
    assert_eq!(option["stock"], 1);
    assert_eq!(app.order_count().await, 0);
    // One is fine, and uses it up.
    let one = json!({"customer_name": "Ana", "lines": [{"item_id": latte, "quantity": 1, "option_ids": [demo.option("Latte", "Small"), oat]}]});
    app.place(&one).await;
    let option: Value = app.get(&format!("/api/v1/menu/options/{oat}")).await.json().await.expect("json");
    assert_eq!(option["stock"], 0);
    let sold_out = app.events().await.into_iter().find(|e| e.event_type == "item.sold_out").expect("sold out");
    assert_eq!(sold_out.data["kind"], "option");
    app.stop().await;
}

#[tokio::test]
async fn restocking_and_stopping_the_count() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let muffin = demo.item("Blueberry muffin");
    assert_eq!(set_stock(&app, "items", muffin, json!(0)).await.status(), 200);
    let body = json!({"customer_name": "Ana", "lines": [{"item_id": muffin, "quantity": 1}]});
    assert_eq!(app.post("/api/v1/orders", &body).await.status(), 409);
    let restocked: Value = set_stock(&app, "items", muffin, json!(12)).await.json().await.expect("json");
    assert_eq!(restocked["stock"], 12);
    app.place(&body).await;
    let uncounted: Value = set_stock(&app, "items", muffin, Value::Null).await.json().await.expect("json");
    assert_eq!(uncounted["stock"], Value::Null);
    let types = event_types(&app.events().await);
    let stock_events: Vec<&String> = types.iter().filter(|t| t.starts_with("item.")).collect();
    assert_eq!(stock_events, ["item.sold_out", "item.back_in_stock"]);
    for bad in [json!(-1), json!(1_000_001), json!("lots")] {
        let response = set_stock(&app, "items", muffin, bad.clone()).await;
        assert_eq!(response.status(), 422, "{bad}");
        assert_eq!(response.json::<Value>().await.expect("json")["errors"][0]["field"], "stock");
    }
    let audit: Value = app.get("/api/v1/audit?action=menu.item.stock").await.json().await.expect("json");
    assert_eq!(audit["entries"].as_array().map(Vec::len), Some(3));
    app.stop().await;
}
