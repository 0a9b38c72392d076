//! `GET/PATCH /api/v1/settings`: the shop's name, currency, tax and ticket-age thresholds.

use super::extract::ApiJson;
use super::ApiError;
use crate::service::{self, RequestContext};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use crema_shared::api::{Problem, SettingsDto, SettingsInput};

/// The shop's settings (any signed-in member of staff: the kitchen display needs the
/// ticket-age thresholds).
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings", responses((status = 200, body = SettingsDto)))]
pub async fn get(State(state): State<AppState>) -> Result<Json<SettingsDto>, ApiError> {
    Ok(Json(service::shop::settings::get(&state).await?))
}

/// Changes some settings; every bad field is named and nothing changes.
#[utoipa::path(patch, path = "/api/v1/settings", tag = "settings", request_body = SettingsInput,
    responses((status = 200, body = SettingsDto), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: ApiJson<SettingsInput>,
) -> Result<Json<SettingsDto>, ApiError> {
    Ok(Json(service::shop::settings::update(&state, &ctx, &body.value).await?))
}
