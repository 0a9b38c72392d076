//! The hub dies (`kill -9`) while two tills keep selling and the kitchen keeps working; it
//! comes back and everything converges: 400 orders, each exactly once, the same tickets and
//! statuses on every terminal, each `order.placed` forwarded once by the hub.

use crate::shop::{converged, first_item, place, placed_by_order, status, Shop};
use crema_e2e::http::{client_with, menu_item, sign_in, FetchJson, BARISTA_PIN, MANAGER_PIN};
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tills_and_a_kitchen_converge_after_the_hub_is_killed() {
    let mut shop = Shop::open().await;
    let hub = shop.hub_base();
    let till_a = shop.terminal("Till A", &hub).await;
    let till_b = shop.terminal("Till B", &hub).await;
    let kitchen = shop.terminal("Kitchen", &hub).await;
    let (a, b) = (till_a.cashier().await, till_b.cashier().await);
    let k = client_with(&sign_in(&kitchen.base(), BARISTA_PIN).await);
    // The terminals sell the hub's menu (the same item ids as the hub's).
    let item = first_item(&a, &till_a.base()).await;
    assert_eq!(item, first_item(&shop.manager().await, &hub).await);

    let sell = |client: reqwest::Client, base: String, name: &'static str| {
        let item = item.clone();
        tokio::spawn(async move {
            let mut ids = Vec::new();
            for round in 0..4 {
                ids.extend(place(&client, &base, &item, &format!("{name} {round}"), 50).await);
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            ids
        })
    };
    let selling_a = sell(a.clone(), till_a.base(), "A");
    let selling_b = sell(b.clone(), till_b.base(), "B");

    // The kitchen accepts what it sees while the hub is up, then the hub dies mid-service.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let accepted_before = accept_some(&k, &kitchen.base(), 10).await;
    shop.kill_hub();
    // Offline: the tills keep selling at local speed, each answer a 201 (checked in `place`).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let offline = status(&a, &till_a.base()).await;
    assert_eq!(offline["hub_reachable"], false, "{offline}");
    assert!(offline["pending_commands"].as_i64().unwrap_or(0) > 0, "{offline}");
    // Staff still sign in on a terminal (the hub's verifiers, kept locally), and the kitchen
    // still works on what it has.
    let k = client_with(&sign_in(&kitchen.base(), BARISTA_PIN).await);
    let accepted_offline = accept_some(&k, &kitchen.base(), 5).await;
    // The manager 86es the croissants on till A, offline too.
    let manager_a = client_with(&sign_in(&till_a.base(), MANAGER_PIN).await);
    let croissant = item_named(&manager_a, &till_a.base(), "Croissant").await;
    let eighty_six = manager_a
        .put(format!("{}/api/v1/menu/items/{}/availability", till_a.base(), croissant["id"].as_str().expect("id")))
        .json(&serde_json::json!({ "available": false }))
        .send()
        .await
        .expect("86");
    assert_eq!(eighty_six.status(), 200, "{}", eighty_six.text().await.unwrap_or_default());
    shop.start_hub();

    let mut sold: Vec<String> = selling_a.await.expect("till A");
    sold.extend(selling_b.await.expect("till B"));
    assert_eq!(sold.len(), 400);
    let terminals = [(till_a.base(), a.clone()), (till_b.base(), b.clone()), (kitchen.base(), k.clone())];
    let refs: Vec<(&str, &reqwest::Client)> = terminals.iter().map(|(base, c)| (base.as_str(), c)).collect();
    let at_hub = converged(&hub, &refs, Duration::from_secs(90)).await;

    // 400 orders, each exactly once, every one the tills acknowledged.
    assert_eq!(at_hub.len(), 400);
    assert_eq!(sold.iter().collect::<HashSet<_>>().len(), 400);
    assert!(sold.iter().all(|id| at_hub.contains_key(id)));
    // Tickets never collide: A-1…A-200 and B-1…B-200.
    let tickets: HashSet<&String> = at_hub.values().map(|(ticket, _, _)| ticket).collect();
    assert_eq!(tickets.len(), 400);
    assert!(at_hub.values().all(|(t, _, _)| t.starts_with("A-") || t.starts_with("B-")));
    // What the kitchen did, online and offline, reached the hub.
    for id in accepted_before.iter().chain(&accepted_offline) {
        assert_eq!(at_hub[id].1, "accepted", "order {id} was accepted in the kitchen");
    }
    assert!(!accepted_offline.is_empty(), "the kitchen had orders to work on while the hub was down");
    // The 86 reached the hub, and from there till B.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let at_hub = item_named(&shop.manager().await, &hub, "Croissant").await;
        let at_b = item_named(&b, &till_b.base(), "Croissant").await;
        if at_hub["available"] == false && at_b["available"] == false {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the 86 did not spread: hub {at_hub}, till B {at_b}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The hub forwarded each sale once (one event per order; a redelivery repeats its id). The
    // terminals have no sinks: an event from one would be a second id for the order.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let placed = placed_by_order(&shop.receiver);
        if placed.len() == 400 {
            assert!(placed.values().all(|events| events.len() == 1), "an order was placed twice at the hub");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the webhook got {} of 400 sales", placed.len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The menu item called `name` as `base` shows it.
async fn item_named(client: &reqwest::Client, base: &str, name: &str) -> Value {
    let menu: Value = client.get(format!("{base}/api/v1/menu")).send().await.expect("menu").json().await.expect("json");
    menu_item(&menu, name).cloned().unwrap_or_else(|| panic!("no {name} on {base}"))
}

/// Accepts up to `count` placed orders the kitchen terminal has; returns their ids.
async fn accept_some(client: &reqwest::Client, base: &str, count: usize) -> Vec<String> {
    let page: Value = client.get(format!("{base}/api/v1/orders?status=placed&limit=200")).fetch_json().await;
    let mut accepted = Vec::new();
    for order in page["orders"].as_array().expect("orders").iter().take(count) {
        let id = order["id"].as_str().expect("id");
        let response = client.post(format!("{base}/api/v1/orders/{id}/accept")).send().await.expect("accept");
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
        accepted.push(id.to_string());
    }
    accepted
}
