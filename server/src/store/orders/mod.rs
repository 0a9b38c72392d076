//! Order rows: the order, its snapshotted lines and its status history. What the kitchen
//! display and the pickup board read is in [`kitchen`].

use super::db::{exec, fetch_all, fetch_optional, At, Db, Id, IdList, Record};
use super::StoreError;
use chrono::{DateTime, Utc};
use crema_shared::api::{DiscountDto, TenderDto};
use crema_shared::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};
use crema_shared::totals::Totals;
use crema_shared::Money;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// An order as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRecord {
    pub id: Uuid,
    pub business_date: String,
    pub ticket_number: i64,
    /// The label of the terminal that numbered it (empty: this server).
    pub ticket_prefix: String,
    pub customer_name: String,
    pub customer_email: Option<String>,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub currency: String,
    pub totals: Totals,
    pub payment: Option<PaymentRecord>,
    /// The card terminal's approval code or the gateway's authorization reference.
    pub payment_reference: Option<String>,
    /// Refunded so far.
    pub refunded: Money,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The member of staff who rang it up.
    pub placed_by: Option<Uuid>,
    pub lines: Vec<LineRecord>,
    /// Its discounts as applied (stored as JSON in `orders.discounts`; their sum is
    /// `totals.discount`).
    pub discounts: Vec<DiscountDto>,
    /// The tenders of an order paid by several (stored as JSON in `orders.tenders`); empty
    /// for one tender (`payment`), and the parts of a tab paid in parts.
    pub tenders: Vec<TenderDto>,
    /// Kept from the kitchen until it is paid (the shop's tab setting when it was placed).
    pub kitchen_held: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentRecord {
    pub method: PaymentMethod,
    pub tendered: Money,
    pub change_due: Money,
}

impl PaymentRecord {
    /// The payment of an order paid by several tenders (a split, or a tab's parts): what was
    /// handed over and the change are their sums; cash when any of them is (the drawer's).
    pub fn of_tenders(tenders: &[TenderDto]) -> PaymentRecord {
        let any_cash = tenders.iter().any(|t| t.method == PaymentMethod::Cash);
        PaymentRecord {
            method: if any_cash { PaymentMethod::Cash } else { PaymentMethod::Card },
            tendered: Money::from_minor(tenders.iter().map(|t| t.tendered_cents).sum()),
            change_due: Money::from_minor(tenders.iter().map(|t| t.change_cents).sum()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LineRecord {
    pub id: Uuid,
    pub item_id: Uuid,
    pub name: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub options: Vec<OptionSnapshot>,
    pub note: Option<String>,
    pub status: LineStatus,
    pub line_total: Money,
}

/// A chosen option as snapshotted on a line (stored as JSON in `order_lines.options`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionSnapshot {
    pub option_id: Uuid,
    pub group_name: String,
    pub name: String,
    pub price_delta_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// What a transition changed, written in one go.
#[derive(Clone, Debug)]
pub struct OrderUpdate {
    pub id: Uuid,
    pub expected_version: i64,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub payment: Option<PaymentRecord>,
    pub payment_reference: Option<String>,
    pub refunded: Money,
    /// The totals (the tip and total grown by a tip added with a later payment; all of them
    /// priced again by a void).
    pub totals: Totals,
    /// The discounts as applied (a void works the order's out again).
    pub discounts: Vec<DiscountDto>,
    pub updated_at: DateTime<Utc>,
    pub line_changes: Vec<(Uuid, LineStatus)>,
    pub status_change: Option<StatusChange>,
    /// The tenders (a part paid adds one).
    pub tenders: Vec<TenderDto>,
    pub kitchen_held: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub status: Option<OrderStatus>,
    pub since: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

/// The columns every order read selects, in the order [`order_from_row`] reads them.
macro_rules! order_columns {
    () => {
        "id, business_date, ticket_number, customer_name, customer_email, status, payment_status, currency,
         subtotal_cents, discount_cents, tax_cents, tip_cents, total_cents, payment_method, tendered_cents,
         change_due_cents, version, created_at, updated_at, placed_by, payment_reference, refunded_cents, ticket_prefix,
         discounts, tenders, kitchen_held"
    };
}

/// An order read: [`order_columns!`] from `orders`, then `$rest` (its `WHERE`, `ORDER BY`…).
macro_rules! select_orders {
    ($rest:literal) => {
        concat!("SELECT ", order_columns!(), " FROM orders ", $rest)
    };
}

mod kitchen;
pub use kitchen::{board, count_open, open_tickets, waiting_placed_between, BoardRow};

/// Applies a transition if the order is still at `expected_version`; returns whether it was.
pub async fn update(conn: &mut Db<'_>, change: &OrderUpdate) -> Result<bool, StoreError> {
    let payment = change.payment;
    let done = exec!(
        conn,
        sqlx::query(
            "UPDATE orders SET status = $1, payment_status = $2, payment_method = $3, tendered_cents = $4,
           change_due_cents = $5, payment_reference = $6, refunded_cents = $7, version = version + 1, updated_at = $8,
           tip_cents = $11, total_cents = $12, tenders = $13, kitchen_held = $14, subtotal_cents = $15,
           discount_cents = $16, tax_cents = $17, discounts = $18
         WHERE id = $9 AND version = $10",
        )
        .bind(change.status.as_str())
        .bind(change.payment_status.as_str())
        .bind(payment.map(|p| p.method.as_str()))
        .bind(payment.map(|p| p.tendered.minor()))
        .bind(payment.map(|p| p.change_due.minor()))
        .bind(&change.payment_reference)
        .bind(change.refunded.minor())
        .bind(At(change.updated_at))
        .bind(Id(change.id))
        .bind(change.expected_version)
        .bind(change.totals.tip.minor())
        .bind(change.totals.total.minor())
        .bind(sqlx::types::Json(&change.tenders))
        .bind(change.kitchen_held)
        .bind(change.totals.subtotal.minor())
        .bind(change.totals.discount.minor())
        .bind(change.totals.tax.minor())
        .bind(sqlx::types::Json(&change.discounts))
    )?;
    if done != 1 {
        return Ok(false);
    }
    for (line_id, status) in &change.line_changes {
        exec!(
            conn,
            sqlx::query("UPDATE order_lines SET status = $1 WHERE id = $2 AND order_id = $3")
                .bind(status.as_str())
                .bind(Id(*line_id))
                .bind(Id(change.id))
        )?;
    }
    if let Some(history) = &change.status_change {
        insert_history(conn, change.id, history).await?;
    }
    Ok(true)
}

async fn insert_history(conn: &mut Db<'_>, order_id: Uuid, change: &StatusChange) -> Result<(), StoreError> {
    exec!(conn, sqlx::query(
        "INSERT INTO order_status_history (order_id, from_status, to_status, at, reason) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(Id(order_id))
    .bind(change.from.map(|s| s.as_str()))
    .bind(change.to.as_str())
    .bind(At(change.at))
    .bind(&change.reason))?;
    Ok(())
}

/// One order with its lines.
pub async fn get(conn: &mut Db<'_>, id: Uuid) -> Result<Option<OrderRecord>, StoreError> {
    let row = fetch_optional!(conn, sqlx::query(select_orders!("WHERE id = $1")).bind(Id(id)))?;
    let Some(row) = row else { return Ok(None) };
    let mut order = order_from_row(&row)?;
    let lines =
        fetch_all!(conn, sqlx::query(
        "SELECT id, order_id, item_id, name, quantity, unit_price_cents, options, note, status, line_total_cents
         FROM order_lines WHERE order_id = $1 ORDER BY position",
    )
    .bind(Id(id)))?;
    order.lines = lines.iter().map(line_from_row).collect::<Result<_, _>>()?;
    Ok(Some(order))
}

/// The orders of [`list`]: newest first (reading `orders_by_created` backwards).
const LIST: &str = select_orders!(
    "WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR created_at >= $2)
     ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
);

/// Newest first, filtered and paged.
pub async fn list(conn: &mut Db<'_>, filter: &ListFilter) -> Result<Vec<OrderRecord>, StoreError> {
    let rows = fetch_all!(
        conn,
        sqlx::query(LIST)
            .bind(filter.status.map(|s| s.as_str()))
            .bind(filter.since.map(At))
            .bind(filter.limit)
            .bind(filter.offset)
    )?;
    with_lines(conn, &rows).await
}

/// The orders of `rows` (read with `order_columns!`), each with its lines.
pub(super) async fn with_lines(conn: &mut Db<'_>, rows: &[Record]) -> Result<Vec<OrderRecord>, StoreError> {
    let mut orders: Vec<OrderRecord> = rows.iter().map(order_from_row).collect::<Result<_, _>>()?;
    attach_lines(conn, &mut orders).await?;
    Ok(orders)
}

/// Reads the lines of `orders` in one query.
async fn attach_lines(conn: &mut Db<'_>, orders: &mut [OrderRecord]) -> Result<(), StoreError> {
    if orders.is_empty() {
        return Ok(());
    }
    let ids = IdList(orders.iter().map(|o| o.id).collect());
    let sql = match conn {
        Db::Sqlite(_) => {
            "SELECT id, order_id, item_id, name, quantity, unit_price_cents, options, note, status, line_total_cents
             FROM order_lines WHERE order_id IN (SELECT value FROM json_each($1)) ORDER BY order_id, position"
        }
        Db::Postgres(_) => {
            "SELECT id, order_id, item_id, name, quantity, unit_price_cents, options, note, status, line_total_cents
             FROM order_lines WHERE order_id = ANY($1) ORDER BY order_id, position"
        }
    };
    let lines = fetch_all!(conn, sqlx::query(sql).bind(&ids))?;
    let mut by_order: HashMap<Uuid, Vec<LineRecord>> = HashMap::new();
    for row in &lines {
        by_order.entry(row.uuid("order_id")?).or_default().push(line_from_row(row)?);
    }
    for order in orders.iter_mut() {
        order.lines = by_order.remove(&order.id).unwrap_or_default();
    }
    Ok(())
}

pub async fn history(db: &mut Db<'_>, id: Uuid) -> Result<Vec<StatusChange>, StoreError> {
    let rows = fetch_all!(
        db,
        sqlx::query(
            "SELECT from_status, to_status, at, reason FROM order_status_history WHERE order_id = $1 ORDER BY id",
        )
        .bind(Id(id))
    )?;
    rows.iter()
        .map(|r| {
            let from: Option<String> = r.try_get("from_status")?;
            Ok(StatusChange {
                from: from.as_deref().map(order_status).transpose()?,
                to: order_status(&r.try_get::<String, _>("to_status")?)?,
                at: r.time("at")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

pub(super) fn order_from_row(r: &Record) -> Result<OrderRecord, StoreError> {
    let method: Option<String> = r.try_get("payment_method")?;
    let payment = match method {
        Some(m) => Some(PaymentRecord {
            method: PaymentMethod::parse(&m).ok_or_else(|| StoreError::corrupt(format!("payment method {m:?}")))?,
            tendered: Money::from_minor(r.try_get::<Option<i64>, _>("tendered_cents")?.unwrap_or(0)),
            change_due: Money::from_minor(r.try_get::<Option<i64>, _>("change_due_cents")?.unwrap_or(0)),
        }),
        None => None,
    };
    let payment_status: String = r.try_get("payment_status")?;
    Ok(OrderRecord {
        id: r.uuid("id")?,
        business_date: r.try_get("business_date")?,
        ticket_number: r.try_get("ticket_number")?,
        ticket_prefix: r.try_get("ticket_prefix")?,
        customer_name: r.try_get("customer_name")?,
        customer_email: r.try_get("customer_email")?,
        status: order_status(&r.try_get::<String, _>("status")?)?,
        payment_status: PaymentStatus::parse(&payment_status)
            .ok_or_else(|| StoreError::corrupt(format!("payment status {payment_status:?}")))?,
        currency: r.try_get("currency")?,
        totals: Totals {
            subtotal: Money::from_minor(r.try_get("subtotal_cents")?),
            discount: Money::from_minor(r.try_get("discount_cents")?),
            tax: Money::from_minor(r.try_get("tax_cents")?),
            tip: Money::from_minor(r.try_get("tip_cents")?),
            total: Money::from_minor(r.try_get("total_cents")?),
        },
        payment,
        payment_reference: r.try_get("payment_reference")?,
        refunded: Money::from_minor(r.try_get("refunded_cents")?),
        version: r.try_get("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
        placed_by: r.opt_uuid("placed_by")?,
        lines: Vec::new(),
        discounts: r.json("discounts")?,
        tenders: r.json("tenders")?,
        kitchen_held: r.try_get("kitchen_held")?,
    })
}

fn line_from_row(r: &Record) -> Result<LineRecord, StoreError> {
    let status: String = r.try_get("status")?;
    let quantity: i64 = r.try_get("quantity")?;
    Ok(LineRecord {
        id: r.uuid("id")?,
        item_id: r.uuid("item_id")?,
        name: r.try_get("name")?,
        quantity: u32::try_from(quantity).map_err(|_| StoreError::corrupt("quantity"))?,
        unit_price: Money::from_minor(r.try_get("unit_price_cents")?),
        options: r.json("options")?,
        note: r.try_get("note")?,
        status: LineStatus::parse(&status).ok_or_else(|| StoreError::corrupt(format!("line status {status:?}")))?,
        line_total: Money::from_minor(r.try_get("line_total_cents")?),
    })
}

pub(super) fn order_status(s: &str) -> Result<OrderStatus, StoreError> {
    OrderStatus::parse(s).ok_or_else(|| StoreError::corrupt(format!("order status {s:?}")))
}

#[cfg(test)]
mod tests;
