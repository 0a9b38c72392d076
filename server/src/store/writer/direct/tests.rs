//! The direct connection beside the sqlx one, on a database file: runs commit together,
//! a miss falls back in order, a failure after writing takes its run back, and the two
//! connections take turns.

use super::super::tests::values;
use super::super::*;
use sqlx::{Connection, SqliteConnection};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub(in crate::store::writer) type Answer = Result<i64, StoreError>;
pub(in crate::store::writer) type Submit =
    Box<dyn FnOnce(Writer) -> Pin<Box<dyn Future<Output = Answer> + Send>> + Send>;

pub(in crate::store::writer) struct Setup {
    pub(in crate::store::writer) writer: Writer,
    committed: Arc<AtomicI64>,
    rollbacks: Arc<AtomicI64>,
    /// Each transaction's size, as the writer reports it.
    pub(in crate::store::writer) batches: Arc<std::sync::Mutex<Vec<usize>>>,
    _dir: tempfile::TempDir,
}

pub(in crate::store::writer) async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("w.db");
    let options =
        crate::store::connect_options(file.to_str().expect("utf-8"), Duration::from_secs(5)).expect("options");
    let mut conn = SqliteConnection::connect_with(&options).await.expect("file db");
    sqlx::query("CREATE TABLE t (v INTEGER PRIMARY KEY)").execute(&mut conn).await.expect("table");
    let direct = super::open(&file, Duration::from_secs(5)).expect("direct connection");
    let (committed, rollbacks) = (Arc::new(AtomicI64::new(0)), Arc::new(AtomicI64::new(0)));
    let (seen, undone) = (committed.clone(), rollbacks.clone());
    let batches = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sizes = batches.clone();
    let writer = Writer::spawn_with_direct(
        conn,
        Some(direct),
        move |seq| seen.store(seq, Ordering::SeqCst),
        move || {
            undone.fetch_add(1, Ordering::SeqCst);
        },
        move |size, _| sizes.lock().expect("sizes").push(size),
    );
    Setup { writer, committed, rollbacks, batches, _dir: dir }
}

fn insert_sql(conn: &rusqlite::Connection, v: i64) -> Result<(), StoreError> {
    conn.execute("INSERT INTO t (v) VALUES (?1)", [v])?;
    Ok(())
}

/// Direct work inserting `v`; the fallback (should it miss) inserts `v + 1000`.
pub(in crate::store::writer) fn direct(v: i64, miss: bool) -> Submit {
    Box::new(move |w: Writer| {
        Box::pin(async move {
            w.write_direct(
                move |conn| {
                    if miss {
                        return Ok(None);
                    }
                    insert_sql(conn, v)?;
                    Ok(Some(Done::new(v, Some(v))))
                },
                move |conn| {
                    Box::pin(async move {
                        crate::store::db::exec!(conn, sqlx::query("INSERT INTO t (v) VALUES ($1)").bind(v + 1000))?;
                        Ok::<_, JobError<StoreError>>(Done::new(v + 1000, Some(v + 1000)))
                    })
                },
            )
            .await
        })
    })
}

/// Direct work that inserts `v`, then fails.
fn direct_failing(v: i64) -> Submit {
    Box::new(move |w: Writer| {
        Box::pin(async move {
            w.write_direct(
                move |conn| {
                    insert_sql(conn, v)?;
                    Err(StoreError::HalfWritten(Box::new(StoreError::corrupt("disk full"))))
                },
                |_conn| Box::pin(async { Err::<Done<i64>, _>(JobError::Refused(StoreError::corrupt("never runs"))) }),
            )
            .await
        })
    })
}

/// Ordinary (sqlx) work inserting `v`.
pub(in crate::store::writer) fn ordinary(v: i64) -> Submit {
    Box::new(move |w: Writer| {
        Box::pin(async move {
            w.write(move |conn| {
                Box::pin(async move {
                    crate::store::db::exec!(conn, sqlx::query("INSERT INTO t (v) VALUES ($1)").bind(v))?;
                    Ok::<_, JobError<StoreError>>(Done::new(v, Some(v)))
                })
            })
            .await
        })
    })
}

/// Holds the writer busy until every submission is queued, then lets them run as one batch.
async fn one_batch(w: &Writer, submits: Vec<Submit>) -> Vec<Answer> {
    super::super::tests::one_batch(w, submits.into_iter().map(|submit| submit(w.clone())).collect()).await
}

#[tokio::test]
async fn a_run_of_direct_jobs_commits_once_and_each_is_answered_with_its_value() {
    let s = setup().await;
    let answers = one_batch(&s.writer, vec![direct(1, false), direct(2, false), direct(3, false)]).await;
    assert_eq!(answers.into_iter().map(|a| a.expect("written")).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(values(&s.writer).await, [1, 2, 3]);
    assert_eq!(s.committed.load(Ordering::SeqCst), 3, "the hub hears the run's last sequence");
    let batches = s.batches.lock().expect("sizes").clone();
    assert_eq!(batches[..2], [1, 3], "the blocker's transaction, then one for the three: {batches:?}");
}

#[tokio::test]
async fn a_miss_runs_its_fallback_next_and_the_rest_of_its_run_after_it_in_order() {
    let s = setup().await;
    let submits = vec![direct(1, false), direct(2, true), direct(3, false), ordinary(4), direct(5, false)];
    let answers = one_batch(&s.writer, submits).await;
    let answers: Vec<i64> = answers.into_iter().map(|a| a.expect("written")).collect();
    assert_eq!(answers, [1, 1002, 3, 4, 5]);
    assert_eq!(values(&s.writer).await, [1, 3, 4, 5, 1002]);
    assert_eq!(s.rollbacks.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_direct_job_failing_after_it_wrote_takes_its_whole_run_back_and_the_writer_goes_on() {
    let s = setup().await;
    let submits = vec![ordinary(1), direct(2, false), direct_failing(3), direct(4, false)];
    let answers = one_batch(&s.writer, submits).await;
    assert!(answers[0].is_ok(), "the sqlx transaction before the run is its own: {answers:?}");
    assert!(answers[1].is_err() && answers[2].is_err(), "nothing of the failed run is acknowledged: {answers:?}");
    assert_eq!(answers[3].as_ref().ok(), Some(&4), "the job after the failure runs in a run of its own");
    assert_eq!(values(&s.writer).await, [1, 4]);
    assert!(s.rollbacks.load(Ordering::SeqCst) >= 1, "caches are told something was undone");
    assert_eq!(direct(6, false)(s.writer.clone()).await.expect("the writer carries on"), 6);
}

#[tokio::test]
async fn without_a_direct_connection_the_fallback_does_the_work() {
    let mut conn = SqliteConnection::connect("sqlite::memory:").await.expect("memory db");
    sqlx::query("CREATE TABLE t (v INTEGER PRIMARY KEY)").execute(&mut conn).await.expect("table");
    let w = Writer::spawn(conn, |_| {}, || {});
    assert_eq!(direct(7, false)(w.clone()).await.expect("written"), 1007);
    assert_eq!(values(&w).await, [1007]);
}
