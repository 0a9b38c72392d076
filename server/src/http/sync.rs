//! `/api/v1/sync`: on the hub, what paired terminals push and pull; on a terminal, its sync
//! status and the acknowledging of rejections. Handlers are thin: the rules are in
//! [`crate::service::sync`].

use super::auth::PairedTerminal;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::ApiError;
use crate::service::sync::{apply, feed, status};
use crate::service::RequestContext;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use crema_shared::api::Problem;
use crema_shared::sync::{HubSnapshot, PullResponse, PushRequest, PushResponse, SyncStatus, MAX_PULL};
use serde::Deserialize;
use std::time::Duration;
use uuid::Uuid;

/// Apply a terminal's commands, in order, each exactly once by its id (a retry gets the same
/// outcomes and changes nothing). One outcome per command: accepted, or rejected with a reason.
#[utoipa::path(post, path = "/api/v1/sync/commands", tag = "sync", request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 401, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn push(
    State(state): State<AppState>,
    ctx: RequestContext,
    PairedTerminal(terminal): PairedTerminal,
    body: ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    not_a_terminal(&state)?;
    Ok(Json(apply::push(&state, &ctx, &terminal, body.value).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The last sequence the terminal applied (0: from the start).
    after: i64,
    /// At most this many events (1–500, default 500).
    limit: Option<usize>,
    /// Seconds to wait for a first event when there is none yet (0–25, default 0).
    wait: Option<u64>,
}

/// The hub's event log after `after`, each order event with the order as the hub has it now.
/// With `wait`, an up-to-date terminal's request is held until something happens (a long poll).
#[utoipa::path(get, path = "/api/v1/sync/events", tag = "sync", params(PullQuery),
    responses((status = 200, body = PullResponse), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn pull(
    State(state): State<AppState>,
    PairedTerminal(_terminal): PairedTerminal,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    not_a_terminal(&state)?;
    let mut errors = crema_shared::ValidationErrors::new();
    if query.after < 0 {
        errors.push("after", "must be 0 or more");
    }
    if query.limit.is_some_and(|l| l == 0 || l > MAX_PULL) {
        errors.push("limit", format!("must be between 1 and {MAX_PULL}"));
    }
    if query.wait.is_some_and(|w| w > feed::MAX_WAIT.as_secs()) {
        errors.push("wait", format!("must be at most {} seconds", feed::MAX_WAIT.as_secs()));
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let wait = Duration::from_secs(query.wait.unwrap_or(0));
    Ok(Json(feed::pull(&state, query.after, query.limit.unwrap_or(MAX_PULL), wait).await?))
}

/// What a paired terminal takes from the hub as it is: settings, the menu with its stock, and
/// the staff's PIN verifiers sealed for this terminal alone (Crema to Crema; see docs/sync.md).
#[utoipa::path(get, path = "/api/v1/sync/snapshot", tag = "sync",
    responses((status = 200, content_type = "application/json", description = "The hub's snapshot"),
        (status = 401, body = Problem)))]
pub async fn snapshot(
    State(state): State<AppState>,
    PairedTerminal(terminal): PairedTerminal,
) -> Result<Json<HubSnapshot>, ApiError> {
    not_a_terminal(&state)?;
    Ok(Json(feed::snapshot(&state, &terminal).await?))
}

/// On a terminal: whether the hub is reachable, what waits to be pushed, how far the hub's log
/// is applied, and the hub's rejections nobody has acknowledged. 404 on a server that is not
/// a terminal.
#[utoipa::path(get, path = "/api/v1/sync/status", tag = "sync",
    responses((status = 200, body = SyncStatus), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_status(State(state): State<AppState>) -> Result<Json<SyncStatus>, ApiError> {
    Ok(Json(status::status(&state).await?))
}

/// On a terminal: someone has read a rejection; it is no longer listed.
#[utoipa::path(post, path = "/api/v1/sync/rejections/{id}/acknowledge", tag = "sync",
    params(("id" = Uuid, Path, description = "The rejected command's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn acknowledge(State(state): State<AppState>, ApiPath(id): ApiPath<Uuid>) -> Result<StatusCode, ApiError> {
    status::acknowledge(&state, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A terminal is no hub: terminals of terminals would fork the shop's log.
fn not_a_terminal(state: &AppState) -> Result<(), ApiError> {
    match &state.sync {
        Some(link) => {
            Err(ApiError::Conflict(format!("this server is a terminal of {}; pair with the hub", link.hub_url)))
        }
        None => Ok(()),
    }
}

/// What only the hub changes: on a terminal, writes under these paths are refused (the hub
/// sends its menu, staff, settings and sinks; a change made on one terminal would be
/// overwritten by the next snapshot, or fork the shop).
const HUB_ONLY: &[&str] = &["/api/v1/menu", "/api/v1/staff", "/api/v1/settings", "/api/v1/sinks", "/api/v1/terminals"];

/// Refuses, on a terminal, the writes only the hub makes (409, naming the hub).
pub async fn hub_only(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if let Some(link) = &state.sync {
        let path = request.uri().path();
        let write = !matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD);
        // 86 works offline: it is a command the terminal writes and syncs. A screen of this
        // terminal (a desktop window, a tablet) still pairs with it as its own terminal.
        let eighty_six = path.starts_with("/api/v1/menu/") && path.ends_with("/availability");
        let local_screen = path == "/api/v1/terminals/pair";
        if write
            && !eighty_six
            && !local_screen
            && HUB_ONLY.iter().any(|p| path == *p || path.starts_with(&format!("{p}/")))
        {
            let detail = format!(
                "this terminal takes its menu, staff and settings from the shop's server: change them at {}",
                link.hub_url
            );
            return ApiError::Conflict(detail).into_response();
        }
    }
    next.run(request).await
}
