//! One error type for the HTTP layer, turned into RFC 9457 problem+json in one place.
//!
//! 4xx bodies explain what to fix and name the fields; a 5xx body says only that something
//! went wrong and gives the request id; the detail goes to the log, never to the client.

use super::request_context::current_request_id;
use crate::service::ServiceError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use crema_shared::api::Problem;
use crema_shared::lifecycle::TransitionError;
use crema_shared::{FieldError, ValidationErrors};

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request")]
    Validation(Vec<FieldError>),
    #[error("malformed request: {0}")]
    Malformed(String, Vec<FieldError>),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("{0} not found")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{detail}")]
    IllegalTransition { detail: String, current_status: String },
    #[error("stale version {expected}, current {current}")]
    Stale { expected: i64, current: i64 },
    #[error("{0}")]
    Conflict(String),
    #[error("idempotency key reused with a different request")]
    IdempotencyMismatch,
    #[error("not signed in: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Full for now (PIN checkers, streams): retry after a moment. Not an error of ours.
    #[error("busy: {detail}")]
    Busy { detail: String, retry_after_secs: u64 },
    /// The `Host` is not one of this server's names (DNS rebinding).
    #[error("misdirected request")]
    Misdirected,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid request"),
            ApiError::Malformed(..) => (StatusCode::BAD_REQUEST, "malformed", "Malformed request"),
            ApiError::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type")
            }
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
            ApiError::IllegalTransition { .. } => (StatusCode::CONFLICT, "illegal-transition", "Illegal transition"),
            ApiError::Stale { .. } => (StatusCode::CONFLICT, "stale-version", "Stale version"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::IdempotencyMismatch => {
                (StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused", "Idempotency key reused")
            }
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", "Sign in first"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed for your role"),
            ApiError::TooManyRequests { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "too-many-attempts", "Too many failed attempts")
            }
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service unavailable"),
            ApiError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, "busy", "Busy, retry shortly"),
            ApiError::Misdirected => (StatusCode::MISDIRECTED_REQUEST, "misdirected", "Not this server's name"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal server error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (status, slug, title) = self.parts();
        let (detail, errors, current_status) = match self {
            ApiError::Validation(errors) => {
                let detail = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                (detail, errors.clone(), None)
            }
            ApiError::Malformed(detail, errors) => (detail.clone(), errors.clone(), None),
            ApiError::UnsupportedMediaType => ("send the body as Content-Type: application/json".into(), vec![], None),
            ApiError::NotFound(what) => (format!("no such {what}"), vec![], None),
            ApiError::MethodNotAllowed => ("this path does not accept that method".into(), vec![], None),
            ApiError::IllegalTransition { detail, current_status } => {
                (detail.clone(), vec![], Some(current_status.clone()))
            }
            ApiError::Stale { expected, current } => (
                format!("you sent version {expected} but it is now at version {current}; reload and retry"),
                vec![],
                None,
            ),
            ApiError::Conflict(detail) => (detail.clone(), vec![], None),
            ApiError::IdempotencyMismatch => (
                "this Idempotency-Key was first used with a different request body; use a new key for a new request"
                    .into(),
                vec![],
                None,
            ),
            ApiError::Unauthorized(detail) | ApiError::Forbidden(detail) => (detail.clone(), vec![], None),
            ApiError::TooManyRequests { retry_after_secs } => {
                (format!("too many wrong attempts from this terminal; try again in {retry_after_secs} s"), vec![], None)
            }
            ApiError::Busy { detail, retry_after_secs } => {
                (format!("{detail}; try again in {retry_after_secs} s"), vec![], None)
            }
            ApiError::Misdirected => (
                "this server does not answer to that host name; use its address or a name in CREMA_SERVER_NAMES".into(),
                vec![],
                None,
            ),
            ApiError::Unavailable(_) => ("the service cannot answer right now; retry shortly".into(), vec![], None),
            ApiError::Internal(_) => ("something went wrong on our side; it has been logged".into(), vec![], None),
        };
        Problem {
            type_uri: format!("/problems/{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            errors,
            request_id: current_request_id(),
            current_status,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        match &self {
            ApiError::Internal(detail) | ApiError::Unavailable(detail) => {
                tracing::error!(error = %detail, status = problem.status, "request failed");
            }
            _ => {
                tracing::debug!(status = problem.status, detail = %problem.detail, "request refused")
            }
        }
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match &self {
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"crema\""));
            }
            ApiError::TooManyRequests { retry_after_secs } | ApiError::Busy { retry_after_secs, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            _ => {}
        }
        response
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::Validation(e.into_errors())
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Validation(v) => v.into(),
            ServiceError::NotFound(what) => ApiError::NotFound(what.to_string()),
            ServiceError::Transition(t) => transition(t),
            ServiceError::Stale { expected, current } => ApiError::Stale { expected, current },
            ServiceError::Conflict(detail) => ApiError::Conflict(detail),
            ServiceError::IdempotencyMismatch => ApiError::IdempotencyMismatch,
            ServiceError::Unauthorized(detail) => ApiError::Unauthorized(detail),
            ServiceError::Forbidden(detail) => ApiError::Forbidden(detail),
            ServiceError::TooManyAttempts { retry_after_secs } => ApiError::TooManyRequests { retry_after_secs },
            ServiceError::Busy { retry_after_secs } => {
                ApiError::Busy { detail: "every PIN checker is busy".into(), retry_after_secs }
            }
            ServiceError::Store(store) => ApiError::Internal(store.to_string()),
        }
    }
}

fn transition(e: TransitionError) -> ApiError {
    let detail = e.to_string();
    match e {
        TransitionError::IllegalTransition { current, .. } => {
            ApiError::IllegalTransition { detail, current_status: current.to_string() }
        }
        TransitionError::IllegalLineTransition { current, .. } => {
            ApiError::IllegalTransition { detail, current_status: current.to_string() }
        }
        TransitionError::UnknownLine(_) => ApiError::NotFound("line on this order".into()),
        TransitionError::AlreadyPaid(status) => {
            ApiError::IllegalTransition { detail, current_status: status.to_string() }
        }
        TransitionError::InsufficientTender { .. } => ApiError::field("tendered_cents", detail),
        TransitionError::PaymentState(status, _) => {
            ApiError::IllegalTransition { detail, current_status: status.to_string() }
        }
        TransitionError::RefundTooLarge { .. } => ApiError::field("amount_cents", detail),
        TransitionError::TipTooLarge { .. } | TransitionError::TipBeyondLimit { .. } => {
            ApiError::field("tip_cents", detail)
        }
        TransitionError::PartTooLarge { .. } => ApiError::field("part_cents", detail),
        TransitionError::VoidBelowPaid { .. } => {
            ApiError::IllegalTransition { detail, current_status: "partly_paid".into() }
        }
        TransitionError::AwaitingPayment => {
            ApiError::IllegalTransition { detail, current_status: "awaiting_payment".into() }
        }
    }
}
