//! Managers watch the durable jobs and retry the dead ones.

use super::extract::{ApiPath, ApiQuery};
use super::{query, ApiError};
use crate::service::{self, RequestContext};
use crate::state::AppState;
use crate::store::jobs::{JobFilter, JobRecord, JobState};
use axum::extract::State;
use axum::Json;
use crema_shared::api::{JobDto, JobPage, Problem};
use crema_shared::ValidationErrors;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobsQuery {
    /// `pending`, `running`, `succeeded` or `dead`.
    state: Option<String>,
    /// A job kind, e.g. `order.sla_check`.
    kind: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Jobs, newest first, with their last error.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobsQuery),
    responses((status = 200, body = JobPage), (status = 400, body = Problem)))]
pub async fn list(State(state): State<AppState>, ApiQuery(q): ApiQuery<JobsQuery>) -> Result<Json<JobPage>, ApiError> {
    let mut errors = ValidationErrors::new();
    let job_state = q.state.as_deref().and_then(|s| {
        let names: Vec<&str> = JobState::ALL.iter().map(|s| s.as_str()).collect();
        errors.check("state", JobState::parse(s).ok_or_else(|| format!("must be one of {}", names.join(", "))))
    });
    let (limit, offset) = query::page(&mut errors, q.limit, q.offset, 50, 200);
    query::finish(errors)?;
    let filter = JobFilter { state: job_state, kind: q.kind, limit, offset };
    let (found, more) = service::jobs::list(&state, filter).await?;
    Ok(Json(JobPage { jobs: found.iter().map(job_dto).collect(), next_offset: more.then_some(offset + limit) }))
}

/// Retries a dead job: its attempts start again and it is due now.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs", params(("id" = Uuid, Path)),
    responses((status = 200, body = JobDto), (status = 404, body = Problem), (status = 409, body = Problem, description = "The job is not dead")))]
pub async fn retry(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<JobDto>, ApiError> {
    Ok(Json(job_dto(&service::jobs::retry(&state, &ctx, id).await?)))
}

pub fn job_dto(job: &JobRecord) -> JobDto {
    JobDto {
        id: job.id,
        kind: job.kind.clone(),
        state: job.state.as_str().to_string(),
        attempts: job.attempts,
        run_at: job.run_at,
        last_error: job.last_error.clone(),
        payload: job.payload.clone(),
        created_at: job.created_at,
        updated_at: job.updated_at,
    }
}
