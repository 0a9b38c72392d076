//! Signing in and out. The answer to signing in carries the token for API clients and sets
//! it as an `HttpOnly; SameSite=Strict` cookie for the browser screens (`Secure` when the
//! browser reached us over HTTPS).

use super::auth::{SessionToken, SESSION_COOKIE};
use super::client::{is_https, SignInSource};
use super::extract::ApiJson;
use super::ApiError;
use crate::service::staff::auth;
use crate::service::RequestContext;
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crema_shared::api::{PinRequest, Problem, SessionDto};
use std::convert::Infallible;
use std::time::Duration;

/// Sign in with a PIN. Too many wrong PINs from one terminal (or address): 429 with
/// `Retry-After`; every PIN checker busy: 503 with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "staff", request_body = PinRequest,
    params(("X-Crema-Terminal" = Option<String>, Header, description = "An enrolled terminal's credential (`<id>.<secret>`): its own sign-in limit")),
    responses(
        (status = 201, body = SessionDto, description = "Signed in; also sets the `crema_session` cookie"),
        (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem),
        (status = 503, body = Problem),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    ctx: RequestContext,
    SignInSource(source): SignInSource,
    scheme: Scheme,
    body: ApiJson<PinRequest>,
) -> Result<Response, ApiError> {
    let session = auth::sign_in(&state, &ctx, &body.value.pin, source).await?;
    let token = session.token.clone().unwrap_or_default();
    let max_age = state.auth.policy.session_idle.min(state.auth.policy.session_max);
    let cookie = scheme.cookie(SESSION_COOKIE, &token, max_age)?;
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
    scheme: Scheme,
    SessionToken(token): SessionToken,
) -> Result<Response, ApiError> {
    auth::sign_out(&state, &ctx, &token).await?;
    let clear = scheme.cookie(SESSION_COOKIE, "", Duration::ZERO)?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

/// Whether the browser reached us over HTTPS, for the cookies we set.
#[derive(Clone, Copy, Debug)]
pub struct Scheme {
    pub https: bool,
}

impl Scheme {
    /// `name=value; HttpOnly; SameSite=Strict; Path=/; Max-Age=…`, plus `Secure` under HTTPS.
    pub fn cookie(&self, name: &str, value: &str, max_age: Duration) -> Result<HeaderValue, ApiError> {
        let secure = if self.https { "; Secure" } else { "" };
        let text = format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}", max_age.as_secs());
        HeaderValue::from_str(&text).map_err(|e| ApiError::Internal(e.to_string()))
    }
}

impl FromRequestParts<AppState> for Scheme {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Scheme { https: is_https(parts, &state.network.trusted_proxies) })
    }
}
