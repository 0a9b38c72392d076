//! Checks through the API, beside what the browsers show.

use crema_shared::api::{MenuView, OrderDto, OrderPage};
use serde::de::DeserializeOwned;
use serde_json::json;

/// A client signed in as the demo manager.
pub async fn manager(base: &str) -> reqwest::Client {
    super::support::signed_in(base, "9999", 1).await.expect("the manager signs in")
}

pub async fn get<T: DeserializeOwned>(base: &str, path: &str) -> T {
    manager(base).await.get(format!("{base}{path}")).send().await.expect("sent").json().await.expect("json")
}

pub async fn only_order(base: &str) -> OrderDto {
    let page: OrderPage = get(base, "/api/v1/orders").await;
    assert_eq!(page.orders.len(), 1, "exactly one order");
    let id = page.orders[0].id;
    get(base, &format!("/api/v1/orders/{id}")).await
}

pub async fn place_espresso(base: &str, name: &str) -> OrderDto {
    let menu: MenuView = get(base, "/api/v1/menu").await;
    let espresso = menu.categories.iter().flat_map(|c| &c.items).find(|i| i.name == "Espresso").expect("espresso");
    let body = json!({ "customer_name": name, "lines": [{ "item_id": espresso.id, "quantity": 1 }],
        "payment": { "method": "cash", "tendered_cents": 1000 } });
    let client = manager(base).await;
    client.post(format!("{base}/api/v1/orders")).json(&body).send().await.expect("sent").json().await.expect("order")
}
