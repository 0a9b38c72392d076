//! Writing a new order in as few round trips as the rules allow: one query to check
//! (menu version, id already used, a saved answer for the idempotency key, the day's last
//! ticket number, the audit chain's head) and one multi-statement query that writes the
//! order, its lines, its first history row, the ticket counter, the idempotency answer, its
//! follow-up job, its outbox events and its audit row.
//!
//! Each round trip to SQLite through sqlx costs tens of microseconds whatever the statement
//! does, so placing an order this way costs two instead of a dozen. Every value is bound;
//! only the number of `(?, …)` groups depends on the number of lines and events.

use super::audit::LinkedRow;
use super::idempotency::SavedResponse;
use super::jobs::NewJob;
use super::orders::OrderRecord;
use super::outbox::NewEvent;
use super::{time, StoreError};
use sqlx::{Row, SqliteConnection};

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

/// An idempotency answer to save with the order.
#[derive(Clone, Copy, Debug)]
pub struct IdempotencyRecord<'a> {
    pub scope: &'a str,
    pub key: &'a str,
    pub saved: &'a SavedResponse,
}

pub async fn check(
    conn: &mut SqliteConnection,
    order_id: uuid::Uuid,
    business_date: &str,
    idempotency: Option<(&str, &str)>,
) -> Result<PlacementCheck, StoreError> {
    let row = sqlx::query(
        "SELECT s.menu_version AS menu_version,
                EXISTS (SELECT 1 FROM orders WHERE id = ?1) AS order_exists,
                COALESCE((SELECT last_number FROM ticket_counters WHERE business_date = ?2), 0) AS last_ticket,
                i.request_hash AS request_hash, i.status_code AS status_code, i.response AS response,
                a.id AS audit_id, a.hash AS audit_hash
         FROM shop_settings s
         LEFT JOIN (SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1) a ON 1
         LEFT JOIN idempotency_keys i ON i.scope = ?3 AND i.key = ?4
         WHERE s.id = 1",
    )
    .bind(order_id.to_string())
    .bind(business_date)
    .bind(idempotency.map(|(scope, _)| scope))
    .bind(idempotency.map(|(_, key)| key))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::corrupt("no shop settings row"))?;
    let saved = match row.try_get::<Option<String>, _>("request_hash")? {
        Some(request_hash) => {
            let status: i64 = row.try_get("status_code")?;
            Some(SavedResponse {
                request_hash,
                status_code: u16::try_from(status).map_err(|_| StoreError::corrupt("status code"))?,
                body: row.try_get("response")?,
            })
        }
        None => None,
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
    conn: &mut SqliteConnection,
    order: &OrderRecord,
    counted: bool,
    events: &[NewEvent],
    idempotency: Option<IdempotencyRecord<'_>>,
    jobs: &[NewJob],
    audit: Option<&LinkedRow>,
) -> Result<Option<i64>, StoreError> {
    let mut sql = String::from(if counted {
        "INSERT INTO ticket_counters (business_date, last_number) VALUES (?, ?)
           ON CONFLICT (business_date) DO UPDATE SET last_number = excluded.last_number;"
    } else {
        ""
    });
    sql.push_str(
        "INSERT INTO orders (id, business_date, ticket_number, customer_name, customer_email, status,
           payment_status, currency, subtotal_cents, discount_cents, tax_cents, tip_cents, total_cents,
           payment_method, tendered_cents, change_due_cents, version, created_at, updated_at, placed_by,
           payment_reference, ticket_prefix, refunded_cents)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
         INSERT INTO order_status_history (order_id, from_status, to_status, at, reason) VALUES (?, NULL, ?, ?, NULL);",
    );
    if !order.lines.is_empty() {
        sql.push_str(
            "INSERT INTO order_lines (id, order_id, position, item_id, name, quantity, unit_price_cents,
               options, note, status, line_total_cents) VALUES ",
        );
        sql.push_str(&groups(order.lines.len(), 11));
        sql.push(';');
    }
    if idempotency.is_some() {
        sql.push_str(
            "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at)
             VALUES (?, ?, ?, ?, ?, ?);",
        );
    }
    for _ in jobs {
        sql.push_str(
            "INSERT INTO jobs (id, kind, payload, state, attempts, run_at, dedupe_key, traceparent, created_at, updated_at)
             VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING;",
        );
    }
    if audit.is_some() {
        sql.push_str(super::audit::INSERT);
    }
    if !events.is_empty() {
        sql.push_str(
            "INSERT INTO outbox (event_id, event_type, subject, time, data, traceparent, request_id, staff_id) VALUES ",
        );
        sql.push_str(&groups(events.len(), 8));
        sql.push_str(" RETURNING sequence;");
    }

    let created_at = time::to_text(order.created_at);
    let mut query = sqlx::query(&sql);
    if counted {
        query = query.bind(&order.business_date).bind(order.ticket_number);
    }
    let mut query =
        bind_order(query, order).bind(order.id.to_string()).bind(order.status.as_str()).bind(created_at.clone());
    for (position, line) in order.lines.iter().enumerate() {
        query = bind_line(query, order, position, line)?;
    }
    if let Some(record) = idempotency {
        query = query
            .bind(record.scope)
            .bind(record.key)
            .bind(record.saved.request_hash.clone())
            .bind(i64::from(record.saved.status_code))
            .bind(record.saved.body.clone())
            .bind(created_at.clone());
    }
    for job in jobs {
        query = query
            .bind(job.id.to_string())
            .bind(job.kind.clone())
            .bind(job.payload.to_string())
            .bind(time::to_text(job.run_at))
            .bind(job.dedupe_key.clone())
            .bind(job.traceparent.clone())
            .bind(created_at.clone())
            .bind(created_at.clone());
    }
    if let Some(row) = audit {
        query = super::audit::bind_row(query, row);
    }
    for event in events {
        let data = serde_json::to_string(&event.data).map_err(|e| StoreError::internal(e.to_string()))?;
        query = query
            .bind(event.id.to_string())
            .bind(event.event_type)
            .bind(event.subject.clone())
            .bind(time::to_text(event.time))
            .bind(data)
            .bind(event.traceparent.clone())
            .bind(event.request_id.clone())
            .bind(event.staff_id.map(|id| id.to_string()));
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut last = None;
    for row in rows {
        let sequence: i64 = row.try_get("sequence")?;
        last = Some(last.map_or(sequence, |l: i64| l.max(sequence)));
    }
    Ok(last)
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds an order's 23 columns in the order the `INSERT INTO orders` statements list them
/// (here and in [`super::sync::put_order`]).
pub(super) fn bind_order<'q>(query: Query<'q>, order: &'q OrderRecord) -> Query<'q> {
    let payment = order.payment;
    query
        .bind(order.id.to_string())
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
        .bind(time::to_text(order.created_at))
        .bind(time::to_text(order.updated_at))
        .bind(order.placed_by.map(|id| id.to_string()))
        .bind(&order.payment_reference)
        .bind(&order.ticket_prefix)
        .bind(order.refunded.minor())
}

/// Binds a line's 11 columns in the order the `INSERT INTO order_lines` statements list them.
pub(super) fn bind_line<'q>(
    query: Query<'q>,
    order: &'q OrderRecord,
    position: usize,
    line: &'q super::orders::LineRecord,
) -> Result<Query<'q>, StoreError> {
    let options = serde_json::to_string(&line.options).map_err(|e| StoreError::internal(e.to_string()))?;
    Ok(query
        .bind(line.id.to_string())
        .bind(order.id.to_string())
        .bind(position as i64)
        .bind(line.item_id.to_string())
        .bind(&line.name)
        .bind(i64::from(line.quantity))
        .bind(line.unit_price.minor())
        .bind(options)
        .bind(&line.note)
        .bind(line.status.as_str())
        .bind(line.line_total.minor()))
}

/// `(?, ?, …), (?, ?, …)`: `rows` groups of `columns` placeholders.
fn groups(rows: usize, columns: usize) -> String {
    let group = format!("({})", vec!["?"; columns].join(", "));
    vec![group; rows].join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholder_groups() {
        assert_eq!(super::groups(2, 3), "(?, ?, ?), (?, ?, ?)");
    }
}
