//! The writer's batching, savepoints and shutdown, on an in-memory database.

use super::*;
use sqlx::{Connection, SqliteConnection};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

type TestJob = Box<dyn for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<Done<i64>, JobError<StoreError>>> + Send>;

async fn writer() -> (Writer, Arc<AtomicI64>) {
    let (w, committed, _) = writer_counting_rollbacks().await;
    (w, committed)
}

async fn writer_counting_rollbacks() -> (Writer, Arc<AtomicI64>, Arc<AtomicI64>) {
    let mut conn = SqliteConnection::connect("sqlite::memory:").await.expect("memory db");
    sqlx::query("CREATE TABLE t (v INTEGER PRIMARY KEY)").execute(&mut conn).await.expect("table");
    let (committed, rollbacks) = (Arc::new(AtomicI64::new(0)), Arc::new(AtomicI64::new(0)));
    let (seen, undone) = (committed.clone(), rollbacks.clone());
    let w = Writer::spawn(
        conn,
        move |seq| seen.store(seq, Ordering::SeqCst),
        move || {
            undone.fetch_add(1, Ordering::SeqCst);
        },
    );
    (w, committed, rollbacks)
}

fn insert(v: i64) -> impl for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<Done<i64>, JobError<StoreError>>> {
    move |conn| {
        Box::pin(async move {
            crate::store::db::exec!(conn, sqlx::query("INSERT INTO t (v) VALUES ($1)").bind(v))?;
            Ok(Done::new(v, Some(v)))
        })
    }
}

async fn count(w: &Writer) -> i64 {
    w.write(|conn| {
        Box::pin(async move {
            let n: i64 = crate::store::db::fetch_value!(conn, sqlx::query_scalar("SELECT COUNT(*) FROM t"), fetch_one)?;
            Ok::<_, JobError<StoreError>>(Done::new(n, None))
        })
    })
    .await
    .expect("count")
}

/// Every value in the table, in order.
pub(super) async fn values(w: &Writer) -> Vec<i64> {
    w.write(|conn| {
        Box::pin(async move {
            let v = crate::store::db::fetch_value!(conn, sqlx::query_scalar("SELECT v FROM t ORDER BY v"), fetch_all)?;
            Ok::<_, JobError<StoreError>>(Done::new(v, None))
        })
    })
    .await
    .expect("read")
}

/// Holds the writer busy until `gate` fires, then runs `jobs` queued behind it as one batch.
async fn batch_behind_gate<F>(w: &Writer, jobs: Vec<F>) -> Vec<Result<i64, StoreError>>
where
    F: for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<Done<i64>, JobError<StoreError>>> + Send + 'static,
{
    batch_behind_gate_as(w, jobs.into_iter().map(|job| (false, job)).collect()).await
}

/// [`batch_behind_gate`], each job handed over with [`Writer::write_own_undo`] when marked.
async fn batch_behind_gate_as<F>(w: &Writer, jobs: Vec<(bool, F)>) -> Vec<Result<i64, StoreError>>
where
    F: for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<Done<i64>, JobError<StoreError>>> + Send + 'static,
{
    let submits = jobs
        .into_iter()
        .map(|(own_undo, job)| {
            let w = w.clone();
            let submit: BoxFuture<'static, Result<i64, StoreError>> = Box::pin(async move {
                if own_undo {
                    w.write_own_undo(job).await
                } else {
                    w.write(job).await
                }
            });
            submit
        })
        .collect();
    one_batch(w, submits).await
}

/// Holds the writer busy until every one of `submits` (each hands one job to `w`) has queued
/// behind it, then lets them run as one batch; their answers, in order.
pub(super) async fn one_batch<T: Send + 'static>(w: &Writer, submits: Vec<BoxFuture<'static, T>>) -> Vec<T> {
    let (open, gate) = oneshot::channel::<()>();
    let (running, blocked) = oneshot::channel::<()>();
    let blocker = {
        let w = w.clone();
        tokio::spawn(async move {
            w.write(move |_conn| {
                Box::pin(async move {
                    let _ = running.send(());
                    let _ = gate.await;
                    Ok::<_, JobError<StoreError>>(Done::new(0, None))
                })
            })
            .await
        })
    };
    blocked.await.expect("the blocker runs");
    let n = submits.len();
    let tasks: Vec<_> = submits.into_iter().map(tokio::spawn).collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while w.queued() < n {
        assert!(tokio::time::Instant::now() < deadline, "jobs never queued: {} of {n}", w.queued());
        tokio::task::yield_now().await;
    }
    let _ = open.send(());
    blocker.await.expect("blocker").expect("blocker job");
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("task"));
    }
    answers
}

#[tokio::test]
async fn queued_jobs_commit_together_and_are_answered_after_the_commit() {
    let (w, committed) = writer().await;
    let results = batch_behind_gate(&w, vec![insert(1), insert(2), insert(3)]).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(count(&w).await, 3);
    assert_eq!(committed.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_refused_job_leaves_its_batch_alone() {
    let (w, _) = writer().await;
    let refuse: TestJob = Box::new(|_conn| Box::pin(async { Err(JobError::Refused(StoreError::corrupt("no"))) }));
    let jobs: Vec<TestJob> = vec![Box::new(insert(1)), refuse, Box::new(insert(2))];
    let results = batch_behind_gate(&w, jobs).await;
    assert!(results[0].is_ok() && results[1].is_err() && results[2].is_ok(), "{results:?}");
    assert_eq!(count(&w).await, 2);
}

#[tokio::test]
async fn a_failing_job_is_rolled_back_alone_and_the_rest_of_its_batch_commits() {
    let (w, committed, rollbacks) = writer_counting_rollbacks().await;
    // The second insert of 7 violates the primary key: a database error mid-batch.
    let results = batch_behind_gate(&w, vec![insert(5), insert(7), insert(7), insert(9)]).await;
    assert!(results[0].is_ok() && results[1].is_ok() && results[2].is_err() && results[3].is_ok(), "{results:?}");
    assert_eq!(count(&w).await, 3);
    assert_eq!(committed.load(Ordering::SeqCst), 9);
    assert_eq!(rollbacks.load(Ordering::SeqCst), 1, "caches are told something was undone");
    // The writer carries on afterwards.
    assert_eq!(w.write(insert(11)).await.expect("later write"), 11);
    assert_eq!(count(&w).await, 4);
}

#[tokio::test]
async fn a_job_that_writes_then_fails_leaves_nothing_behind() {
    let (w, _, _) = writer_counting_rollbacks().await;
    let half: TestJob = Box::new(|conn| {
        Box::pin(async move {
            crate::store::db::exec!(conn, sqlx::query("INSERT INTO t (v) VALUES (100)"))?;
            crate::store::db::exec!(conn, sqlx::query("INSERT INTO t (v) VALUES (100)"))?;
            Ok(Done::new(100, Some(100)))
        })
    });
    let jobs: Vec<TestJob> = vec![Box::new(insert(1)), half, Box::new(insert(2))];
    let results = batch_behind_gate(&w, jobs).await;
    assert!(results[0].is_ok() && results[1].is_err() && results[2].is_ok(), "{results:?}");
    let kept = values(&w).await;
    assert_eq!(kept, vec![1, 2]);
}

#[tokio::test]
async fn jobs_that_undo_their_own_writes_share_a_batch_with_jobs_in_savepoints() {
    let (w, committed, rollbacks) = writer_counting_rollbacks().await;
    // Single statements are atomic on their own: handed over as undoing their own writes.
    let jobs = vec![
        (true, insert(1)),
        (false, insert(2)),
        (true, insert(3)),
        (true, insert(3)),
        (false, insert(2)),
        (false, insert(4)),
        (true, insert(5)),
    ];
    let results = batch_behind_gate_as(&w, jobs).await;
    let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
    assert_eq!(ok, [true, true, true, false, false, true, true], "{results:?}");
    let kept = values(&w).await;
    assert_eq!(kept, vec![1, 2, 3, 4, 5]);
    assert_eq!(committed.load(Ordering::SeqCst), 5);
    assert!(rollbacks.load(Ordering::SeqCst) >= 1, "caches are told something was undone");
}

#[tokio::test]
async fn a_refused_job_alone_in_its_transaction_writes_nothing() {
    let (w, _) = writer().await;
    let refuse: TestJob = Box::new(|conn| {
        Box::pin(async move {
            crate::store::db::exec!(conn, sqlx::query("INSERT INTO t (v) VALUES (3)"))?;
            Err(JobError::Refused(StoreError::corrupt("no")))
        })
    });
    assert!(w.write(refuse).await.is_err());
    assert_eq!(count(&w).await, 0);
}

#[tokio::test]
async fn stop_closes_and_later_writes_fail_cleanly() {
    let (w, _) = writer().await;
    w.write(insert(1)).await.expect("write");
    assert!(w.is_running());
    w.stop().await;
    assert!(matches!(w.write(insert(2)).await, Err(StoreError::WriterStopped)));
    assert!(!w.is_running(), "readiness sees the writer is gone");
}

#[tokio::test]
async fn a_job_that_cannot_undo_its_half_write_rolls_back_its_whole_batch_unanswered() {
    let (w, committed, rollbacks) = writer_counting_rollbacks().await;
    // Writes a row, then fails, and says it could not undo what it wrote.
    let half: TestJob = Box::new(|conn| {
        Box::pin(async move {
            crate::store::db::exec!(conn, sqlx::query("INSERT INTO t (v) VALUES (100)"))?;
            Err(JobError::Store(StoreError::HalfWritten(Box::new(StoreError::corrupt("disk full")))))
        })
    });
    let jobs: Vec<(bool, TestJob)> = vec![(true, Box::new(insert(1))), (true, half), (false, Box::new(insert(2)))];
    let results = batch_behind_gate_as(&w, jobs).await;
    assert!(results.iter().all(Result::is_err), "no job of the batch is acknowledged: {results:?}");
    assert_eq!(values(&w).await, Vec::<i64>::new(), "nothing of the batch is kept");
    assert_eq!(committed.load(Ordering::SeqCst), 0);
    assert!(rollbacks.load(Ordering::SeqCst) >= 1, "caches are told something was undone");
    assert_eq!(w.write(insert(3)).await.expect("the writer carries on"), 3);
}
