//! Checks shared by the list endpoints' query strings: times and paging.

use super::ApiError;
use chrono::{DateTime, Utc};
use crema_shared::ValidationErrors;

/// An optional RFC 3339 time under `field`.
pub fn time(errors: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<DateTime<Utc>> {
    raw.and_then(|s| {
        errors.check(
            field,
            DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| "must be an RFC 3339 time"),
        )
    })
}

/// `(limit, offset)`: `limit` in `1..=max` (default `default`), `offset` not negative.
pub fn page(
    errors: &mut ValidationErrors,
    limit: Option<i64>,
    offset: Option<i64>,
    default: i64,
    max: i64,
) -> (i64, i64) {
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        errors.push("limit", format!("must be between 1 and {max}"));
    }
    let offset = offset.unwrap_or(0);
    if offset < 0 {
        errors.push("offset", "must not be negative");
    }
    (limit, offset)
}

/// A 400 naming every bad parameter, if there is one.
pub fn finish(errors: ValidationErrors) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Malformed("bad query parameters".into(), errors.into_errors()))
    }
}
