//! Browser-facing protections: CORS limited to the server's own origin and the configured
//! ones, and security headers on every answer.

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use tower_http::cors::{AllowOrigin, CorsLayer};

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
        ])
        .expose_headers([
            header::ETAG,
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("idempotent-replayed"),
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
