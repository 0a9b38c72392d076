//! Errors on gRPC: the HTTP face's [`ApiError`] (itself mapped once from the services'
//! errors) as a gRPC status, in one place.
//!
//! Invalid input is `INVALID_ARGUMENT` with a `google.rpc.BadRequest` detail whose field
//! violations carry REST's field paths; an illegal transition is `FAILED_PRECONDITION` with a
//! `google.rpc.ErrorInfo` naming the order's current status; a stale `expected_version` is
//! `ABORTED`. As on REST, an internal error says only that something went wrong and gives the
//! request id (`google.rpc.RequestInfo`); the detail goes to the log.

use super::pb::crema::v1 as pb;
use crate::http::ApiError;
use crate::service::ServiceError;
use crema_shared::{FieldError, ValidationErrors};
use std::collections::HashMap;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// The gRPC status for an error of the HTTP face.
pub fn status(e: ApiError) -> Status {
    let problem = e.problem();
    let request_id = problem.request_id.clone().unwrap_or_default();
    match e {
        ApiError::Validation(errors) | ApiError::Malformed(_, errors) => invalid(&problem.detail, &errors),
        ApiError::NotFound(_) => Status::not_found(problem.detail),
        ApiError::IllegalTransition { detail, current_status } => Status::with_error_details(
            Code::FailedPrecondition,
            detail,
            ErrorDetails::with_error_info(
                "ILLEGAL_TRANSITION",
                "crema",
                HashMap::from([("current_status".to_string(), current_status)]),
            ),
        ),
        ApiError::Stale { .. } => Status::aborted(problem.detail),
        ApiError::Conflict(detail) => Status::failed_precondition(detail),
        ApiError::IdempotencyMismatch => Status::already_exists(
            "this request_id was first used with a different request; use a new request_id for a new request",
        ),
        ApiError::Unauthorized(detail) => Status::unauthenticated(detail),
        ApiError::Forbidden(detail) => Status::permission_denied(detail),
        ApiError::TooManyRequests { .. } | ApiError::Busy { .. } => Status::resource_exhausted(problem.detail),
        ApiError::MethodNotAllowed | ApiError::UnsupportedMediaType => Status::unimplemented(problem.detail),
        ApiError::Misdirected => Status::invalid_argument(problem.detail),
        ApiError::Unavailable(detail) => {
            tracing::error!(error = %detail, "gRPC call failed");
            Status::unavailable(problem.detail)
        }
        ApiError::Internal(detail) => {
            tracing::error!(error = %detail, "gRPC call failed");
            Status::with_error_details(
                Code::Internal,
                problem.detail,
                ErrorDetails::with_request_info(request_id, String::new()),
            )
        }
    }
}

/// `INVALID_ARGUMENT` naming each field.
pub fn invalid(message: &str, errors: &[FieldError]) -> Status {
    let violations: Vec<tonic_types::FieldViolation> =
        errors.iter().map(|e| tonic_types::FieldViolation::new(e.field.clone(), e.message.clone())).collect();
    let message = if message.is_empty() { "invalid request" } else { message };
    Status::with_error_details(Code::InvalidArgument, message, ErrorDetails::with_bad_request(violations))
}

/// `INVALID_ARGUMENT` for fields a gRPC handler found wrong while parsing.
pub fn fields(errors: ValidationErrors) -> Status {
    status(ApiError::from(errors))
}

/// A service error as a gRPC status.
pub fn service(e: ServiceError) -> Status {
    status(ApiError::from(e))
}

/// `INTERNAL` for something that cannot go wrong with sane data (the detail is logged).
pub fn internal(e: impl std::fmt::Display) -> Status {
    status(ApiError::Internal(e.to_string()))
}

/// A status as the batch and tracking streams report one item's refusal.
pub fn failure(status: &Status) -> pb::Failure {
    let details = status.get_error_details();
    let field_violations = details
        .bad_request()
        .map(|b| {
            b.field_violations
                .iter()
                .map(|v| pb::FieldViolation { field: v.field.clone(), description: v.description.clone() })
                .collect()
        })
        .unwrap_or_default();
    pb::Failure { code: status.code() as i32, message: status.message().to_string(), field_violations }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_become_invalid_argument_with_the_same_field_paths() {
        let mut errors = ValidationErrors::new();
        errors.push("lines[0].item_id", "no such item on the menu");
        errors.push("tendered_cents", "is required for cash");
        let status = fields(errors);
        assert_eq!(status.code(), Code::InvalidArgument);
        let failure = failure(&status);
        let paths: Vec<&str> = failure.field_violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(paths, ["lines[0].item_id", "tendered_cents"]);
        assert_eq!(failure.code, Code::InvalidArgument as i32);
    }

    #[test]
    fn an_illegal_transition_names_the_current_status() {
        let status = status(ApiError::IllegalTransition {
            detail: "cannot accept an order that is ready".into(),
            current_status: "ready".into(),
        });
        assert_eq!(status.code(), Code::FailedPrecondition);
        let details = status.get_error_details();
        let info = details.error_info().expect("error info");
        assert_eq!(info.metadata.get("current_status").map(String::as_str), Some("ready"));
    }

    #[test]
    fn an_internal_error_hides_its_detail() {
        let status = status(ApiError::Internal("disk I/O error at /var/lib/crema".into()));
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("/var/lib"), "{}", status.message());
    }
}
