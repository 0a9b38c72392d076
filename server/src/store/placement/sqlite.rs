//! Placement on SQLite: every row of an order in one multi-statement query (one round trip
//! through sqlx's worker thread, which costs tens of microseconds whatever the statement does).
//!
//! [`write_on_tail`] goes further and does without the check round trip: the writer remembers
//! what its last placement left ([`Tail`]: menu version, the day's last ticket number, the
//! audit chain's head), numbers and links the new order from that, and the query itself first
//! verifies the memory against the database — a guard row whose `CHECK` fails when any of it
//! is stale, or the order's id is already used. A failing guard has written nothing, and the
//! caller places the order the checked way, which finds out why. Correctness never rests on
//! this memory. (Whether the order's idempotency key holds an answer, the writer's index of
//! keys says before the query — `store::idempotency::index`, which holds every saved answer:
//! a key it names is placed the checked way, which reads the answer's row.)
//!
//! No savepoint: with everything that could refuse the order checked before the first write,
//! a failure after the guard is the database's (a full disk, a broken file), and it is
//! answered [`StoreError::HalfWritten`] — the writer rolls the whole batch back. A savepoint
//! per order cost SQLite a copy of every page the order touched (≈ 6 % of the server's CPU,
//! all of it on the writer's serial path).

use super::{bind_line, bind_order, Rows};
use crate::store::db::{At, Db, Id};
use crate::store::{time, StoreError};
use sqlx::SqliteConnection;

/// What the writer's last placement left in the database, as far as the next placement
/// builds on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tail {
    pub menu_version: i64,
    pub business_date: String,
    pub last_ticket: i64,
    /// The audit chain's head: the newest row's id and hash.
    pub audit_head: Option<(i64, String)>,
}

/// What [`write_on_tail`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum OnTail {
    /// Written; the last event's sequence.
    Written(Option<i64>),
    /// Nothing written (the memory was stale, or a key or id was already used): place the
    /// order the checked way.
    Missed,
}

/// The guard's table (temporary: each writing connection has its own, in memory).
pub(super) const GUARD_TABLE: &str = "CREATE TEMP TABLE IF NOT EXISTS placement_guard (id INTEGER PRIMARY KEY,
    fresh INTEGER NOT NULL CONSTRAINT placement_guard_fresh CHECK (fresh))";

/// The name of the guard's `CHECK`, as SQLite's error message gives it.
const GUARD_CHECK: &str = "placement_guard_fresh";

/// Readies the writer's connection: the temporary guard table [`write_on_tail`] checks its
/// memory with (in memory, this connection's only).
pub async fn prepare_writer(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    sqlx::query(GUARD_TABLE).execute(conn).await?;
    Ok(())
}

/// Writes the order numbered and linked from `tail` (its ticket number must be
/// `tail.last_ticket + 1`, its audit row linked to `tail.audit_head`), after verifying `tail`
/// in the same query. On PostgreSQL it writes nothing and answers [`OnTail::Missed`].
pub async fn write_on_tail(conn: &mut Db<'_>, rows: super::OnTailRows<'_>) -> Result<OnTail, StoreError> {
    let Db::Sqlite(c) = conn else { return Ok(OnTail::Missed) };
    let super::OnTailRows { tail, order, events, idempotency, jobs, audit } = rows;
    if !super::key_is_new(idempotency) {
        return Ok(OnTail::Missed);
    }
    let rows = Rows { order, counted: true, events, idempotency, jobs, audit: Some(audit) };
    match write(c, &rows, Some(tail)).await {
        Ok(last) => Ok(OnTail::Written(last)),
        Err(StoreError::Database(sqlx::Error::Database(e))) if e.message().contains(GUARD_CHECK) => {
            tracing::debug!("placement on the remembered tail missed; placing it the checked way");
            Ok(OnTail::Missed)
        }
        Err(error) => Err(StoreError::HalfWritten(Box::new(error))),
    }
}

/// The checked statement [`write_on_tail`] opens with: fails (`CHECK`) unless `tail` is what
/// the database holds and the order's id is not used yet. (Whether its idempotency key is
/// used, the writer's index of keys says beforehand: [`super::key_is_new`].)
pub(super) const GUARD: &str = "INSERT OR REPLACE INTO temp.placement_guard (id, fresh) SELECT 1,
      COALESCE((SELECT menu_version = ? FROM shop_settings WHERE id = 1), 0)
      AND COALESCE((SELECT last_number FROM ticket_counters WHERE business_date = ?), 0) = ?
      AND COALESCE((SELECT id FROM audit_log ORDER BY id DESC LIMIT 1), 0) = ?
      AND COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '') = ?
      AND NOT EXISTS (SELECT 1 FROM orders WHERE id = ?);";

/// Writes `rows` in one multi-statement query (behind [`GUARD`] when `tail` is given);
/// returns the last event's sequence.
pub(super) async fn write(
    conn: &mut SqliteConnection,
    rows: &Rows<'_>,
    tail: Option<&super::Tail>,
) -> Result<Option<i64>, StoreError> {
    let Rows { order, counted, events, idempotency, jobs, audit } = *rows;
    let mut sql = String::with_capacity(2048);
    if tail.is_some() {
        sql.push_str(GUARD);
    }
    if counted {
        sql.push_str(
            "INSERT INTO ticket_counters (business_date, last_number) VALUES (?, ?)
           ON CONFLICT (business_date) DO UPDATE SET last_number = excluded.last_number;",
        );
    }
    sql.push_str(
        "INSERT INTO orders (id, business_date, ticket_number, customer_name, customer_email, status,
           payment_status, currency, subtotal_cents, discount_cents, tax_cents, tip_cents, total_cents,
           payment_method, tendered_cents, change_due_cents, version, created_at, updated_at, placed_by,
           payment_reference, ticket_prefix, refunded_cents, discounts, tenders, kitchen_held)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
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
    for _ in jobs {
        sql.push_str(
            "INSERT INTO jobs (id, kind, payload, state, attempts, run_at, dedupe_key, traceparent, created_at, updated_at)
             VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING;",
        );
    }
    if audit.is_some() {
        sql.push_str(crate::store::audit::INSERT_POSITIONAL);
    }
    if !events.is_empty() {
        sql.push_str(
            "INSERT INTO outbox (event_id, event_type, subject, time, data, traceparent, request_id, staff_id) VALUES ",
        );
        sql.push_str(&groups(events.len(), 8));
        sql.push_str(" RETURNING sequence;");
    }
    if idempotency.is_some() {
        // The answer is the `order` of the sale's first event: the row names that event.
        super::answer_event(events, Some(0))?;
        sql.push_str(
            "INSERT INTO idempotency_keys (id, scope, key, request_hash, status_code, created_at, event_sequence)
             VALUES (?, ?, ?, ?, ?, ?, (SELECT sequence FROM outbox WHERE event_id = ?));",
        );
    }

    let created_at = time::to_text(order.created_at);
    let mut query = sqlx::query(&sql);
    if let Some(tail) = tail {
        let (audit_id, audit_hash) = tail.audit_head.clone().unwrap_or((0, String::new()));
        query = query
            .bind(tail.menu_version)
            .bind(tail.business_date.clone())
            .bind(tail.last_ticket)
            .bind(audit_id)
            .bind(audit_hash)
            .bind(Id(order.id));
    }
    if counted {
        query = query.bind(&order.business_date).bind(order.ticket_number);
    }
    let mut query = bind_order!(query, order).bind(Id(order.id)).bind(order.status.as_str()).bind(created_at.clone());
    for (position, line) in order.lines.iter().enumerate() {
        query = bind_line!(query, order, position, line);
    }
    for job in jobs {
        query = query
            .bind(Id(job.id))
            .bind(job.kind.clone())
            .bind(sqlx::types::Json(&job.payload))
            .bind(At(job.run_at))
            .bind(job.dedupe_key.clone())
            .bind(job.traceparent.clone())
            .bind(created_at.clone())
            .bind(created_at.clone());
    }
    if let Some(row) = audit {
        query = crate::store::audit::bind_row(query, row);
    }
    for event in events {
        query = query
            .bind(Id(event.id))
            .bind(event.event_type)
            .bind(event.subject.clone())
            .bind(At(event.time))
            .bind(event.data.get())
            .bind(event.traceparent.clone())
            .bind(event.request_id.clone())
            .bind(event.staff_id.map(Id));
    }
    if let (Some(record), Some(placed)) = (idempotency, events.first()) {
        query = query
            .bind(record.keys.assign(record.scope, record.key))
            .bind(record.scope)
            .bind(record.key)
            .bind(record.saved.request_hash.clone())
            .bind(i64::from(record.saved.status_code))
            .bind(created_at.clone())
            .bind(Id(placed.id));
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut last = None;
    for row in rows {
        let sequence: i64 = sqlx::Row::try_get(&row, "sequence")?;
        last = Some(last.map_or(sequence, |l: i64| l.max(sequence)));
    }
    Ok(last)
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
