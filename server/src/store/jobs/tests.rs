//! The jobs' B-trees as placement needs them: every order placed queues a job, and each
//! B-tree its row enters is at least one more page in the commit.

use super::{enqueue, NewJob};
use crate::store::db::Db;
use chrono::Utc;
use sqlx::Row;

/// The index by kind is gone, and the once-only index holds only the jobs that have a key —
/// while a second job with the same key is still ignored.
#[tokio::test]
async fn a_job_enters_three_b_trees_and_a_keyed_one_four() {
    let (_dir, mut conn) = crate::store::test_db::migrated_file().await;
    let mut indexes: Vec<(String, i64, i64)> =
        sqlx::query("SELECT name, \"unique\", partial FROM pragma_index_list('jobs')")
            .fetch_all(&mut conn)
            .await
            .expect("indexes")
            .iter()
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .collect();
    indexes.sort();
    assert_eq!(
        indexes,
        [
            ("jobs_due".to_string(), 0, 0),
            ("jobs_once".to_string(), 1, 1),
            ("sqlite_autoindex_jobs_1".to_string(), 1, 0)
        ],
        "the ids, the due jobs, the once-only keys (partial); no index by kind"
    );

    let due = Utc::now();
    let plain = NewJob::new("test.plain", &serde_json::json!({}), due);
    let keyed = NewJob::new("test.keyed", &serde_json::json!({}), due).once("test:1".into());
    let again = NewJob::new("test.keyed", &serde_json::json!({}), due).once("test:1".into());
    let mut db = Db::sqlite(&mut conn);
    assert!(enqueue(&mut db, &plain).await.expect("plain"));
    assert!(enqueue(&mut db, &keyed).await.expect("keyed"));
    assert!(!enqueue(&mut db, &again).await.expect("again"), "a second job with the key is ignored");
    let once: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs INDEXED BY jobs_once WHERE dedupe_key IS NOT NULL")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    assert_eq!(once, 1, "only the keyed job is in the once-only index");
    let trees: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'jobs' AND rootpage > 0")
        .fetch_one(&mut conn)
        .await
        .expect("b-trees");
    assert_eq!(trees, 4, "the table, its ids, jobs_due, jobs_once");
}
