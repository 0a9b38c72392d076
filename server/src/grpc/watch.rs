//! The server streams: `WatchEvents` (the event log after a sequence), `WatchOrder` (one
//! order until it is completed or cancelled) and `WatchMenu` (the menu whenever it changes).
//! Each reads the [`EventFeed`], so a stream resumed from the last sequence it saw misses
//! nothing and repeats nothing; a signed-in stream ends within seconds of its session, and
//! every stream ends when the server shuts down. Each takes a slot of the live-stream caps
//! (`CREMA_MAX_EVENT_STREAMS` for staff streams, the board's cap for the public menu):
//! past it, `RESOURCE_EXHAUSTED`.

use super::cloudevent::to_proto;
use super::follow::{finished, Followed};
use super::pb::crema::v1 as pb;
use super::pb::io::cloudevents::v1::CloudEvent;
use super::{context, messages, parse, session, status};
use crate::http::privacy;
use crate::service::event_feed::EventFeed;
use crate::service::{self};
use crate::state::AppState;
use crema_shared::events::types;
use crema_shared::ValidationErrors;
use futures::stream::{self, BoxStream, StreamExt};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::{Request, Status};

/// A slot of `cap`, or `RESOURCE_EXHAUSTED`.
pub fn slot(cap: &Arc<Semaphore>) -> Result<OwnedSemaphorePermit, Status> {
    cap.clone()
        .try_acquire_owned()
        .map_err(|_| Status::resource_exhausted("too many live streams are open; retry in a moment"))
}

/// A feed for the caller: ending with their session, if they have one.
pub fn feed<T>(state: &AppState, request: &Request<T>, after: i64) -> EventFeed {
    let feed = EventFeed::new(state.clone(), after);
    match session(request) {
        Some(token) => feed.for_session(&token),
        None => feed,
    }
}

pub async fn events(
    state: &AppState,
    request: Request<pb::WatchEventsRequest>,
) -> Result<BoxStream<'static, Result<CloudEvent, Status>>, Status> {
    let after = match request.get_ref().after_sequence {
        Some(after) if after < 0 => {
            return Err(status::fields(ValidationErrors::single("after_sequence", "must be a non-negative integer")))
        }
        Some(after) => after,
        None => state.hub.latest(),
    };
    let slot = slot(&state.streams.events)?;
    let audience = privacy::audience(&context(&request));
    let source = state.source.to_string();
    let feed = feed(state, &request, after);
    tracing::info!(after, "gRPC event stream opened");
    Ok(stream::unfold((feed, slot), move |(mut feed, slot)| {
        let source = source.clone();
        async move {
            let event = feed.next().await?;
            Some((Ok(to_proto(&source, audience, event)), (feed, slot)))
        }
    })
    .boxed())
}

pub async fn order(
    state: &AppState,
    request: Request<pb::WatchOrderRequest>,
) -> Result<BoxStream<'static, Result<pb::OrderUpdate, Status>>, Status> {
    let mut errors = ValidationErrors::new();
    let Some(id) = parse::uuid(&mut errors, "order_id", &request.get_ref().order_id) else {
        return Err(status::fields(errors));
    };
    let ctx = context(&request);
    // The cursor first, then the snapshot: no change can fall between them.
    let feed = feed(state, &request, state.hub.latest());
    let snapshot = service::orders::get(state, id).await.map_err(status::service)?;
    let slot = slot(&state.streams.events)?;
    let mut followed = Followed::new(state.source.to_string(), privacy::audience(&ctx));
    let first = followed.start(privacy::order(&ctx, snapshot));
    let done = finished(first.status);
    let rest = stream::unfold((feed, followed, slot, done), |(mut feed, mut followed, slot, done)| async move {
        if done {
            return None;
        }
        loop {
            let event = feed.next().await?;
            if let Some(update) = followed.on_event(event) {
                let done = finished(update.status);
                return Some((Ok(update), (feed, followed, slot, done)));
            }
        }
    });
    Ok(stream::once(async move { Ok(first) }).chain(rest).boxed())
}

/// Event types after which the menu may read differently.
const MENU_CHANGES: &[&str] =
    &[types::MENU_UPDATED, types::ITEM_SOLD_OUT, types::ITEM_BACK_IN_STOCK, types::SETTINGS_UPDATED];

pub async fn menu(state: &AppState) -> Result<BoxStream<'static, Result<pb::Menu, Status>>, Status> {
    let slot = slot(&state.streams.board)?;
    let feed = EventFeed::new(state.clone(), state.hub.latest());
    let first = service::menu::view(state).await.map_err(status::service)?;
    let state = state.clone();
    let rest = stream::unfold((feed, first.clone(), slot, state), |(mut feed, mut last, slot, state)| async move {
        loop {
            let event = feed.next().await?;
            if !MENU_CHANGES.contains(&event.event_type.as_str()) {
                continue;
            }
            match service::menu::view(&state).await {
                Ok(view) if view == last => continue,
                Ok(view) => {
                    last = view.clone();
                    return Some((Ok(messages::menu(view)), (feed, last, slot, state)));
                }
                Err(e) => return Some((Err(status::service(e)), (feed, last, slot, state))),
            }
        }
    });
    Ok(stream::once(async move { Ok(messages::menu(first)) }).chain(rest).boxed())
}
