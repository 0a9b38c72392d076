//! Enrolling terminals: managers make and revoke them; a terminal pairs with its one-time
//! code and keeps the credential (browsers as an HttpOnly cookie).

use super::client::{terminal_credential, SignInSource, TERMINAL_COOKIE};
use super::extract::ApiJson;
use super::extract::ApiPath;
use super::sessions::Scheme;
use super::ApiError;
use crate::service::staff::terminals;
use crate::service::RequestContext;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crema_shared::api::{NewTerminalRequest, PairRequest, PairedTerminalDto, Problem, TerminalDto, TerminalPatch};
use std::time::Duration;
use uuid::Uuid;

/// A paired browser keeps its credential this long (until revoked).
const COOKIE_MAX_AGE: Duration = Duration::from_secs(10 * 365 * 86_400);

/// Every enrolled terminal.
#[utoipa::path(get, path = "/api/v1/terminals", tag = "terminals",
    responses((status = 200, body = [TerminalDto]), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<TerminalDto>>, ApiError> {
    Ok(Json(terminals::list(&state).await?))
}

/// Enrol a terminal: the answer carries its one-time pairing code (valid 15 minutes).
#[utoipa::path(post, path = "/api/v1/terminals", tag = "terminals", request_body = NewTerminalRequest,
    responses((status = 201, body = TerminalDto), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    body: ApiJson<NewTerminalRequest>,
) -> Result<(StatusCode, Json<TerminalDto>), ApiError> {
    Ok((StatusCode::CREATED, Json(terminals::create(&state, &ctx, &body.value).await?)))
}

/// One terminal.
#[utoipa::path(get, path = "/api/v1/terminals/{id}", tag = "terminals", params(("id" = Uuid, Path)),
    responses((status = 200, body = TerminalDto), (status = 404, body = Problem)))]
pub async fn get(State(state): State<AppState>, ApiPath(id): ApiPath<Uuid>) -> Result<Json<TerminalDto>, ApiError> {
    Ok(Json(terminals::get(&state, id).await?))
}

/// Rename a terminal.
#[utoipa::path(patch, path = "/api/v1/terminals/{id}", tag = "terminals", request_body = TerminalPatch, params(("id" = Uuid, Path)),
    responses((status = 200, body = TerminalDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rename(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    body: ApiJson<TerminalPatch>,
) -> Result<Json<TerminalDto>, ApiError> {
    Ok(Json(terminals::rename(&state, &ctx, id, &body.value).await?))
}

/// Revoke a terminal: its credential and any pending code stop working at once.
#[utoipa::path(delete, path = "/api/v1/terminals/{id}", tag = "terminals", params(("id" = Uuid, Path)),
    responses((status = 200, body = TerminalDto), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<TerminalDto>, ApiError> {
    Ok(Json(terminals::revoke(&state, &ctx, id).await?))
}

/// A new one-time pairing code for a terminal (to pair a replacement device).
#[utoipa::path(post, path = "/api/v1/terminals/{id}/code", tag = "terminals", params(("id" = Uuid, Path)),
    responses((status = 201, body = TerminalDto), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn new_code(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<TerminalDto>), ApiError> {
    Ok((StatusCode::CREATED, Json(terminals::new_code(&state, &ctx, id).await?)))
}

/// Pair this device with a one-time code. The credential is in the answer (once) and, for
/// browsers, in the `crema_terminal` cookie. Wrong codes count like wrong PINs (429).
#[utoipa::path(post, path = "/api/v1/terminals/pair", tag = "terminals", request_body = PairRequest,
    responses((status = 201, body = PairedTerminalDto), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn pair(
    State(state): State<AppState>,
    ctx: RequestContext,
    SignInSource(source): SignInSource,
    scheme: Scheme,
    body: ApiJson<PairRequest>,
) -> Result<Response, ApiError> {
    let paired = terminals::pair(&state, &ctx, &body.value.code, source).await?;
    let cookie = scheme.cookie(TERMINAL_COOKIE, paired.credential.as_deref().unwrap_or_default(), COOKIE_MAX_AGE)?;
    Ok((StatusCode::CREATED, [(header::SET_COOKIE, cookie)], Json(paired)).into_response())
}

/// Which enrolled terminal this device is (from its credential), or 404 if none.
#[utoipa::path(get, path = "/api/v1/terminals/current", tag = "terminals",
    responses((status = 200, body = PairedTerminalDto), (status = 404, body = Problem)))]
pub async fn current(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<PairedTerminalDto>, ApiError> {
    let credential = terminal_credential(&headers).ok_or_else(|| ApiError::NotFound("enrolled terminal".into()))?;
    let terminal = terminals::identify(&state, &credential)
        .await?
        .ok_or_else(|| ApiError::NotFound("enrolled terminal (revoked, or not this server's)".into()))?;
    Ok(Json(PairedTerminalDto { id: terminal.id, name: terminal.name, label: terminal.label, credential: None }))
}
