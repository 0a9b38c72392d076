//! Writing a new order in as few round trips as the rules allow: one query to check
//! (menu version, id already used, the day's last ticket number, the audit chain's head; and
//! the saved answer for the idempotency key: on SQLite a read by the row's id, only when the
//! writer's index of keys names one) and one multi-statement query that writes the
//! order, its lines, its first history row, the ticket counter, the idempotency answer, its
//! follow-up job, its outbox events and its audit row.
//!
//! Each round trip to SQLite through sqlx costs tens of microseconds whatever the statement
//! does, so placing an order this way costs two instead of a dozen. Every value is bound;
//! only the number of `(?, …)` groups depends on the number of lines and events.
//!
//! On PostgreSQL (which runs one statement per prepared query) the same rows are written
//! statement by statement in the same transaction, the events through [`super::outbox::append`]
//! so their sequences come from the outbox head.

pub mod direct;
mod sqlite;

pub use direct::prepare as prepare_direct;
pub use sqlite::{prepare_writer, write_on_tail, OnTail, Tail};
use sqlite::{GUARD, GUARD_TABLE};

use super::audit::LinkedRow;
use super::db::{exec, fetch_optional, At, Db, Id};
use super::idempotency::{KeyIndex, SavedResponse};
use super::jobs::NewJob;
use super::orders::OrderRecord;
use super::outbox::NewEvent;
use super::StoreError;

/// The order's row (bound with [`bind_order!`]), here and in [`super::sync::put_order`].
macro_rules! insert_order {
    () => {
        "INSERT INTO orders (id, business_date, ticket_number, customer_name,
    customer_email, status, payment_status, currency, subtotal_cents, discount_cents, tax_cents, tip_cents,
    total_cents, payment_method, tendered_cents, change_due_cents, version, created_at, updated_at, placed_by,
    payment_reference, ticket_prefix, refunded_cents, discounts, tenders, kitchen_held)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
    $25, $26)"
    };
}
pub(super) use insert_order;

/// A line's row (bound with [`bind_line!`]).
macro_rules! insert_line {
    () => {
        "INSERT INTO order_lines (id, order_id, position, item_id, name, quantity,
    unit_price_cents, options, note, status, line_total_cents)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    };
}
pub(super) use insert_line;

/// Binds an order's 26 columns in the order `insert_order!` lists them (here and in
/// [`super::sync::put_order`]), on either database.
macro_rules! bind_order {
    ($query:expr, $order:expr) => {{
        let order: &$crate::store::orders::OrderRecord = $order;
        let payment = order.payment;
        $query
            .bind(Id(order.id))
            .bind(&order.business_date)
            .bind(order.ticket_number)
            .bind(&order.customer_name)
            .bind(&order.customer_email)
            .bind(order.status.as_str())
            .bind(order.payment_status.as_str())
            .bind(&order.currency)
            .bind(order.totals.subtotal.minor())
            .bind(order.totals.discount.minor())
            .bind(order.totals.tax.minor())
            .bind(order.totals.tip.minor())
            .bind(order.totals.total.minor())
            .bind(payment.map(|p| p.method.as_str()))
            .bind(payment.map(|p| p.tendered.minor()))
            .bind(payment.map(|p| p.change_due.minor()))
            .bind(order.version)
            .bind(At(order.created_at))
            .bind(At(order.updated_at))
            .bind(order.placed_by.map(Id))
            .bind(&order.payment_reference)
            .bind(&order.ticket_prefix)
            .bind(order.refunded.minor())
            .bind(sqlx::types::Json(&order.discounts))
            .bind(sqlx::types::Json(&order.tenders))
            .bind(order.kitchen_held)
    }};
}
pub(super) use bind_order;

/// Binds a line's 11 columns in the order `insert_line!` lists them, on either database.
macro_rules! bind_line {
    ($query:expr, $order:expr, $position:expr, $line:expr) => {{
        let line: &$crate::store::orders::LineRecord = $line;
        $query
            .bind(Id(line.id))
            .bind(Id($order.id))
            .bind($position as i64)
            .bind(Id(line.item_id))
            .bind(&line.name)
            .bind(i64::from(line.quantity))
            .bind(line.unit_price.minor())
            .bind(sqlx::types::Json(&line.options))
            .bind(&line.note)
            .bind(line.status.as_str())
            .bind(line.line_total.minor())
    }};
}
pub(super) use bind_line;

/// Everything one placement writes (see [`write`]).
#[derive(Clone, Copy)]
pub(super) struct Rows<'a> {
    pub order: &'a OrderRecord,
    pub counted: bool,
    pub events: &'a [NewEvent],
    pub idempotency: Option<IdempotencyRecord<'a>>,
    pub jobs: &'a [NewJob],
    pub audit: Option<&'a LinkedRow>,
}

/// A new order's rows numbered and linked from a [`Tail`]: what [`write_on_tail`] (sqlx) and
/// [`direct::write_on_tail`] (the direct connection) write after verifying the tail.
#[derive(Clone, Copy)]
pub struct OnTailRows<'a> {
    pub tail: &'a Tail,
    pub order: &'a OrderRecord,
    pub events: &'a [NewEvent],
    pub idempotency: Option<IdempotencyRecord<'a>>,
    pub jobs: &'a [NewJob],
    pub audit: &'a LinkedRow,
}

/// Opens a savepoint for a placement that reads before it writes (so that it can undo its
/// own writes: see `Writer::write_own_undo`).
pub async fn savepoint(conn: &mut Db<'_>) -> Result<(), StoreError> {
    exec!(conn, sqlx::query("SAVEPOINT placement"))?;
    Ok(())
}

/// Keeps what was written since [`savepoint`].
pub async fn release(conn: &mut Db<'_>) -> Result<(), StoreError> {
    exec!(conn, sqlx::query("RELEASE placement"))?;
    Ok(())
}

/// Undoes what was written since [`savepoint`] (and closes it).
pub async fn roll_back(conn: &mut Db<'_>) -> Result<(), StoreError> {
    exec!(conn, sqlx::query("ROLLBACK TO placement"))?;
    exec!(conn, sqlx::query("RELEASE placement"))?;
    Ok(())
}

/// What the check round trip found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacementCheck {
    pub menu_version: i64,
    pub order_exists: bool,
    /// The saved answer for the idempotency key, if one was given and used before.
    pub saved: Option<SavedResponse>,
    /// The ticket number this order gets if it is written now.
    pub next_ticket_number: i64,
    /// The audit chain's head (newest row's id and hash), to link the sale's audit row to.
    pub audit_head: Option<(i64, String)>,
}

/// An idempotency answer to save with the order: the order's JSON, which is also the `order`
/// of the sale's first event (`order.placed`), byte for byte. SQLite keeps it as that event's
/// sequence instead of a second copy ([`answer_event`]); PostgreSQL keeps the text.
#[derive(Clone, Copy, Debug)]
pub struct IdempotencyRecord<'a> {
    pub scope: &'a str,
    pub key: &'a str,
    pub saved: &'a SavedResponse,
    /// The store's index of keys, which gives the answer's row its id (SQLite).
    pub keys: &'a KeyIndex,
}

/// The sequence of the event a placement's answer is kept in: the first of the sale's events,
/// which must be its `order.placed` (whose `order` is the answer's text).
fn answer_event(events: &[NewEvent], first_sequence: Option<i64>) -> Result<i64, StoreError> {
    match (events.first(), first_sequence) {
        (Some(event), Some(sequence)) if event.event_type == crema_shared::events::types::ORDER_PLACED => Ok(sequence),
        _ => Err(StoreError::internal("a placement's answer is kept in its order.placed event, and there is none")),
    }
}

/// Whether the order's key (if it has one) holds no answer for certain: the writer's index
/// has no row under it. Otherwise the checked way looks at the rows (a retry replays).
fn key_is_new(idempotency: Option<IdempotencyRecord<'_>>) -> bool {
    idempotency.is_none_or(|record| record.keys.is_unused(record.scope, record.key))
}

/// The check's query, with the saved answer's columns and join where the database finds it
/// by key (PostgreSQL); put together when compiled, not per order.
macro_rules! check_sql {
    ($answer_columns:literal, $answer_join:literal) => {
        concat!(
            "SELECT s.menu_version AS menu_version,
                EXISTS (SELECT 1 FROM orders WHERE id = $1) AS order_exists,
                COALESCE((SELECT last_number FROM ticket_counters WHERE business_date = $2), 0) AS last_ticket, ",
            $answer_columns,
            " a.id AS audit_id, a.hash AS audit_hash
             FROM shop_settings s
             LEFT JOIN (SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1) a ON true ",
            $answer_join,
            " WHERE s.id = 1"
        )
    };
}

pub async fn check(
    conn: &mut Db<'_>,
    keys: &KeyIndex,
    order_id: uuid::Uuid,
    business_date: &str,
    idempotency: Option<(&str, &str)>,
) -> Result<PlacementCheck, StoreError> {
    let row = match conn {
        // The saved answer is found through the writer's index of keys (below).
        Db::Sqlite(_) => fetch_optional!(conn, sqlx::query(check_sql!("", "")).bind(Id(order_id)).bind(business_date))?,
        Db::Postgres(_) => fetch_optional!(
            conn,
            sqlx::query(check_sql!(
                "i.request_hash AS request_hash, i.status_code AS status_code, i.response AS response,",
                "LEFT JOIN idempotency_keys i ON i.scope = $3 AND i.key = $4"
            ))
            .bind(Id(order_id))
            .bind(business_date)
            .bind(idempotency.map(|(scope, _)| scope))
            .bind(idempotency.map(|(_, key)| key))
        )?,
    }
    .ok_or_else(|| StoreError::corrupt("no shop settings row"))?;
    let saved = match (&conn, idempotency) {
        (Db::Sqlite(_), Some((scope, key))) => super::idempotency::find(conn, keys, scope, key).await?,
        (Db::Sqlite(_), None) => None,
        (Db::Postgres(_), _) => match row.try_get::<Option<String>, _>("request_hash")? {
            Some(_) => Some(super::idempotency::saved(&row)?),
            None => None,
        },
    };
    Ok(PlacementCheck {
        menu_version: row.try_get("menu_version")?,
        order_exists: row.try_get("order_exists")?,
        saved,
        next_ticket_number: row.try_get::<i64, _>("last_ticket")? + 1,
        audit_head: match row.try_get::<Option<i64>, _>("audit_id")? {
            Some(id) => Some((id, row.try_get::<Option<String>, _>("audit_hash")?.unwrap_or_default())),
            None => None,
        },
    })
}

/// Writes the order (with `order.ticket_number` as the day's counter when `counted`: not for
/// an order a terminal numbered), its lines, its first history row, the idempotency answer,
/// `jobs`, `events` and its audit row (linked to the head the check read); returns the last
/// event's sequence.
#[allow(clippy::too_many_arguments)]
pub async fn write(
    conn: &mut Db<'_>,
    order: &OrderRecord,
    counted: bool,
    events: &[NewEvent],
    idempotency: Option<IdempotencyRecord<'_>>,
    jobs: &[NewJob],
    audit: Option<&LinkedRow>,
) -> Result<Option<i64>, StoreError> {
    let rows = Rows { order, counted, events, idempotency, jobs, audit };
    match conn {
        Db::Sqlite(c) => sqlite::write(c, &rows, None).await,
        Db::Postgres(_) => write_each(conn, &rows).await,
    }
}

/// [`write`] statement by statement (PostgreSQL).
async fn write_each(conn: &mut Db<'_>, rows: &Rows<'_>) -> Result<Option<i64>, StoreError> {
    let Rows { order, counted, events, idempotency, jobs, audit } = *rows;
    if counted {
        exec!(
            conn,
            sqlx::query(
                "INSERT INTO ticket_counters (business_date, last_number) VALUES ($1, $2)
               ON CONFLICT (shop_id, business_date) DO UPDATE SET last_number = excluded.last_number"
            )
            .bind(&order.business_date)
            .bind(order.ticket_number)
        )?;
    }
    exec!(conn, bind_order!(sqlx::query(insert_order!()), order))?;
    exec!(conn, sqlx::query(
        "INSERT INTO order_status_history (order_id, from_status, to_status, at, reason) VALUES ($1, NULL, $2, $3, NULL)"
    )
    .bind(Id(order.id))
    .bind(order.status.as_str())
    .bind(At(order.created_at)))?;
    for (position, line) in order.lines.iter().enumerate() {
        exec!(conn, bind_line!(sqlx::query(insert_line!()), order, position, line))?;
    }
    if let Some(record) = idempotency {
        exec!(
            conn,
            sqlx::query(
                "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)"
            )
            .bind(record.scope)
            .bind(record.key)
            .bind(&record.saved.request_hash)
            .bind(i64::from(record.saved.status_code))
            .bind(&record.saved.body)
            .bind(At(order.created_at))
        )?;
    }
    for job in jobs {
        super::jobs::enqueue(conn, job).await?;
    }
    if let Some(row) = audit {
        exec!(conn, super::audit::bind_row(sqlx::query(super::audit::INSERT), row))?;
    }
    super::outbox::append(conn, events).await
}
