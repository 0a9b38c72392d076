//! `/api/v1/discount-reasons`: the reasons the till offers for a discount, kept by managers.

use super::extract::{ApiJson, ApiPath};
use super::ApiError;
use crate::service::{discounts, RequestContext};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crema_shared::api::{DiscountReasonDto, DiscountReasonPatch, NewDiscountReasonRequest, Problem};
use uuid::Uuid;

/// Every discount reason, by name (the till offers the active ones).
#[utoipa::path(get, path = "/api/v1/discount-reasons", tag = "discounts",
    responses((status = 200, body = Vec<DiscountReasonDto>)))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<DiscountReasonDto>>, ApiError> {
    Ok(Json(discounts::list(&state).await?))
}

/// A new discount reason: who may give it alone, and how much.
#[utoipa::path(post, path = "/api/v1/discount-reasons", tag = "discounts", request_body = NewDiscountReasonRequest,
    responses((status = 201, body = DiscountReasonDto), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: ApiJson<NewDiscountReasonRequest>,
) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(discounts::create(&state, &ctx, &body.value).await?)).into_response())
}

/// Changes a discount reason (`active: false` stops the till offering it; orders keep it).
#[utoipa::path(patch, path = "/api/v1/discount-reasons/{id}", tag = "discounts", request_body = DiscountReasonPatch,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = DiscountReasonDto), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<DiscountReasonPatch>,
) -> Result<Json<DiscountReasonDto>, ApiError> {
    Ok(Json(discounts::update(&state, &ctx, id, &body.value).await?))
}
