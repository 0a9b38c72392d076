//! `GET /api/v1/audit`: the append-only audit log, newest first, for managers.

use super::extract::ApiQuery;
use super::query;
use super::ApiError;
use crate::service;
use crate::state::AppState;
use crate::store::audit::AuditFilter;
use axum::extract::State;
use axum::Json;
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
    let since = query::time(&mut errors, "since", q.since.as_deref());
    let until = query::time(&mut errors, "until", q.until.as_deref());
    let (limit, offset) = query::page(&mut errors, q.limit, q.offset, 100, 500);
    query::finish(errors)?;
    let filter = AuditFilter { staff_id, action: q.action, since, until, limit, offset };
    Ok(Json(service::shop::audit::list(&state, filter).await?))
}
