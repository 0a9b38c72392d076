//! The day's numbers, read from the orders of one business day.

use super::StoreError;
use sqlx::{Row, SqliteConnection};

#[derive(Clone, Debug, PartialEq)]
pub struct DaySummary {
    pub business_date: String,
    /// Orders not cancelled.
    pub orders: i64,
    pub cancelled: i64,
    /// Total of captured (and not refunded) payments, minor units.
    pub revenue_cents: i64,
    /// Mean seconds from placed to ready, over the orders that got ready.
    pub average_ready_seconds: Option<f64>,
    /// Best sellers: `(name, units)`, most first.
    pub top_items: Vec<(String, i64)>,
}

pub async fn day_summary(conn: &mut SqliteConnection, business_date: &str) -> Result<DaySummary, StoreError> {
    let totals = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN status <> 'cancelled' THEN 1 ELSE 0 END), 0) AS orders,
                COALESCE(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0) AS cancelled,
                COALESCE(SUM(CASE WHEN payment_status = 'captured' THEN total_cents ELSE 0 END), 0) AS revenue
         FROM orders WHERE business_date = ?",
    )
    .bind(business_date)
    .fetch_one(&mut *conn)
    .await?;
    let average: Option<f64> = sqlx::query_scalar(
        "SELECT AVG((julianday(h.at) - julianday(o.created_at)) * 86400.0)
         FROM orders o JOIN order_status_history h ON h.order_id = o.id AND h.to_status = 'ready'
         WHERE o.business_date = ?",
    )
    .bind(business_date)
    .fetch_one(&mut *conn)
    .await?;
    let top = sqlx::query(
        "SELECT l.name AS name, SUM(l.quantity) AS units FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.business_date = ? AND o.status <> 'cancelled'
         GROUP BY l.name ORDER BY units DESC, l.name LIMIT 5",
    )
    .bind(business_date)
    .fetch_all(&mut *conn)
    .await?;
    Ok(DaySummary {
        business_date: business_date.to_string(),
        orders: totals.try_get("orders")?,
        cancelled: totals.try_get("cancelled")?,
        revenue_cents: totals.try_get("revenue")?,
        average_ready_seconds: average,
        top_items: top
            .iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("units")?)))
            .collect::<Result<_, StoreError>>()?,
    })
}
