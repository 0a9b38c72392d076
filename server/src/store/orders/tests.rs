//! The orders' indexes as placement needs them.

use sqlx::Row;

/// New orders sort last in both indexes on when orders were placed, so SQLite appends them
/// (descending, each batch inserted at the front and split pages there), and the
/// newest-first list still reads its index — backwards — instead of sorting the orders.
#[tokio::test]
async fn the_indexes_on_placement_time_ascend_and_the_newest_first_list_reads_one() {
    let (_dir, mut conn) = crate::store::test_db::migrated_file().await;
    for index in ["orders_by_created", "orders_by_status"] {
        let keys = sqlx::query("SELECT name, \"desc\" FROM pragma_index_xinfo($1) WHERE key = 1")
            .bind(index)
            .fetch_all(&mut conn)
            .await
            .expect("index columns");
        assert!(!keys.is_empty(), "{index} exists");
        for key in keys {
            let (column, descending): (Option<String>, i64) = (key.get(0), key.get(1));
            assert_eq!(descending, 0, "{index} ascends on {column:?}");
        }
    }
    let plan: Vec<String> = sqlx::query(&format!("EXPLAIN QUERY PLAN {}", super::LIST))
        .bind(None::<String>)
        .bind(None::<String>)
        .bind(50_i64)
        .bind(0_i64)
        .fetch_all(&mut conn)
        .await
        .expect("plan")
        .iter()
        .map(|row| row.get::<String, _>("detail"))
        .collect();
    assert!(plan.iter().any(|step| step.contains("orders_by_created")), "{plan:?}");
    assert!(!plan.iter().any(|step| step.contains("TEMP B-TREE")), "{plan:?}");
}
