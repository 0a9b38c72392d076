//! Placement writes an order in one statement group from what the writer remembers of the
//! last one (the day's ticket number, the audit chain's head, the menu version). Whatever else
//! is written between two placements, orders stay numbered one after another, the audit chain
//! stays intact, the menu in force prices them, and a key used again is replayed.

use crate::helpers::{spawn_app, FetchJson, CASHIER_PIN};
use crema_server::store::audit::ChainCheck;
use serde_json::{json, Value};

#[tokio::test]
async fn orders_between_other_audited_writes_stay_numbered_chained_and_priced_by_the_menu_in_force() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let cashier = app.client_as(CASHIER_PIN).await;
    let place = |name: &str| {
        let body = demo.espresso(name);
        let cashier = cashier.clone();
        let url = app.url("/api/v1/orders");
        async move { cashier.post(url).json(&body).fetch_json().await }
    };
    let mut placed = vec![place("A").await, place("B").await];
    // A sign-in: an audit row the placements did not write.
    let _barista = app.client_as(crate::helpers::BARISTA_PIN).await;
    placed.push(place("C").await);
    // A price change: a new menu version (and an audit row).
    let uri = format!("/api/v1/menu/items/{}", demo.item("Espresso"));
    let changed = app.client.patch(app.url(&uri)).json(&json!({"price_cents": 333})).send().await.expect("sent");
    assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap_or_default());
    placed.push(place("D").await);
    // A cancellation with its refund: more audit rows.
    let id = placed[1]["id"].as_str().expect("id").to_string();
    let cancel = cashier.post(app.url(&format!("/api/v1/orders/{id}/cancel"))).json(&json!({"reason": "left"}));
    assert_eq!(cancel.send().await.expect("sent").status(), 200);
    placed.push(place("E").await);
    placed.push(place("F").await);

    let tickets: Vec<i64> = placed.iter().map(|o| o["ticket_number"].as_i64().expect("ticket")).collect();
    assert_eq!(tickets, [1, 2, 3, 4, 5, 6]);
    let prices: Vec<i64> = placed.iter().map(|o| o["lines"][0]["unit_price_cents"].as_i64().expect("price")).collect();
    assert!(prices[..3].iter().all(|p| *p != 333) && prices[3..].iter().all(|p| *p == 333), "{prices:?}");
    match crema_server::service::shop::audit::verify(&app.state).await.expect("verified") {
        ChainCheck::Intact { .. } => {}
        broken => panic!("{broken:?}"),
    }
    let sales = app.get("/api/v1/audit?action=order.placed").await.json::<Value>().await.expect("json");
    assert_eq!(sales["entries"].as_array().map(Vec::len), Some(6));
    app.stop().await;
}

#[tokio::test]
async fn concurrent_orders_with_repeated_keys_make_one_order_per_key_numbered_without_gaps() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let cashier = app.client_as(CASHIER_PIN).await;
    // Warm the writer's memory with a first order.
    let first: Value = cashier.post(app.url("/api/v1/orders")).json(&demo.espresso("Ana")).fetch_json().await;
    let mut sends = Vec::new();
    for n in 0..40 {
        let key = format!("till-1-{}", n % 20);
        let request = cashier
            .post(app.url("/api/v1/orders"))
            .header("idempotency-key", key.clone())
            .json(&demo.latte_and_croissant(&format!("Guest {}", n % 20)));
        sends.push(tokio::spawn(async move {
            let response = request.send().await.expect("sent");
            (key, response.status().as_u16(), response.json::<Value>().await.expect("json"))
        }));
    }
    let mut by_key = std::collections::BTreeMap::<String, Vec<Value>>::new();
    for send in sends {
        let (key, status, body) = send.await.expect("task");
        assert_eq!(status, 201, "{body}");
        by_key.entry(key).or_default().push(body);
    }
    for (key, answers) in &by_key {
        assert_eq!(answers.len(), 2);
        assert_eq!(answers[0], answers[1], "key {key} answered the same both times");
    }
    let mut tickets: Vec<i64> =
        by_key.values().map(|answers| answers[0]["ticket_number"].as_i64().expect("ticket")).collect();
    tickets.push(first["ticket_number"].as_i64().expect("ticket"));
    tickets.sort_unstable();
    assert_eq!(tickets, (1..=21).collect::<Vec<i64>>());
    assert_eq!(app.order_count().await, 21);
    match crema_server::service::shop::audit::verify(&app.state).await.expect("verified") {
        ChainCheck::Intact { .. } => {}
        broken => panic!("{broken:?}"),
    }
    app.stop().await;
}

/// What the writer remembers can run ahead of the database (a batch whose commit failed after
/// its placements advanced the memory): the placement's own check refuses to build on it.
#[tokio::test]
async fn a_memory_ahead_of_the_database_is_caught_and_the_order_numbered_and_chained_from_the_database() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let first = app.place(&demo.espresso("Ana")).await;
    let second = app.place(&demo.espresso("Ben")).await;
    assert_eq!((first.ticket_number, second.ticket_number), (1, 2));
    if crate::helpers::on_postgres() {
        // Several instances share a PostgreSQL database: each placement checks, none remembers.
        assert!(app.state.store.placement_tail().is_none());
        app.stop().await;
        return;
    }
    let tail = app.state.store.placement_tail().expect("the writer remembers the last placement");
    assert_eq!(tail.last_ticket, 2);
    let (head_id, head_hash) = tail.audit_head.clone().expect("an audit head");
    app.state.store.set_placement_tail(Some(crema_server::store::placement::Tail {
        last_ticket: 7,
        audit_head: Some((head_id + 3, head_hash)),
        ..tail
    }));
    let third = app.place(&demo.espresso("Cy")).await;
    assert_eq!(third.ticket_number, 3);
    match crema_server::service::shop::audit::verify(&app.state).await.expect("verified") {
        ChainCheck::Intact { .. } => {}
        broken => panic!("{broken:?}"),
    }
    let tail = app.state.store.placement_tail().expect("remembered again");
    assert_eq!(tail.last_ticket, 3);
    assert_eq!(app.place(&demo.espresso("Di")).await.ticket_number, 4);
    app.stop().await;
}

#[tokio::test]
async fn an_order_id_used_again_on_the_remembered_tail_is_a_conflict_and_writes_nothing() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let cashier = app.client_as(CASHIER_PIN).await;
    let id = uuid::Uuid::now_v7();
    let mut body = demo.espresso("Ana");
    body["id"] = json!(id);
    let send = |key: &'static str| cashier.post(app.url("/api/v1/orders")).header("Idempotency-Key", key).json(&body);
    let first = send("till-1-a").send().await.expect("sent");
    assert_eq!(first.status(), 201);
    // The writer now remembers this placement: the same id under another key takes the
    // one-statement way first, whose guard must catch it before anything is written.
    let again = send("till-1-b").send().await.expect("sent");
    assert_eq!(again.status(), 409, "{}", again.text().await.unwrap_or_default());
    // Nothing half-written: the next order is numbered 2 and the chain is intact.
    let next: Value = cashier.post(app.url("/api/v1/orders")).json(&demo.espresso("Ben")).fetch_json().await;
    assert_eq!(next["ticket_number"], 2);
    let all = app.get("/api/v1/orders").await.json::<Value>().await.expect("json");
    let count = all["orders"].as_array().or(all.as_array()).map(Vec::len);
    assert_eq!(count, Some(2), "{all}");
    match crema_server::service::shop::audit::verify(&app.state).await.expect("verified") {
        ChainCheck::Intact { .. } => {}
        broken => panic!("{broken:?}"),
    }
    app.stop().await;
}

/// Orders are priced before they reach the writer, on the menu in memory then. While a
/// manager keeps changing a price, every order is still priced by the menu in force when it
/// is written: the outbox, in the order things were written, shows each order after the
/// last price change before it and at that price.
#[tokio::test]
async fn orders_priced_while_the_price_keeps_changing_carry_the_price_in_force_when_written() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let cashier = app.client_as(CASHIER_PIN).await;
    let espresso = demo.item("Espresso");
    let first_price = app.place(&demo.espresso("before")).await.lines[0].unit_price_cents;
    let mut tills = Vec::new();
    for till in 0..8 {
        let (cashier, url, body) = (cashier.clone(), app.url("/api/v1/orders"), demo.espresso(&format!("till {till}")));
        tills.push(tokio::spawn(async move {
            for _ in 0..25 {
                let placed = cashier.post(&url).json(&body).send().await.expect("sent");
                assert_eq!(placed.status(), 201);
            }
        }));
    }
    let uri = app.url(&format!("/api/v1/menu/items/{espresso}"));
    for step in 0..20 {
        let changed = app.client.patch(&uri).json(&json!({"price_cents": 300 + step})).send().await.expect("sent");
        assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap_or_default());
    }
    for till in tills {
        till.await.expect("till");
    }
    let mut in_force = first_price;
    let (mut changes, mut orders) = (0, 0);
    for event in app.events().await {
        match event.event_type.as_str() {
            "menu.updated" if event.data["id"] == json!(espresso) => {
                in_force = 300 + changes;
                changes += 1;
            }
            "order.placed" => {
                let price = event.data["order"]["lines"][0]["unit_price_cents"].as_i64().expect("price");
                assert_eq!(price, in_force, "ticket {} written after {changes} price changes", event.data["ticket"]);
                orders += 1;
            }
            _ => {}
        }
    }
    assert_eq!((changes, orders), (20, 201));
    app.stop().await;
}
