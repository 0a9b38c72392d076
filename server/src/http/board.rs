//! `GET /api/v1/board/stream`: the pickup board, live, for a TV that nobody signs in on.
//!
//! Each message is the whole board (ticket numbers and first names), sent on connect and
//! whenever a commit changed it. A whole-state message needs no cursor: a reconnecting TV
//! simply gets the current board. The board is computed once per change for all streams
//! ([`crate::service::board_feed`]), and at most `CREMA_MAX_BOARD_STREAMS` are open at once.

use super::ApiError;
use crate::service::board_feed::BoardJson;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use crema_shared::api::{BoardDto, Problem};
use futures::Stream;
use std::convert::Infallible;
use tokio::sync::{watch, OwnedSemaphorePermit};

struct Watch {
    board: watch::Receiver<Option<BoardJson>>,
    closing: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
}

/// The board as Server-Sent Events (`event: board`, `data` = the board), no sign-in.
#[utoipa::path(get, path = "/api/v1/board/stream", tag = "orders",
    responses(
        (status = 200, content_type = "text/event-stream", body = BoardDto, description = "The whole board on connect and on every change"),
        (status = 503, body = Problem, description = "Too many board streams are open"),
    ))]
pub async fn stream(
    State(state): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let slot = state.streams.board.clone().try_acquire_owned().map_err(|_| ApiError::Busy {
        detail: "too many pickup-board streams are open".into(),
        retry_after_secs: 30,
    })?;
    let keepalive = state.sse_keepalive;
    let watch = Watch { board: state.board.subscribe(), closing: state.hub.closing(), _slot: slot };
    Ok(Sse::new(futures::stream::unfold(watch, next_board)).keep_alive(KeepAlive::new().interval(keepalive)))
}

async fn next_board(mut w: Watch) -> Option<(Result<Event, Infallible>, Watch)> {
    loop {
        if *w.closing.borrow() {
            return None;
        }
        // A new stream's receiver starts marked changed, so the current board goes first.
        tokio::select! {
            changed = w.board.changed() => if changed.is_err() { return None },
            _ = w.closing.changed() => return None,
        }
        let shown = w.board.borrow_and_update().clone();
        if let Some(json) = shown {
            return Some((Ok(Event::default().event("board").data(json.as_ref())), w));
        }
    }
}
