//! Signing in and out. The answer to signing in carries the token for API clients and sets
//! it as an `HttpOnly; SameSite=Strict` cookie for the browser screens.

use super::auth::{SessionToken, SESSION_COOKIE};
use super::extract::ApiJson;
use super::ApiError;
use crate::service::{auth, RequestContext};
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crema_shared::api::{PinRequest, Problem, SessionDto};
use std::net::SocketAddr;

/// Sign in with a PIN. After repeated failures from one terminal, 429 with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "staff", request_body = PinRequest,
    responses(
        (status = 201, body = SessionDto, description = "Signed in; also sets the `crema_session` cookie"),
        (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    ctx: RequestContext,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    body: ApiJson<PinRequest>,
) -> Result<Response, ApiError> {
    let client = client_key(&headers, connect.map(|c| c.0 .0));
    let session = auth::sign_in(&state, &ctx, &body.value.pin, &client).await?;
    let token = session.token.clone().unwrap_or_default();
    let max_age = state.auth.policy.session_idle.as_secs();
    let cookie = format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}");
    let cookie = HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((StatusCode::CREATED, [(header::SET_COOKIE, cookie)], Json(session)).into_response())
}

/// Who is signed in on this session.
#[utoipa::path(get, path = "/api/v1/sessions/current", tag = "staff",
    responses((status = 200, body = SessionDto), (status = 401, body = Problem)))]
pub async fn current(
    State(state): State<AppState>,
    SessionToken(token): SessionToken,
) -> Result<Json<SessionDto>, ApiError> {
    Ok(Json(auth::current(&state, &token).await?))
}

/// Sign out (ends this session and clears the cookie).
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "staff",
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem)))]
pub async fn sign_out(
    State(state): State<AppState>,
    ctx: RequestContext,
    SessionToken(token): SessionToken,
) -> Result<Response, ApiError> {
    auth::sign_out(&state, &ctx, &token).await?;
    let clear = HeaderValue::from_static("crema_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

/// Lockouts count per terminal: the `X-Crema-Terminal` header when a terminal sends one, else
/// the peer address.
fn client_key(headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    let terminal = headers
        .get("x-crema-terminal")
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.is_empty() && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_graphic()));
    match (terminal, peer) {
        (Some(t), Some(p)) => format!("{}/{t}", p.ip()),
        (Some(t), None) => t.to_string(),
        (None, Some(p)) => p.ip().to_string(),
        (None, None) => "unknown".to_string(),
    }
}
