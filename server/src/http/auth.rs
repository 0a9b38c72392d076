//! The one place that checks sign-in and roles, from the [`super::access`] table. It runs
//! after routing (it needs the matched route pattern), reads the session from
//! `Authorization: Bearer <token>` or the `crema_session` cookie, and puts the signed-in
//! person into the request context so everything the request causes carries their id.

use super::access::{self, Access};
use super::client::TERMINAL_HEADER;
use super::ApiError;
use crate::service::staff::{auth, terminals};
use crate::service::RequestContext;
use crate::state::AppState;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub const SESSION_COOKIE: &str = "crema_session";

/// The session token of the current request (only present once authorised).
#[derive(Clone, Debug)]
pub struct SessionToken(pub String);

pub async fn authorize(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(path) = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()) else {
        return next.run(request).await; // no route: the fallback answers 404
    };
    // HEAD has GET's rule (axum answers it with the GET handler).
    let access = match access::rule(request.method(), &path) {
        Some(access) => access,
        // Deny by default: a method without a rule never reaches a handler.
        None if access::known_path(&path) => return ApiError::MethodNotAllowed.into_response(),
        None => {
            tracing::error!(%path, method = %request.method(), "route has no access rule; refusing");
            return ApiError::Forbidden("this route has no access rule".into()).into_response();
        }
    };
    if access == Access::Public {
        return next.run(request).await;
    }
    if access == Access::Scraper {
        let (parts, body) = request.into_parts();
        let client = super::client::client_ip(&parts, &state.network.trusted_proxies);
        return match scraper_allowed(client, bearer(&parts.headers), state.metrics_token.as_deref()) {
            Ok(()) => next.run(Request::from_parts(parts, body)).await,
            Err(e) => e.into_response(),
        };
    }
    if access == Access::Terminal {
        // The header only: a browser's terminal cookie is no credential for syncing.
        let Some(credential) = request.headers().get(TERMINAL_HEADER).and_then(|v| v.to_str().ok()) else {
            return ApiError::Unauthorized("a paired terminal's credential is needed (X-Crema-Terminal)".into())
                .into_response();
        };
        return match terminals::identify(&state, credential).await {
            Ok(Some(terminal)) => {
                tracing::Span::current().record("terminal", tracing::field::display(&terminal.label));
                request.extensions_mut().insert(PairedTerminal(terminal));
                next.run(request).await
            }
            Ok(None) => {
                ApiError::Unauthorized("this terminal is not paired here, or was revoked".into()).into_response()
            }
            Err(e) => ApiError::from(e).into_response(),
        };
    }
    let Some(token) = session_token(request.headers()) else {
        return ApiError::Unauthorized("sign in with your PIN first (POST /api/v1/sessions)".into()).into_response();
    };
    let actor = match auth::resolve(&state, &token).await {
        Ok(Some((actor, _))) => actor,
        Ok(None) => return ApiError::Unauthorized("your session has ended; sign in again".into()).into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if let Access::Needs(permission) = access {
        if !actor.role.may(permission) {
            return ApiError::Forbidden(format!("a {} may not do this", actor.role)).into_response();
        }
    }
    tracing::Span::current().record("staff_id", tracing::field::display(actor.id));
    if let Some(ctx) = request.extensions_mut().get_mut::<RequestContext>() {
        ctx.actor = Some(actor);
    }
    request.extensions_mut().insert(SessionToken(token));
    next.run(request).await
}

/// Metrics are for the box itself (loopback, whatever it sends) or, from elsewhere, a scraper
/// holding the scrape token.
fn scraper_allowed(
    client: std::net::IpAddr,
    token: Option<&str>,
    expected: Option<&secrecy::SecretString>,
) -> Result<(), ApiError> {
    use secrecy::ExposeSecret;
    use sha2::{Digest, Sha256};
    if client.is_loopback() {
        return Ok(());
    }
    match (token, expected) {
        // Digests compared, so the comparison's time says nothing about the token.
        (Some(given), Some(expected))
            if Sha256::digest(given.as_bytes()) == Sha256::digest(expected.expose_secret().as_bytes()) =>
        {
            Ok(())
        }
        (Some(_), Some(_)) => Err(ApiError::Unauthorized("the metrics token is not right".into())),
        (None, Some(_)) => Err(ApiError::Unauthorized("send the metrics token (Authorization: Bearer …)".into())),
        (_, None) => Err(ApiError::Forbidden(
            "metrics are served to loopback only; set CREMA_METRICS_TOKEN to scrape from the network".into(),
        )),
    }
}

#[cfg(test)]
mod scraper_tests {
    use super::scraper_allowed;
    use secrecy::SecretString;

    #[test]
    fn loopback_always_and_elsewhere_only_with_the_token() {
        let local: std::net::IpAddr = "127.0.0.1".parse().expect("ip");
        let lan: std::net::IpAddr = "192.168.1.20".parse().expect("ip");
        let token = SecretString::from("scrape-me");
        assert!(scraper_allowed(local, None, None).is_ok());
        assert!(scraper_allowed(local, Some("a staff token"), Some(&token)).is_ok());
        assert!(scraper_allowed(lan, None, None).is_err(), "off loopback without a configured token");
        assert!(scraper_allowed(lan, Some("scrape-me"), None).is_err(), "no token is configured");
        assert!(scraper_allowed(lan, None, Some(&token)).is_err());
        assert!(scraper_allowed(lan, Some("scrape-you"), Some(&token)).is_err());
        assert!(scraper_allowed(lan, Some("scrape-me"), Some(&token)).is_ok());
    }
}

/// The bearer token of `Authorization`, if any.
fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The paired terminal a request came from (routes with [`Access::Terminal`]).
#[derive(Clone, Debug)]
pub struct PairedTerminal(pub crate::store::terminals::TerminalRecord);

impl<S: Send + Sync> FromRequestParts<S> for PairedTerminal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<PairedTerminal>()
            .cloned()
            .ok_or_else(|| ApiError::Unauthorized("a paired terminal's credential is needed".into()))
    }
}

/// The token from `Authorization: Bearer …`, or else from the session cookie.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string());
    bearer.filter(|t| !t.is_empty()).or_else(|| cookie(headers, SESSION_COOKIE))
}

/// The value of cookie `wanted`, if the request carries it.
pub fn cookie(headers: &HeaderMap, wanted: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (name, value) = c.trim().split_once('=')?;
        (name == wanted && !value.is_empty()).then(|| value.to_string())
    })
}

impl<S: Send + Sync> FromRequestParts<S> for SessionToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SessionToken>()
            .cloned()
            .ok_or_else(|| ApiError::Unauthorized("sign in with your PIN first".into()))
    }
}
