//! Rows of the sync between terminals and the hub: a terminal's command log and its place in
//! the hub's log; the hub's record of each command it applied; and the hub's orders mirrored
//! onto a terminal.

use super::orders::{LineRecord, OrderRecord};
use super::{time, StoreError};
use chrono::{DateTime, Utc};
use crema_shared::sync::{CommandEnvelope, Outcome, RejectReason, RejectedCommand};
use sqlx::{Row, SqliteConnection, SqliteExecutor};
use uuid::Uuid;

/// Where a terminal follows its hub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncState {
    pub hub_url: String,
    pub terminal_id: Uuid,
    pub label: String,
    pub pulled_sequence: i64,
    pub last_pushed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn state(db: impl SqliteExecutor<'_>) -> Result<Option<SyncState>, StoreError> {
    let row = sqlx::query(
        "SELECT hub_url, terminal_id, label, pulled_sequence, last_pushed_at, revoked_at FROM sync_state WHERE id = 1",
    )
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(SyncState {
        hub_url: r.try_get("hub_url")?,
        terminal_id: super::menu::uuid_col(&r, "terminal_id")?,
        label: r.try_get("label")?,
        pulled_sequence: r.try_get("pulled_sequence")?,
        last_pushed_at: optional_time(r.try_get("last_pushed_at")?)?,
        revoked_at: optional_time(r.try_get("revoked_at")?)?,
    }))
}

/// Records the pairing (once; a later pairing with the same hub keeps the cursor).
pub async fn save_pairing(conn: &mut SqliteConnection, hub_url: &str, id: Uuid, label: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sync_state (id, hub_url, terminal_id, label) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET hub_url = excluded.hub_url, terminal_id = excluded.terminal_id,
           label = excluded.label, revoked_at = NULL",
    )
    .bind(hub_url)
    .bind(id.to_string())
    .bind(label)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_cursor(conn: &mut SqliteConnection, sequence: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query("UPDATE sync_state SET pulled_sequence = ?, last_pulled_at = ? WHERE id = 1")
        .bind(sequence)
        .bind(time::to_text(at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_revoked(conn: &mut SqliteConnection, at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query("UPDATE sync_state SET revoked_at = COALESCE(revoked_at, ?) WHERE id = 1")
        .bind(time::to_text(at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Writes a command to the terminal's log (in the transaction of its effect).
pub async fn log_command(conn: &mut SqliteConnection, envelope: &CommandEnvelope) -> Result<(), StoreError> {
    let body = serde_json::to_string(envelope).map_err(|e| StoreError::internal(e.to_string()))?;
    sqlx::query("INSERT INTO sync_commands (id, order_id, body, created_at) VALUES (?, ?, ?, ?)")
        .bind(envelope.id.to_string())
        .bind(envelope.command.order_id().map(|id| id.to_string()))
        .bind(body)
        .bind(time::to_text(envelope.at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The oldest `limit` commands not yet answered, in the order they were written.
pub async fn pending(db: impl SqliteExecutor<'_>, limit: i64) -> Result<Vec<CommandEnvelope>, StoreError> {
    let rows = sqlx::query("SELECT body FROM sync_commands WHERE state = 'pending' ORDER BY position LIMIT ?")
        .bind(limit)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            let body: String = r.try_get("body")?;
            serde_json::from_str(&body).map_err(|e| StoreError::corrupt(format!("sync command: {e}")))
        })
        .collect()
}

pub async fn pending_count(db: impl SqliteExecutor<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sync_commands WHERE state = 'pending'").fetch_one(db).await?)
}

/// Orders with unanswered commands (at most `limit`).
pub async fn pending_orders(db: impl SqliteExecutor<'_>, limit: i64) -> Result<Vec<Uuid>, StoreError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT order_id FROM sync_commands WHERE state = 'pending' AND order_id IS NOT NULL LIMIT ?",
    )
    .bind(limit)
    .fetch_all(db)
    .await?;
    ids.iter().map(|id| Uuid::parse_str(id).map_err(|_| StoreError::corrupt("sync command order id"))).collect()
}

/// Whether the terminal has unanswered commands about `order_id`.
pub async fn has_pending(conn: &mut SqliteConnection, order_id: Uuid) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sync_commands WHERE order_id = ? AND state = 'pending')")
        .bind(order_id.to_string())
        .fetch_one(&mut *conn)
        .await?)
}

/// Records the hub's answer to a command (once: a second answer changes nothing).
pub async fn record_answer(
    conn: &mut SqliteConnection,
    id: Uuid,
    outcome: &Outcome,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (state, sequence, reason, detail) = match outcome {
        Outcome::Accepted { sequence } => ("accepted", *sequence, None, None),
        Outcome::Rejected { reason, detail, .. } => ("rejected", None, Some(reason.as_str()), Some(detail.as_str())),
    };
    sqlx::query(
        "UPDATE sync_commands SET state = ?, hub_sequence = ?, reason = ?, detail = ?, answered_at = ?
         WHERE id = ? AND state = 'pending'",
    )
    .bind(state)
    .bind(sequence)
    .bind(reason)
    .bind(detail)
    .bind(time::to_text(at))
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE sync_state SET last_pushed_at = ? WHERE id = 1")
        .bind(time::to_text(at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rejected commands nobody has acknowledged yet, oldest first.
pub async fn rejected(db: impl SqliteExecutor<'_>) -> Result<Vec<RejectedCommand>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, order_id, reason, detail, answered_at FROM sync_commands
         WHERE state = 'rejected' AND acknowledged_at IS NULL ORDER BY position LIMIT 200",
    )
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let reason: String = r.try_get("reason")?;
            Ok(RejectedCommand {
                id: super::menu::uuid_col(r, "id")?,
                order_id: match r.try_get::<Option<String>, _>("order_id")? {
                    Some(_) => Some(super::menu::uuid_col(r, "order_id")?),
                    None => None,
                },
                reason: RejectReason::parse(&reason).ok_or_else(|| StoreError::corrupt("reject reason"))?,
                detail: r.try_get::<Option<String>, _>("detail")?.unwrap_or_default(),
                at: time::from_text(&r.try_get::<String, _>("answered_at")?)?,
            })
        })
        .collect()
}

/// Marks a rejection as seen; returns whether there was one to acknowledge.
pub async fn acknowledge(conn: &mut SqliteConnection, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE sync_commands SET acknowledged_at = ? WHERE id = ? AND state = 'rejected' AND acknowledged_at IS NULL",
    )
    .bind(time::to_text(at))
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// On the hub: the stored outcome of a command already applied.
pub async fn applied(conn: &mut SqliteConnection, command_id: Uuid) -> Result<Option<Outcome>, StoreError> {
    let outcome: Option<String> = sqlx::query_scalar("SELECT outcome FROM sync_applied WHERE command_id = ?")
        .bind(command_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    outcome.map(|o| serde_json::from_str(&o).map_err(|e| StoreError::corrupt(format!("sync outcome: {e}")))).transpose()
}

/// On the hub: remembers a command's outcome (in the transaction that applied it).
pub async fn remember(
    conn: &mut SqliteConnection,
    command_id: Uuid,
    terminal_id: Uuid,
    outcome: &Outcome,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let outcome = serde_json::to_string(outcome).map_err(|e| StoreError::internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO sync_applied (command_id, terminal_id, outcome, applied_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (command_id) DO NOTHING",
    )
    .bind(command_id.to_string())
    .bind(terminal_id.to_string())
    .bind(outcome)
    .bind(time::to_text(at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// On a terminal: writes the hub's copy of an order over the local one (or as a new one).
/// Ticket counters are not touched: the order was numbered where it was taken.
pub async fn put_order(conn: &mut SqliteConnection, order: &OrderRecord) -> Result<(), StoreError> {
    let query = sqlx::query(
        "INSERT INTO orders (id, business_date, ticket_number, customer_name, customer_email, status,
           payment_status, currency, subtotal_cents, discount_cents, tax_cents, tip_cents, total_cents,
           payment_method, tendered_cents, change_due_cents, version, created_at, updated_at, placed_by,
           payment_reference, ticket_prefix, refunded_cents)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET customer_name = excluded.customer_name,
           customer_email = excluded.customer_email, status = excluded.status,
           payment_status = excluded.payment_status, payment_method = excluded.payment_method,
           tendered_cents = excluded.tendered_cents, change_due_cents = excluded.change_due_cents,
           version = excluded.version, updated_at = excluded.updated_at,
           payment_reference = excluded.payment_reference, refunded_cents = excluded.refunded_cents",
    );
    super::placement::bind_order(query, order).execute(&mut *conn).await?;
    for (position, line) in order.lines.iter().enumerate() {
        put_line(conn, order, position, line).await?;
    }
    Ok(())
}

async fn put_line(
    conn: &mut SqliteConnection,
    order: &OrderRecord,
    position: usize,
    line: &LineRecord,
) -> Result<(), StoreError> {
    let query = sqlx::query(
        "INSERT INTO order_lines (id, order_id, position, item_id, name, quantity, unit_price_cents, options, note,
           status, line_total_cents)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status",
    );
    super::placement::bind_line(query, order, position, line)?.execute(&mut *conn).await?;
    Ok(())
}

fn optional_time(text: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.as_deref().map(time::from_text).transpose()
}

/// On a terminal: the menu version the hub's snapshot had.
pub async fn set_menu_version(conn: &mut SqliteConnection, version: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE shop_settings SET menu_version = ? WHERE id = 1").bind(version).execute(&mut *conn).await?;
    Ok(())
}

/// On a terminal: deletes the menu rows the hub no longer has (`keep`: the ids it has, per
/// table), items first so that no category is still in use.
pub async fn delete_menu_except(
    conn: &mut SqliteConnection,
    items: &[Uuid],
    options: &[Uuid],
    groups: &[Uuid],
    categories: &[Uuid],
) -> Result<(), StoreError> {
    let statements = [
        ("DELETE FROM items WHERE id NOT IN (SELECT value FROM json_each(?))", items),
        ("DELETE FROM modifier_options WHERE id NOT IN (SELECT value FROM json_each(?))", options),
        ("DELETE FROM modifier_groups WHERE id NOT IN (SELECT value FROM json_each(?))", groups),
        ("DELETE FROM categories WHERE id NOT IN (SELECT value FROM json_each(?))", categories),
    ];
    for (sql, keep) in statements {
        let ids: Vec<String> = keep.iter().map(Uuid::to_string).collect();
        let ids = serde_json::to_string(&ids).map_err(|e| StoreError::internal(e.to_string()))?;
        sqlx::query(sql).bind(ids).execute(&mut *conn).await?;
    }
    Ok(())
}

/// On a terminal, before the hub's staff rows are written: every PIN lookup is freed (the
/// hub's rows bring theirs back, so two people swapping PINs cannot collide) and staff the hub
/// no longer lists can no longer sign in here.
pub async fn retire_staff_except(conn: &mut SqliteConnection, keep: &[Uuid]) -> Result<(), StoreError> {
    let ids: Vec<String> = keep.iter().map(Uuid::to_string).collect();
    let ids = serde_json::to_string(&ids).map_err(|e| StoreError::internal(e.to_string()))?;
    sqlx::query(
        "UPDATE staff SET pin_lookup = 'retired:' || id,
           active = CASE WHEN id IN (SELECT value FROM json_each(?)) THEN active ELSE 0 END",
    )
    .bind(ids)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::connect_options;
    use sqlx::{Connection, SqliteConnection};
    use std::time::Duration;

    const SYNC_MIGRATION: i64 = 20261203000010;

    /// The migration rebuilds `orders` (to number tickets per terminal label): an existing
    /// shop's orders keep their lines, history and stock reservations, and two terminals'
    /// first tickets of a day no longer collide.
    #[tokio::test]
    async fn rebuilding_orders_keeps_every_child_row() {
        let dir = tempfile::tempdir().expect("dir");
        let url = dir.path().join("old.db").display().to_string();
        let mut conn = SqliteConnection::connect_with(&connect_options(&url, Duration::from_secs(5)).expect("options"))
            .await
            .expect("open");
        let mut before = sqlx::migrate!("../migrations");
        before.migrations =
            before.migrations.iter().filter(|m| m.version < SYNC_MIGRATION).cloned().collect::<Vec<_>>().into();
        before.run(&mut conn).await.expect("old schema");
        sqlx::query(
            "INSERT INTO orders (id, business_date, ticket_number, customer_name, status, payment_status, currency,
               subtotal_cents, discount_cents, tax_cents, tip_cents, total_cents, version, created_at, updated_at)
             VALUES ('o1', '2026-12-03', 1, 'Ana', 'placed', 'unpaid', 'USD', 450, 0, 0, 0, 450, 1, 't', 't');
             INSERT INTO order_lines (id, order_id, position, item_id, name, quantity, unit_price_cents, options, note,
               status, line_total_cents) VALUES ('l1', 'o1', 0, 'i1', 'Latte', 1, 450, '[]', NULL, 'queued', 450);
             INSERT INTO order_status_history (order_id, from_status, to_status, at, reason) VALUES ('o1', NULL, 'placed', 't', NULL);
             INSERT INTO stock_reservations (order_id, kind, target_id, quantity) VALUES ('o1', 'item', 'i1', 1);",
        )
        .execute(&mut conn)
        .await
        .expect("an existing shop's order");

        sqlx::migrate!("../migrations").run(&mut conn).await.expect("the sync migration");
        for table in ["orders", "order_lines", "order_status_history", "stock_reservations"] {
            let count: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut conn).await.expect("count");
            assert_eq!(count, 1, "{table} lost rows");
        }
        let broken: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&mut conn).await.expect("check");
        assert!(broken.is_empty(), "{broken:?}");
        let prefix: String =
            sqlx::query_scalar("SELECT ticket_prefix FROM orders").fetch_one(&mut conn).await.expect("prefix");
        assert_eq!(prefix, "");
        // A-1 beside the hub's 1; a second A-1 is still refused.
        let insert = "INSERT INTO orders (id, business_date, ticket_number, ticket_prefix, customer_name, status,
            payment_status, currency, subtotal_cents, discount_cents, tax_cents, tip_cents, total_cents, version,
            created_at, updated_at) VALUES (?, '2026-12-03', 1, 'A', 'Bo', 'placed', 'unpaid', 'USD', 0, 0, 0, 0, 0, 1, 't', 't')";
        sqlx::query(insert).bind("o2").execute(&mut conn).await.expect("A-1 beside 1");
        assert!(sqlx::query(insert).bind("o3").execute(&mut conn).await.is_err(), "two A-1 on one day");
        // Deleting the order still cascades to its lines (the children point at the new table).
        sqlx::query("DELETE FROM orders WHERE id = 'o1'").execute(&mut conn).await.expect("delete");
        let lines: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM order_lines").fetch_one(&mut conn).await.expect("count");
        assert_eq!(lines, 0);
    }
}
