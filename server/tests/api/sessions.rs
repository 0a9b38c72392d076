//! Signing in with a PIN: tokens, cookies, who am I, sign-out, expiry and lockout.

use crate::helpers::FetchJson;
use crate::helpers::{client_with, sign_in, spawn_app, spawn_app_with, CASHIER_PIN, MANAGER_PIN};
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn sign_in_gives_a_token_and_a_strict_httponly_cookie() {
    let app = spawn_app().await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/sessions"))
        .json(&json!({"pin": CASHIER_PIN}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 201);
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_string();
    let session: Value = response.json().await.expect("json");
    let token = session["token"].as_str().expect("token");
    assert_eq!(token.len(), 64);
    assert!(cookie.starts_with(&format!("crema_session={token};")), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), "{cookie}");
    assert_eq!(session["staff"]["role"], "cashier");

    // The cookie alone works (browser screens), as does the bearer token (API clients).
    let who: Value = reqwest::Client::new()
        .get(app.url("/api/v1/sessions/current"))
        .header("cookie", format!("crema_session={token}"))
        .fetch_json()
        .await;
    assert_eq!(who["staff"]["role"], "cashier");
    assert!(who.get("token").is_none(), "the token is only handed out once");
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_or_malformed_pin_is_refused() {
    let app = spawn_app().await;
    let post = |pin: &str| reqwest::Client::new().post(app.url("/api/v1/sessions")).json(&json!({"pin": pin})).send();
    let wrong = post("4321").await.expect("sent");
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().contains_key("www-authenticate"));
    let malformed = post("12a").await.expect("sent");
    assert_eq!(malformed.status(), 422);
    assert_eq!(malformed.json::<Value>().await.expect("json")["errors"][0]["field"], "pin");
    app.stop().await;
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = spawn_app().await;
    let token = sign_in(&app.base, CASHIER_PIN).await;
    let client = client_with(&token);
    assert_eq!(client.get(app.url("/api/v1/sessions/current")).send().await.expect("sent").status(), 200);
    let out = client.delete(app.url("/api/v1/sessions/current")).send().await.expect("sent");
    assert_eq!(out.status(), 204);
    assert!(out.headers().get("set-cookie").and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("Max-Age=0")));
    assert_eq!(client.get(app.url("/api/v1/sessions/current")).send().await.expect("sent").status(), 401);
    assert_eq!(client.get(app.url("/api/v1/orders")).send().await.expect("sent").status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = spawn_app().await;
    let token = sign_in(&app.base, CASHIER_PIN).await;
    let client = client_with(&token);
    assert_eq!(client.get(app.url("/api/v1/orders")).send().await.expect("sent").status(), 200);
    // Age the session past its idle limit, as time would.
    let db = app.dir.path().join("crema.db");
    let mut conn =
        <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}", db.display())).await.expect("db");
    sqlx::query(
        "UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000000Z', last_seen_at = '2000-01-01T00:00:00.000000Z'",
    )
    .execute(&mut conn)
    .await
    .expect("aged");
    let response = client.get(app.url("/api/v1/orders")).send().await.expect("sent");
    assert_eq!(response.status(), 401);
    assert_eq!(response.json::<Value>().await.expect("json")["type"], "/problems/unauthorized");
    app.stop().await;
}

#[tokio::test]
async fn five_wrong_pins_lock_the_terminal_out_until_the_window_passes() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crema_server::Config::for_database(dir.path().join("crema.db"));
    config.signin_window_secs = 2;
    let app = spawn_app_with(config, dir).await;
    let attempt = |pin: &'static str, terminal: &'static str| {
        reqwest::Client::new()
            .post(app.url("/api/v1/sessions"))
            .header("x-crema-terminal", terminal)
            .json(&json!({"pin": pin}))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("4321", "till-1").await.expect("sent").status(), 401);
    }
    let locked = attempt(MANAGER_PIN, "till-1").await.expect("sent");
    assert_eq!(locked.status(), 429, "even the right PIN waits");
    let retry_after: u64 = locked
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=2).contains(&retry_after));
    // Another terminal is not locked.
    assert_eq!(attempt(MANAGER_PIN, "till-2").await.expect("sent").status(), 201);
    // Once the window has passed, till 1 can sign in again.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let status = attempt(MANAGER_PIN, "till-1").await.expect("sent").status();
        if status == 201 {
            break;
        }
        assert_eq!(status, 429);
        assert!(tokio::time::Instant::now() < deadline, "still locked after the window");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn orders_and_events_carry_who_caused_them() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let cashier = app.client_as(CASHIER_PIN).await;
    let me: Value = cashier.get(app.url("/api/v1/sessions/current")).fetch_json().await;
    let order: Value = cashier.post(app.url("/api/v1/orders")).json(&demo.espresso("Ana")).fetch_json().await;
    assert_eq!(order["placed_by"], me["staff"]["id"]);
    let placed = app.events().await.into_iter().find(|e| e.event_type == "order.placed").expect("event");
    assert_eq!(placed.staff_id.as_deref(), me["staff"]["id"].as_str());
    app.stop().await;
}

#[tokio::test]
async fn a_cashier_cancels_only_before_preparation() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let cashier = app.client_as(CASHIER_PIN).await;
    let barista = app.client_as(crate::helpers::BARISTA_PIN).await;
    let place = || async {
        let order: Value = cashier.post(app.url("/api/v1/orders")).json(&demo.espresso("Ana")).fetch_json().await;
        order
    };
    let cancel = |id: &str| {
        cashier.post(app.url(&format!("/api/v1/orders/{id}/cancel"))).json(&json!({"reason": "left"})).send()
    };
    let early = place().await;
    assert_eq!(cancel(early["id"].as_str().expect("id")).await.expect("sent").status(), 200);
    let late = place().await;
    let id = late["id"].as_str().expect("id");
    assert_eq!(barista.post(app.url(&format!("/api/v1/orders/{id}/accept"))).send().await.expect("sent").status(), 200);
    let line = late["lines"][0]["id"].as_str().expect("line");
    assert_eq!(
        barista.post(app.url(&format!("/api/v1/orders/{id}/lines/{line}/start"))).send().await.expect("sent").status(),
        200
    );
    let refused = cancel(id).await.expect("sent");
    assert_eq!(refused.status(), 403);
    assert_eq!(app.order(late["id"].as_str().expect("id").parse().expect("uuid")).await.status.as_str(), "preparing");
    // A manager may.
    let by_manager = app.post(&format!("/api/v1/orders/{id}/cancel"), &json!({"reason": "machine broke"})).await;
    assert_eq!(by_manager.status(), 200);
    app.stop().await;
}
