//! The manager's numbers: a day's report, and orders of a date range as CSV.

use super::extract::ApiQuery;
use super::ApiError;
use crate::service;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crema_shared::api::{DayReportDto, Problem};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DayQuery {
    /// Business date `YYYY-MM-DD`; default today.
    date: Option<String>,
}

/// Orders, revenue, average time to ready, orders per hour and best sellers of one day.
#[utoipa::path(get, path = "/api/v1/reports/day", tag = "reports", params(DayQuery),
    responses((status = 200, body = DayReportDto), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn day(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DayQuery>,
) -> Result<Json<DayReportDto>, ApiError> {
    Ok(Json(service::reports::day(&state, q.date.as_deref()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// First business date, `YYYY-MM-DD`.
    from: String,
    /// Last business date (inclusive); at most 366 days after `from`.
    to: String,
}

/// Every order of the business days `from..=to` as CSV (one row per order).
#[utoipa::path(get, path = "/api/v1/reports/orders.csv", tag = "reports", params(ExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn orders_csv(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let csv = service::reports::export_csv(&state, &q.from, &q.to).await?;
    let filename = format!("attachment; filename=\"crema-orders-{}-{}.csv\"", q.from.trim(), q.to.trim());
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
