//! `GET /api/v1/board/stream`: the pickup board, live, for a TV that nobody signs in on.
//!
//! Each message is the whole board (ticket numbers and first names), sent on connect and
//! whenever a commit changed it. A whole-state message needs no cursor: a reconnecting TV
//! simply gets the current board. The board is read and encoded once per change for all
//! streams ([`crate::service::orders::board_feed`]): a stream only copies a shared frame into its
//! connection. At most `CREMA_MAX_BOARD_STREAMS` are open at once.

use super::ApiError;
use crate::service::orders::board_feed::BoardJson;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use crema_shared::api::{BoardDto, Problem};
use std::convert::Infallible;
use tokio::sync::{watch, OwnedSemaphorePermit};

struct Watch {
    board: watch::Receiver<Option<BoardJson>>,
    closing: watch::Receiver<bool>,
    keepalive: tokio::time::Interval,
    _slot: OwnedSemaphorePermit,
}

/// The board as Server-Sent Events (`event: board`, `data` = the board), no sign-in.
#[utoipa::path(get, path = "/api/v1/board/stream", tag = "orders",
    responses(
        (status = 200, content_type = "text/event-stream", body = BoardDto, description = "The whole board on connect and on every change"),
        (status = 503, body = Problem, description = "Too many board streams are open"),
    ))]
pub async fn stream(State(state): State<AppState>) -> Result<Response, ApiError> {
    let slot = state.streams.board.clone().try_acquire_owned().map_err(|_| ApiError::Busy {
        detail: "too many pickup-board streams are open".into(),
        retry_after_secs: 30,
    })?;
    let mut keepalive =
        tokio::time::interval_at(tokio::time::Instant::now() + state.sse_keepalive, state.sse_keepalive);
    keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let watch = Watch { board: state.board.subscribe(), closing: state.hub.closing(), keepalive, _slot: slot };
    let body = Body::from_stream(futures::stream::unfold(watch, next_frame));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// The next frame: the board when it changed (a new stream's receiver starts marked changed,
/// so the current board goes first), or a keep-alive comment when idle.
async fn next_frame(mut w: Watch) -> Option<(Result<Bytes, Infallible>, Watch)> {
    loop {
        if *w.closing.borrow() {
            return None;
        }
        tokio::select! {
            changed = w.board.changed() => if changed.is_err() { return None },
            _ = w.keepalive.tick() => return Some((Ok(Bytes::from_static(b":\n\n")), w)),
            _ = w.closing.changed() => return None,
        }
        let shown = w.board.borrow_and_update().clone();
        if let Some(frame) = shown {
            return Some((Ok(frame), w));
        }
    }
}
