//! The cash drawer of each business day, its paid-in and paid-out movements, and the day's
//! orders as the close adds them up (see `crema_shared::close`).

use super::db::{exec, fetch_all, fetch_optional, At, Db, Id, Record};
use super::StoreError;
use chrono::{DateTime, Utc};
use crema_shared::close::{CloseReport, Movement, MovementKind, OrderMoney};
use crema_shared::status::{OrderStatus, PaymentMethod, PaymentStatus};
use crema_shared::Money;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawerRecord {
    pub id: Uuid,
    pub business_date: String,
    pub float: Money,
    pub opened_at: DateTime<Utc>,
    pub opened_by: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<Uuid>,
    pub expected: Option<Money>,
    pub counted: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MovementRecord {
    pub id: Uuid,
    pub drawer_id: Uuid,
    pub kind: MovementKind,
    pub amount: Money,
    pub reason: String,
    pub staff_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// Opens `drawer`; false when the day already has one.
pub async fn open(conn: &mut Db<'_>, drawer: &DrawerRecord) -> Result<bool, StoreError> {
    let done = exec!(
        conn,
        sqlx::query(
            "INSERT INTO drawers (id, business_date, float_cents, opened_at, opened_by) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
        )
        .bind(Id(drawer.id))
        .bind(&drawer.business_date)
        .bind(drawer.float.minor())
        .bind(At(drawer.opened_at))
        .bind(drawer.opened_by.map(Id))
    )?;
    Ok(done == 1)
}

/// The drawer of `business_date`, if one was opened.
pub async fn for_date(db: &mut Db<'_>, business_date: &str) -> Result<Option<DrawerRecord>, StoreError> {
    let row = fetch_optional!(
        db,
        sqlx::query(
            "SELECT id, business_date, float_cents, opened_at, opened_by, closed_at, closed_by, expected_cents,
                    counted_cents
             FROM drawers WHERE business_date = $1",
        )
        .bind(business_date)
    )?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(r: &Record) -> Result<DrawerRecord, StoreError> {
    let money = |name: &str| -> Result<Option<Money>, StoreError> {
        Ok(r.try_get::<Option<i64>, _>(name)?.map(Money::from_minor))
    };
    Ok(DrawerRecord {
        id: r.uuid("id")?,
        business_date: r.try_get("business_date")?,
        float: Money::from_minor(r.try_get("float_cents")?),
        opened_at: r.time("opened_at")?,
        opened_by: r.opt_uuid("opened_by")?,
        closed_at: r.opt_time("closed_at")?,
        closed_by: r.opt_uuid("closed_by")?,
        expected: money("expected_cents")?,
        counted: money("counted_cents")?,
    })
}

pub async fn add_movement(conn: &mut Db<'_>, m: &MovementRecord) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO drawer_movements (id, drawer_id, kind, amount_cents, reason, staff_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Id(m.id))
        .bind(Id(m.drawer_id))
        .bind(m.kind.as_str())
        .bind(m.amount.minor())
        .bind(&m.reason)
        .bind(m.staff_id.map(Id))
        .bind(At(m.at))
    )?;
    Ok(())
}

/// The drawer's movements, oldest first.
pub async fn movements(db: &mut Db<'_>, drawer_id: Uuid) -> Result<Vec<MovementRecord>, StoreError> {
    let rows = fetch_all!(
        db,
        sqlx::query(
            "SELECT id, drawer_id, kind, amount_cents, reason, staff_id, at FROM drawer_movements
             WHERE drawer_id = $1 ORDER BY at, id",
        )
        .bind(Id(drawer_id))
    )?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(MovementRecord {
                id: r.uuid("id")?,
                drawer_id: r.uuid("drawer_id")?,
                kind: MovementKind::parse(&kind).ok_or_else(|| StoreError::corrupt("movement kind"))?,
                amount: Money::from_minor(r.try_get("amount_cents")?),
                reason: r.try_get("reason")?,
                staff_id: r.opt_uuid("staff_id")?,
                at: r.time("at")?,
            })
        })
        .collect()
}

/// The movements as the close adds them up.
pub fn as_movements(records: &[MovementRecord]) -> Vec<Movement> {
    records.iter().map(|m| Movement { kind: m.kind, amount: m.amount }).collect()
}

/// Closes drawer `id` with what was counted and the day's Z report; false when it was
/// closed already.
pub async fn close(
    conn: &mut Db<'_>,
    id: Uuid,
    (expected, counted): (Money, Money),
    (at, by): (DateTime<Utc>, Option<Uuid>),
    report: &CloseReport,
) -> Result<bool, StoreError> {
    let done = exec!(
        conn,
        sqlx::query(
            "UPDATE drawers SET closed_at = $1, closed_by = $2, expected_cents = $3, counted_cents = $4, z_report = $5
             WHERE id = $6 AND closed_at IS NULL",
        )
        .bind(At(at))
        .bind(by.map(Id))
        .bind(expected.minor())
        .bind(counted.minor())
        .bind(sqlx::types::Json(report))
        .bind(Id(id))
    )?;
    Ok(done == 1)
}

/// The Z report kept when `business_date`'s drawer was closed.
pub async fn z_report(db: &mut Db<'_>, business_date: &str) -> Result<Option<CloseReport>, StoreError> {
    let row = fetch_optional!(
        db,
        sqlx::query("SELECT z_report FROM drawers WHERE business_date = $1 AND z_report IS NOT NULL")
            .bind(business_date)
    )?;
    row.map(|r| r.json("z_report")).transpose()
}

/// Every order of `business_date` as the close sees it, with the name of who rang it up.
pub async fn day_orders(db: &mut Db<'_>, business_date: &str) -> Result<Vec<OrderMoney>, StoreError> {
    let rows = fetch_all!(
        db,
        sqlx::query(
            "SELECT o.status, o.payment_status,
                    COALESCE(o.payment_method, CASE WHEN o.payment_reference IS NOT NULL THEN 'card' END) AS method,
                    o.subtotal_cents, o.discount_cents, o.tax_cents, o.tip_cents, o.total_cents, o.refunded_cents,
                    o.tenders, s.name AS staff,
                    (SELECT CAST(COUNT(*) AS BIGINT) FROM order_lines l WHERE l.order_id = o.id AND l.status = 'voided')
                        AS voided_lines,
                    (SELECT CAST(COALESCE(SUM(l.line_total_cents), 0) AS BIGINT) FROM order_lines l
                       WHERE l.order_id = o.id AND l.status = 'voided') AS voided_lines_total
             FROM orders o LEFT JOIN staff s ON s.id = o.placed_by
             WHERE o.business_date = $1 ORDER BY o.created_at, o.id",
        )
        .bind(business_date)
    )?;
    rows.iter()
        .map(|r| {
            let text = |name: &str| -> Result<String, StoreError> { Ok(r.try_get::<String, _>(name)?) };
            let money = |name: &str| -> Result<Money, StoreError> { Ok(Money::from_minor(r.try_get(name)?)) };
            let method: Option<String> = r.try_get("method")?;
            Ok(OrderMoney {
                status: OrderStatus::parse(&text("status")?).ok_or_else(|| StoreError::corrupt("order status"))?,
                payment_status: PaymentStatus::parse(&text("payment_status")?)
                    .ok_or_else(|| StoreError::corrupt("payment status"))?,
                method: method
                    .as_deref()
                    .map(|m| PaymentMethod::parse(m).ok_or_else(|| StoreError::corrupt("method")))
                    .transpose()?,
                subtotal: money("subtotal_cents")?,
                discount: money("discount_cents")?,
                tax: money("tax_cents")?,
                tip: money("tip_cents")?,
                total: money("total_cents")?,
                refunded: money("refunded_cents")?,
                staff: r.try_get("staff")?,
                tenders: r
                    .json::<Vec<crema_shared::api::TenderDto>>("tenders")?
                    .iter()
                    .map(|t| (t.method, Money::from_minor(t.amount_cents + t.tip_cents)))
                    .collect(),
                voided_lines: u32::try_from(r.try_get::<i64, _>("voided_lines")?)
                    .map_err(|_| StoreError::corrupt("voided lines"))?,
                voided_lines_total: money("voided_lines_total")?,
            })
        })
        .collect()
}
