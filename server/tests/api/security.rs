//! CORS and security headers.

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn cors_allows_only_the_own_and_configured_origins() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crema_server::Config::for_database(dir.path().join("crema.db"));
    config.cors_origins = vec!["http://tablet.shop.lan:8080".into()];
    let app = spawn_app_with(config, dir).await;
    let preflight = |origin: String| {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/orders"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,idempotency-key")
            .send()
    };
    let allowed = |r: &reqwest::Response| {
        r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()).map(String::from)
    };
    let configured = preflight("http://tablet.shop.lan:8080".into()).await.expect("sent");
    assert_eq!(allowed(&configured).as_deref(), Some("http://tablet.shop.lan:8080"));
    let own = preflight(app.base.clone()).await.expect("sent");
    assert_eq!(allowed(&own).as_deref(), Some(app.base.as_str()));
    let other = preflight("http://evil.example".into()).await.expect("sent");
    assert_eq!(allowed(&other), None);
    app.stop().await;
}

#[tokio::test]
async fn answers_carry_security_headers() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/menu").await;
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"));
    assert!(header("content-security-policy").is_some_and(|c| c.contains("default-src 'self'")));
    app.stop().await;
}
