//! Stock counts and reservations. Counts change only inside the single writer, so a check
//! and the decrement that follows it cannot be interleaved with another order's: for the
//! last croissant, exactly one order wins.

use super::db::{exec, fetch_all, fetch_value, Db, Id, IdList};
use super::StoreError;
use crema_shared::stock::StockKind;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Current counts of those of `keys` that are counted.
pub async fn counts(
    conn: &mut Db<'_>,
    keys: &[(StockKind, Uuid)],
) -> Result<BTreeMap<(StockKind, Uuid), u32>, StoreError> {
    let ids = |kind: StockKind| IdList(keys.iter().filter(|(k, _)| *k == kind).map(|(_, id)| *id).collect());
    let sql = match conn {
        Db::Sqlite(_) => {
            "SELECT 'item' AS kind, id, stock FROM items WHERE stock IS NOT NULL AND id IN (SELECT value FROM json_each($1))
             UNION ALL
             SELECT 'option', id, stock FROM modifier_options WHERE stock IS NOT NULL AND id IN (SELECT value FROM json_each($2))"
        }
        Db::Postgres(_) => {
            "SELECT 'item' AS kind, id, stock FROM items WHERE stock IS NOT NULL AND id = ANY($1)
             UNION ALL
             SELECT 'option', id, stock FROM modifier_options WHERE stock IS NOT NULL AND id = ANY($2)"
        }
    };
    let rows = fetch_all!(conn, sqlx::query(sql).bind(ids(StockKind::Item)).bind(ids(StockKind::Option)))?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let stock: i64 = r.try_get("stock")?;
            Ok((
                (StockKind::parse(&kind).ok_or_else(|| StoreError::corrupt("stock kind"))?, r.uuid("id")?),
                u32::try_from(stock).map_err(|_| StoreError::corrupt("stock"))?,
            ))
        })
        .collect()
}

/// Takes `quantity` of each counted target for `order_id` and remembers it for a release.
pub async fn reserve(conn: &mut Db<'_>, order_id: Uuid, takes: &[(StockKind, Uuid, u32)]) -> Result<(), StoreError> {
    for (kind, id, quantity) in takes {
        let sql = match kind {
            StockKind::Item => "UPDATE items SET stock = stock - $1 WHERE id = $2 AND stock >= $1",
            StockKind::Option => "UPDATE modifier_options SET stock = stock - $1 WHERE id = $2 AND stock >= $1",
        };
        let done = exec!(conn, sqlx::query(sql).bind(i64::from(*quantity)).bind(Id(*id)))?;
        if done != 1 {
            return Err(StoreError::internal(format!("stock of {} {id} changed under a reservation", kind.as_str())));
        }
        exec!(
            conn,
            sqlx::query("INSERT INTO stock_reservations (order_id, kind, target_id, quantity) VALUES ($1, $2, $3, $4)")
                .bind(Id(order_id))
                .bind(kind.as_str())
                .bind(Id(*id))
                .bind(i64::from(*quantity))
        )?;
    }
    Ok(())
}

/// Gives back what `order_id` reserved; returns `(kind, id, count after)` for each counted target.
/// Gives back part of what `order_id` reserved (a voided line's item and options), at most
/// what it holds of each; returns the counts after, for those that are counted.
pub async fn release_some(
    conn: &mut Db<'_>,
    order_id: Uuid,
    wanted: &[(StockKind, Uuid, u32)],
) -> Result<Vec<(StockKind, Uuid, u32)>, StoreError> {
    let mut released = Vec::new();
    for (kind, id, quantity) in wanted {
        let held: Option<i64> = fetch_value!(
            conn,
            sqlx::query_scalar(
                "SELECT quantity FROM stock_reservations WHERE order_id = $1 AND kind = $2 AND target_id = $3"
            )
            .bind(Id(order_id))
            .bind(kind.as_str())
            .bind(Id(*id)),
            fetch_optional
        )?;
        let held = held.unwrap_or(0);
        let take = held.min(i64::from(*quantity));
        if take <= 0 {
            continue;
        }
        // A reservation is never zero: all of it taken, it goes.
        let sql = if take == held {
            "DELETE FROM stock_reservations WHERE order_id = $2 AND kind = $3 AND target_id = $4 AND $1 > 0"
        } else {
            "UPDATE stock_reservations SET quantity = quantity - $1 WHERE order_id = $2 AND kind = $3 AND target_id = $4"
        };
        exec!(conn, sqlx::query(sql).bind(take).bind(Id(order_id)).bind(kind.as_str()).bind(Id(*id)))?;
        let sql = match kind {
            StockKind::Item => {
                "UPDATE items SET stock = stock + $1 WHERE id = $2 AND stock IS NOT NULL RETURNING stock"
            }
            StockKind::Option => {
                "UPDATE modifier_options SET stock = stock + $1 WHERE id = $2 AND stock IS NOT NULL RETURNING stock"
            }
        };
        let after: Option<i64> = fetch_value!(conn, sqlx::query_scalar(sql).bind(take).bind(Id(*id)), fetch_optional)?;
        if let Some(after) = after {
            released.push((*kind, *id, u32::try_from(after).map_err(|_| StoreError::corrupt("stock"))?));
        }
    }
    Ok(released)
}

pub async fn release(conn: &mut Db<'_>, order_id: Uuid) -> Result<Vec<(StockKind, Uuid, u32)>, StoreError> {
    let rows = fetch_all!(
        conn,
        sqlx::query("SELECT kind, target_id, quantity FROM stock_reservations WHERE order_id = $1").bind(Id(order_id))
    )?;
    let mut released = Vec::new();
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let kind = StockKind::parse(&kind).ok_or_else(|| StoreError::corrupt("stock kind"))?;
        let id = r.uuid("target_id")?;
        let quantity: i64 = r.try_get("quantity")?;
        let sql = match kind {
            StockKind::Item => {
                "UPDATE items SET stock = stock + $1 WHERE id = $2 AND stock IS NOT NULL RETURNING stock"
            }
            StockKind::Option => {
                "UPDATE modifier_options SET stock = stock + $1 WHERE id = $2 AND stock IS NOT NULL RETURNING stock"
            }
        };
        let after: Option<i64> =
            fetch_value!(conn, sqlx::query_scalar(sql).bind(quantity).bind(Id(id)), fetch_optional)?;
        if let Some(after) = after {
            released.push((kind, id, u32::try_from(after).map_err(|_| StoreError::corrupt("stock"))?));
        }
    }
    exec!(conn, sqlx::query("DELETE FROM stock_reservations WHERE order_id = $1").bind(Id(order_id)))?;
    Ok(released)
}
