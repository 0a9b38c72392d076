//! When the job runner is woken: a job queued for later (every order's ticket-age check)
//! does not send it through the writer — a write transaction on the writer's serial path —
//! only to find nothing due.

use crate::helpers::{spawn_app_with, test_config};
use crema_server::store::jobs as job_rows;
use std::time::Duration;

/// Once a year, at New Year's midnight: never while a test runs (unless it runs then).
const NEVER: &str = "0 0 0 1 1 *";

/// An order's ticket-age check is due minutes later: placing the order, or moving it through
/// the kitchen, does not send the runner through the writer (a write transaction of its own,
/// on the writer's serial path) only to find nothing due.
#[tokio::test]
async fn placing_and_moving_orders_whose_jobs_fall_due_later_leaves_the_runner_asleep() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path().join("crema.db"));
    // The periodic work wakes the runner on its own (the due-job sweep every 15 s): none of it
    // during the test, whose count would otherwise depend on when it ran.
    config.cron_job_sweep = std::env::var("CREMA_TEST_SWEEP").unwrap_or_else(|_| NEVER.into());
    for cron in
        [&mut config.cron_end_of_day, &mut config.cron_prune, &mut config.cron_audit_check, &mut config.cron_backup]
    {
        *cron = NEVER.into();
    }
    let app = spawn_app_with(config, dir).await;
    let demo = app.demo().await;
    let mut placed = vec![app.place(&demo.espresso("First")).await];
    let writes = || async {
        let text = app.get("/metrics").await.text().await.expect("text");
        text.lines()
            .find_map(|line| line.strip_prefix("crema_writer_batch_size_count "))
            .and_then(|value| value.parse::<f64>().ok())
            .expect("the writer's batches")
    };
    // Whatever the first order woke has run.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = writes().await;
    for name in ["Ana", "Ben", "Cy", "Dee", "Ed"] {
        placed.push(app.place(&demo.espresso(name)).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(writes().await - before, 5.0, "one write per order, none from the runner");
    let espresso = app.place(&demo.espresso("Flo")).await;
    placed.push(espresso.clone());
    let before = writes().await;
    for step in ["accept", &format!("lines/{}/start", espresso.lines[0].id)] {
        let response = app.post_empty(&format!("/api/v1/orders/{}/{step}", espresso.id)).await;
        assert_eq!(response.status(), 200, "{step}");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(writes().await - before, 2.0, "one write per move, none from the runner");
    let pending = job_rows::JobFilter { state: Some(job_rows::JobState::Pending), kind: None, limit: 10, offset: 0 };
    let pending = job_rows::list(&mut app.state.store.read().await.expect("read"), &pending).await.expect("jobs");
    // Each order's check is queued all the same: the check of the second it was placed in.
    let mut reader = app.state.store.read().await.expect("read");
    for order in &placed {
        let key = format!("{}:second:{}", crema_server::service::orders::sla::KIND, order.created_at.timestamp());
        assert!(job_rows::queued_once(&mut reader, &key).await.expect("jobs"), "{key}");
    }
    assert!(!pending.is_empty() && pending.len() <= placed.len(), "{pending:?}");
    drop(reader);
    app.stop().await;
}
