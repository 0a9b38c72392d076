//! The cash drawer and the day's close: open the day's drawer with a float, pay in and out,
//! read the X report (the day so far), and close with the counted cash — which keeps the Z
//! report as it was, audits the count and sends `drawer.closed` with the Z report to the
//! sinks (head office's books).
//!
//! One drawer per business day. The figures come from the day's orders and the drawer's own
//! movements, added up by `crema_shared::close` inside one read (or, at close, inside the
//! closing write), so a report is never half of one moment and half of another.

use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::drawers::{self, DrawerRecord, MovementRecord};
use crate::store::{audit, outbox, settings, Done, JobError, StoreError};
use crema_shared::api::{CloseDrawerRequest, DrawerDto, DrawerMovementDto, DrawerMovementRequest, OpenDrawerRequest};
use crema_shared::close::{self, cash_amount, movement_reason, CloseReport, DrawerState, MovementKind};
use crema_shared::events::types;
use crema_shared::report::parse_date;
use crema_shared::ValidationErrors;
use serde_json::json;
use uuid::Uuid;

/// Opens today's drawer with its float (409 when today's drawer was opened already).
#[tracing::instrument(name = "drawer.open", skip_all)]
pub async fn open(
    state: &AppState,
    ctx: &RequestContext,
    request: &OpenDrawerRequest,
) -> Result<DrawerDto, ServiceError> {
    let mut errors = ValidationErrors::new();
    let float = cash_amount("float_cents", request.float_cents, false, &mut errors);
    let Some(float) = float else { return Err(errors.into()) };
    let now = state.clock.now();
    let drawer = DrawerRecord {
        id: Uuid::now_v7(),
        business_date: state.day.date_of(now),
        float,
        opened_at: now,
        opened_by: ctx.staff_id(),
        closed_at: None,
        closed_by: None,
        expected: None,
        counted: None,
    };
    let ctx = ctx.clone();
    let date = drawer.business_date.clone();
    write(state, move |conn| {
        Box::pin(async move {
            if !drawers::open(conn, &drawer).await? {
                let message = format!("the drawer of {} was opened already", drawer.business_date);
                return Err(ServiceError::Conflict(message).into());
            }
            let detail = json!({ "business_date": drawer.business_date, "float_cents": drawer.float.minor() });
            audit::append(conn, &ctx.audit("drawer.opened", Some(drawer.id.to_string()), detail)).await?;
            Ok(Done::new((), None))
        })
    })
    .await?;
    current_of(state, &date).await
}

/// Cash paid into or out of today's open drawer, with why.
#[tracing::instrument(name = "drawer.movement", skip_all)]
pub async fn movement(
    state: &AppState,
    ctx: &RequestContext,
    request: &DrawerMovementRequest,
) -> Result<DrawerDto, ServiceError> {
    let mut errors = ValidationErrors::new();
    let kind = match request.kind.as_deref().map(MovementKind::parse) {
        Some(Some(kind)) => Some(kind),
        _ => {
            errors.push("kind", "must be \"paid_in\" or \"paid_out\"");
            None
        }
    };
    let amount = cash_amount("amount_cents", request.amount_cents, true, &mut errors);
    let reason = movement_reason(request.reason.as_deref(), &mut errors);
    let (Some(kind), Some(amount), Some(reason)) = (kind, amount, reason) else { return Err(errors.into()) };
    let now = state.clock.now();
    let date = state.day.date_of(now);
    let ctx = ctx.clone();
    let day = date.clone();
    write(state, move |conn| {
        Box::pin(async move {
            let drawer = open_drawer(conn, &day).await?;
            let record = MovementRecord {
                id: Uuid::now_v7(),
                drawer_id: drawer.id,
                kind,
                amount,
                reason,
                staff_id: ctx.staff_id(),
                at: now,
            };
            drawers::add_movement(conn, &record).await?;
            let detail = json!({ "kind": kind.as_str(), "amount_cents": amount.minor(), "reason": record.reason });
            audit::append(conn, &ctx.audit("drawer.cash_moved", Some(drawer.id.to_string()), detail)).await?;
            Ok(Done::new((), None))
        })
    })
    .await?;
    current_of(state, &date).await
}

/// Closes today's drawer with the counted cash: over/short, the Z report kept, audited, and
/// `drawer.closed` for the sinks.
#[tracing::instrument(name = "drawer.close", skip_all)]
pub async fn close_drawer(
    state: &AppState,
    ctx: &RequestContext,
    request: &CloseDrawerRequest,
) -> Result<DrawerDto, ServiceError> {
    let mut errors = ValidationErrors::new();
    let Some(counted) = cash_amount("counted_cents", request.counted_cents, false, &mut errors) else {
        return Err(errors.into());
    };
    let now = state.clock.now();
    let date = state.day.date_of(now);
    let ctx = ctx.clone();
    let day = date.clone();
    write(state, move |conn| {
        Box::pin(async move {
            let drawer = open_drawer(conn, &day).await?;
            let counted_drawer = DrawerRecord { counted: Some(counted), ..drawer.clone() };
            let report = report_of(conn, "Z", &day, Some(&counted_drawer)).await?;
            let figures = report.drawer.clone().ok_or_else(|| StoreError::internal("a closed drawer has figures"))?;
            let expected = crema_shared::Money::from_minor(figures.expected_cents);
            if !drawers::close(conn, drawer.id, (expected, counted), (now, ctx.staff_id()), &report).await? {
                return Err(ServiceError::Conflict(format!("the drawer of {day} was closed already")).into());
            }
            let detail = json!({
                "business_date": day,
                "expected_cents": figures.expected_cents,
                "counted_cents": counted.minor(),
                "over_short_cents": figures.over_short_cents,
            });
            audit::append(conn, &ctx.audit("drawer.closed", Some(drawer.id.to_string()), detail)).await?;
            let data = serde_json::to_value(&report).map_err(|e| StoreError::internal(e.to_string()))?;
            let event = ctx.event(types::DRAWER_CLOSED, Some(drawer.id.to_string()), now, data);
            let last = outbox::append(conn, &[event]).await?;
            tracing::info!(business_date = %day, over_short = ?figures.over_short_cents, "drawer closed");
            Ok(Done::new((), last))
        })
    })
    .await?;
    current_of(state, &date).await
}

/// Today's drawer (404 when none was opened).
pub async fn current(state: &AppState) -> Result<DrawerDto, ServiceError> {
    current_of(state, &state.day.date_of(state.clock.now())).await
}

/// The X report: today so far (the drawer, if open, with what it should hold now).
pub async fn x_report(state: &AppState) -> Result<CloseReport, ServiceError> {
    let date = state.day.date_of(state.clock.now());
    let mut snapshot = state.store.snapshot().await?;
    let mut conn = snapshot.db();
    let drawer = drawers::for_date(&mut conn, &date).await?;
    let report = report_of(&mut conn, "X", &date, drawer.as_ref()).await?;
    snapshot.finish().await?;
    Ok(report)
}

/// The Z report of `date` (default today) as it was kept when its drawer was closed.
pub async fn z_report(state: &AppState, date: Option<&str>) -> Result<CloseReport, ServiceError> {
    let date = match date {
        Some(raw) => {
            let mut errors = ValidationErrors::new();
            let parsed = parse_date("date", raw, &mut errors);
            errors.into_result(())?;
            parsed.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
        }
        None => state.day.date_of(state.clock.now()),
    };
    match drawers::z_report(&mut state.store.read().await?, &date).await? {
        Some(report) => Ok(report),
        None => Err(ServiceError::Conflict(format!(
            "{date} has no Z report: its drawer was not closed (the X report shows the day so far)"
        ))),
    }
}

/// The report as printed lines, headed with the shop's name.
pub async fn print_lines(
    state: &AppState,
    report: &CloseReport,
) -> Result<Vec<crema_shared::receipt::PrintLine>, ServiceError> {
    let shop = settings::load(&mut state.store.read().await?)
        .await?
        .ok_or_else(|| StoreError::corrupt("no shop settings row"))?;
    Ok(close::print_lines(report, &shop.shop.name))
}

/// The day's figures from its orders and drawer, read through `conn`.
async fn report_of(
    conn: &mut Db<'_>,
    kind: &str,
    date: &str,
    drawer: Option<&DrawerRecord>,
) -> Result<CloseReport, StoreError> {
    let orders = drawers::day_orders(conn, date).await?;
    let movements = match drawer {
        Some(d) => drawers::as_movements(&drawers::movements(conn, d.id).await?),
        None => Vec::new(),
    };
    let currency = settings::load(conn).await?.map(|s| s.shop.currency.as_str().to_string()).unwrap_or_default();
    let state = drawer.map(|d| DrawerState { float: d.float, counted: d.counted });
    Ok(close::summarize(kind, date, &currency, &orders, state, &movements))
}

/// Today's drawer, open (409 when there is none or it was closed).
async fn open_drawer(conn: &mut Db<'_>, date: &str) -> Result<DrawerRecord, JobError<ServiceError>> {
    match drawers::for_date(conn, date).await? {
        None => {
            Err(ServiceError::Conflict(format!("no drawer is open for {date}: open it with its float first")).into())
        }
        Some(d) if d.closed_at.is_some() => {
            Err(ServiceError::Conflict(format!("the drawer of {date} is closed")).into())
        }
        Some(d) => Ok(d),
    }
}

async fn current_of(state: &AppState, date: &str) -> Result<DrawerDto, ServiceError> {
    let mut snapshot = state.store.snapshot().await?;
    let mut conn = snapshot.db();
    let drawer = drawers::for_date(&mut conn, date).await?.ok_or(ServiceError::NotFound("drawer"))?;
    let movements = drawers::movements(&mut conn, drawer.id).await?;
    let report = report_of(&mut conn, "X", date, Some(&drawer)).await?;
    snapshot.finish().await?;
    let figures = report.drawer.ok_or_else(|| StoreError::internal("a drawer has figures"))?;
    Ok(DrawerDto {
        id: drawer.id,
        business_date: drawer.business_date,
        opened_at: drawer.opened_at,
        closed_at: drawer.closed_at,
        movements: movements
            .into_iter()
            .map(|m| DrawerMovementDto { kind: m.kind, amount_cents: m.amount.minor(), reason: m.reason, at: m.at })
            .collect(),
        figures,
    })
}

/// One write through the writer.
async fn write<F>(state: &AppState, job: F) -> Result<(), ServiceError>
where
    F: for<'c> FnOnce(&'c mut Db<'_>) -> futures::future::BoxFuture<'c, Result<Done<()>, JobError<ServiceError>>>
        + Send
        + 'static,
{
    state.store.writer().write(job).await
}
