//! `GET /api/v1/events`: the outbox as Server-Sent Events.
//!
//! Each SSE `id` is the event's outbox sequence. A client resumes with `Last-Event-ID` (or
//! `?after=`) and gets exactly the events after it: the stream reads the outbox after its
//! own cursor and only uses the hub as a wake-up, so a reconnect has no gap and no duplicate.
//! Without a cursor the stream starts at the newest event (`?after=0` replays everything).
//!
//! Each event carries only the customer data the reader's role may see
//! ([`super::privacy`]). The stream ends within seconds of its session ending (the
//! [`EventFeed`] re-checks it). At most `CREMA_MAX_EVENT_STREAMS` are open at once.

use super::auth::SessionToken;
use super::extract::ApiQuery;
use super::ApiError;
use crate::service::cloudevents::cloud_event;
use crate::service::event_feed::EventFeed;
use crate::service::RequestContext;
use crate::state::AppState;
use crate::store::outbox::StoredEvent;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use crema_shared::api::{CloudEvent, Problem};
use crema_shared::privacy::{redact_event_data, Audience};
use crema_shared::FieldError;
use futures::Stream;
use serde::Deserialize;
use std::convert::Infallible;
use tokio::sync::OwnedSemaphorePermit;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Start after this sequence (same as `Last-Event-ID`; the header wins).
    after: Option<i64>,
}

/// Live CloudEvents (structured JSON in each SSE `data`), resumable.
#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    params(EventsQuery, ("Last-Event-ID" = Option<String>, Header, description = "Resume after this sequence")),
    responses(
        (status = 200, content_type = "text/event-stream", body = CloudEvent, description = "One SSE message per event; `id` = sequence"),
        (status = 400, body = Problem),
        (status = 503, body = Problem, description = "Too many event streams are open"),
    ))]
pub async fn stream(
    State(state): State<AppState>,
    ctx: RequestContext,
    SessionToken(token): SessionToken,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let from_header = match headers.get("last-event-id") {
        None => None,
        Some(raw) => Some(
            raw.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(|| cursor_error("Last-Event-ID"))?,
        ),
    };
    if query.after.is_some_and(|n| n < 0) {
        return Err(cursor_error("after"));
    }
    let after = from_header.or(query.after).unwrap_or_else(|| state.hub.latest());
    let slot = state
        .streams
        .events
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::Busy { detail: "too many event streams are open".into(), retry_after_secs: 30 })?;
    tracing::info!(after, "event stream opened");
    let cursor = Cursor {
        audience: super::privacy::audience(&ctx),
        _slot: slot,
        source: state.source.to_string(),
        feed: EventFeed::new(state.clone(), after).for_session(&token),
    };
    Ok(Sse::new(futures::stream::unfold(cursor, next_event)).keep_alive(KeepAlive::new().interval(state.sse_keepalive)))
}

fn cursor_error(field: &str) -> ApiError {
    ApiError::Malformed(
        format!("{field} must be a non-negative event sequence"),
        vec![FieldError::new(field, "must be a non-negative integer")],
    )
}

struct Cursor {
    audience: Audience,
    _slot: OwnedSemaphorePermit,
    source: String,
    feed: EventFeed,
}

async fn next_event(mut c: Cursor) -> Option<(Result<Event, Infallible>, Cursor)> {
    let event = c.feed.next().await?;
    let sse = to_sse(&c.source, c.audience, event);
    Some((Ok(sse), c))
}

fn to_sse(source: &str, audience: Audience, event: StoredEvent) -> Event {
    let sequence = event.sequence;
    let mut cloud = cloud_event(source, event);
    redact_event_data(&mut cloud.data, audience);
    let json = serde_json::to_string(&cloud).unwrap_or_default();
    Event::default().id(sequence.to_string()).data(json)
}
