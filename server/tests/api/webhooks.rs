//! The outbox relay to signed webhooks, against a real HTTP receiver started by the test:
//! an outage holds the backlog, every event arrives in order with a valid signature, a
//! refused event is dead-lettered and replayable, a range can be replayed.

use crate::helpers::{spawn_app_with, TestApp};
use crema_server::sinks::signing::WebhookSecret;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub(crate) use crema_e2e::webhook::Receiver;

async fn app_with_webhook(url: Option<&str>, secret: Option<&str>) -> TestApp {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crate::helpers::test_config(dir.path().join("crema.db"));
    config.webhook_url = url.map(String::from);
    config.webhook_secret = secret.map(|s| s.to_string().into());
    config.webhook_retry_base_ms = 20;
    config.webhook_breaker_open_secs = 1;
    spawn_app_with(config, dir).await
}

async fn event_ids(app: &TestApp, types: Option<&[&str]>) -> HashSet<String> {
    app.events()
        .await
        .into_iter()
        .filter(|e| types.is_none_or(|t| t.contains(&e.event_type.as_str())))
        .map(|e| e.id)
        .collect()
}

#[tokio::test]
async fn a_configured_webhook_survives_an_outage_and_gets_every_event_in_order_signed() {
    let receiver = Receiver::default();
    receiver.failures_left.store(12, Ordering::SeqCst); // long enough to open the breaker
    let url = receiver.clone().start().await;
    let secret = WebhookSecret::generate();
    let app = app_with_webhook(Some(&url), Some(&secret)).await;
    let demo = app.demo().await;
    for i in 0..4 {
        let mut body = demo.espresso(&format!("Guest {i}"));
        body["payment"] = json!({"method": "cash", "tendered_cents": 500});
        app.place(&body).await;
    }
    let expected = event_ids(&app, None).await;
    assert_eq!(expected.len(), 8);
    receiver.wait_for(&expected, Duration::from_secs(30)).await;

    let mut last_sequence = 0;
    let mut seen = HashSet::new();
    for message in receiver.all() {
        message.verify(&secret).expect("a valid Standard Webhooks signature");
        let event: Value = serde_json::from_slice(&message.body).expect("cloudevent");
        assert_eq!(event["id"], message.id);
        assert_eq!(event["specversion"], "1.0");
        if seen.insert(message.id.clone()) {
            let sequence: i64 = event["sequence"].as_str().and_then(|s| s.parse().ok()).expect("sequence");
            assert!(sequence > last_sequence, "out of order: {sequence} after {last_sequence}");
            last_sequence = sequence;
        }
    }
    // The relay records its cursor just after the receiver has the event: poll for it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let sink = loop {
        let sinks: Value = app.get("/api/v1/sinks").await.json().await.expect("json");
        if sinks[0]["cursor"] == last_sequence {
            break sinks[0].clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "cursor never reached {last_sequence}: {sinks}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(sink["name"], "configured-webhook");
    assert!(sink.get("secret").is_none(), "the secret is never listed");
    assert_eq!(sink["consecutive_failures"], 0);
    app.stop().await;
}

#[tokio::test]
async fn a_refused_event_is_dead_lettered_the_rest_flows_and_a_manager_replays_it() {
    let receiver = Receiver::default();
    receiver.refuse.lock().expect("lock").insert("payment.captured".into());
    let url = receiver.clone().start().await;
    let app = app_with_webhook(None, None).await;
    let created = app
        .post("/api/v1/sinks", &json!({"name": "kitchen-printer", "url": url, "event_types": ["order.", "payment."]}))
        .await;
    assert_eq!(created.status(), 201);
    let sink: Value = created.json().await.expect("json");
    let id = sink["id"].as_str().expect("id").to_string();
    assert!(sink["secret"].as_str().is_some_and(|s| s.starts_with("whsec_")), "the secret is shown once");

    let demo = app.demo().await;
    let mut paid = demo.espresso("Ana");
    paid["payment"] = json!({"method": "cash", "tendered_cents": 500});
    app.place(&paid).await;
    app.place(&demo.espresso("Ben")).await;
    let placed = event_ids(&app, Some(&["order.placed"])).await;
    receiver.wait_for(&placed, Duration::from_secs(30)).await;

    let letters: Value = app.get(&format!("/api/v1/sinks/{id}/dead-letters")).await.json().await.expect("json");
    assert_eq!(letters.as_array().map(Vec::len), Some(1), "{letters}");
    assert_eq!(letters[0]["attempts"], 5);
    assert!(letters[0]["error"].as_str().is_some_and(|e| e.contains("400")));
    let letter = letters[0]["id"].as_i64().expect("id");

    // Still refused: a 409 saying why, and nothing changes.
    let again = app.post_empty(&format!("/api/v1/sinks/{id}/dead-letters/{letter}/replay")).await;
    assert_eq!(again.status(), 409);
    // The endpoint is fixed; the replay delivers it.
    receiver.refuse.lock().expect("lock").clear();
    let replayed = app.post_empty(&format!("/api/v1/sinks/{id}/dead-letters/{letter}/replay")).await;
    assert_eq!(replayed.status(), 200);
    assert!(replayed.json::<Value>().await.expect("json")["replayed_at"].is_string());
    let captured = event_ids(&app, Some(&["payment.captured"])).await;
    receiver.wait_for(&captured, Duration::from_secs(5)).await;
    app.stop().await;
}

#[tokio::test]
async fn a_range_is_replayed_in_order_as_a_job() {
    let receiver = Receiver::default();
    let url = receiver.clone().start().await;
    let app = app_with_webhook(None, None).await;
    let demo = app.demo().await;
    for name in ["Ana", "Ben", "Cy"] {
        app.place(&demo.espresso(name)).await;
    }
    let sink: Value = app
        .post("/api/v1/sinks", &json!({"name": "audit-copy", "url": url, "start_after": 0}))
        .await
        .json()
        .await
        .expect("json");
    let id = sink["id"].as_str().expect("id").to_string();
    let all = event_ids(&app, None).await;
    receiver.wait_for(&all, Duration::from_secs(10)).await;
    let before = receiver.all().len();

    let job = app.post(&format!("/api/v1/sinks/{id}/replay"), &json!({"from_sequence": 1, "to_sequence": 2})).await;
    assert_eq!(job.status(), 202);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while receiver.all().len() < before + 2 {
        assert!(tokio::time::Instant::now() < deadline, "the replay never arrived");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let replayed: Vec<Value> =
        receiver.all()[before..].iter().map(|r| serde_json::from_slice(&r.body).expect("json")).collect();
    let sequences: Vec<&str> = replayed.iter().filter_map(|e| e["sequence"].as_str()).collect();
    assert_eq!(sequences, ["1", "2"]);
    for (body, expect) in [
        (json!({"from_sequence": 0, "to_sequence": 2}), "from_sequence"),
        (json!({"from_sequence": 5, "to_sequence": 2}), "to_sequence"),
        // Found by the schema fuzzer: a span that overflows must be refused, not crash the request.
        (json!({"from_sequence": 1, "to_sequence": i64::MAX}), "to_sequence"),
        (json!({"from_sequence": i64::MIN, "to_sequence": i64::MAX - 1}), "from_sequence"),
    ] {
        let response = app.post(&format!("/api/v1/sinks/{id}/replay"), &body).await;
        assert_eq!(response.status(), 422);
        assert_eq!(response.json::<Value>().await.expect("json")["errors"][0]["field"], expect);
    }
    app.stop().await;
}

#[tokio::test]
async fn bad_sinks_name_the_field_and_change_nothing() {
    let app = app_with_webhook(None, None).await;
    for (body, field) in [
        (json!({"name": "x", "url": "ftp://example.com/hook"}), "url"),
        (json!({"name": "x", "url": "not a url"}), "url"),
        (json!({"name": "x", "url": "http://127.0.0.1:9/hook", "secret": "hunter2"}), "secret"),
        (json!({"name": "x", "url": "http://127.0.0.1:9/hook", "event_types": ["Order Placed"]}), "event_types"),
        (json!({"name": " ", "url": "http://127.0.0.1:9/hook"}), "name"),
    ] {
        let response = app.post("/api/v1/sinks", &body).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(response.json::<Value>().await.expect("json")["errors"][0]["field"], field, "{body}");
    }
    let sinks: Value = app.get("/api/v1/sinks").await.json().await.expect("json");
    assert_eq!(sinks, json!([]));
    let started = crema_server::Server::bind(&{
        let dir = tempfile::tempdir().expect("dir");
        let mut config = crate::helpers::test_config(dir.path().join("c.db"));
        config.webhook_url = Some("http://127.0.0.1:9/hook".into());
        config
    })
    .await;
    assert!(started.is_err(), "a webhook URL without its secret must not start");
    app.stop().await;
}
