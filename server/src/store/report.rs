//! The day's numbers, read from the orders of one business day.

use super::db::{fetch_all, fetch_one, fetch_value, At, Db};
use super::StoreError;
use chrono::{DateTime, Utc};

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

pub async fn day_summary(conn: &mut Db<'_>, business_date: &str) -> Result<DaySummary, StoreError> {
    let totals = fetch_one!(
        conn,
        sqlx::query(
            "SELECT CAST(COALESCE(SUM(CASE WHEN status <> 'cancelled' THEN 1 ELSE 0 END), 0) AS BIGINT) AS orders,
                CAST(COALESCE(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0) AS BIGINT) AS cancelled,
                CAST(COALESCE(SUM(CASE WHEN payment_status = 'captured' THEN total_cents ELSE 0 END), 0) AS BIGINT)
                  AS revenue
         FROM orders WHERE business_date = $1",
        )
        .bind(business_date)
    )?;
    let sql = match conn {
        Db::Sqlite(_) => {
            "SELECT AVG((julianday(h.at) - julianday(o.created_at)) * 86400.0)
             FROM orders o JOIN order_status_history h ON h.order_id = o.id AND h.to_status = 'ready'
             WHERE o.business_date = $1"
        }
        Db::Postgres(_) => {
            "SELECT CAST(AVG(EXTRACT(EPOCH FROM h.at - o.created_at)) AS DOUBLE PRECISION)
             FROM orders o JOIN order_status_history h ON h.order_id = o.id AND h.to_status = 'ready'
             WHERE o.business_date = $1"
        }
    };
    let average: Option<f64> = fetch_value!(conn, sqlx::query_scalar(sql).bind(business_date), fetch_one)?;
    let top = fetch_all!(conn, sqlx::query(
        "SELECT l.name AS name, CAST(SUM(l.quantity) AS BIGINT) AS units FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.business_date = $1 AND o.status <> 'cancelled'
         GROUP BY l.name ORDER BY units DESC, l.name LIMIT 5",
    )
    .bind(business_date))?;
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
pub async fn placed_times(conn: &mut Db<'_>, business_date: &str) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let rows: Vec<At> = fetch_value!(
        conn,
        sqlx::query_scalar("SELECT created_at FROM orders WHERE business_date = $1 AND status <> 'cancelled'")
            .bind(business_date),
        fetch_all
    )?;
    Ok(rows.into_iter().map(|at| at.0).collect())
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
pub async fn export_rows(conn: &mut Db<'_>, from: &str, to: &str) -> Result<Vec<ExportRow>, StoreError> {
    // The lines as one text, in order, each with its options' names.
    macro_rules! export {
        ($items:literal) => {
            concat!(
                "SELECT o.business_date, o.ticket_number, o.created_at, o.customer_name, o.status, o.payment_status,
                        o.payment_method, o.currency, o.subtotal_cents, o.discount_cents, o.tax_cents, o.tip_cents,
                        o.total_cents, o.refunded_cents, ",
                $items,
                " AS items FROM orders o WHERE o.business_date BETWEEN $1 AND $2 ORDER BY o.created_at, o.id"
            )
        };
    }
    let sql = match conn {
        Db::Sqlite(_) => export!(
            "(SELECT group_concat(l.quantity || '× ' || l.name ||
                     CASE WHEN json_array_length(l.options) > 0
                          THEN ' (' || (SELECT group_concat(json_extract(value, '$.name'), ', ') FROM json_each(l.options)) || ')'
                          ELSE '' END, '; ')
              FROM (SELECT * FROM order_lines WHERE order_id = o.id ORDER BY position) l)"
        ),
        Db::Postgres(_) => export!(
            "(SELECT string_agg(l.quantity || '× ' || l.name ||
                     CASE WHEN jsonb_array_length(l.options) > 0
                          THEN ' (' || (SELECT string_agg(e.value->>'name', ', ' ORDER BY e.n)
                                        FROM jsonb_array_elements(l.options) WITH ORDINALITY AS e(value, n)) || ')'
                          ELSE '' END, '; ' ORDER BY l.position)
              FROM order_lines l WHERE l.order_id = o.id)"
        ),
    };
    let rows = fetch_all!(conn, sqlx::query(sql).bind(from).bind(to))?;
    rows.iter()
        .map(|r| {
            Ok(ExportRow {
                business_date: r.try_get("business_date")?,
                ticket_number: r.try_get("ticket_number")?,
                created_at: r.time("created_at")?,
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
