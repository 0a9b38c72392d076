//! Stock counts and reservations. Counts change only inside the single writer, so a check
//! and the decrement that follows it cannot be interleaved with another order's: for the
//! last croissant, exactly one order wins.

use super::StoreError;
use crema_shared::stock::StockKind;
use sqlx::{Row, SqliteConnection};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Current counts of those of `keys` that are counted.
pub async fn counts(
    conn: &mut SqliteConnection,
    keys: &[(StockKind, Uuid)],
) -> Result<BTreeMap<(StockKind, Uuid), u32>, StoreError> {
    let ids = |kind: StockKind| -> Result<String, StoreError> {
        let ids: Vec<String> = keys.iter().filter(|(k, _)| *k == kind).map(|(_, id)| id.to_string()).collect();
        serde_json::to_string(&ids).map_err(|e| StoreError::internal(e.to_string()))
    };
    let rows = sqlx::query(
        "SELECT 'item' AS kind, id, stock FROM items WHERE stock IS NOT NULL AND id IN (SELECT value FROM json_each(?1))
         UNION ALL
         SELECT 'option', id, stock FROM modifier_options WHERE stock IS NOT NULL AND id IN (SELECT value FROM json_each(?2))",
    )
    .bind(ids(StockKind::Item)?)
    .bind(ids(StockKind::Option)?)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let stock: i64 = r.try_get("stock")?;
            Ok((
                (
                    StockKind::parse(&kind).ok_or_else(|| StoreError::corrupt("stock kind"))?,
                    super::menu::uuid_col(r, "id")?,
                ),
                u32::try_from(stock).map_err(|_| StoreError::corrupt("stock"))?,
            ))
        })
        .collect()
}

/// Takes `quantity` of each counted target for `order_id` and remembers it for a release.
pub async fn reserve(
    conn: &mut SqliteConnection,
    order_id: Uuid,
    takes: &[(StockKind, Uuid, u32)],
) -> Result<(), StoreError> {
    for (kind, id, quantity) in takes {
        let sql = match kind {
            StockKind::Item => "UPDATE items SET stock = stock - ?1 WHERE id = ?2 AND stock >= ?1",
            StockKind::Option => "UPDATE modifier_options SET stock = stock - ?1 WHERE id = ?2 AND stock >= ?1",
        };
        let done = sqlx::query(sql).bind(i64::from(*quantity)).bind(id.to_string()).execute(&mut *conn).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::internal(format!("stock of {} {id} changed under a reservation", kind.as_str())));
        }
        sqlx::query("INSERT INTO stock_reservations (order_id, kind, target_id, quantity) VALUES (?, ?, ?, ?)")
            .bind(order_id.to_string())
            .bind(kind.as_str())
            .bind(id.to_string())
            .bind(i64::from(*quantity))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Gives back what `order_id` reserved; returns `(kind, id, count after)` for each counted target.
pub async fn release(conn: &mut SqliteConnection, order_id: Uuid) -> Result<Vec<(StockKind, Uuid, u32)>, StoreError> {
    let rows = sqlx::query("SELECT kind, target_id, quantity FROM stock_reservations WHERE order_id = ?")
        .bind(order_id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut released = Vec::new();
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let kind = StockKind::parse(&kind).ok_or_else(|| StoreError::corrupt("stock kind"))?;
        let id = super::menu::uuid_col(r, "target_id")?;
        let quantity: i64 = r.try_get("quantity")?;
        let sql = match kind {
            StockKind::Item => "UPDATE items SET stock = stock + ? WHERE id = ? AND stock IS NOT NULL RETURNING stock",
            StockKind::Option => {
                "UPDATE modifier_options SET stock = stock + ? WHERE id = ? AND stock IS NOT NULL RETURNING stock"
            }
        };
        let after: Option<i64> =
            sqlx::query_scalar(sql).bind(quantity).bind(id.to_string()).fetch_optional(&mut *conn).await?;
        if let Some(after) = after {
            released.push((kind, id, u32::try_from(after).map_err(|_| StoreError::corrupt("stock"))?));
        }
    }
    sqlx::query("DELETE FROM stock_reservations WHERE order_id = ?")
        .bind(order_id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(released)
}
