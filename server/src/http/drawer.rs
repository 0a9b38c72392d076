//! `/api/v1/drawer`: the day's cash drawer at the till (open with a float, pay in and out,
//! close with the count), and `/api/v1/reports/x`, `/reports/z` (JSON, CSV, printable page).

use super::extract::{ApiJson, ApiQuery};
use super::ApiError;
use crate::service::reports::close;
use crate::service::{self, RequestContext};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crema_shared::api::{
    CloseDrawerRequest, DrawerDto, DrawerMovementRequest, OpenDrawerRequest, PrintJobDto, Problem,
};
use crema_shared::close::CloseReport;
use serde::Deserialize;

/// Today's drawer: float, movements, what it should hold (and, closed, the count).
#[utoipa::path(get, path = "/api/v1/drawer", tag = "drawer",
    responses((status = 200, body = DrawerDto), (status = 404, body = Problem, description = "Not opened today")))]
pub async fn current(State(state): State<AppState>) -> Result<Json<DrawerDto>, ApiError> {
    Ok(Json(close::current(&state).await?))
}

/// Opens today's drawer with its float.
#[utoipa::path(post, path = "/api/v1/drawer", tag = "drawer", request_body = OpenDrawerRequest,
    responses((status = 201, body = DrawerDto), (status = 409, body = Problem, description = "Opened already today"),
        (status = 422, body = Problem)))]
pub async fn open(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: ApiJson<OpenDrawerRequest>,
) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(close::open(&state, &ctx, &body.value).await?)).into_response())
}

/// Cash paid into or out of the open drawer, with a reason.
#[utoipa::path(post, path = "/api/v1/drawer/movements", tag = "drawer", request_body = DrawerMovementRequest,
    responses((status = 201, body = DrawerDto), (status = 409, body = Problem, description = "No open drawer"),
        (status = 422, body = Problem)))]
pub async fn movement(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: ApiJson<DrawerMovementRequest>,
) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(close::movement(&state, &ctx, &body.value).await?)).into_response())
}

/// Closes today's drawer with the counted cash: the answer says over or short; the day's Z
/// report is kept.
#[utoipa::path(post, path = "/api/v1/drawer/close", tag = "drawer", request_body = CloseDrawerRequest,
    responses((status = 200, body = DrawerDto), (status = 409, body = Problem, description = "No open drawer"),
        (status = 422, body = Problem)))]
pub async fn close_drawer(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: ApiJson<CloseDrawerRequest>,
) -> Result<Json<DrawerDto>, ApiError> {
    Ok(Json(close::close_drawer(&state, &ctx, &body.value).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `json` (default), `csv`, or `html` (a page for an 80 mm printer).
    format: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ZQuery {
    /// Business date `YYYY-MM-DD`; default today.
    date: Option<String>,
    /// `json` (default), `csv`, or `html` (a page for an 80 mm printer).
    format: Option<String>,
}

/// The X report: the day so far, by tender, with what the drawer should hold now.
#[utoipa::path(get, path = "/api/v1/reports/x", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "JSON; or CSV, or a printable page, as `format` asks",
        content((CloseReport = "application/json"), (String = "text/csv"), (String = "text/html"))),
        (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn x_report(State(state): State<AppState>, ApiQuery(q): ApiQuery<ReportQuery>) -> Result<Response, ApiError> {
    let report = close::x_report(&state).await?;
    shaped(&state, &report, q.format.as_deref()).await
}

/// The Z report of a closed day, as it was kept at close.
#[utoipa::path(get, path = "/api/v1/reports/z", tag = "reports", params(ZQuery),
    responses((status = 200, description = "JSON; or CSV, or a printable page, as `format` asks",
        content((CloseReport = "application/json"), (String = "text/csv"), (String = "text/html"))),
        (status = 400, body = Problem), (status = 409, body = Problem, description = "The day's drawer is not closed"),
        (status = 422, body = Problem)))]
pub async fn z_report(State(state): State<AppState>, ApiQuery(q): ApiQuery<ZQuery>) -> Result<Response, ApiError> {
    let report = close::z_report(&state, q.date.as_deref()).await?;
    shaped(&state, &report, q.format.as_deref()).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ZPrintQuery {
    /// Business date `YYYY-MM-DD`; default today.
    date: Option<String>,
}

/// Prints the X report as it is now on the receipt printer (a durable print job).
#[utoipa::path(post, path = "/api/v1/reports/x/print", tag = "reports",
    responses((status = 202, body = PrintJobDto, description = "Queued for the printer; the jobs screen follows it"),
        (status = 409, body = Problem, description = "No receipt printer is set")))]
pub async fn print_x(State(state): State<AppState>, ctx: RequestContext) -> Result<Response, ApiError> {
    let report = close::x_report(&state).await?;
    let job_id = service::receipts::print_report(&state, &ctx, report).await?;
    Ok((StatusCode::ACCEPTED, Json(PrintJobDto { job_id })).into_response())
}

/// Prints a closed day's Z report on the receipt printer (a durable print job).
#[utoipa::path(post, path = "/api/v1/reports/z/print", tag = "reports", params(ZPrintQuery),
    responses((status = 202, body = PrintJobDto, description = "Queued for the printer; the jobs screen follows it"),
        (status = 400, body = Problem),
        (status = 409, body = Problem, description = "The day's drawer is not closed, or no receipt printer is set"),
        (status = 422, body = Problem)))]
pub async fn print_z(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(q): ApiQuery<ZPrintQuery>,
) -> Result<Response, ApiError> {
    let report = close::z_report(&state, q.date.as_deref()).await?;
    let job_id = service::receipts::print_report(&state, &ctx, report).await?;
    Ok((StatusCode::ACCEPTED, Json(PrintJobDto { job_id })).into_response())
}

/// The report as the `format` asks.
async fn shaped(state: &AppState, report: &CloseReport, format: Option<&str>) -> Result<Response, ApiError> {
    let (body, content_type) = match format.unwrap_or("json") {
        "json" => return Ok(Json(report.clone()).into_response()),
        "csv" => (crema_shared::close::csv(report), "text/csv; charset=utf-8"),
        "html" => {
            let lines = close::print_lines(state, report).await?;
            let title = format!("{} report {}", report.kind, report.business_date);
            (service::receipts::page::render(&title, &lines), "text/html; charset=utf-8")
        }
        _ => return Err(ApiError::field("format", "must be json, csv or html")),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if content_type.starts_with("text/csv") {
        let name = format!(
            "attachment; filename=\"crema-{}-report-{}.csv\"",
            report.kind.to_lowercase(),
            report.business_date
        );
        if let Ok(value) = HeaderValue::from_str(&name) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}
