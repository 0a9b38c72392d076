//! `GET /api/v1/orders/{id}/receipt` (the receipt page) and
//! `POST /api/v1/orders/{id}/receipt/print` (print it again on the receipt printer).

use super::extract::ApiPath;
use super::ApiError;
use crate::service::{self, RequestContext};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use crema_shared::api::{PrintJobDto, Problem};
use uuid::Uuid;

/// The order's receipt as a page for an 80 mm roll (HTML, print CSS): the same lines the
/// receipt printer gets.
#[utoipa::path(get, path = "/api/v1/orders/{id}/receipt", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/html", body = String, description = "The receipt page"),
        (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let order = super::privacy::order(&ctx, service::orders::get(&state, id).await?);
    let lines = service::receipts::lines(&state, &order).await?;
    let html = service::receipts::page::render(&format!("Receipt — ticket {}", order.ticket), &lines);
    let mut response = html.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Prints the order's receipt again on the receipt printer (a durable job: a printer that is
/// off prints it when it is back). 409 when no receipt printer is set.
#[utoipa::path(post, path = "/api/v1/orders/{id}/receipt/print", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 202, body = PrintJobDto, description = "Queued for the printer"),
        (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn print(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let job_id = service::receipts::print_again(&state, &ctx, id).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(PrintJobDto { job_id })).into_response())
}
