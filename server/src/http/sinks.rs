//! Managers configure webhook sinks, read their dead letters and replay deliveries.

use super::extract::{ApiJson, ApiPath};
use super::ApiError;
use crate::service::{self, RequestContext};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use crema_shared::api::{DeadLetterDto, JobDto, NewSinkRequest, Problem, ReplayRequest, SinkDto, SinkPatch};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/v1/sinks", tag = "sinks", responses((status = 200, body = [SinkDto])))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<SinkDto>>, ApiError> {
    Ok(Json(service::sinks::list(&state).await?))
}

/// Adds a webhook sink; the answer shows its secret, once.
#[utoipa::path(post, path = "/api/v1/sinks", tag = "sinks", request_body = NewSinkRequest,
    responses((status = 201, body = SinkDto), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: ApiJson<NewSinkRequest>,
) -> Result<(StatusCode, Json<SinkDto>), ApiError> {
    Ok((StatusCode::CREATED, Json(service::sinks::create(&state, &ctx, &body.value).await?)))
}

#[utoipa::path(get, path = "/api/v1/sinks/{id}", tag = "sinks", params(("id" = Uuid, Path)),
    responses((status = 200, body = SinkDto), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, ApiPath(id): ApiPath<Uuid>) -> Result<Json<SinkDto>, ApiError> {
    Ok(Json(service::sinks::get(&state, id).await?))
}

/// Changes URL, secret, event filter, or switches the sink off and on.
#[utoipa::path(patch, path = "/api/v1/sinks/{id}", tag = "sinks", request_body = SinkPatch, params(("id" = Uuid, Path)),
    responses((status = 200, body = SinkDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<SinkPatch>,
) -> Result<Json<SinkDto>, ApiError> {
    Ok(Json(service::sinks::update(&state, &ctx, id, &body.value).await?))
}

#[utoipa::path(delete, path = "/api/v1/sinks/{id}", tag = "sinks", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Removed"), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    service::sinks::delete(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Events the endpoint kept refusing, set aside so the rest could flow.
#[utoipa::path(get, path = "/api/v1/sinks/{id}/dead-letters", tag = "sinks", params(("id" = Uuid, Path)),
    responses((status = 200, body = [DeadLetterDto]), (status = 404, body = Problem)))]
pub async fn dead_letters(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<DeadLetterDto>>, ApiError> {
    Ok(Json(service::sinks::dead_letters(&state, id).await?))
}

/// Delivers a dead letter again, now (409 if the endpoint still refuses or cannot be reached).
#[utoipa::path(post, path = "/api/v1/sinks/{id}/dead-letters/{dead_letter_id}/replay", tag = "sinks",
    params(("id" = Uuid, Path), ("dead_letter_id" = i64, Path)),
    responses((status = 200, body = DeadLetterDto), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn replay_dead_letter(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath((id, dead_letter_id)): ApiPath<(Uuid, i64)>,
) -> Result<Json<DeadLetterDto>, ApiError> {
    Ok(Json(service::sinks::replay_dead_letter(&state, &ctx, id, dead_letter_id).await?))
}

/// Delivers a range of sequences again, in order, as a durable job.
#[utoipa::path(post, path = "/api/v1/sinks/{id}/replay", tag = "sinks", request_body = ReplayRequest, params(("id" = Uuid, Path)),
    responses((status = 202, body = JobDto, description = "The replay job"), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn replay(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<ReplayRequest>,
) -> Result<(StatusCode, Json<JobDto>), ApiError> {
    let job = service::sinks::replay_range(&state, &ctx, id, &body.value).await?;
    Ok((StatusCode::ACCEPTED, Json(super::jobs::job_dto(&job))))
}
