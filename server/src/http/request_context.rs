//! Gives every request an id (kept from a sane `x-request-id` header or made fresh) and a
//! W3C `traceparent`, runs it inside a `request` span so every log line of that request
//! carries the id, echoes both headers on the response, and makes the context available to
//! handlers (for the events they cause) and to error bodies. When traces are exported the
//! span continues the caller's trace and *is* the traceparent handed on; either way the
//! answer is counted and timed by route for `/metrics`.

use crate::service::context::traceparent_for;
use crate::service::RequestContext;
use crate::state::AppState;
use crate::telemetry::propagation;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::convert::Infallible;
use std::time::Instant;
use tracing::Instrument;
use uuid::Uuid;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled on this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

pub async fn middleware(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| is_sane_id(id))
        .map(str::to_string)
        .unwrap_or_else(|| Uuid::now_v7().to_string());
    let incoming = request.headers().get("traceparent").and_then(|v| v.to_str().ok());
    let grpc_route = crate::grpc::access::rule(request.uri().path()).map(|_| request.uri().path().to_string());
    // The span is named before routing (its trace context is handed on at once): the gRPC
    // method, or the HTTP method with the route recorded as `http.route` once matched.
    let name = match &grpc_route {
        Some(path) => path.trim_start_matches('/').to_string(),
        None => request.method().to_string(),
    };
    let span = tracing::info_span!(
        "request",
        otel.kind = "server",
        otel.name = %name,
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
        http.route = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        staff_id = tracing::field::Empty,
        terminal = tracing::field::Empty,
    );
    propagation::continue_from(&span, incoming);
    let traceparent = propagation::traceparent_of(&span).unwrap_or_else(|| traceparent_for(incoming));
    let context = RequestContext { traceparent: traceparent.clone(), request_id: request_id.clone(), actor: None };
    request.extensions_mut().insert(context);
    let method = request.method().clone();
    let started = Instant::now();
    let mut response = REQUEST_ID.scope(request_id.clone(), next.run(request).instrument(span.clone())).await;
    let route = match response.extensions().get::<MatchedRoute>() {
        Some(MatchedRoute(route)) => route.to_string(),
        None => grpc_route.unwrap_or_else(|| "unmatched".into()),
    };
    let status = response.status().as_u16();
    state.metrics.answered(method.as_str(), &route, status, started.elapsed());
    span.record("http.route", route.as_str());
    span.record("http.response.status_code", status);
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "answered"
        )
    });
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID_HEADER, v);
    }
    if let Ok(v) = HeaderValue::from_str(&traceparent) {
        headers.insert("traceparent", v);
    }
    response
}

/// The route pattern a request matched (`/api/v1/orders/{id}`), left on the response by
/// [`mark_route`] for the metrics' `route` label.
#[derive(Clone, Debug)]
pub struct MatchedRoute(pub std::sync::Arc<str>);

/// A route layer: notes which registered route answered.
pub async fn mark_route(matched: Option<axum::extract::MatchedPath>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(matched) = matched {
        response.extensions_mut().insert(MatchedRoute(matched.as_str().into()));
    }
    response
}

fn is_sane_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<RequestContext>().cloned().unwrap_or_else(RequestContext::internal))
    }
}
