//! The live event stream: CloudEvents over SSE, resumable without gaps or duplicates.

use crate::helpers::spawn_app;
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_new_order_arrives_live_as_a_cloudevent() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let mut stream = crate::helpers::open_stream(&app, "/api/v1/events", None).await;
    let order = app.place(&demo.latte_and_croissant("Ana")).await;
    let message = stream.next(WAIT).await.expect("an event arrives");
    let event: Value = serde_json::from_str(&message.data).expect("json");
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["type"], "order.placed");
    assert_eq!(event["source"], "crema/demo/hub");
    assert_eq!(event["subject"], order.id.to_string());
    assert_eq!(event["datacontenttype"], "application/json");
    assert_eq!(message.id.as_deref(), event["sequence"].as_str());
    assert!(event["traceparent"].as_str().is_some_and(|t| t.starts_with("00-")));
    assert!(event["requestid"].is_string());
    assert_eq!(event["data"]["ticket_number"], 1);
    assert_eq!(event["data"]["order"]["lines"][0]["name"], "Latte");
    app.stop().await;
}

#[tokio::test]
async fn resuming_with_last_event_id_has_no_gap_and_no_duplicate() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    for i in 0..3 {
        app.place(&demo.espresso(&format!("Early {i}"))).await;
    }
    // Read the first two of the backlog, then drop the connection.
    let mut first = crate::helpers::open_stream(&app, "/api/v1/events?after=0", None).await;
    let a = first.next(WAIT).await.expect("event 1");
    let b = first.next(WAIT).await.expect("event 2");
    drop(first);
    // Meanwhile more happens.
    for i in 0..4 {
        app.place(&demo.espresso(&format!("Late {i}"))).await;
    }
    let mut resumed = crate::helpers::open_stream(&app, "/api/v1/events", b.id.as_deref()).await;
    let mut seen = vec![a.id.clone(), b.id.clone()];
    for _ in 0..5 {
        seen.push(resumed.next(WAIT).await.expect("resumed event").id);
    }
    let sequences: Vec<i64> =
        seen.iter().map(|id| id.as_deref().and_then(|s| s.parse().ok()).expect("numeric id")).collect();
    assert_eq!(sequences, (1..=7).collect::<Vec<_>>());
    // Nothing more is pending: the next message only comes with the next change.
    assert!(resumed.next(Duration::from_millis(300)).await.is_none());
    app.place(&demo.espresso("Later")).await;
    assert_eq!(resumed.next(WAIT).await.and_then(|m| m.id), Some("8".to_string()));
    app.stop().await;
}

#[tokio::test]
async fn a_stream_without_cursor_starts_at_now() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    app.place(&demo.espresso("Before")).await;
    let mut stream = crate::helpers::open_stream(&app, "/api/v1/events", None).await;
    let after = app.place(&demo.espresso("After")).await;
    let message = stream.next(WAIT).await.expect("event");
    let event: Value = serde_json::from_str(&message.data).expect("json");
    assert_eq!(event["subject"], after.id.to_string());
    app.stop().await;
}

#[tokio::test]
async fn a_bad_cursor_is_a_400_problem() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/api/v1/events")).header("last-event-id", "abc").send().await.expect("sent");
    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<Value>().await.expect("json")["errors"][0]["field"], "Last-Event-ID");
    let response = app.get("/api/v1/events?after=-3").await;
    assert_eq!(response.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn keep_alives_flow_while_idle() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crate::helpers::test_config(dir.path().join("crema.db"));
    config.sse_keepalive_secs = 1;
    let server = crema_server::Server::bind(&config).await.expect("bind");
    let addr = server.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let token = crate::helpers::sign_in(&format!("http://{addr}"), crate::helpers::BARISTA_PIN).await;
    let client = crate::helpers::client_with(&token);
    let mut response = client.get(format!("http://{addr}/api/v1/events")).send().await.expect("stream");
    let chunk = tokio::time::timeout(Duration::from_secs(5), response.chunk()).await.expect("keep-alive in time");
    let text = String::from_utf8_lossy(&chunk.expect("chunk").expect("bytes")).to_string();
    assert!(text.starts_with(':'), "expected an SSE comment, got {text:?}");
    // Shutting down ends the open stream instead of hanging the server.
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("server stops with a stream open")
        .expect("task")
        .expect("clean");
}
