//! `GET /api/v1/events`: the outbox as Server-Sent Events.
//!
//! Each SSE `id` is the event's outbox sequence. A client resumes with `Last-Event-ID` (or
//! `?after=`) and gets exactly the events after it: the stream reads the outbox after its
//! own cursor and only uses the hub as a wake-up, so a reconnect has no gap and no duplicate.
//! Without a cursor the stream starts at the newest event (`?after=0` replays everything).

use super::extract::ApiQuery;
use super::ApiError;
use crate::service::cloudevents::cloud_event;
use crate::state::AppState;
use crate::store::outbox::{self, StoredEvent};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use crema_shared::api::{CloudEvent, Problem};
use crema_shared::FieldError;
use futures::Stream;
use serde::Deserialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::watch;

const BATCH: i64 = 256;

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
    ))]
pub async fn stream(
    State(state): State<AppState>,
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
    tracing::info!(after, "event stream opened");
    let cursor = Cursor {
        latest: state.hub.subscribe(),
        closing: state.hub.closing(),
        keepalive: state.sse_keepalive,
        source: state.source.to_string(),
        state,
        after,
        buffer: VecDeque::new(),
    };
    let keepalive = cursor.keepalive;
    Ok(Sse::new(futures::stream::unfold(cursor, next_event)).keep_alive(KeepAlive::new().interval(keepalive)))
}

fn cursor_error(field: &str) -> ApiError {
    ApiError::Malformed(
        format!("{field} must be a non-negative event sequence"),
        vec![FieldError::new(field, "must be a non-negative integer")],
    )
}

struct Cursor {
    state: AppState,
    after: i64,
    buffer: VecDeque<StoredEvent>,
    latest: watch::Receiver<i64>,
    closing: watch::Receiver<bool>,
    keepalive: Duration,
    source: String,
}

async fn next_event(mut c: Cursor) -> Option<(Result<Event, Infallible>, Cursor)> {
    loop {
        if let Some(event) = c.buffer.pop_front() {
            c.after = event.sequence;
            let sse = to_sse(&c.source, event);
            return Some((Ok(sse), c));
        }
        if *c.closing.borrow() {
            return None;
        }
        // Mark the wake-up seen *before* reading, so a commit after the read still wakes us.
        c.latest.borrow_and_update();
        match outbox::read_after(c.state.store.reader(), c.after, BATCH).await {
            Ok(events) if !events.is_empty() => {
                c.buffer.extend(events);
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                // The client reconnects with Last-Event-ID and loses nothing.
                tracing::error!(error = %e, after = c.after, "event stream read failed; closing it");
                return None;
            }
        }
        tokio::select! {
            changed = c.latest.changed() => if changed.is_err() { return None },
            _ = c.closing.changed() => return None,
        }
    }
}

fn to_sse(source: &str, event: StoredEvent) -> Event {
    let sequence = event.sequence;
    let json = serde_json::to_string(&cloud_event(source, event)).unwrap_or_default();
    Event::default().id(sequence.to_string()).data(json)
}
