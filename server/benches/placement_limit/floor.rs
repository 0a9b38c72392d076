//! The physical floor: the rows one API order writes (ticket counter, order, first history
//! row, two lines, idempotency answer kept in its event, ticket-age job, audit row linked to
//! the chain, two outbox events), with the values the server would give them, written by one
//! thread on one connection through statements prepared once (rusqlite: no worker thread, no
//! SQL text per order), `synchronous=FULL`, committing `group` orders per transaction.
//!
//! What SQLite and this disk can do with Crema's schema and indexes, and nothing else: no
//! HTTP, no JSON parsing, no pricing, no session. The API is measured against it.

use crate::support;
use crema_server::service::orders::{sla, view as order_view};
use crema_server::service::RequestContext;
use crema_server::store::{audit, time};
use crema_server::Config;
use rusqlite::params;
use serde_json::json;
use std::time::{Duration, Instant};
use uuid::Uuid;

type Failure = Box<dyn std::error::Error>;

/// Writes `orders` orders, `group` per commit, into a fresh database; returns the time taken.
pub async fn run(orders: usize, group: usize) -> Result<Duration, Failure> {
    let dir = tempfile::tempdir()?;
    let config = Config::for_database(dir.path().join("floor.db"));
    // Created, migrated and seeded as the server does, then closed.
    let state = crema_server::server::build_state(&config).await?;
    state.store.close().await;
    let path = config.database_url.clone();
    tokio::task::spawn_blocking(move || write(&path, orders, group.max(1))).await?.map_err(|e| e.to_string().into())
}

fn write(path: &str, orders: usize, group: usize) -> Result<Duration, rusqlite::Error> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let ctx = RequestContext::internal();
    let captured = support::sample::captured();
    let day = "2026-12-04";
    let mut ticket = 0_i64;
    let mut head: Option<(i64, String)> = conn
        .query_row("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .ok();
    let started = Instant::now();
    let mut written = 0;
    while written < orders {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for _ in 0..group.min(orders - written) {
            let now = time::now();
            let at = time::to_text(now);
            ticket += 1;
            let order = support::sample::order(Uuid::now_v7(), ticket, now);
            let id = order.id.to_string();
            let subject = Some(id.clone());
            // The order's JSON once, as the server writes it: the event's `order`, which is the
            // answer too (kept by reference below).
            let body = serde_json::value::to_raw_value(&order_view::order_dto(&order, None)).map_err(encoding)?;
            let placed = serde_json::to_string(&order_view::placed_data(&order, &body)).map_err(encoding)?;
            let paid =
                serde_json::to_string(&order_view::order_event_data(&order, Some(&captured))).map_err(encoding)?;
            let job = sla::second_job_for(now, Duration::from_secs(600));
            let detail = json!({ "ticket": ticket, "total_cents": 1185, "tender": "cash", "approval_code": null });
            let row = audit::link_after(head.take(), &ctx.audit("order.placed", subject.clone(), detail));
            tx.prepare_cached(
                "INSERT INTO ticket_counters (business_date, last_number) VALUES (?1, ?2)
                 ON CONFLICT (business_date) DO UPDATE SET last_number = excluded.last_number",
            )?
            .execute(params![day, ticket])?;
            tx.prepare_cached(
                "INSERT INTO orders (id, business_date, ticket_number, customer_name, customer_email, status,
                   payment_status, currency, subtotal_cents, discount_cents, tax_cents, tip_cents, total_cents,
                   payment_method, tendered_cents, change_due_cents, version, created_at, updated_at, placed_by,
                   payment_reference, ticket_prefix, refunded_cents)
                 VALUES (?1, ?2, ?3, ?4, NULL, 'placed', 'captured', 'USD', 1090, 0, 95, 0, 1185, 'cash', 2000, 815,
                   1, ?5, ?5, ?6, NULL, '', 0)",
            )?
            .execute(params![id, day, ticket, order.customer_name, at, Uuid::nil().to_string()])?;
            tx.prepare_cached(
                "INSERT INTO order_status_history (order_id, from_status, to_status, at, reason)
                 VALUES (?1, NULL, 'placed', ?2, NULL)",
            )?
            .execute(params![id, at])?;
            for (position, line) in order.lines.iter().enumerate() {
                tx.prepare_cached(
                    "INSERT INTO order_lines (id, order_id, position, item_id, name, quantity, unit_price_cents,
                       options, note, status, line_total_cents) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, NULL, 'queued', ?6)",
                )?
                .execute(params![
                    line.id.to_string(),
                    id,
                    position as i64,
                    line.item_id.to_string(),
                    line.name,
                    line.unit_price.minor(),
                    serde_json::to_string(&line.options).unwrap_or_default(),
                ])?;
            }
            tx.prepare_cached(
                "INSERT INTO jobs (id, kind, payload, state, attempts, run_at, dedupe_key, traceparent, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'pending', 0, ?4, ?5, NULL, ?6, ?6) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                job.id.to_string(),
                job.kind,
                job.payload.to_string(),
                time::to_text(job.run_at),
                job.dedupe_key,
                at
            ])?;
            let a = row.sqlite_columns();
            tx.prepare_cached(
                "INSERT INTO audit_log (id, at, staff_id, action, subject, detail, request_id, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                a.id,
                a.at,
                a.staff_id,
                a.action,
                a.subject,
                a.detail,
                a.request_id,
                a.prev_hash,
                a.hash
            ])?;
            head = Some(row.as_head());
            let mut placed_at = None;
            for (event_type, data) in [("order.placed", &placed), ("payment.captured", &paid)] {
                tx.prepare_cached(
                    "INSERT INTO outbox (event_id, event_type, subject, time, data, traceparent, request_id, staff_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL, NULL)",
                )?
                .execute(params![Uuid::now_v7().to_string(), event_type, id, at, data])?;
                placed_at = placed_at.or(Some(tx.last_insert_rowid()));
            }
            // The answer (the order's JSON) is kept in its order.placed event, as the server keeps it.
            tx.prepare_cached(
                "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, created_at, event_sequence)
                 VALUES ('orders', ?1, ?2, 201, ?3, ?4)",
            )?
            .execute(params![Uuid::new_v4().to_string(), "0".repeat(64), at, placed_at])?;
            written += 1;
        }
        tx.commit()?;
    }
    Ok(started.elapsed())
}

/// A value that cannot be written as JSON, as the floor's error.
fn encoding(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}
