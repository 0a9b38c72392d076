//! The ticket-age alert (`order.sla_breached`): one check per second of placements, run by the
//! background runner on the server's clock when the second's orders reach the limit; an order
//! that reached the kitchen later (a tab sent when paid) has a check of its own from then.

use crate::helpers::{spawn_app_with, test_config, TestApp};
use chrono::{DateTime, TimeZone, Utc};
use crema_server::clock::Clock;
use crema_server::service::orders::sla;
use crema_server::store::jobs::{self as job_rows, JobFilter, JobState, NewJob};
use crema_server::store::outbox::StoredEvent;
use crema_server::store::{Done, JobError, StoreError};
use serde_json::json;
use std::time::Duration;

const LIMIT: i64 = 600;

/// A server whose clock stands at `start` until a test moves it.
async fn app_at(start: DateTime<Utc>) -> TestApp {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.clock = Clock::manual(start);
    spawn_app_with(config, dir).await
}

/// A quarter past a whole second, now: the second's check falls due 0.75 s after the limit.
fn quarter_past_a_second() -> DateTime<Utc> {
    Utc.timestamp_opt(Utc::now().timestamp(), 250_000_000).single().expect("a time")
}

/// Moves the server's clock to `start + seconds` and wakes the runner.
fn clock_at(app: &TestApp, start: DateTime<Utc>, seconds: i64) {
    app.state.clock.set(start + chrono::Duration::seconds(seconds));
    app.state.jobs_wakeup.notify_one();
}

async fn alerts(app: &TestApp) -> Vec<StoredEvent> {
    app.events().await.into_iter().filter(|e| e.event_type == "order.sla_breached").collect()
}

/// The alerts once there are `n` (the runner runs on its own task); fails after 10 s.
async fn wait_for_alerts(app: &TestApp, n: usize) -> Vec<StoredEvent> {
    for _ in 0..200 {
        let seen = alerts(app).await;
        if seen.len() >= n {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n} alerts never came: {:?}", alerts(app).await);
}

async fn checks(app: &TestApp, state: JobState) -> Vec<job_rows::JobRecord> {
    let filter = JobFilter { state: Some(state), kind: Some(sla::KIND.into()), limit: 100, offset: 0 };
    job_rows::list(&mut app.state.store.read().await.expect("read"), &filter).await.expect("jobs")
}

async fn queued(app: &TestApp, key: &str) -> bool {
    job_rows::queued_once(&mut app.state.store.read().await.expect("read"), key).await.expect("jobs")
}

/// Whatever the runner was woken for has run (it is woken, it claims, it runs: all quick).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn orders_placed_in_one_second_share_one_check_and_only_the_waiting_ones_alert() {
    let start = quarter_past_a_second();
    let app = app_at(start).await;
    let demo = app.demo().await;
    let late = app.place(&demo.espresso("Late")).await;
    let quick = app.place(&demo.espresso("Quick")).await;
    let also_late = app.place(&demo.espresso("Also late")).await;
    app.make_ready(&quick).await;
    let pending = checks(&app, JobState::Pending).await;
    assert_eq!(pending.len(), 1, "one check for the second's three orders: {pending:?}");
    assert!(queued(&app, &format!("{}:second:{}", sla::KIND, start.timestamp())).await, "keyed by its second");

    // At the limit the second has not ended its wait yet; within a second after, it has.
    clock_at(&app, start, LIMIT);
    settle().await;
    assert!(alerts(&app).await.is_empty(), "not before the second's last order reaches the limit");
    clock_at(&app, start, LIMIT + 1);
    let alerts_seen = wait_for_alerts(&app, 2).await;
    let subjects: Vec<_> = alerts_seen.iter().map(|e| e.subject.clone().unwrap_or_default()).collect();
    assert_eq!(subjects, [late.id.to_string(), also_late.id.to_string()], "the ready one raised none");
    assert_eq!(alerts_seen[0].data["waited_seconds"], LIMIT + 1, "measured on the server's clock");
    assert_eq!(alerts_seen[0].data["limit_seconds"], LIMIT);
    assert_eq!(alerts_seen[0].data["ticket_number"], late.ticket_number);
    assert_eq!(checks(&app, JobState::Succeeded).await.len(), 1);

    // Later still, nothing more: the check ran once.
    clock_at(&app, start, 2 * LIMIT);
    settle().await;
    assert_eq!(alerts(&app).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn a_tab_sent_to_the_kitchen_later_is_checked_from_then_and_only_by_its_own_check() {
    let start = quarter_past_a_second();
    let app = app_at(start).await;
    let response =
        app.client.patch(app.url("/api/v1/settings")).json(&json!({"kitchen_before_paid": false})).send().await;
    assert_eq!(response.expect("sent").status(), 200);
    let demo = app.demo().await;
    let mut paid = demo.espresso("Paid");
    paid["payment"] = json!({"method": "cash", "tendered_cents": 5_000});
    let paid = app.place(&paid).await;
    let tab = app.place(&demo.espresso("Tab")).await;
    assert!(tab.kitchen_held);

    // Paid five minutes later: it reaches the kitchen then, and its wait starts then.
    clock_at(&app, start, 300);
    let pay = app.client.post(app.url(&format!("/api/v1/orders/{}/payment", tab.id)));
    let response = pay.json(&json!({"method": "cash", "tendered_cents": 5_000})).send().await.expect("sent");
    assert_eq!(response.status(), 200);
    assert!(queued(&app, &sla::order_key(tab.id)).await, "the tab's own check");

    // The second's check alerts on the order paid at once, and leaves the tab to its own.
    clock_at(&app, start, LIMIT + 1);
    let seen = wait_for_alerts(&app, 1).await;
    settle().await;
    let seen_after = alerts(&app).await;
    assert_eq!(seen_after.len(), 1, "{seen_after:?}");
    assert_eq!(seen[0].subject.as_deref(), Some(paid.id.to_string().as_str()));

    // Its own check, the limit after it was sent.
    clock_at(&app, start, 300 + LIMIT);
    let seen = wait_for_alerts(&app, 2).await;
    assert_eq!(seen[1].subject.as_deref(), Some(tab.id.to_string().as_str()));
    clock_at(&app, start, 3 * LIMIT);
    settle().await;
    assert_eq!(alerts(&app).await.len(), 2, "each order alerted once");
    app.stop().await;
}

/// A shop upgraded with checks still pending, one per order as they were queued before.
#[tokio::test]
async fn a_check_queued_for_one_order_before_checks_went_by_the_second_still_alerts() {
    let start = quarter_past_a_second();
    let app = app_at(start).await;
    let waiting = app.place(&app.demo().await.espresso("Waiting")).await;
    let due = start + chrono::Duration::seconds(LIMIT);
    let old = NewJob::new(sla::KIND, &json!({"order_id": waiting.id, "limit_seconds": LIMIT}), due);
    let second = checks(&app, JobState::Pending).await.remove(0).id;
    app.state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                // As if the order had been placed before there were checks by the second.
                job_rows::succeed(conn, second).await?;
                job_rows::enqueue(conn, &old).await?;
                Ok::<_, JobError<StoreError>>(Done::new((), None))
            })
        })
        .await
        .expect("queued");
    clock_at(&app, start, LIMIT);
    let seen = wait_for_alerts(&app, 1).await;
    assert_eq!(seen[0].subject.as_deref(), Some(waiting.id.to_string().as_str()));
    assert_eq!(seen[0].data["waited_seconds"], LIMIT);
    app.stop().await;
}
