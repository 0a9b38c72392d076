//! Signing in with a PIN: tokens, cookies, who am I, sign-out, expiry and lockout.

use crate::helpers::FetchJson;
use crate::helpers::{client_with, sign_in, spawn_app, spawn_app_with, CASHIER_PIN};
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
    app.on_database(
        "UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000000Z', last_seen_at = '2000-01-01T00:00:00.000000Z'",
    )
    .await;
    let response = client.get(app.url("/api/v1/orders")).send().await.expect("sent");
    assert_eq!(response.status(), 401);
    assert_eq!(response.json::<Value>().await.expect("json")["type"], "/problems/unauthorized");
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

/// Runs a statement on the test's database, as someone holding it (or time) would.
async fn on_database(app: &crate::helpers::TestApp, sql: &str) {
    app.on_database(sql).await;
}

#[tokio::test]
async fn a_pin_reset_ends_that_persons_sessions() {
    let app = spawn_app().await;
    let cashier = client_with(&sign_in(&app.base, CASHIER_PIN).await);
    let barista = client_with(&sign_in(&app.base, crate::helpers::BARISTA_PIN).await);
    let me: Value = cashier.get(app.url("/api/v1/sessions/current")).fetch_json().await;
    let id = me["staff"]["id"].as_str().expect("id");
    let reset = app.client.put(app.url(&format!("/api/v1/staff/{id}/pin"))).json(&json!({"pin": "8642"})).send();
    assert_eq!(reset.await.expect("sent").status(), 200);
    assert_eq!(cashier.get(app.url("/api/v1/orders")).send().await.expect("sent").status(), 401);
    assert_eq!(barista.get(app.url("/api/v1/orders")).send().await.expect("sent").status(), 200, "others stay");
    assert_eq!(sign_in(&app.base, "8642").await.len(), 64, "the new PIN works");
    app.stop().await;
}

#[tokio::test]
async fn a_busy_session_still_ends_at_its_absolute_lifetime() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crate::helpers::test_config(dir.path().join("crema.db"));
    config.session_max_hours = 12;
    let app = spawn_app_with(config, dir).await;
    let cashier = client_with(&sign_in(&app.base, CASHIER_PIN).await);
    assert_eq!(cashier.get(app.url("/api/v1/orders")).send().await.expect("sent").status(), 200);
    // Signed in 13 hours ago and used all along: the idle clock alone would keep it alive.
    let thirteen_hours_ago = if crate::helpers::on_postgres() {
        "UPDATE sessions SET created_at = now() - interval '13 hours'"
    } else {
        "UPDATE sessions SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-13 hours')"
    };
    on_database(&app, thirteen_hours_ago).await;
    let response = cashier.get(app.url("/api/v1/orders")).send().await.expect("sent");
    assert_eq!(response.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn an_open_event_stream_closes_when_its_session_ends() {
    let app = spawn_app().await;
    let cashier_token = sign_in(&app.base, CASHIER_PIN).await;
    let barista_token = sign_in(&app.base, crate::helpers::BARISTA_PIN).await;
    let cashier = client_with(&cashier_token);
    let barista = client_with(&barista_token);
    let mut signed_out = crate::helpers::SseReader::connect(&cashier, &app.url("/api/v1/events"), None).await;
    let mut deactivated = crate::helpers::SseReader::connect(&barista, &app.url("/api/v1/events"), None).await;
    let mut manager = crate::helpers::open_stream(&app, "/api/v1/events", None).await;
    // Sign-out from another tab of the same session.
    assert_eq!(cashier.delete(app.url("/api/v1/sessions/current")).send().await.expect("sent").status(), 204);
    assert!(signed_out.closed_within(Duration::from_secs(8)).await, "the signed-out stream closes");
    // The manager deactivates the barista.
    let me: Value = barista.get(app.url("/api/v1/sessions/current")).fetch_json().await;
    assert_eq!(me["staff"]["role"], "barista");
    let id = me["staff"]["id"].as_str().expect("id");
    let off = app.client.patch(app.url(&format!("/api/v1/staff/{id}"))).json(&json!({"active": false})).send();
    assert_eq!(off.await.expect("sent").status(), 200);
    assert!(deactivated.closed_within(Duration::from_secs(8)).await, "the deactivated person's stream closes");
    // Everyone else's stream goes on.
    assert!(!manager.closed_within(Duration::from_millis(500)).await);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_session_ends_its_stream_within_seconds_and_is_pruned() {
    let app = spawn_app().await;
    let cashier = client_with(&sign_in(&app.base, CASHIER_PIN).await);
    let mut stream = crate::helpers::SseReader::connect(&cashier, &app.url("/api/v1/events"), None).await;
    on_database(
        &app,
        "UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000000Z' WHERE staff_id IN \
         (SELECT id FROM staff WHERE role = 'cashier')",
    )
    .await;
    assert!(stream.closed_within(Duration::from_secs(10)).await, "the periodic check ends it");
    crema_server::service::jobs::retention::prune(&app.state).await.expect("pruned");
    let left: i64 = crema_server::fetch_value!(
        &mut app.state.store.read().await.expect("reader"),
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE st.role = 'cashier'",
        ),
        fetch_one
    )
    .expect("count");
    assert_eq!(left, 0, "the expired session is gone");
    assert_eq!(app.get("/api/v1/sessions/current").await.status(), 200, "live sessions stay");
    app.stop().await;
}
