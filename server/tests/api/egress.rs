//! Sinks cannot be turned against the shop's own network (SSRF): private, loopback and
//! link-local targets are refused unless the operator allows them, checked again when
//! connecting, redirects are not followed, and the manager sees no detail of what answered.

use crate::helpers::{spawn_app_with, test_config, TestApp};
use axum::http::{header, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

async fn strict_app() -> TestApp {
    let dir = tempfile::tempdir().expect("dir");
    spawn_app_with(crate::helpers::store_config(dir.path().join("crema.db")), dir).await
}

/// A receiver counting every request; `/redirect` answers 307 to `/hook`.
async fn receiver(hits: Arc<AtomicU32>) -> String {
    let counted = |hits: Arc<AtomicU32>, answer: (StatusCode, [(header::HeaderName, &'static str); 1])| {
        axum::routing::any(move || {
            let hits = hits.clone();
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                answer
            }
        })
    };
    let app = axum::Router::new()
        .route("/hook", counted(hits.clone(), (StatusCode::NO_CONTENT, [(header::CACHE_CONTROL, "no-store")])))
        .route("/redirect", counted(hits, (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, "/hook")])));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Waits until the sink reports an error, and returns it.
async fn sink_error(app: &TestApp, id: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let sink: Value = app.get(&format!("/api/v1/sinks/{id}")).await.json().await.expect("sink");
        if let Some(error) = sink["last_error"].as_str() {
            return error.to_string();
        }
        assert!(tokio::time::Instant::now() < deadline, "the sink never reported an error: {sink}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn private_targets_are_refused_when_a_sink_is_saved() {
    let app = strict_app().await;
    for url in [
        "http://127.0.0.1:8080/api/v1/staff",
        "http://localhost:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/",
        "http://10.0.0.1/admin",
        "http://192.168.1.1/",
        "http://[::ffff:127.0.0.1]:22/",
    ] {
        let answer: Value =
            app.post("/api/v1/sinks", &json!({"name": "x", "url": url})).await.json().await.expect("json");
        assert_eq!(answer["status"], 422, "{url}");
        assert_eq!(answer["errors"][0]["field"], "url", "{url}");
        assert!(answer["detail"].as_str().is_some_and(|d| d.contains("CREMA_EGRESS_ALLOW")), "{answer}");
    }
    let kafka = app
        .post("/api/v1/sinks", &json!({"name": "k", "kind": "kafka", "brokers": "127.0.0.1:9092", "topic": "t"}))
        .await;
    let kafka: Value = kafka.json().await.expect("json");
    assert_eq!(kafka["errors"][0]["field"], "brokers");
    let created = app.post("/api/v1/sinks", &json!({"name": "x", "url": "http://127.0.0.1:9/"})).await;
    assert_eq!(created.status(), 422);
    let patched_target = app.client.patch(app.url("/api/v1/sinks/00000000-0000-7000-8000-000000000000"));
    let patched = patched_target.json(&json!({"url": "http://127.0.0.1:9/"})).send().await.expect("sent");
    assert_eq!(patched.status(), 422, "a change is checked like a new sink");
    let sinks: Value = app.get("/api/v1/sinks").await.json().await.expect("json");
    assert_eq!(sinks, json!([]), "nothing was saved");
    app.stop().await;
}

#[tokio::test]
async fn a_name_that_resolves_to_a_private_address_is_refused_when_connecting() {
    let hits = Arc::new(AtomicU32::new(0));
    let base = receiver(hits.clone()).await;
    let port = base.rsplit(':').next().expect("port").to_string();
    let port_text = port.clone();
    let app = strict_app().await;
    // Saved while the name pointed elsewhere (as a rebinding attacker would arrange): put the
    // row in place directly, the way only a changed DNS answer could.
    let id = uuid::Uuid::now_v7();
    let sealed = app.state.sealer.seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &id.to_string()).expect("sealed");
    let sink = app
        .state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let now = crema_server::store::time::now();
                let record = crema_server::store::sinks::SinkRecord {
                    id,
                    name: "rebound".into(),
                    target: crema_server::store::sinks::SinkTarget::Webhook {
                        url: format!("http://localhost:{port}/hook"),
                        secret: sealed,
                    },
                    event_types: Vec::new(),
                    active: true,
                    cursor: 0,
                    rejections: 0,
                    consecutive_failures: 0,
                    next_attempt_at: None,
                    last_error: None,
                    created_at: now,
                    updated_at: now,
                };
                crema_server::store::sinks::insert(conn, &record).await?;
                Ok::<_, crema_server::store::JobError<crema_server::store::StoreError>>(crema_server::store::Done::new(
                    record.id, None,
                ))
            })
        })
        .await
        .expect("inserted");
    app.place(&app.demo().await.espresso("Ana")).await;
    crema_server::service::sinks::relay::ensure_running(&app.state, sink);
    let error = sink_error(&app, &sink.to_string()).await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing reached the private address");
    assert!(error.contains("not allowed") && error.contains("CREMA_EGRESS_ALLOW"), "{error}");
    assert!(!error.contains(&port_text), "the error says nothing of the port: {error}");
    app.stop().await;
}

#[tokio::test]
async fn redirects_are_not_followed_and_errors_say_nothing_of_what_answered() {
    let hits = Arc::new(AtomicU32::new(0));
    let base = receiver(hits.clone()).await;
    let dir = tempfile::tempdir().expect("dir");
    let app = spawn_app_with(test_config(dir.path().join("crema.db")), dir).await;
    let made: Value = app
        .post("/api/v1/sinks", &json!({"name": "moved", "url": format!("{base}/redirect")}))
        .await
        .json()
        .await
        .expect("json");
    app.place(&app.demo().await.espresso("Ana")).await;
    let error = sink_error(&app, made["id"].as_str().expect("id")).await;
    assert!(error.contains("307") && error.contains("redirects are not followed"), "{error}");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "only the redirecting endpoint was hit, never its target");

    // A closed port: a generic error, no "Connection refused", no port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let made: Value = app
        .post("/api/v1/sinks", &json!({"name": "closed", "url": format!("http://127.0.0.1:{port}/hook")}))
        .await
        .json()
        .await
        .expect("json");
    app.place(&app.demo().await.espresso("Ben")).await;
    let error = sink_error(&app, made["id"].as_str().expect("id")).await;
    assert_eq!(error, "cannot reach the endpoint");
    app.stop().await;
}
