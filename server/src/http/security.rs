//! Browser-facing protections: the `Host` check against DNS rebinding, CORS limited to the
//! server's own origin and the configured ones, and security headers on every answer.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use std::sync::Arc;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Refuses (421) a request whose `Host` is not one of the server's names.
///
/// A DNS-rebinding page (`evil.example` re-pointed at the shop's server) makes the customer's
/// browser send requests the server would take as same-origin; they carry `Host:
/// evil.example`. Accepted: IP addresses (rebinding needs a name), `localhost`, and the names
/// in `CREMA_SERVER_NAMES`.
pub async fn allowed_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()));
    match host {
        Some(host) if !host_allowed(&host, &state.network.server_names) => {
            tracing::warn!(host, "refused a request for a host name that is not this server's");
            super::ApiError::Misdirected.into_response()
        }
        _ => next.run(request).await,
    }
}

/// Whether `host` (`name[:port]`, `[v6]:port`) names this server.
pub fn host_allowed(host: &str, names: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host
            .rsplit_once(':')
            .map_or(host, |(name, port)| if port.chars().all(|c| c.is_ascii_digit()) { name } else { host }),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.parse::<IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || names.iter().any(|n| n.trim_end_matches('.').eq_ignore_ascii_case(&name))
}

/// CORS: an origin is allowed if it is the server's own (`http://<Host>`) or configured.
pub fn cors(configured: Arc<[String]>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, parts| {
            let Ok(origin) = origin.to_str() else { return false };
            let own = parts
                .headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .is_some_and(|host| origin == format!("http://{host}") || origin == format!("https://{host}"));
            own || configured.iter().any(|allowed| allowed == origin)
        }))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("last-event-id"),
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("x-crema-terminal"),
            // gRPC-Web from a browser.
            HeaderName::from_static("x-grpc-web"),
            HeaderName::from_static("x-user-agent"),
            HeaderName::from_static("grpc-timeout"),
        ])
        .expose_headers([
            header::ETAG,
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("idempotent-replayed"),
            HeaderName::from_static("grpc-status"),
            HeaderName::from_static("grpc-message"),
        ])
}

/// Scripts and styles only from the server itself; `wasm-unsafe-eval` lets the screens'
/// WebAssembly compile (it allows no JavaScript `eval`); inline `style` attributes are
/// allowed for the chart's bar heights.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// `nosniff`, no framing, no referrer; a strict CSP except on the API docs page (Swagger UI
/// runs an inline script).
pub async fn headers(request: Request, next: Next) -> Response {
    let docs = request.uri().path().starts_with(super::openapi::DOCS_PATH);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !docs {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[test]
    fn only_the_servers_own_names_are_hosts() {
        let names = vec!["crema.shop.lan".to_string()];
        for ok in
            ["127.0.0.1:8080", "192.168.1.10", "[::1]:8080", "localhost:8080", "crema.shop.lan:8443", "CREMA.shop.lan."]
        {
            assert!(host_allowed(ok, &names), "{ok}");
        }
        for refused in ["evil.example", "evil.example:8080", "crema.shop.lan.evil.example", "1.2.3.4.nip.io"] {
            assert!(!host_allowed(refused, &names), "{refused}");
        }
    }
}
