//! `GET /api/v1/events`: the outbox as Server-Sent Events.
//!
//! Each SSE `id` is the event's outbox sequence. A client resumes with `Last-Event-ID` (or
//! `?after=`) and gets exactly the events after it: the stream reads the outbox after its
//! own cursor and only uses the hub as a wake-up, so a reconnect has no gap and no duplicate.
//! Without a cursor the stream starts at the newest event (`?after=0` replays everything).
//!
//! Each event carries only the customer data the reader's role may see
//! ([`super::privacy`]). The stream ends within seconds of its session ending (sign-out,
//! deactivation, PIN reset, expiry): it re-checks the session whenever sessions end and
//! every [`SESSION_CHECK`]. At most `CREMA_MAX_EVENT_STREAMS` are open at once.

use super::auth::SessionToken;
use super::extract::ApiQuery;
use super::ApiError;
use crate::service::cloudevents::cloud_event;
use crate::service::staff::auth;
use crate::service::RequestContext;
use crate::state::AppState;
use crate::store::outbox::{self, StoredEvent};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use crema_shared::api::{CloudEvent, Problem};
use crema_shared::privacy::{redact_event_data, Audience};
use crema_shared::FieldError;
use futures::Stream;
use serde::Deserialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::{watch, OwnedSemaphorePermit};

const BATCH: i64 = 256;
/// How often an open stream re-checks its session (it also does when any session ends).
const SESSION_CHECK: Duration = Duration::from_secs(5);

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
    let mut session_check = tokio::time::interval(SESSION_CHECK);
    session_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let cursor = Cursor {
        audience: super::privacy::audience(&ctx),
        session: auth::token_hash(&token),
        sessions_changed: state.auth.sessions_changed(),
        session_check,
        _slot: slot,
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
    audience: Audience,
    /// The stream's session (its token's hash), re-checked while the stream is open.
    session: String,
    sessions_changed: watch::Receiver<u64>,
    session_check: tokio::time::Interval,
    _slot: OwnedSemaphorePermit,
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
            let sse = to_sse(&c.source, c.audience, event);
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
            _ = c.sessions_changed.changed() => if !session_stands(&c).await { return None },
            _ = c.session_check.tick() => if !session_stands(&c).await { return None },
        }
    }
}

/// Whether the stream's session is still live (an error reading it ends the stream too: the
/// client reconnects, and is asked to sign in if it must).
async fn session_stands(c: &Cursor) -> bool {
    match auth::check(&c.state, &c.session).await {
        Ok(Some(_)) => true,
        Ok(None) => {
            tracing::info!("event stream closed: its session ended");
            false
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot check an event stream's session; closing it");
            false
        }
    }
}

fn to_sse(source: &str, audience: Audience, event: StoredEvent) -> Event {
    let sequence = event.sequence;
    let mut cloud = cloud_event(source, event);
    redact_event_data(&mut cloud.data, audience);
    let json = serde_json::to_string(&cloud).unwrap_or_default();
    Event::default().id(sequence.to_string()).data(json)
}
