//! Retention: the nightly pruning removes what is past its time and nothing a sink, a dead
//! letter or the audit log still needs. Time is moved on the server's clock.

use crate::helpers::{client_with, sign_in, spawn_app_with, test_config, MANAGER_PIN};
use crema_server::clock::Clock;
use crema_server::service::jobs::retention::{self, Pruned};
use crema_server::store::outbox;
use serde_json::{json, Value};
use std::time::Duration;

const DAY: Duration = Duration::from_secs(86_400);

async fn audit_rows(app: &crate::helpers::TestApp) -> i64 {
    crema_server::fetch_value!(
        &mut app.state.store.read().await.expect("reader"),
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log"),
        fetch_one
    )
    .expect("count")
}

#[tokio::test]
async fn old_records_go_once_past_their_retention_and_never_what_a_sink_still_needs() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.clock = Clock::manual(chrono::Utc::now());
    config.ticket_sla_secs = 0; // no ticket-age alerts adding events while the clock jumps
    let mut app = spawn_app_with(config, dir).await;
    let demo = app.demo().await;
    // A sink that cannot be reached holds every event from the start.
    let sink: Value = app
        .post("/api/v1/sinks", &json!({"name": "hq", "url": "http://127.0.0.1:9/hook", "start_after": 0}))
        .await
        .json()
        .await
        .expect("sink");
    for n in 0..3 {
        let response = app
            .client
            .post(app.url("/api/v1/orders"))
            .header("idempotency-key", format!("order-{n}"))
            .json(&demo.espresso(&format!("Guest {n}")))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 201);
    }
    let events_before = app.events().await.len();
    let audited = audit_rows(&app).await;

    // A day later nothing is old enough.
    app.state.clock.advance(DAY);
    let pruned = retention::prune(&app.state).await.expect("pruned");
    assert_eq!(Pruned { sessions: pruned.sessions, ..Pruned::default() }, pruned, "nothing but ended sessions");
    assert_eq!(app.events().await.len(), events_before);

    // A month later the idempotency answers go; the events stay while the sink has not passed them.
    app.state.clock.advance(30 * DAY);
    let pruned = retention::prune(&app.state).await.expect("pruned");
    assert!(pruned.idempotency_answers >= 3, "{pruned:?}");
    let left: i64 = crema_server::fetch_value!(
        &mut app.state.store.read().await.expect("reader"),
        sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys"),
        fetch_one
    )
    .expect("count");
    assert_eq!(left, 0);
    assert_eq!(pruned.events, 0, "the sink still needs them");
    assert_eq!(app.events().await.len(), events_before);

    // Once the sink is gone, every old event goes but the newest (sequences are never reused).
    app.client = client_with(&sign_in(&app.base, MANAGER_PIN).await);
    let id = sink["id"].as_str().expect("id");
    assert_eq!(app.client.delete(app.url(&format!("/api/v1/sinks/{id}"))).send().await.expect("delete").status(), 204);
    let newest = app.events().await.last().map(|e| e.sequence).expect("events");
    let pruned = retention::prune(&app.state).await.expect("pruned");
    assert_eq!(pruned.events as usize, events_before - 1, "all but the newest");
    let kept = app.events().await;
    assert!(kept.iter().all(|e| e.sequence >= newest), "{:?}", kept.iter().map(|e| e.sequence).collect::<Vec<_>>());
    assert_eq!(
        outbox::oldest_sequence(&mut app.state.store.read().await.expect("reader")).await.expect("oldest"),
        Some(newest)
    );
    // The audit log is never pruned, and the log carries on after the newest kept sequence.
    assert!(audit_rows(&app).await >= audited);
    let next = app.place(&demo.espresso("Later")).await;
    let after = app.events().await;
    assert!(after.iter().any(|e| e.subject.as_deref() == Some(next.id.to_string().as_str()) && e.sequence > newest));
    app.stop().await;
}

/// A placement's saved answer is kept in its `order.placed` event (SQLite), so an outbox kept
/// for less time than the answers keeps those events until their answers go: a retry within
/// the answers' retention still gets its first answer, byte for byte.
#[tokio::test]
async fn an_event_an_idempotency_answer_is_kept_in_stays_as_long_as_the_answer() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.clock = Clock::manual(chrono::Utc::now());
    config.ticket_sla_secs = 0;
    config.retention_days = 7;
    config.outbox_retention_days = 1;
    let mut app = spawn_app_with(config, dir).await;
    let demo = app.demo().await;
    app.place(&demo.espresso("No key")).await;
    let mut first = Vec::new();
    for n in 0..3 {
        let body = demo.espresso(&format!("Guest {n}"));
        let response = app
            .client
            .post(app.url("/api/v1/orders"))
            .header("idempotency-key", format!("kept-{n}"))
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 201);
        first.push((format!("kept-{n}"), body, response.text().await.expect("answer")));
    }
    app.place(&demo.espresso("No key either")).await;
    let before = app.events().await;
    let newest = before.last().map(|e| e.sequence).expect("events");
    let ids: Vec<String> = first
        .iter()
        .map(|(_, _, answer)| {
            serde_json::from_str::<Value>(answer).expect("json")["id"].as_str().expect("id").to_string()
        })
        .collect();
    let mut answered: Vec<i64> = before
        .iter()
        .filter(|e| e.event_type == "order.placed" && e.subject.as_ref().is_some_and(|s| ids.contains(s)))
        .map(|e| e.sequence)
        .collect();
    assert_eq!(answered.len(), 3);

    // Two days on the events are past their day, the answers not past their week: the events
    // the answers are kept in stay, every other one goes but the newest.
    app.state.clock.advance(2 * DAY);
    let pruned = retention::prune(&app.state).await.expect("pruned");
    assert_eq!(pruned.idempotency_answers, 0, "{pruned:?}");
    answered.push(newest);
    if crate::helpers::on_postgres() {
        answered = vec![newest]; // PostgreSQL keeps an answer's own text
    }
    let kept: Vec<i64> = app.events().await.iter().map(|e| e.sequence).collect();
    assert_eq!(kept, answered, "the events the answers are kept in, and the newest");
    assert_eq!(pruned.events as usize, before.len() - kept.len(), "{pruned:?}");
    assert!(pruned.events > 0, "the unkeyed order's event went: {pruned:?}");
    app.client = client_with(&sign_in(&app.base, MANAGER_PIN).await); // the session ended meanwhile
    for (key, body, answer) in &first {
        let again = app
            .client
            .post(app.url("/api/v1/orders"))
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .expect("retry");
        assert_eq!(again.status(), 201, "{key}");
        assert_eq!(&again.text().await.expect("answer"), answer, "{key}: the first answer, byte for byte");
    }

    // Once the answers are past their week they go, and their events with them.
    app.state.clock.advance(7 * DAY);
    let pruned = retention::prune(&app.state).await.expect("pruned");
    assert_eq!(pruned.idempotency_answers, 3, "{pruned:?}");
    let left: Vec<i64> = app.events().await.iter().map(|e| e.sequence).collect();
    assert_eq!(left, vec![newest], "all but the newest");
    app.stop().await;
}
