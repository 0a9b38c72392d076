//! Gives every request an id (kept from a sane `x-request-id` header or made fresh) and a
//! W3C `traceparent`, runs it inside a `request` span so every log line of that request
//! carries the id, echoes both headers on the response, and makes the context available to
//! handlers (for the events they cause) and to error bodies.

use crate::service::context::traceparent_for;
use crate::service::RequestContext;
use crate::state::AppState;
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
    let context =
        RequestContext { traceparent: traceparent_for(incoming), request_id: request_id.clone(), actor: None };
    let traceparent = context.traceparent.clone();
    request.extensions_mut().insert(context);
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
        staff_id = tracing::field::Empty,
        terminal = tracing::field::Empty,
    );
    let started = Instant::now();
    let mut response = REQUEST_ID.scope(request_id.clone(), next.run(request).instrument(span.clone())).await;
    state.requests.count(response.status().as_u16());
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
