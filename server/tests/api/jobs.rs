//! Durable jobs: scheduled with the change that needs them, retried with backoff, dead after
//! the last attempt, revived by a manager, and picked up again when a worker's claim lapses.

use crate::helpers::{spawn_app, TestApp};
use chrono::{DateTime, Utc};
use crema_server::service::jobs::{self, JobFailure, JobSpec, StepOutcome};
use crema_server::store::jobs::{self as job_rows, NewJob};
use crema_server::store::{Done, JobError, StoreError};
use crema_shared::retry::RetryPolicy;
use serde_json::Value;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

fn later(seconds: i64) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(seconds)
}

async fn enqueue(app: &TestApp, kind: &str, run_at: DateTime<Utc>) -> Uuid {
    let job = NewJob {
        id: Uuid::now_v7(),
        kind: kind.into(),
        payload: serde_json::json!({}),
        run_at,
        dedupe_key: None,
        traceparent: None,
    };
    let id = job.id;
    app.state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                job_rows::enqueue(conn, &job).await?;
                Ok::<_, JobError<StoreError>>(Done::new((), None))
            })
        })
        .await
        .expect("enqueued");
    id
}

/// A job kind that fails (retryably) `failures` times, then succeeds.
fn flaky(app: &TestApp, kind: &str, failures: u32, max_attempts: u32) -> Arc<AtomicU32> {
    let calls = Arc::new(AtomicU32::new(0));
    let seen = calls.clone();
    let spec = JobSpec {
        policy: RetryPolicy { base: Duration::from_secs(2), factor: 2.0, cap: Duration::from_secs(10), max_attempts },
        timeout: Duration::from_secs(5),
        concurrency: 1,
    };
    app.state.job_kinds.register(
        kind,
        spec,
        Arc::new(move |_state, _job| {
            let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
            Box::pin(async move {
                if n <= failures {
                    Err(JobFailure::Retryable(format!("printer jammed (call {n})")))
                } else {
                    Ok(())
                }
            })
        }),
    );
    calls
}

#[tokio::test]
async fn a_failing_job_backs_off_then_dies_and_a_manager_revives_it() {
    let app = spawn_app().await;
    let calls = flaky(&app, "test.flaky", 3, 3);
    let t = later(3600);
    let id = enqueue(&app, "test.flaky", t).await;

    let first = jobs::step_at(&app.state, t).await.expect("step");
    let StepOutcome::Retrying { attempt: 1, run_at, ref error, .. } = first else { panic!("{first:?}") };
    assert!(error.contains("printer jammed"));
    let wait = (run_at - t).num_milliseconds();
    assert!((1000..=2000).contains(&wait), "first retry after 1–2 s (2 s with equal jitter), got {wait} ms");
    assert_eq!(jobs::step_at(&app.state, t).await.expect("step"), StepOutcome::Idle, "not due again yet");
    let second = jobs::step_at(&app.state, run_at).await.expect("step");
    let StepOutcome::Retrying { attempt: 2, run_at, .. } = second else { panic!("{second:?}") };
    let third = jobs::step_at(&app.state, run_at).await.expect("step");
    assert!(matches!(third, StepOutcome::Dead { attempt: 3, .. }), "{third:?}");

    let dead: Value = app.get("/api/v1/jobs?state=dead").await.json().await.expect("json");
    assert_eq!(dead["jobs"][0]["id"], id.to_string());
    assert_eq!(dead["jobs"][0]["attempts"], 3);
    assert!(dead["jobs"][0]["last_error"].as_str().is_some_and(|e| e.contains("call 3")));

    // A manager retries it; the background runner picks it up by itself and it succeeds.
    let revived = app.post_empty(&format!("/api/v1/jobs/{id}/retry")).await;
    assert_eq!(revived.status(), 200);
    let revived: Value = revived.json().await.expect("json");
    assert_eq!((revived["state"].as_str(), revived["attempts"].as_u64()), (Some("pending"), Some(0)));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let page: Value = app.get("/api/v1/jobs?state=succeeded&kind=test.flaky").await.json().await.expect("json");
        if page["jobs"].as_array().is_some_and(|j| j.len() == 1) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the runner never ran the revived job");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(app.post_empty(&format!("/api/v1/jobs/{id}/retry")).await.status(), 409, "only dead jobs");
    assert_eq!(app.post_empty(&format!("/api/v1/jobs/{}/retry", Uuid::now_v7())).await.status(), 404);
    let audit: Value = app.get("/api/v1/audit?action=job.retried").await.json().await.expect("json");
    assert_eq!(audit["entries"][0]["subject"], id.to_string());
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_kind_is_a_permanent_error_and_dies_at_once() {
    let app = spawn_app().await;
    let t = later(3600);
    enqueue(&app, "no.such.kind", t).await;
    let outcome = jobs::step_at(&app.state, t).await.expect("step");
    assert!(
        matches!(outcome, StepOutcome::Dead { attempt: 1, ref error, .. } if error.contains("no handler")),
        "{outcome:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_crashed_workers_claim_lapses_and_the_job_runs_again() {
    let app = spawn_app().await;
    let calls = flaky(&app, "test.once", 0, 5);
    let t = later(3600);
    let id = enqueue(&app, "test.once", t).await;
    // A worker claims it and dies without finishing.
    let lease_until = t + chrono::Duration::seconds(60);
    let claimed = app
        .state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let job = job_rows::claim(conn, t, &[], |_| lease_until).await?;
                Ok::<_, JobError<StoreError>>(Done::new(job, None))
            })
        })
        .await
        .expect("claim")
        .expect("a job");
    assert_eq!(claimed.id, id);
    assert_eq!(jobs::step_at(&app.state, t).await.expect("step"), StepOutcome::Idle, "the claim is live");
    let outcome = jobs::step_at(&app.state, lease_until).await.expect("step");
    assert_eq!(outcome, StepOutcome::Succeeded { id, kind: "test.once".into() });
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let done: Value = app.get("/api/v1/jobs?state=succeeded&kind=test.once").await.json().await.expect("json");
    assert_eq!(done["jobs"][0]["attempts"], 2, "the lost attempt counts");
    app.stop().await;
}

#[tokio::test]
async fn bad_job_queries_are_400() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/v1/jobs?state=sleeping").await.status(), 400);
    assert_eq!(app.get("/api/v1/jobs?limit=0").await.status(), 400);
    app.stop().await;
}

/// A kind whose jobs hold until `release` is notified; counts how many run at once.
fn holding(app: &TestApp, kind: &str, concurrency: usize, release: Arc<tokio::sync::Semaphore>) -> Arc<AtomicU32> {
    let (now_running, most) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let seen = most.clone();
    let spec = JobSpec {
        policy: RetryPolicy {
            base: Duration::from_secs(2),
            factor: 2.0,
            cap: Duration::from_secs(10),
            max_attempts: 3,
        },
        timeout: Duration::from_secs(60),
        concurrency,
    };
    app.state.job_kinds.register(
        kind,
        spec,
        Arc::new(move |_state, _job| {
            let (now_running, most, release) = (now_running.clone(), seen.clone(), release.clone());
            Box::pin(async move {
                let n = now_running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(n, Ordering::SeqCst);
                let _permit = release.acquire().await.map_err(|e| JobFailure::Retryable(e.to_string()))?;
                now_running.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            })
        }),
    );
    most
}

async fn until(what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_long_job_never_holds_up_other_kinds_and_each_kind_keeps_to_its_lane() {
    let app = spawn_app().await;
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let most_slow = holding(&app, "test.slow_replay", 1, release.clone());
    let quick = flaky(&app, "test.quick_capture", 0, 3);
    let now = Utc::now() - chrono::Duration::seconds(1);
    for _ in 0..3 {
        enqueue(&app, "test.slow_replay", now).await;
    }
    enqueue(&app, "test.quick_capture", now + chrono::Duration::milliseconds(1)).await;
    app.state.jobs_wakeup.notify_one();
    // The quick job runs while the first slow one is still holding.
    until("the quick job", || quick.load(Ordering::SeqCst) == 1).await;
    assert_eq!(release.available_permits(), 0, "the slow job is still running");
    release.add_permits(3);
    let state = app.state.clone();
    let done = || async {
        let page = job_rows::list(
            &mut state.store.read().await.expect("conn"),
            &job_rows::JobFilter {
                state: Some(job_rows::JobState::Succeeded),
                kind: Some("test.slow_replay".into()),
                limit: 10,
                offset: 0,
            },
        )
        .await
        .expect("list");
        page.len()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while done().await < 3 {
        assert!(tokio::time::Instant::now() < deadline, "the slow jobs never finished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(most_slow.load(Ordering::SeqCst), 1, "a lane of one ran more than one at a time");
    app.stop().await;
}

#[tokio::test]
async fn a_claim_always_outlasts_its_kinds_timeout() {
    let app = spawn_app().await;
    let t = later(7200);
    let kinds = [
        crema_server::service::sinks::REPLAY_KIND,
        crema_server::service::payments::CAPTURE,
        crema_server::service::notify::KIND,
        crema_server::service::orders::sla::KIND,
    ];
    for kind in kinds {
        enqueue(&app, kind, t).await;
        let job = jobs::claim(&app.state, t, Vec::new()).await.expect("claim").expect("a job");
        let spec = app.state.job_kinds.spec(kind).expect("known kind");
        let lease = (job.lease_until.expect("leased") - t).to_std().expect("in the future");
        assert!(lease > spec.timeout, "{kind}: lease {lease:?} is not longer than the timeout {:?}", spec.timeout);
        // Leave it finished so the next claim takes the next kind.
        jobs::run_claimed(&app.state, job, t).await.expect("recorded");
    }
    app.stop().await;
}

#[tokio::test]
async fn pruning_keeps_a_dead_card_refund_until_a_manager_resolves_it() {
    use crema_server::store::refunds::{self, Resolution};
    let app = spawn_app().await;
    let past = Utc::now() - chrono::Duration::days(1);
    let (refund, other) = (enqueue(&app, "payment.refund", past).await, enqueue(&app, "sink.replay", past).await);
    app.state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                for id in [refund, other] {
                    job_rows::bury(conn, id, "the gateway did not answer").await?;
                }
                Ok::<_, JobError<StoreError>>(Done::new((), None))
            })
        })
        .await
        .expect("buried");
    let prune = |app: &TestApp| {
        let state = app.state.clone();
        async move {
            state
                .store
                .writer()
                .write(move |conn| {
                    Box::pin(async move {
                        let later = Utc::now() + chrono::Duration::days(365);
                        let n = job_rows::prune(conn, job_rows::JobState::Dead, later, 100).await?;
                        Ok::<_, JobError<StoreError>>(Done::new(n, None))
                    })
                })
                .await
                .expect("pruned")
        }
    };
    assert_eq!(prune(&app).await, 1, "only the replay goes");
    let left = |app: &TestApp| {
        let state = app.state.clone();
        async move { job_rows::get(&mut state.store.read().await.expect("reader"), refund).await.expect("read").is_some() }
    };
    assert!(left(&app).await, "the unresolved refund stays");
    app.state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let resolution = Resolution {
                    job_id: refund,
                    order_id: Uuid::now_v7(),
                    amount_cents: 100,
                    paid: false,
                    reason: "not in the gateway".into(),
                    staff_id: None,
                    at: Utc::now(),
                };
                refunds::resolve(conn, &resolution).await?;
                Ok::<_, JobError<StoreError>>(Done::new((), None))
            })
        })
        .await
        .expect("resolved");
    assert_eq!(prune(&app).await, 1, "resolved, it may go");
    assert!(!left(&app).await);
    app.stop().await;
}
