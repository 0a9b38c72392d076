//! Card refunds whose job died: the gateway may have paid them all the same (its answer was
//! lost), so until a manager says which, they count against what can still be refunded, are
//! never pruned, and once resolved are never retried.

use super::db::{exec, fetch_optional, on_db, At, Db, Id};
use super::StoreError;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The refund step's job kind (kept here so the store can count them; the saga names it too).
pub const REFUND_KIND: &str = "payment.refund";

/// What dead, unresolved refund jobs of `order_id` asked the gateway to give back.
pub async fn unresolved_amount(conn: &mut Db<'_>, order_id: Uuid) -> Result<i64, StoreError> {
    let order_id = order_id.to_string();
    Ok(on_db!(&mut *conn, c,
        sqlite: sqlx::query_scalar(
            "SELECT COALESCE(SUM(json_extract(payload, '$.amount_cents')), 0) FROM jobs
             WHERE kind = $1 AND state = 'dead' AND json_extract(payload, '$.order_id') = $2
               AND id NOT IN (SELECT job_id FROM refund_resolutions)",
        )
        .bind(REFUND_KIND)
        .bind(order_id)
        .fetch_one(&mut *c)
        .await?,
        postgres: sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(CAST(payload->>'amount_cents' AS bigint)), 0) AS bigint) FROM jobs
             WHERE kind = $1 AND state = 'dead' AND payload->>'order_id' = $2
               AND id NOT IN (SELECT job_id FROM refund_resolutions)",
        )
        .bind(REFUND_KIND)
        .bind(order_id)
        .fetch_one(&mut *c)
        .await?
    ))
}

/// Whether job `job_id` was resolved by a manager.
pub async fn is_resolved(conn: &mut Db<'_>, job_id: Uuid) -> Result<bool, StoreError> {
    let found =
        fetch_optional!(conn, sqlx::query("SELECT job_id FROM refund_resolutions WHERE job_id = $1").bind(Id(job_id)))?;
    Ok(found.is_some())
}

/// A manager's answer about one dead refund.
#[derive(Clone, Debug)]
pub struct Resolution {
    pub job_id: Uuid,
    pub order_id: Uuid,
    pub amount_cents: i64,
    /// The gateway did give the money back.
    pub paid: bool,
    pub reason: String,
    pub staff_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

pub async fn resolve(conn: &mut Db<'_>, r: &Resolution) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO refund_resolutions (job_id, order_id, amount_cents, paid, reason, staff_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Id(r.job_id))
        .bind(Id(r.order_id))
        .bind(r.amount_cents)
        .bind(r.paid)
        .bind(&r.reason)
        .bind(r.staff_id.map(Id))
        .bind(At(r.at))
    )?;
    Ok(())
}
