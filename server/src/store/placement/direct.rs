//! Placement on the writer's direct connection (see `store::writer::direct`): the same rows,
//! the same guard and the same values as [`super::sqlite`], through statements SQLite
//! prepared once and keeps, on the thread that owns the connection — no worker thread to
//! cross, no SQL text to hash per order.
//!
//! Values are written exactly as sqlx writes them on SQLite (ids and times as text, JSON as
//! text, booleans as integers), so the two ways of writing an order cannot be told apart when
//! read back; a test places orders both ways and compares the rows.

use super::{insert_line, insert_order, OnTail, GUARD, GUARD_TABLE};
use crate::store::{audit, time, StoreError};
use rusqlite::{params, Connection};

/// Readies the direct connection: the guard's table, as [`super::prepare_writer`] does.
pub fn prepare(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(GUARD_TABLE)?;
    Ok(())
}

/// Writes the order numbered and linked from `tail` (as [`super::write_on_tail`] does) after
/// the guard has verified `tail` and that the id and key are unused: [`OnTail::Missed`] when
/// it did not — nothing was written — and the order is placed the checked way. An error after the guard leaves the transaction
/// half-written: the caller's group is rolled back.
pub fn write_on_tail(conn: &Connection, rows: super::OnTailRows<'_>) -> Result<OnTail, StoreError> {
    let super::OnTailRows { tail, order, events, idempotency, jobs, audit } = rows;
    if !super::key_is_new(idempotency) {
        return Ok(OnTail::Missed);
    }
    let (audit_id, audit_hash) = tail.audit_head.clone().unwrap_or((0, String::new()));
    let guard = conn.prepare_cached(GUARD.trim_end().trim_end_matches(';'))?.execute(params![
        tail.menu_version,
        tail.business_date,
        tail.last_ticket,
        audit_id,
        audit_hash,
        order.id.to_string(),
    ]);
    match guard {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            return Ok(OnTail::Missed)
        }
        Err(e) => return Err(e.into()),
    }
    write_rows(conn, order, events, idempotency, jobs, Some(audit))
        .map(OnTail::Written)
        .map_err(|e| StoreError::HalfWritten(Box::new(e)))
}

fn write_rows(
    conn: &Connection,
    order: &crate::store::orders::OrderRecord,
    events: &[crate::store::outbox::NewEvent],
    idempotency: Option<super::IdempotencyRecord<'_>>,
    jobs: &[crate::store::jobs::NewJob],
    audit: Option<&audit::LinkedRow>,
) -> Result<Option<i64>, StoreError> {
    let created_at = time::to_text(order.created_at);
    let id = order.id.to_string();
    conn.prepare_cached(
        "INSERT INTO ticket_counters (business_date, last_number) VALUES (?1, ?2)
         ON CONFLICT (business_date) DO UPDATE SET last_number = excluded.last_number",
    )?
    .execute(params![order.business_date, order.ticket_number])?;
    let payment = order.payment;
    conn.prepare_cached(insert_order!())?.execute(params![
        id,
        order.business_date,
        order.ticket_number,
        order.customer_name,
        order.customer_email,
        order.status.as_str(),
        order.payment_status.as_str(),
        order.currency,
        order.totals.subtotal.minor(),
        order.totals.discount.minor(),
        order.totals.tax.minor(),
        order.totals.tip.minor(),
        order.totals.total.minor(),
        payment.map(|p| p.method.as_str()),
        payment.map(|p| p.tendered.minor()),
        payment.map(|p| p.change_due.minor()),
        order.version,
        created_at,
        time::to_text(order.updated_at),
        order.placed_by.map(|staff| staff.to_string()),
        order.payment_reference,
        order.ticket_prefix,
        order.refunded.minor(),
        json(&order.discounts)?,
        json(&order.tenders)?,
        order.kitchen_held,
    ])?;
    conn.prepare_cached(
        "INSERT INTO order_status_history (order_id, from_status, to_status, at, reason) VALUES (?1, NULL, ?2, ?3, NULL)",
    )?
    .execute(params![id, order.status.as_str(), created_at])?;
    let mut insert = conn.prepare_cached(insert_line!())?;
    for (position, line) in order.lines.iter().enumerate() {
        insert.execute(params![
            line.id.to_string(),
            id,
            i64::try_from(position).unwrap_or(i64::MAX),
            line.item_id.to_string(),
            line.name,
            i64::from(line.quantity),
            line.unit_price.minor(),
            json(&line.options)?,
            line.note,
            line.status.as_str(),
            line.line_total.minor(),
        ])?;
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO jobs (id, kind, payload, state, attempts, run_at, dedupe_key, traceparent, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'pending', 0, ?4, ?5, ?6, ?7, ?7) ON CONFLICT DO NOTHING",
    )?;
    for job in jobs {
        insert.execute(params![
            job.id.to_string(),
            job.kind,
            json(&job.payload)?,
            time::to_text(job.run_at),
            job.dedupe_key,
            job.traceparent,
            created_at,
        ])?;
    }
    if let Some(row) = audit {
        let row = row.sqlite_columns();
        conn.prepare_cached(audit::INSERT.trim_end().trim_end_matches(';'))?.execute(params![
            row.id,
            row.at,
            row.staff_id,
            row.action,
            row.subject,
            row.detail,
            row.request_id,
            row.prev_hash,
            row.hash,
        ])?;
    }
    // The sequence is the row's id: read back from the connection rather than through
    // `RETURNING`, which has SQLite gather the returned row in a table of its own first.
    let mut insert = conn.prepare_cached(
        "INSERT INTO outbox (event_id, event_type, subject, time, data, traceparent, request_id, staff_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let (mut first, mut last) = (None, None);
    for event in events {
        insert.execute(params![
            event.id.to_string(),
            event.event_type,
            event.subject,
            time::to_text(event.time),
            event.data.get(),
            event.traceparent,
            event.request_id,
            event.staff_id.map(|staff| staff.to_string()),
        ])?;
        last = Some(conn.last_insert_rowid());
        first = first.or(last);
    }
    if let Some(record) = idempotency {
        // The answer is the `order` of the sale's first event: the row names that event.
        let placed = super::answer_event(events, first)?;
        conn.prepare_cached(crate::store::idempotency::INSERT_SQLITE_BY_EVENT)?.execute(params![
            record.keys.assign(record.scope, record.key),
            record.scope,
            record.key,
            record.saved.request_hash,
            i64::from(record.saved.status_code),
            created_at,
            placed,
        ])?;
    }
    Ok(last)
}

/// A value as sqlx's `Json` stores it on SQLite: its JSON text.
fn json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::internal(format!("encoding a column as JSON: {e}")))
}
