//! Customer data by role: managers see everything, cashiers a masked email, the kitchen a
//! first name — in orders, pages, the kitchen snapshot, answers and the replayed event log.

use crate::helpers::{spawn_app, FetchJson, SseReader, BARISTA_PIN, CASHIER_PIN};
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn each_role_sees_only_the_customer_data_its_work_needs() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let cashier = app.client_as(CASHIER_PIN).await;
    let barista = app.client_as(BARISTA_PIN).await;
    let mut body = demo.espresso("Ana Lopez");
    body["customer_email"] = "ana.lopez@example.com".into();
    let placed: Value = cashier.post(app.url("/api/v1/orders")).json(&body).fetch_json().await;
    assert_eq!(placed["customer_name"], "Ana Lopez");
    assert_eq!(placed["customer_email"], "a•••@example.com", "the till's own answer is masked too");
    let id = placed["id"].as_str().expect("id").to_string();

    let as_manager: Value = app.client.get(app.url(&format!("/api/v1/orders/{id}"))).fetch_json().await;
    assert_eq!(as_manager["customer_email"], "ana.lopez@example.com");
    let as_cashier: Value = cashier.get(app.url(&format!("/api/v1/orders/{id}"))).fetch_json().await;
    assert_eq!(as_cashier["customer_email"], "a•••@example.com");
    let as_barista: Value = barista.get(app.url(&format!("/api/v1/orders/{id}"))).fetch_json().await;
    assert_eq!(as_barista["customer_name"], "Ana");
    assert!(as_barista["customer_email"].is_null());

    for (who, client) in [("cashier", &cashier), ("barista", &barista)] {
        let page = client.get(app.url("/api/v1/orders")).send().await.expect("sent").text().await.expect("text");
        assert!(!page.contains("ana.lopez@example.com"), "{who}'s order list");
        let kitchen = client.get(app.url("/api/v1/kitchen")).send().await.expect("sent").text().await.expect("text");
        assert!(!kitchen.contains("ana.lopez@example.com"), "{who}'s kitchen snapshot");
        // The whole event log, replayed from the start.
        let mut events = SseReader::connect(client, &app.url("/api/v1/events?after=0"), None).await;
        let placed = events.next(Duration::from_secs(10)).await.expect("order.placed");
        assert!(placed.data.contains("order.placed"));
        assert!(!placed.data.contains("ana.lopez@example.com"), "{who}'s replayed events: {}", placed.data);
        if who == "barista" {
            assert!(!placed.data.contains("Lopez"), "the kitchen sees a first name: {}", placed.data);
        }
    }
    let accepted = barista.post(app.url(&format!("/api/v1/orders/{id}/accept"))).send().await.expect("sent");
    let text = accepted.text().await.expect("text");
    assert!(!text.contains("Lopez") && !text.contains("example.com"), "{text}");
    // Managers (and the shop's own sinks) keep everything.
    let mut events = crate::helpers::open_stream(&app, "/api/v1/events?after=0", None).await;
    assert!(events.next(Duration::from_secs(10)).await.expect("event").data.contains("ana.lopez@example.com"));
    app.stop().await;
}
