//! `GET /api/v1/audit`: the append-only audit log, newest first, for managers.

use super::extract::ApiQuery;
use super::ApiError;
use crate::service;
use crate::state::AppState;
use crate::store::audit::AuditFilter;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use crema_shared::api::{AuditPage, Problem};
use crema_shared::ValidationErrors;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this person's actions.
    staff_id: Option<String>,
    /// An action (`order.cancelled`) or a prefix ending in a dot (`menu.`).
    action: Option<String>,
    /// From this time (RFC 3339), inclusive.
    since: Option<String>,
    /// Up to this time (RFC 3339), exclusive.
    until: Option<String>,
    /// 1 to 500, default 100.
    limit: Option<i64>,
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "staff", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 400, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let mut errors = ValidationErrors::new();
    let staff_id =
        q.staff_id.as_deref().and_then(|s| errors.check("staff_id", Uuid::parse_str(s).map_err(|_| "must be a UUID")));
    let time = |errors: &mut ValidationErrors, field: &str, raw: Option<&str>| {
        raw.and_then(|s| {
            errors.check(
                field,
                DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| "must be an RFC 3339 time"),
            )
        })
    };
    let since = time(&mut errors, "since", q.since.as_deref());
    let until = time(&mut errors, "until", q.until.as_deref());
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        errors.push("limit", "must be between 1 and 500");
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        errors.push("offset", "must not be negative");
    }
    if !errors.is_empty() {
        return Err(ApiError::Malformed("bad query parameters".into(), errors.into_errors()));
    }
    let filter = AuditFilter { staff_id, action: q.action, since, until, limit, offset };
    Ok(Json(service::audit::list(&state, filter).await?))
}
