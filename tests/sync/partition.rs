//! The network between the tills and the hub fails in the ways Wi-Fi does — connections
//! refused, replies lost after the hub applied the request — and a till is killed in the
//! middle of pushing its backlog. Nothing is lost and nothing is doubled.

use crate::shop::{converged, first_item, place, placed_by_order, status, Shop};
use crema_e2e::proxy::{Mode, Proxy};
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lost_replies_and_refused_connections_double_nothing() {
    let shop = Shop::open().await;
    let hub = shop.hub_base();
    let proxy = Proxy::start(hub.trim_start_matches("http://").to_string()).await;
    let till_a = shop.terminal("Till A", &proxy.base).await;
    let till_b = shop.terminal("Till B", &proxy.base).await;
    let (a, b) = (till_a.cashier().await, till_b.cashier().await);
    let item = first_item(&a, &till_a.base()).await;

    let sell = |client: reqwest::Client, base: String, name: &'static str| {
        let item = item.clone();
        tokio::spawn(async move {
            let mut ids = Vec::new();
            for round in 0..5 {
                ids.extend(place(&client, &base, &item, &format!("{name} {round}"), 20).await);
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            ids
        })
    };
    let selling = [sell(a.clone(), till_a.base(), "A"), sell(b.clone(), till_b.base(), "B")];
    // The Wi-Fi: replies lost, then no connection at all, then replies lost again, then fine.
    for mode in [Mode::LoseReplies, Mode::Refuse, Mode::LoseReplies, Mode::Pass] {
        proxy.set(mode);
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let mut sold = Vec::new();
    for task in selling {
        sold.extend(task.await.expect("till"));
    }
    let stats = proxy.stats();
    assert!(stats.replies_lost > 0 && stats.refused > 0, "the partition did not happen: {stats:?}");

    let terminals = [(till_a.base(), a.clone()), (till_b.base(), b.clone())];
    let refs: Vec<(&str, &reqwest::Client)> = terminals.iter().map(|(base, c)| (base.as_str(), c)).collect();
    let at_hub = converged(&hub, &refs, Duration::from_secs(60)).await;
    assert_eq!(at_hub.len(), 200);
    assert!(sold.iter().all(|id| at_hub.contains_key(id)));
    assert_eq!(at_hub.values().map(|(t, _, _)| t).collect::<HashSet<_>>().len(), 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while placed_by_order(&shop.receiver).len() < 200 {
        assert!(tokio::time::Instant::now() < deadline, "not every sale reached the webhook");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(placed_by_order(&shop.receiver).values().all(|events| events.len() == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_till_killed_while_pushing_its_backlog_sends_each_order_once() {
    let shop = Shop::open().await;
    let hub = shop.hub_base();
    let proxy = Proxy::start(hub.trim_start_matches("http://").to_string()).await;
    let mut till = shop.terminal("Till A", &proxy.base).await;
    let a = till.cashier().await;
    let item = first_item(&a, &till.base()).await;
    // A backlog: 300 sales while the hub cannot be reached.
    proxy.set(Mode::Refuse);
    let sold = place(&a, &till.base(), &item, "Backlog", 300).await;
    assert_eq!(status(&a, &till.base()).await["pending_commands"], 300);

    // The hub comes back into reach; the till dies as soon as the hub has some of the backlog.
    let manager = shop.manager().await;
    proxy.set(Mode::Pass);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let at_hub = crate::shop::orders(&manager, &hub).await.len();
        if at_hub > 0 {
            assert!(at_hub < 300, "the backlog was pushed before the till could be killed mid-push");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the backlog never started to arrive");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    till.kill();
    till.restart();
    let a = till.cashier().await;
    let refs = [(till.base(), a.clone())];
    let refs: Vec<(&str, &reqwest::Client)> = refs.iter().map(|(base, c)| (base.as_str(), c)).collect();
    let at_hub = converged(&hub, &refs, Duration::from_secs(60)).await;
    assert_eq!(at_hub.len(), 300);
    assert!(sold.iter().all(|id| at_hub.contains_key(id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoked_terminal_stops_syncing_says_so_and_keeps_selling() {
    let shop = Shop::open().await;
    let hub = shop.hub_base();
    let till = shop.terminal("Till A", &hub).await;
    let a = till.cashier().await;
    let item = first_item(&a, &till.base()).await;
    let manager = shop.manager().await;
    let terminals: serde_json::Value =
        manager.get(format!("{hub}/api/v1/terminals")).send().await.expect("list").json().await.expect("json");
    let id = terminals[0]["id"].as_str().expect("id").to_string();
    let revoked = manager.delete(format!("{hub}/api/v1/terminals/{id}")).send().await.expect("revoke");
    assert_eq!(revoked.status(), 200);
    // The next exchange finds out (the pull is waiting on the hub: a sale makes a push).
    place(&a, &till.base(), &item, "After", 1).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let now = status(&a, &till.base()).await;
        if now["revoked"] == true {
            assert_eq!(now["hub_reachable"], false);
            assert_eq!(now["pending_commands"], 1, "{now}");
            assert_eq!(now["unsynced_orders"].as_array().map(Vec::len), Some(1), "{now}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the terminal never noticed: {now}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // What only the hub changes is refused here, naming the hub.
    let manager_here =
        crema_e2e::http::client_with(&crema_e2e::http::sign_in(&till.base(), crema_e2e::http::MANAGER_PIN).await);
    let edit = manager_here
        .post(format!("{}/api/v1/menu/categories", till.base()))
        .json(&serde_json::json!({ "name": "Soups", "position": 9 }))
        .send()
        .await
        .expect("sent");
    assert_eq!(edit.status(), 409);
    assert!(edit.text().await.unwrap_or_default().contains(&hub), "the refusal names the hub");
    // It still sells (locally); nothing reaches the hub.
    place(&a, &till.base(), &item, "Still", 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(crate::shop::orders(&manager, &hub).await.is_empty());
}
