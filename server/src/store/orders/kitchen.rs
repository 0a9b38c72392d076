//! What the kitchen display and the pickup board read: the open tickets (a tab held until it is
//! paid is not one), their counts for `/metrics`, the board's two columns, and the orders a
//! ticket-age check finds still waiting.

use super::{order_status, with_lines, OrderRecord};
use crate::store::db::{fetch_all, At, Db};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use crema_shared::status::OrderStatus;

/// What a kitchen display shows, oldest first: every order still to be made (but a tab held
/// until it is paid), and today's orders that are ready but not yet picked up.
pub async fn open_tickets(conn: &mut Db<'_>, business_date: &str) -> Result<Vec<OrderRecord>, StoreError> {
    let rows = fetch_all!(
        conn,
        sqlx::query(select_orders!(
            "WHERE NOT kitchen_held
               AND (status IN ('placed', 'accepted', 'preparing') OR (status = 'ready' AND business_date = $1))
             ORDER BY created_at, id"
        ))
        .bind(business_date)
    )?;
    with_lines(conn, &rows).await
}

/// The orders placed in `[from, to)` still waiting in the kitchen — placed, accepted or
/// preparing, and not held for payment — oldest first: what a ticket-age check of that window
/// alerts on (read along `orders_by_created`).
pub async fn waiting_placed_between(
    conn: &mut Db<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<OrderRecord>, StoreError> {
    let rows = fetch_all!(
        conn,
        sqlx::query(select_orders!(
            "WHERE created_at >= $1 AND created_at < $2
               AND status IN ('placed', 'accepted', 'preparing') AND NOT kitchen_held
             ORDER BY created_at, id"
        ))
        .bind(At(from))
        .bind(At(to))
    )?;
    with_lines(conn, &rows).await
}

/// Open tickets as the kitchen display counts them, by status, and how many of those still
/// to be made were placed before `late_before` (the "late" limit).
pub async fn count_open(
    conn: &mut Db<'_>,
    business_date: &str,
    late_before: DateTime<Utc>,
) -> Result<(Vec<(String, i64)>, i64), StoreError> {
    let rows = fetch_all!(
        conn,
        sqlx::query(
            "SELECT status, COUNT(*) AS n,
                SUM(CASE WHEN status != 'ready' AND created_at < $1 THEN 1 ELSE 0 END) AS late
         FROM orders
         WHERE NOT kitchen_held
           AND (status IN ('placed', 'accepted', 'preparing') OR (status = 'ready' AND business_date = $2))
         GROUP BY status",
        )
        .bind(At(late_before))
        .bind(business_date)
    )?;
    let mut late = 0;
    let mut counts = Vec::with_capacity(rows.len());
    for row in &rows {
        late += row.try_get::<Option<i64>, _>("late")?.unwrap_or(0);
        counts.push((row.try_get("status")?, row.try_get("n")?));
    }
    Ok((counts, late))
}

/// A ticket on the pickup board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardRow {
    pub ticket_number: i64,
    pub ticket_prefix: String,
    pub customer_name: String,
    pub status: OrderStatus,
}

/// Today's open tickets for the pickup board: the `per_column` oldest still being made and the
/// `per_column` most recently ready, oldest first (a TV shows no more than that). By time, not
/// number: tickets from several terminals (`A-3`, `B-1`) interleave.
pub async fn board(conn: &mut Db<'_>, business_date: &str, per_column: i64) -> Result<Vec<BoardRow>, StoreError> {
    let rows = fetch_all!(
        conn,
        sqlx::query(
            "SELECT ticket_number, ticket_prefix, customer_name, status, created_at FROM (
             SELECT ticket_number, ticket_prefix, customer_name, status, created_at FROM orders
             WHERE business_date = $1 AND status IN ('placed', 'accepted', 'preparing')
             ORDER BY created_at, ticket_number LIMIT $2) AS making
         UNION ALL
         SELECT ticket_number, ticket_prefix, customer_name, status, created_at FROM (
             SELECT ticket_number, ticket_prefix, customer_name, status, created_at FROM orders
             WHERE business_date = $1 AND status = 'ready'
             ORDER BY created_at DESC, ticket_number DESC LIMIT $2) AS ready
         ORDER BY created_at, ticket_number",
        )
        .bind(business_date)
        .bind(per_column)
    )?;
    rows.iter()
        .map(|r| {
            Ok(BoardRow {
                ticket_number: r.try_get("ticket_number")?,
                ticket_prefix: r.try_get("ticket_prefix")?,
                customer_name: r.try_get("customer_name")?,
                status: order_status(&r.try_get::<String, _>("status")?)?,
            })
        })
        .collect()
}
