//! Staff management routes (managers only, see the access table).

use super::extract::{ApiJson, ApiPath};
use super::ApiError;
use crate::service::{self, RequestContext};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use crema_shared::api::{NewStaffRequest, PinRequest, Problem, StaffDto, StaffPatch};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", responses((status = 200, body = [StaffDto])))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<StaffDto>>, ApiError> {
    Ok(Json(service::staff::list(&state).await?))
}

/// Adds a member of staff; the PIN must be 4–8 digits and nobody else's.
#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", request_body = NewStaffRequest,
    responses((status = 201, body = StaffDto), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: ApiJson<NewStaffRequest>,
) -> Result<(StatusCode, Json<StaffDto>), ApiError> {
    Ok((StatusCode::CREATED, Json(service::staff::create(&state, &ctx, &body.value).await?)))
}

#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff", params(("id" = Uuid, Path)),
    responses((status = 200, body = StaffDto), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, ApiPath(id): ApiPath<Uuid>) -> Result<Json<StaffDto>, ApiError> {
    Ok(Json(service::staff::get(&state, id).await?))
}

/// Renames, changes role, deactivates (`active: false` signs them out everywhere).
#[utoipa::path(patch, path = "/api/v1/staff/{id}", tag = "staff", request_body = StaffPatch, params(("id" = Uuid, Path)),
    responses((status = 200, body = StaffDto), (status = 404, body = Problem), (status = 409, body = Problem, description = "Would leave no active manager"), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<StaffPatch>,
) -> Result<Json<StaffDto>, ApiError> {
    Ok(Json(service::staff::update(&state, &ctx, id, &body.value).await?))
}

/// Sets a new PIN.
#[utoipa::path(put, path = "/api/v1/staff/{id}/pin", tag = "staff", request_body = PinRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = StaffDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_pin(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<PinRequest>,
) -> Result<Json<StaffDto>, ApiError> {
    Ok(Json(service::staff::reset_pin(&state, &ctx, id, &body.value.pin).await?))
}
