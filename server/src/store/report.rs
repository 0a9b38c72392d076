//! The day's numbers, read from the orders of one business day.

use super::{time, StoreError};
use chrono::{DateTime, Utc};
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

/// When each order of the day that was not cancelled was placed.
pub async fn placed_times(conn: &mut SqliteConnection, business_date: &str) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT created_at FROM orders WHERE business_date = ? AND status <> 'cancelled'")
            .bind(business_date)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(|t| time::from_text(t)).collect()
}

/// One order as the CSV export lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportRow {
    pub business_date: String,
    pub ticket_number: i64,
    pub created_at: DateTime<Utc>,
    pub customer_name: String,
    pub status: String,
    pub payment_status: String,
    pub payment_method: Option<String>,
    pub currency: String,
    pub subtotal_cents: i64,
    pub discount_cents: i64,
    pub tax_cents: i64,
    pub tip_cents: i64,
    pub total_cents: i64,
    pub refunded_cents: i64,
    /// `2× Latte (Large, Oat); 1× Croissant`.
    pub items: String,
}

/// Orders of the business days `from..=to` (`YYYY-MM-DD`), in the order they were placed.
pub async fn export_rows(conn: &mut SqliteConnection, from: &str, to: &str) -> Result<Vec<ExportRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT o.business_date, o.ticket_number, o.created_at, o.customer_name, o.status, o.payment_status,
                o.payment_method, o.currency, o.subtotal_cents, o.discount_cents, o.tax_cents, o.tip_cents,
                o.total_cents, o.refunded_cents,
                (SELECT group_concat(l.quantity || '× ' || l.name ||
                        CASE WHEN json_array_length(l.options) > 0
                             THEN ' (' || (SELECT group_concat(json_extract(value, '$.name'), ', ') FROM json_each(l.options)) || ')'
                             ELSE '' END, '; ')
                 FROM (SELECT * FROM order_lines WHERE order_id = o.id ORDER BY position) l) AS items
         FROM orders o WHERE o.business_date BETWEEN ? AND ?
         ORDER BY o.created_at, o.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ExportRow {
                business_date: r.try_get("business_date")?,
                ticket_number: r.try_get("ticket_number")?,
                created_at: time::from_text(&r.try_get::<String, _>("created_at")?)?,
                customer_name: r.try_get("customer_name")?,
                status: r.try_get("status")?,
                payment_status: r.try_get("payment_status")?,
                payment_method: r.try_get("payment_method")?,
                currency: r.try_get("currency")?,
                subtotal_cents: r.try_get("subtotal_cents")?,
                discount_cents: r.try_get("discount_cents")?,
                tax_cents: r.try_get("tax_cents")?,
                tip_cents: r.try_get("tip_cents")?,
                total_cents: r.try_get("total_cents")?,
                refunded_cents: r.try_get("refunded_cents")?,
                items: r.try_get::<Option<String>, _>("items")?.unwrap_or_default(),
            })
        })
        .collect()
}
