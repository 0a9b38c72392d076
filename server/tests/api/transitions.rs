//! Moving orders through their lifecycle over HTTP.

use crate::helpers::spawn_app;
use serde_json::{json, Value};

#[tokio::test]
async fn an_order_walks_from_placed_to_completed_with_events_in_order() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let order = app.place(&demo.latte_and_croissant("Ana")).await;
    let base = format!("/api/v1/orders/{}", order.id);
    let step = |path: String| {
        let app = &app;
        async move {
            let response = app.post_empty(&path).await;
            assert_eq!(response.status(), 200, "{path}");
            response.json::<Value>().await.expect("json")
        }
    };
    assert_eq!(step(format!("{base}/accept")).await["status"], "accepted");
    let (latte, croissant) = (order.lines[0].id, order.lines[1].id);
    assert_eq!(step(format!("{base}/lines/{latte}/start")).await["status"], "preparing");
    step(format!("{base}/lines/{croissant}/start")).await;
    let after_first_done = step(format!("{base}/lines/{croissant}/done")).await;
    assert_eq!(after_first_done["status"], "preparing");
    assert_eq!(after_first_done["lines"][1]["status"], "done");
    let ready = step(format!("{base}/lines/{latte}/done")).await;
    assert_eq!(ready["status"], "ready");
    let completed = step(format!("{base}/complete")).await;
    assert_eq!(completed["status"], "completed");
    assert_eq!(completed["version"], 7);

    let types: Vec<String> = app.events().await.into_iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        [
            "order.placed",
            "order.accepted",
            "order.line.started",
            "order.line.started",
            "order.line.done",
            "order.line.done",
            "order.ready",
            "order.completed"
        ]
    );
    let history = app.order(order.id).await.history.expect("history");
    let statuses: Vec<&str> = history.iter().map(|h| h.to.as_str()).collect();
    assert_eq!(statuses, ["placed", "accepted", "preparing", "ready", "completed"]);
    app.stop().await;
}

#[tokio::test]
async fn an_illegal_transition_is_409_naming_the_current_status_and_changes_nothing() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let order = app.place(&demo.espresso("Ana")).await;
    let base = format!("/api/v1/orders/{}", order.id);
    let line = order.lines[0].id;
    for path in [format!("{base}/complete"), format!("{base}/lines/{line}/start"), format!("{base}/lines/{line}/done")]
    {
        let response = app.post_empty(&path).await;
        assert_eq!(response.status(), 409, "{path}");
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["current_status"], "placed", "{path}");
        assert_eq!(problem["type"], "/problems/illegal-transition");
    }
    assert_eq!(app.post_empty(&format!("{base}/accept")).await.status(), 200);
    let again = app.post_empty(&format!("{base}/accept")).await;
    assert_eq!(again.status(), 409);
    assert_eq!(again.json::<Value>().await.expect("json")["current_status"], "accepted");
    let unknown_line = app.post_empty(&format!("{base}/lines/{}/start", uuid::Uuid::now_v7())).await;
    assert_eq!(unknown_line.status(), 404);
    let unknown_order = app.post_empty(&format!("/api/v1/orders/{}/accept", uuid::Uuid::now_v7())).await;
    assert_eq!(unknown_order.status(), 404);
    let now = app.order(order.id).await;
    assert_eq!((now.status.as_str(), now.version), ("accepted", 2));
    assert_eq!(app.events().await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn a_stale_if_match_is_409_and_a_current_one_succeeds() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let order = app.place(&demo.espresso("Ana")).await;
    let url = app.url(&format!("/api/v1/orders/{}/accept", order.id));
    let stale = app.client.post(&url).header("if-match", "\"7\"").send().await.expect("sent");
    assert_eq!(stale.status(), 409);
    let problem: Value = stale.json().await.expect("json");
    assert_eq!(problem["type"], "/problems/stale-version");
    assert_eq!(app.order(order.id).await.status.as_str(), "placed");
    let current = app.client.post(&url).header("if-match", "1").send().await.expect("sent");
    assert_eq!(current.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn cancel_needs_a_reason_works_before_ready_and_refunds_cash() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let mut body = demo.espresso("Ana");
    body["payment"] = json!({"method": "cash", "tendered_cents": 500});
    let paid = app.place(&body).await;
    let cancel = |id: uuid::Uuid, body: Value| {
        let app = &app;
        async move { app.post(&format!("/api/v1/orders/{id}/cancel"), &body).await }
    };
    let blank = cancel(paid.id, json!({"reason": "  "})).await;
    assert_eq!(blank.status(), 422);
    assert_eq!(blank.json::<Value>().await.expect("json")["errors"][0]["field"], "reason");
    let missing = cancel(paid.id, json!({})).await;
    assert_eq!(missing.status(), 422);
    let done: Value = cancel(paid.id, json!({"reason": "customer left"})).await.json().await.expect("json");
    assert_eq!((done["status"].as_str(), done["payment_status"].as_str()), (Some("cancelled"), Some("refunded")));
    let history = app.order(paid.id).await.history.expect("history");
    assert_eq!(history.last().and_then(|h| h.reason.as_deref()), Some("customer left"));
    let types: Vec<String> = app.events().await.into_iter().map(|e| e.event_type).collect();
    assert_eq!(types, ["order.placed", "payment.captured", "order.cancelled", "payment.refunded"]);

    // A ready order cannot be cancelled.
    let order = app.place(&demo.espresso("Ben")).await;
    let base = format!("/api/v1/orders/{}", order.id);
    for path in [
        "accept".to_string(),
        format!("lines/{}/start", order.lines[0].id),
        format!("lines/{}/done", order.lines[0].id),
    ] {
        assert_eq!(app.post_empty(&format!("{base}/{path}")).await.status(), 200);
    }
    let late = cancel(order.id, json!({"reason": "changed mind"})).await;
    assert_eq!(late.status(), 409);
    assert_eq!(late.json::<Value>().await.expect("json")["current_status"], "ready");
    app.stop().await;
}

#[tokio::test]
async fn paying_later_gives_change_and_cannot_happen_twice() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let order = app.place(&demo.latte_and_croissant("Ana")).await;
    let path = format!("/api/v1/orders/{}/payment", order.id);
    let short = app.post(&path, &json!({"method": "cash", "tendered_cents": 1000})).await;
    assert_eq!(short.status(), 422);
    assert_eq!(short.json::<Value>().await.expect("json")["errors"][0]["field"], "tendered_cents");
    let negative = app.post(&path, &json!({"method": "cash", "tendered_cents": -1})).await;
    assert_eq!(negative.status(), 422);
    let paid: Value =
        app.post(&path, &json!({"method": "cash", "tendered_cents": 2000})).await.json().await.expect("json");
    assert_eq!(paid["payment_status"], "captured");
    assert_eq!(paid["change_due_cents"], 815);
    let twice = app.post(&path, &json!({"method": "cash", "tendered_cents": 2000})).await;
    assert_eq!(twice.status(), 409);
    assert_eq!(twice.json::<Value>().await.expect("json")["current_status"], "captured");
    let captured = app.events().await.into_iter().filter(|e| e.event_type == "payment.captured").count();
    assert_eq!(captured, 1);
    app.stop().await;
}

#[tokio::test]
async fn the_pickup_board_shows_first_names_by_column_without_sign_in() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let first = app.place(&demo.espresso("Ana Lima")).await;
    let second = app.place(&demo.espresso("Ben")).await;
    app.make_ready(&first).await;
    let board: Value = reqwest::get(app.url("/api/v1/board")).await.expect("sent").json().await.expect("json");
    let ready =
        json!([{"ticket_number": first.ticket_number, "ticket": first.ticket_number.to_string(), "name": "Ana"}]);
    assert_eq!(board["ready"], ready);
    let preparing =
        json!([{"ticket_number": second.ticket_number, "ticket": second.ticket_number.to_string(), "name": "Ben"}]);
    assert_eq!(board["preparing"], preparing);
    app.stop().await;
}
