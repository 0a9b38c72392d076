//! `GET /api/v1/board/stream`: the pickup board, live, for a TV that nobody signs in on.
//!
//! Each message is the whole board (ticket numbers and first names), sent on connect and
//! whenever a commit changed it. A whole-state message needs no cursor: a reconnecting TV
//! simply gets the current board, so it can never show a stale ticket for long.

use super::ApiError;
use crate::service;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use crema_shared::api::BoardDto;
use futures::Stream;
use std::convert::Infallible;
use tokio::sync::watch;

struct Watch {
    state: AppState,
    latest: watch::Receiver<i64>,
    closing: watch::Receiver<bool>,
    shown: Option<BoardDto>,
}

/// The board as Server-Sent Events (`event: board`, `data` = the board), no sign-in.
#[utoipa::path(get, path = "/api/v1/board/stream", tag = "orders",
    responses((status = 200, content_type = "text/event-stream", body = BoardDto, description = "The whole board on connect and on every change")))]
pub async fn stream(
    State(state): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let keepalive = state.sse_keepalive;
    let watch = Watch { latest: state.hub.subscribe(), closing: state.hub.closing(), state, shown: None };
    Ok(Sse::new(futures::stream::unfold(watch, next_board)).keep_alive(KeepAlive::new().interval(keepalive)))
}

async fn next_board(mut w: Watch) -> Option<(Result<Event, Infallible>, Watch)> {
    loop {
        if *w.closing.borrow() {
            return None;
        }
        // Seen before reading, so a commit after the read still wakes us.
        w.latest.borrow_and_update();
        match service::orders::board(&w.state).await {
            Ok(board) if w.shown.as_ref() != Some(&board) => {
                let json = serde_json::to_string(&board).unwrap_or_default();
                w.shown = Some(board);
                return Some((Ok(Event::default().event("board").data(json)), w));
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "board stream read failed; closing it");
                return None;
            }
        }
        tokio::select! {
            changed = w.latest.changed() => if changed.is_err() { return None },
            _ = w.closing.changed() => return None,
        }
    }
}
