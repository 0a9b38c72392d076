//! A card taken through the gateway is authorized at once and captured when the order is
//! done; in between, the customer writes a tip on the slip and the cashier sets it from the
//! till's Refunds (a real HTTP gateway this test runs sees the capture of the new total).

use super::{start_shop_with, CASHIER, MANAGER};
use crema_e2e::browser::{self, Browser};
use crema_e2e::gateway::Gateway;
use crema_shared::api::OrderDto;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[tokio::test]
async fn the_cashier_sets_a_card_tip_before_capture_and_the_gateway_captures_it() {
    let gateway = Gateway::default();
    gateway.limit.store(100_000, Ordering::SeqCst);
    let url = gateway.clone().start().await;
    let dir = tempfile::tempdir().expect("dir");
    let shop = start_shop_with(&dir.path().join("crema.db"), 0, &[("CREMA_PAYMENT_GATEWAY_URL", url.as_str())]);
    let cashier = crema_e2e::http::client_with(&crema_e2e::http::sign_in(&shop.base, CASHIER).await);
    let menu: crema_shared::api::MenuView =
        cashier.get(format!("{}/api/v1/menu", shop.base)).send().await.expect("sent").json().await.expect("menu");
    let espresso = menu.categories.iter().flat_map(|c| &c.items).find(|i| i.name == "Espresso").expect("espresso").id;
    let body =
        json!({"customer_name": "Hal", "lines": [{"item_id": espresso, "quantity": 1}], "payment": {"method": "card"}});
    let order: OrderDto = cashier
        .post(format!("{}/api/v1/orders", shop.base))
        .json(&body)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("order");
    let get = |id| {
        let (client, base) = (cashier.clone(), shop.base.clone());
        async move {
            client
                .get(format!("{base}/api/v1/orders/{id}"))
                .send()
                .await
                .expect("sent")
                .json::<OrderDto>()
                .await
                .expect("order")
        }
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while get(order.id).await.payment_status.as_str() != "authorized" {
        assert!(tokio::time::Instant::now() < deadline, "never authorized");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let driver = browser::Driver::start().await;
    let till = Browser::open(&driver, &shop.base).await;
    till.sign_in_at("/pos", CASHIER).await;
    till.click("[data-test='refunds']").await;
    till.click(&format!("[data-order='{}'] [data-test='choose-order']", order.ticket)).await;
    till.wait_for("[data-test='card-tip']").await;
    // More than the shop's 25 % is refused, saying so; 0.75 is taken.
    till.type_into("[data-test='card-tip'] input", "1.50").await;
    till.click("[data-test='set-tip']").await;
    till.wait_for_text("[data-test='refund-outcome']", "the shop's limit").await;
    till.clear_and_type("[data-test='card-tip'] input", "0.75").await;
    till.click("[data-test='set-tip']").await;
    till.wait_for_text("[data-test='refund-outcome']", "captured with the order").await;
    till.screenshot("pos-card-tip").await;
    till.close().await;
    let tipped = get(order.id).await;
    assert_eq!((tipped.tip_cents, tipped.total_cents), (75, order.total_cents + 75));

    // The barista makes it and hands it over; the gateway captures the total with the tip.
    let manager = crema_e2e::http::client_with(&crema_e2e::http::sign_in(&shop.base, MANAGER).await);
    let step = |path: String| {
        let (client, base) = (manager.clone(), shop.base.clone());
        async move {
            let response = client.post(format!("{base}{path}")).send().await.expect("sent");
            assert!(response.status().is_success(), "{path}: {}", response.status());
        }
    };
    let id = order.id;
    step(format!("/api/v1/orders/{id}/accept")).await;
    let line = order.lines[0].id;
    step(format!("/api/v1/orders/{id}/lines/{line}/start")).await;
    step(format!("/api/v1/orders/{id}/lines/{line}/done")).await;
    step(format!("/api/v1/orders/{id}/complete")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while get(order.id).await.payment_status.as_str() != "captured" {
        assert!(tokio::time::Instant::now() < deadline, "never captured");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(gateway.operations("capture").iter().map(|(_, a)| *a).collect::<Vec<_>>(), [order.total_cents + 75]);
    driver.stop();
    shop.kill();
}
