//! Saved answers on a SQLite file, found through the writer's index of keys.

use super::*;
use crate::store::test_db::migrated_file;
use sqlx::SqliteConnection;

fn answer(body: &str) -> SavedResponse {
    SavedResponse { request_hash: "h".repeat(64), status_code: 201, body: body.into() }
}

async fn sql(conn: &mut SqliteConnection, statement: &str) {
    sqlx::query(statement).execute(&mut *conn).await.expect(statement);
}

#[tokio::test]
async fn an_answer_is_found_under_its_own_key_and_scope_and_a_second_one_is_refused() {
    let (_dir, mut conn) = migrated_file().await;
    let keys = KeyIndex::default();
    let db = &mut Db::sqlite(&mut conn);
    save(db, &keys, "orders", "till-1-0001", &answer("first")).await.expect("saved");
    assert_eq!(find(db, &keys, "orders", "till-1-0001").await.expect("read"), Some(answer("first")));
    assert_eq!(find(db, &keys, "orders.grpc", "till-1-0001").await.expect("read"), None, "scopes are apart");
    assert_eq!(find(db, &keys, "orders", "till-1-0002").await.expect("read"), None);
    let again = save(db, &keys, "orders", "till-1-0001", &answer("second")).await;
    assert!(again.is_err(), "one key, one answer");
    assert_eq!(find(db, &keys, "orders", "till-1-0001").await.expect("read"), Some(answer("first")));
    save(db, &keys, "orders.grpc", "till-1-0001", &answer("grpc")).await.expect("another scope");
}

#[tokio::test]
async fn an_answer_rolled_back_is_not_found_and_its_key_can_be_used_again() {
    let (_dir, mut conn) = migrated_file().await;
    let keys = KeyIndex::default();
    sql(&mut conn, "BEGIN").await;
    save(&mut Db::sqlite(&mut conn), &keys, "orders", "k", &answer("lost")).await.expect("saved");
    sql(&mut conn, "ROLLBACK").await;
    assert!(!keys.is_unused("orders", "k"), "the index still names the rolled-back row");
    let db = &mut Db::sqlite(&mut conn);
    assert_eq!(find(db, &keys, "orders", "k").await.expect("read"), None, "but the row is not there");
    save(db, &keys, "orders", "k", &answer("kept")).await.expect("saved again");
    assert_eq!(find(db, &keys, "orders", "k").await.expect("read"), Some(answer("kept")));
}

#[tokio::test]
async fn keys_that_share_a_hash_each_find_their_own_answer() {
    let (_dir, mut conn) = migrated_file().await;
    let keys = KeyIndex::colliding();
    let db = &mut Db::sqlite(&mut conn);
    for key in ["a", "b", "c"] {
        save(db, &keys, "orders", key, &answer(key)).await.expect("saved");
    }
    for key in ["a", "b", "c"] {
        assert_eq!(find(db, &keys, "orders", key).await.expect("read"), Some(answer(key)));
    }
    assert_eq!(find(db, &keys, "orders", "d").await.expect("read"), None);
    save(db, &keys, "orders", "d", &answer("d")).await.expect("a new key beside the colliding ones");
}

#[tokio::test]
async fn the_index_read_when_the_file_opens_finds_every_answer_and_new_ids_follow_the_last() {
    let (_dir, mut conn) = migrated_file().await;
    let before = KeyIndex::default();
    for n in 0..50 {
        save(&mut Db::sqlite(&mut conn), &before, "orders", &format!("k{n}"), &answer(&n.to_string()))
            .await
            .expect("saved");
    }
    let opened = KeyIndex::load(&mut conn).await.expect("loaded");
    assert_eq!(opened.len(), 50);
    let db = &mut Db::sqlite(&mut conn);
    for n in [0, 17, 49] {
        assert_eq!(find(db, &opened, "orders", &format!("k{n}")).await.expect("read"), Some(answer(&n.to_string())));
    }
    assert!(save(db, &opened, "orders", "k3", &answer("again")).await.is_err());
    save(db, &opened, "orders", "k50", &answer("50")).await.expect("saved");
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM idempotency_keys ORDER BY id").fetch_all(&mut conn).await.expect("ids");
    assert_eq!(ids, (1..=51).collect::<Vec<i64>>(), "the next id follows the last one read");
}

#[tokio::test]
async fn pruning_forgets_the_answers_it_deletes_and_keeps_the_rest() {
    let (_dir, mut conn) = migrated_file().await;
    let keys = KeyIndex::default();
    let db = &mut Db::sqlite(&mut conn);
    save(db, &keys, "orders", "old", &answer("old")).await.expect("saved");
    let cut = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    save(db, &keys, "orders", "new", &answer("new")).await.expect("saved");
    assert_eq!(prune(db, &keys, cut, 100).await.expect("pruned"), 1);
    assert!(keys.is_unused("orders", "old"));
    assert_eq!(find(db, &keys, "orders", "new").await.expect("read"), Some(answer("new")));
    save(db, &keys, "orders", "old", &answer("a new request")).await.expect("past retention, a key is new again");
}

/// The WAL frames one transaction of `n` answers writes, under keys made by `key`.
async fn pages_for(conn: &mut SqliteConnection, keys: &KeyIndex, n: usize, key: impl Fn() -> String) -> i64 {
    sql(conn, "PRAGMA wal_checkpoint(TRUNCATE)").await;
    sql(conn, "BEGIN").await;
    for _ in 0..n {
        save(&mut Db::sqlite(conn), keys, "orders", &key(), &answer("{}")).await.expect("saved");
    }
    sql(conn, "COMMIT").await;
    let (_busy, frames, _done): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut *conn).await.expect("checkpoint");
    frames
}

/// The cost this layout exists to remove: a commit of answers under random keys (UUIDv4, as
/// many clients make them) wrote a page for nearly every answer — one leaf of a B-tree over
/// the keys each — where answers under ordered keys share their pages.
#[tokio::test]
async fn a_commit_of_answers_under_random_keys_writes_no_more_pages_than_one_under_ordered_keys() {
    let (_dir, mut conn) = migrated_file().await;
    let keys = KeyIndex::default();
    // A day's answers already there: a B-tree over them would have many leaves.
    pages_for(&mut conn, &keys, 5_000, || uuid::Uuid::new_v4().to_string()).await;
    let ordered = pages_for(&mut conn, &keys, 200, || uuid::Uuid::now_v7().to_string()).await;
    let random = pages_for(&mut conn, &keys, 200, || uuid::Uuid::new_v4().to_string()).await;
    assert!(random <= ordered + 3, "random keys: {random} pages, ordered keys: {ordered} pages");
}

/// The SQLite migrations, in order, as `(file name, SQL)`.
fn sqlite_migrations() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("migrations").map(|e| e.expect("entry").path()).collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
            (name, std::fs::read_to_string(&path).expect("sql"))
        })
        .collect()
}

#[tokio::test]
async fn answers_saved_under_the_old_layout_are_moved_and_found_by_their_keys() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().expect("dir");
    let options = crate::store::connect_options(
        dir.path().join("old.db").to_str().expect("utf-8"),
        std::time::Duration::from_secs(5),
    )
    .expect("options");
    let mut conn = SqliteConnection::connect_with(&options).await.expect("db");
    let (before, after): (Vec<_>, Vec<_>) =
        sqlite_migrations().into_iter().partition(|(name, _)| name.as_str() < "20261205000019");
    assert!(!after.is_empty(), "the layout's migration is there");
    for (_, statements) in &before {
        sqlx::raw_sql(statements).execute(&mut conn).await.expect("older migration");
    }
    for (n, key) in ["till-1-0001", "till-1-0002", "k"].iter().enumerate() {
        sqlx::query(
            "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at)
             VALUES ('orders', $1, 'h', 201, $2, $3)",
        )
        .bind(key)
        .bind(format!("answer {n}"))
        .bind(format!("2026-12-0{}T08:00:00.000000Z", n + 1))
        .execute(&mut conn)
        .await
        .expect("an old answer");
    }
    for (_, statements) in &after {
        sqlx::raw_sql(statements).execute(&mut conn).await.expect("this layout's migration");
    }
    let keys = KeyIndex::load(&mut conn).await.expect("loaded");
    let db = &mut Db::sqlite(&mut conn);
    for (n, key) in ["till-1-0001", "till-1-0002", "k"].iter().enumerate() {
        let found = find(db, &keys, "orders", key).await.expect("read").expect("kept");
        assert_eq!(found.body, format!("answer {n}"));
    }
    assert!(save(db, &keys, "orders", "k", &answer("again")).await.is_err());
    save(db, &keys, "orders", "new", &answer("new")).await.expect("saved");
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM idempotency_keys ORDER BY created_at")
        .fetch_all(&mut conn)
        .await
        .expect("ids");
    assert_eq!(ids, [1, 2, 3, 4], "moved in the order they were saved, the new one after them");
}
