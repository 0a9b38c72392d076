//! Rows of the sync between terminals and the hub: a terminal's command log and its place in
//! the hub's log; the hub's record of each command it applied; and the hub's orders mirrored
//! onto a terminal.

use super::db::{exec, fetch_all, fetch_optional, fetch_value, At, Db, Id, IdList};
use super::orders::{LineRecord, OrderRecord};
use super::StoreError;
use chrono::{DateTime, Utc};
use crema_shared::sync::{CommandEnvelope, Outcome, RejectReason, RejectedCommand};
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

pub async fn state(db: &mut Db<'_>) -> Result<Option<SyncState>, StoreError> {
    let row = fetch_optional!(db, sqlx::query(
        "SELECT hub_url, terminal_id, label, pulled_sequence, last_pushed_at, revoked_at FROM sync_state WHERE id = 1",
    ))?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(SyncState {
        hub_url: r.try_get("hub_url")?,
        terminal_id: r.uuid("terminal_id")?,
        label: r.try_get("label")?,
        pulled_sequence: r.try_get("pulled_sequence")?,
        last_pushed_at: r.opt_time("last_pushed_at")?,
        revoked_at: r.opt_time("revoked_at")?,
    }))
}

/// Records the pairing (once; a later pairing with the same hub keeps the cursor).
pub async fn save_pairing(conn: &mut Db<'_>, hub_url: &str, id: Uuid, label: &str) -> Result<(), StoreError> {
    let sql = match conn {
        Db::Sqlite(_) => {
            "INSERT INTO sync_state (id, hub_url, terminal_id, label) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET hub_url = excluded.hub_url, terminal_id = excluded.terminal_id,
               label = excluded.label, revoked_at = NULL"
        }
        Db::Postgres(_) => {
            "INSERT INTO sync_state (id, hub_url, terminal_id, label) VALUES (1, $1, $2, $3)
             ON CONFLICT (shop_id, id) DO UPDATE SET hub_url = excluded.hub_url, terminal_id = excluded.terminal_id,
               label = excluded.label, revoked_at = NULL"
        }
    };
    exec!(conn, sqlx::query(sql).bind(hub_url).bind(Id(id)).bind(label))?;
    Ok(())
}

pub async fn set_cursor(conn: &mut Db<'_>, sequence: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query("UPDATE sync_state SET pulled_sequence = $1, last_pulled_at = $2 WHERE id = 1")
            .bind(sequence)
            .bind(At(at))
    )?;
    Ok(())
}

pub async fn set_revoked(conn: &mut Db<'_>, at: DateTime<Utc>) -> Result<(), StoreError> {
    exec!(conn, sqlx::query("UPDATE sync_state SET revoked_at = COALESCE(revoked_at, $1) WHERE id = 1").bind(At(at)))?;
    Ok(())
}

/// Writes a command to the terminal's log (in the transaction of its effect).
pub async fn log_command(conn: &mut Db<'_>, envelope: &CommandEnvelope) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query("INSERT INTO sync_commands (id, order_id, body, created_at) VALUES ($1, $2, $3, $4)")
            .bind(Id(envelope.id))
            .bind(envelope.command.order_id().map(Id))
            .bind(sqlx::types::Json(envelope))
            .bind(At(envelope.at))
    )?;
    Ok(())
}

/// The oldest `limit` commands not yet answered, in the order they were written.
pub async fn pending(db: &mut Db<'_>, limit: i64) -> Result<Vec<CommandEnvelope>, StoreError> {
    let rows = fetch_all!(
        db,
        sqlx::query("SELECT body FROM sync_commands WHERE state = 'pending' ORDER BY position LIMIT $1").bind(limit)
    )?;
    rows.iter().map(|r| r.json("body")).collect()
}

pub async fn pending_count(db: &mut Db<'_>) -> Result<i64, StoreError> {
    Ok(fetch_value!(db, sqlx::query_scalar("SELECT COUNT(*) FROM sync_commands WHERE state = 'pending'"), fetch_one)?)
}

/// Orders with unanswered commands (at most `limit`).
pub async fn pending_orders(db: &mut Db<'_>, limit: i64) -> Result<Vec<Uuid>, StoreError> {
    let ids: Vec<Id> = fetch_value!(
        db,
        sqlx::query_scalar(
            "SELECT DISTINCT order_id FROM sync_commands WHERE state = 'pending' AND order_id IS NOT NULL LIMIT $1",
        )
        .bind(limit),
        fetch_all
    )?;
    Ok(ids.into_iter().map(|id| id.0).collect())
}

/// Whether the terminal has unanswered commands about `order_id`.
pub async fn has_pending(conn: &mut Db<'_>, order_id: Uuid) -> Result<bool, StoreError> {
    Ok(fetch_value!(
        conn,
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sync_commands WHERE order_id = $1 AND state = 'pending')")
            .bind(Id(order_id)),
        fetch_one
    )?)
}

/// Records the hub's answer to a command (once: a second answer changes nothing).
pub async fn record_answer(
    conn: &mut Db<'_>,
    id: Uuid,
    outcome: &Outcome,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (state, sequence, reason, detail) = match outcome {
        Outcome::Accepted { sequence } => ("accepted", *sequence, None, None),
        Outcome::Rejected { reason, detail, .. } => ("rejected", None, Some(reason.as_str()), Some(detail.as_str())),
    };
    exec!(
        conn,
        sqlx::query(
            "UPDATE sync_commands SET state = $1, hub_sequence = $2, reason = $3, detail = $4, answered_at = $5
         WHERE id = $6 AND state = 'pending'",
        )
        .bind(state)
        .bind(sequence)
        .bind(reason)
        .bind(detail)
        .bind(At(at))
        .bind(Id(id))
    )?;
    exec!(conn, sqlx::query("UPDATE sync_state SET last_pushed_at = $1 WHERE id = 1").bind(At(at)))?;
    Ok(())
}

/// Rejected commands nobody has acknowledged yet, oldest first.
pub async fn rejected(db: &mut Db<'_>) -> Result<Vec<RejectedCommand>, StoreError> {
    let rows = fetch_all!(
        db,
        sqlx::query(
            "SELECT id, order_id, reason, detail, answered_at FROM sync_commands
         WHERE state = 'rejected' AND acknowledged_at IS NULL ORDER BY position LIMIT 200",
        )
    )?;
    rows.iter()
        .map(|r| {
            let reason: String = r.try_get("reason")?;
            Ok(RejectedCommand {
                id: r.uuid("id")?,
                order_id: r.opt_uuid("order_id")?,
                reason: RejectReason::parse(&reason).ok_or_else(|| StoreError::corrupt("reject reason"))?,
                detail: r.try_get::<Option<String>, _>("detail")?.unwrap_or_default(),
                at: r.time("answered_at")?,
            })
        })
        .collect()
}

/// Marks a rejection as seen; returns whether there was one to acknowledge.
pub async fn acknowledge(conn: &mut Db<'_>, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
    let done = exec!(conn, sqlx::query(
        "UPDATE sync_commands SET acknowledged_at = $1 WHERE id = $2 AND state = 'rejected' AND acknowledged_at IS NULL",
    )
    .bind(At(at))
    .bind(Id(id)))?;
    Ok(done == 1)
}

/// On the hub: the stored outcome of a command already applied.
pub async fn applied(conn: &mut Db<'_>, command_id: Uuid) -> Result<Option<Outcome>, StoreError> {
    let outcome: Option<sqlx::types::Json<Outcome>> = fetch_value!(
        conn,
        sqlx::query_scalar("SELECT outcome FROM sync_applied WHERE command_id = $1").bind(Id(command_id)),
        fetch_optional
    )?;
    Ok(outcome.map(|o| o.0))
}

/// On the hub: remembers a command's outcome (in the transaction that applied it).
pub async fn remember(
    conn: &mut Db<'_>,
    command_id: Uuid,
    terminal_id: Uuid,
    outcome: &Outcome,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO sync_applied (command_id, terminal_id, outcome, applied_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (command_id) DO NOTHING",
        )
        .bind(Id(command_id))
        .bind(Id(terminal_id))
        .bind(sqlx::types::Json(outcome))
        .bind(At(at))
    )?;
    Ok(())
}

/// On a terminal: writes the hub's copy of an order over the local one (or as a new one).
/// Ticket counters are not touched: the order was numbered where it was taken.
pub async fn put_order(conn: &mut Db<'_>, order: &OrderRecord) -> Result<(), StoreError> {
    const UPSERT: &str = concat!(
        super::placement::insert_order!(),
        " ON CONFLICT (id) DO UPDATE SET customer_name = excluded.customer_name,
           customer_email = excluded.customer_email, status = excluded.status,
           payment_status = excluded.payment_status, payment_method = excluded.payment_method,
           tendered_cents = excluded.tendered_cents, change_due_cents = excluded.change_due_cents,
           version = excluded.version, updated_at = excluded.updated_at,
           payment_reference = excluded.payment_reference, refunded_cents = excluded.refunded_cents,
           tip_cents = excluded.tip_cents, total_cents = excluded.total_cents, tenders = excluded.tenders,
           kitchen_held = excluded.kitchen_held, subtotal_cents = excluded.subtotal_cents,
           discount_cents = excluded.discount_cents, tax_cents = excluded.tax_cents, discounts = excluded.discounts"
    );
    exec!(conn, super::placement::bind_order!(sqlx::query(UPSERT), order))?;
    for (position, line) in order.lines.iter().enumerate() {
        put_line(conn, order, position, line).await?;
    }
    Ok(())
}

async fn put_line(
    conn: &mut Db<'_>,
    order: &OrderRecord,
    position: usize,
    line: &LineRecord,
) -> Result<(), StoreError> {
    const UPSERT: &str =
        concat!(super::placement::insert_line!(), " ON CONFLICT (id) DO UPDATE SET status = excluded.status");
    exec!(conn, super::placement::bind_line!(sqlx::query(UPSERT), order, position, line))?;
    Ok(())
}

/// On a terminal: the menu version the hub's snapshot had.
pub async fn set_menu_version(conn: &mut Db<'_>, version: i64) -> Result<(), StoreError> {
    exec!(conn, sqlx::query("UPDATE shop_settings SET menu_version = $1 WHERE id = 1").bind(version))?;
    Ok(())
}

/// On a terminal: deletes the menu rows the hub no longer has (`keep`: the ids it has, per
/// table), items first so that no category is still in use.
pub async fn delete_menu_except(
    conn: &mut Db<'_>,
    items: &[Uuid],
    options: &[Uuid],
    groups: &[Uuid],
    categories: &[Uuid],
) -> Result<(), StoreError> {
    let statements = match conn {
        Db::Sqlite(_) => [
            "DELETE FROM items WHERE id NOT IN (SELECT value FROM json_each($1))",
            "DELETE FROM modifier_options WHERE id NOT IN (SELECT value FROM json_each($1))",
            "DELETE FROM modifier_groups WHERE id NOT IN (SELECT value FROM json_each($1))",
            "DELETE FROM categories WHERE id NOT IN (SELECT value FROM json_each($1))",
        ],
        Db::Postgres(_) => [
            "DELETE FROM items WHERE NOT (id = ANY($1))",
            "DELETE FROM modifier_options WHERE NOT (id = ANY($1))",
            "DELETE FROM modifier_groups WHERE NOT (id = ANY($1))",
            "DELETE FROM categories WHERE NOT (id = ANY($1))",
        ],
    };
    for (sql, keep) in statements.into_iter().zip([items, options, groups, categories]) {
        exec!(conn, sqlx::query(sql).bind(IdList(keep.to_vec())))?;
    }
    Ok(())
}

/// On a terminal, before the hub's staff rows are written: every PIN lookup is freed (the
/// hub's rows bring theirs back, so two people swapping PINs cannot collide) and staff the hub
/// no longer lists can no longer sign in here.
pub async fn retire_staff_except(conn: &mut Db<'_>, keep: &[Uuid]) -> Result<(), StoreError> {
    let sql = match conn {
        Db::Sqlite(_) => {
            "UPDATE staff SET pin_lookup = 'retired:' || id,
               active = CASE WHEN id IN (SELECT value FROM json_each($1)) THEN active ELSE false END"
        }
        Db::Postgres(_) => {
            "UPDATE staff SET pin_lookup = 'retired:' || id, active = CASE WHEN id = ANY($1) THEN active ELSE false END"
        }
    };
    exec!(conn, sqlx::query(sql).bind(IdList(keep.to_vec())))?;
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
        let mut before = sqlx::migrate!("../migrations/sqlite");
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

        sqlx::migrate!("../migrations/sqlite").run(&mut conn).await.expect("the sync migration");
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
