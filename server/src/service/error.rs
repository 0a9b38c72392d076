//! The one error type of the use cases; the HTTP layer maps it to problem+json once.

use crate::store::{Done, JobError, StoreError};
use crema_shared::lifecycle::TransitionError;
use crema_shared::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input: {0}")]
    Validation(#[from] ValidationErrors),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Transition(TransitionError),
    #[error("stale version: expected {expected}, current {current}")]
    Stale { expected: i64, current: i64 },
    #[error("{0}")]
    Conflict(String),
    #[error("the Idempotency-Key was used with a different request")]
    IdempotencyMismatch,
    #[error("not signed in: {0}")]
    Unauthorized(String),
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("too many failed sign-ins; retry in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("busy; retry in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Store(StoreError::Database(e))
    }
}

/// Inside a write job: a store failure poisons the batch, anything else is a refusal made
/// before writing (the job functions check everything before they write).
impl From<ServiceError> for JobError<ServiceError> {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Store(store) => JobError::Store(store),
            refusal => JobError::Refused(refusal),
        }
    }
}

impl From<ValidationErrors> for JobError<ServiceError> {
    fn from(e: ValidationErrors) -> Self {
        JobError::Refused(ServiceError::Validation(e))
    }
}

/// What a write job returns.
pub type JobResult<T> = Result<Done<T>, JobError<ServiceError>>;
