//! The writer is one thread of its own: every write runs there, and a batch commits and is
//! answered without waiting for the runtime's threads.

use super::super::direct::tests::{direct, setup};
use super::super::*;
use sqlx::Connection;
use std::time::{Duration, Instant};

/// Direct or ordinary work that answers the name of the thread it ran on.
async fn thread_of(w: &Writer, direct: bool) -> Option<String> {
    let here = || std::thread::current().name().map(str::to_owned);
    if direct {
        w.write_direct(
            move |_conn| Ok(Some(Done::new(here(), None))),
            |_conn| {
                Box::pin(async { Err::<Done<Option<String>>, _>(JobError::Refused(StoreError::corrupt("missed"))) })
            },
        )
        .await
        .expect("direct work")
    } else {
        w.write(move |_conn| Box::pin(async move { Ok::<_, JobError<StoreError>>(Done::new(here(), None)) }))
            .await
            .expect("ordinary work")
    }
}

#[tokio::test]
async fn every_write_runs_on_the_writers_own_thread() {
    let s = setup().await;
    assert_eq!(thread_of(&s.writer, true).await.as_deref(), Some("crema-writer"));
    assert_eq!(
        thread_of(&s.writer, false).await.as_deref(),
        Some("crema-writer"),
        "work on the sqlx connection runs on the same thread as the direct connection's"
    );
}

#[tokio::test]
async fn a_batch_commits_while_the_runtimes_only_thread_is_blocked() {
    let s = setup().await;
    let mut placed = direct(1, false)(s.writer.clone());
    // One poll hands the job over (the queue has room) and leaves the future waiting.
    assert!(futures::poll!(&mut placed).is_pending(), "answered before its commit");
    // Block this runtime's only thread: nothing on the runtime can run until it returns.
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.batches.lock().expect("sizes").is_empty() {
        assert!(Instant::now() < deadline, "the writer waited for the runtime to commit");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(s.batches.lock().expect("sizes")[..], [1], "committed while the runtime was blocked");
    assert_eq!(placed.await.expect("written"), 1);
}

/// Readiness asks `is_running` right after a stop: the writer must already be gone when the
/// stop is answered, not a moment later when its thread ends.
#[tokio::test]
async fn once_a_stop_is_answered_the_writer_takes_no_more_work() {
    for round in 0..200 {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await.expect("memory db");
        sqlx::query("CREATE TABLE t (v INTEGER PRIMARY KEY)").execute(&mut conn).await.expect("table");
        let w = Writer::spawn(conn, |_| {}, || {});
        w.stop().await;
        assert!(!w.is_running(), "round {round}: still taking work after the stop was answered");
    }
}
