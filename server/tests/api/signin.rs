//! The sign-in limit, attacked: the three known bypasses (a made-up terminal header, racing,
//! signing in between guesses) each driven with a thousand guesses; terminals that share an
//! address; the shop-wide alert; bounded PIN checks and audit rows.

use crate::helpers::{pair_terminal, spawn_app, spawn_app_with, test_config, TestApp, CASHIER_PIN, MANAGER_PIN};
use futures::future::join_all;
use serde_json::{json, Value};
use std::time::Duration;

/// A sign-in attempt as a bare client: `(status, Retry-After)`.
async fn attempt(app: &TestApp, pin: &str, headers: &[(&str, String)]) -> (u16, Option<u64>) {
    let mut request = reqwest::Client::new().post(app.url("/api/v1/sessions")).json(&json!({ "pin": pin }));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("sent");
    let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    (response.status().as_u16(), retry)
}

fn checks(app: &TestApp) -> u64 {
    app.state.auth.pins.checks()
}

const WRONG: &str = "4321";

#[tokio::test]
async fn a_new_terminal_header_per_guess_gets_no_fresh_tries() {
    let app = spawn_app().await;
    let before = checks(&app);
    let mut refused = 0;
    for round in 0..20 {
        let guesses = (0..50).map(|i| {
            let header = vec![("x-crema-terminal", format!("till-{round}-{i}"))];
            let app = &app;
            async move { attempt(app, WRONG, &header).await }
        });
        for (status, retry) in join_all(guesses).await {
            if status == 429 {
                refused += 1;
                assert!(retry.is_some_and(|r| r >= 1), "429 carries Retry-After");
            } else {
                assert_eq!(status, 401);
            }
        }
    }
    let ran = checks(&app) - before;
    assert!(ran <= 5, "1,000 guesses with 1,000 terminal headers ran {ran} PIN checks (limit 5)");
    assert_eq!(refused, 1_000 - ran as usize);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_guesses_are_counted_before_they_are_checked() {
    let app = spawn_app().await;
    let before = checks(&app);
    let guesses = (0..1_000).map(|_| attempt(&app, WRONG, &[]));
    let answers = join_all(guesses).await;
    let ran = checks(&app) - before;
    assert!(ran <= 5, "1,000 concurrent guesses ran {ran} PIN checks (limit 5)");
    assert_eq!(answers.iter().filter(|(s, _)| *s == 401).count() as u64, ran);
    assert!(answers.iter().all(|(s, _)| matches!(s, 401 | 429)));
    app.stop().await;
}

#[tokio::test]
async fn signing_in_with_ones_own_pin_between_guesses_does_not_reset_the_count() {
    let app = spawn_app().await;
    let before = checks(&app);
    let mut signed_in = 0u64;
    for _ in 0..500 {
        if attempt(&app, CASHIER_PIN, &[]).await.0 == 201 {
            signed_in += 1;
        }
        attempt(&app, WRONG, &[]).await;
    }
    let wrong_checks = checks(&app) - before - signed_in;
    assert!(wrong_checks <= 5, "500 guesses between sign-ins ran {wrong_checks} wrong-PIN checks (limit 5)");
    // Locked out, even the right PIN waits for the window.
    assert_eq!(attempt(&app, CASHIER_PIN, &[]).await.0, 429);
    app.stop().await;
}

#[tokio::test]
async fn an_enrolled_terminal_has_its_own_limit_that_nobody_else_can_use_up() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.signin_window_secs = 120;
    // The window is measured on the server's clock, which this test moves.
    config.clock = crema_server::clock::Clock::manual(chrono::Utc::now());
    let app = spawn_app_with(config, dir).await;
    let till = pair_terminal(&app, "Till 1").await;
    let kitchen = pair_terminal(&app, "Kitchen").await;
    // Someone on the same address (the desktop app's loopback, a TLS proxy) types wrong PINs.
    for _ in 0..5 {
        assert_eq!(attempt(&app, WRONG, &[]).await.0, 401);
    }
    let (status, retry) = attempt(&app, MANAGER_PIN, &[]).await;
    assert_eq!(status, 429, "the address is locked, even for the right PIN");
    assert!(retry.is_some_and(|r| (1..=120).contains(&r)), "{retry:?}");
    // The enrolled terminals on that address are not.
    assert_eq!(attempt(&app, CASHIER_PIN, &[("x-crema-terminal", till.clone())]).await.0, 201);
    // A made-up or stolen-looking credential is just the address.
    let forged = format!("{}.{}", till.split('.').next().unwrap_or_default(), "ab".repeat(32));
    assert_eq!(attempt(&app, CASHIER_PIN, &[("x-crema-terminal", forged)]).await.0, 429);
    // A terminal's own failures lock only that terminal.
    for _ in 0..5 {
        attempt(&app, WRONG, &[("x-crema-terminal", till.clone())]).await;
    }
    assert_eq!(attempt(&app, CASHIER_PIN, &[("x-crema-terminal", till.clone())]).await.0, 429);
    assert_eq!(attempt(&app, CASHIER_PIN, &[("x-crema-terminal", kitchen.clone())]).await.0, 201);
    // The cookie works like the header (browsers get it on pairing).
    let cookie = format!("crema_terminal={kitchen}");
    assert_eq!(attempt(&app, CASHIER_PIN, &[("cookie", cookie)]).await.0, 201);
    // A moment before the window has passed, still locked; once it has, the address may try again.
    app.state.clock.advance(Duration::from_secs(119));
    assert_eq!(attempt(&app, MANAGER_PIN, &[]).await.0, 429);
    app.state.clock.advance(Duration::from_secs(1));
    assert_eq!(attempt(&app, MANAGER_PIN, &[]).await.0, 201);
    app.stop().await;
}

#[tokio::test]
async fn a_burst_of_failures_is_one_audit_row_per_source_and_window() {
    let app = spawn_app().await;
    for _ in 0..200 {
        attempt(&app, WRONG, &[]).await;
    }
    let audit: Value = app.get("/api/v1/audit?action=sign_in.&limit=200").await.json().await.expect("json");
    let actions: Vec<&str> =
        audit["entries"].as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    let failed = actions.iter().filter(|a| **a == "sign_in.failed").count();
    let locked = actions.iter().filter(|a| **a == "sign_in.locked_out").count();
    assert_eq!((failed, locked), (1, 1), "200 wrong PINs: {actions:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_shop_wide_budget_raises_an_alert_and_slows_every_source() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.signin_max_failures = 2;
    config.signin_shop_budget = 6;
    config.signin_slowdown_secs = 60;
    let app = spawn_app_with(config, dir).await;
    let mut terminals = Vec::new();
    for n in 0..4 {
        terminals.push(pair_terminal(&app, &format!("Tablet {n}")).await);
    }
    // Four sources, two wrong PINs each: the shop's budget of six is reached on the way.
    for credential in &terminals[..3] {
        for _ in 0..2 {
            assert_eq!(attempt(&app, WRONG, &[("x-crema-terminal", credential.clone())]).await.0, 401);
        }
    }
    let alerts: Vec<_> = app.events().await.into_iter().filter(|e| e.event_type == "security.signin_alert").collect();
    assert_eq!(alerts.len(), 1, "one alert");
    assert_eq!(alerts[0].data["failures"], 6);
    // Nobody is locked out, but every source now waits between attempts.
    let fresh = terminals[3].clone();
    assert_eq!(attempt(&app, CASHIER_PIN, &[("x-crema-terminal", fresh.clone())]).await.0, 201);
    let (status, retry) = attempt(&app, CASHIER_PIN, &[("x-crema-terminal", fresh)]).await;
    assert_eq!(status, 429, "slowed down");
    assert!(retry.is_some_and(|r| r > 1));
    let audit: Value = app.get("/api/v1/audit?action=security.signin_alert").await.json().await.expect("json");
    assert_eq!(audit["entries"].as_array().map(Vec::len), Some(1));
    app.stop().await;
}

#[tokio::test]
async fn pin_checks_are_bounded_and_the_overflow_is_told_to_retry() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.pin_checks = 1;
    config.signin_max_failures = 100;
    let app = spawn_app_with(config, dir).await;
    let answers = join_all((0..80).map(|_| attempt(&app, CASHIER_PIN, &[]))).await;
    assert_eq!(app.state.auth.pins.peak_concurrency(), 1, "never more than one argon2 check at once");
    let busy: Vec<_> = answers.iter().filter(|(s, _)| *s == 503).collect();
    assert!(!busy.is_empty(), "80 sign-ins at once on one checker: some are told to come back");
    assert!(busy.iter().all(|(_, retry)| *retry == Some(1)), "503 carries Retry-After");
    assert!(answers.iter().all(|(s, _)| matches!(s, 201 | 503)));
    app.stop().await;
}
