//! The manager's numbers on screen: one business day's report, and every order of a date
//! range as CSV for the accountant. (The same day's summary also goes out by email at the
//! end of the day: see [`crate::service::reports::end_of_day`].)

pub mod close;
pub mod end_of_day;

use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::{report, settings, time, StoreError};
use crema_shared::api::{DayReportDto, TopItemDto};
use crema_shared::report::{csv_record, decimal, export_range, orders_per_hour, parse_date};
use crema_shared::ValidationErrors;

/// The report of `date` (`YYYY-MM-DD`; default: today in the shop's time zone).
pub async fn day(state: &AppState, date: Option<&str>) -> Result<DayReportDto, ServiceError> {
    let date = match date {
        Some(raw) => {
            let mut errors = ValidationErrors::new();
            let parsed = parse_date("date", raw, &mut errors);
            errors.into_result(())?;
            parsed.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
        }
        None => state.day.date_of(state.clock.now()),
    };
    let mut snapshot = state.store.snapshot().await?;
    let mut conn = snapshot.db();
    let summary = report::day_summary(&mut conn, &date).await?;
    let placed = report::placed_times(&mut conn, &date).await?;
    let shop = settings::load(&mut conn).await?.ok_or_else(|| StoreError::corrupt("no shop settings row"))?;
    snapshot.finish().await?;
    Ok(DayReportDto {
        business_date: summary.business_date,
        currency: shop.shop.currency.as_str().to_string(),
        orders: summary.orders,
        cancelled: summary.cancelled,
        revenue_cents: summary.revenue_cents,
        average_ready_seconds: summary.average_ready_seconds,
        orders_per_hour: orders_per_hour(&placed, state.day.utc_offset).to_vec(),
        top_items: summary.top_items.into_iter().map(|(name, units)| TopItemDto { name, units }).collect(),
    })
}

pub const CSV_HEADER: &[&str] = &[
    "business_date",
    "ticket",
    "placed_at",
    "customer",
    "status",
    "payment_status",
    "payment_method",
    "currency",
    "subtotal",
    "discount",
    "tax",
    "tip",
    "total",
    "refunded",
    "items",
];

/// Every order of the business days `from..=to`, as CSV (header first, CRLF lines).
pub async fn export_csv(state: &AppState, from: &str, to: &str) -> Result<String, ServiceError> {
    let (from, to) = export_range(from, to)?;
    let (from, to) = (from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string());
    let mut conn = state.store.read().await?;
    let rows = report::export_rows(&mut conn, &from, &to).await?;
    let mut out = csv_record(CSV_HEADER);
    for r in rows {
        out.push_str(&csv_record(&[
            r.business_date,
            r.ticket_number.to_string(),
            time::to_text(r.created_at),
            r.customer_name,
            r.status,
            r.payment_status,
            r.payment_method.unwrap_or_default(),
            r.currency,
            decimal(r.subtotal_cents),
            decimal(r.discount_cents),
            decimal(r.tax_cents),
            decimal(r.tip_cents),
            decimal(r.total_cents),
            decimal(r.refunded_cents),
            r.items,
        ]));
    }
    tracing::info!(%from, %to, bytes = out.len(), "orders exported");
    Ok(out)
}
