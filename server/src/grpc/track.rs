//! `TrackOrders`: the client subscribes and unsubscribes order ids on its stream; the server
//! answers each subscription with the order's current state, then sends each change of
//! every subscribed order, in the log's order, until the client unsubscribes it.
//!
//! One task per stream reads both the client's messages and the [`EventFeed`] (whose
//! `next` may be interrupted without losing an event). The stream ends when the client closes
//! its side or goes away, when the caller's session ends, or when the server shuts down.

use super::follow::Followed;
use super::pb::crema::v1::{self as pb, track_orders_request::Action, track_orders_response::Kind};
use super::watch::{feed, slot};
use super::{context, status};
use crate::http::privacy;
use crate::service::{self, RequestContext};
use crate::state::AppState;
use futures::stream::BoxStream;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Status, Streaming};
use uuid::Uuid;

/// Orders one stream may follow at once.
pub const MAX_TRACKED: usize = 100;

pub async fn track_orders(
    state: &AppState,
    request: Request<Streaming<pb::TrackOrdersRequest>>,
) -> Result<BoxStream<'static, Result<pb::TrackOrdersResponse, Status>>, Status> {
    let slot = slot(&state.streams.events)?;
    let ctx = context(&request);
    let mut feed = feed(state, &request, state.hub.latest());
    let mut inbound = request.into_inner();
    let (tx, rx) = mpsc::channel(64);
    let state = state.clone();
    tokio::spawn(async move {
        let _slot = slot;
        let mut followed = Followed::new(state.source.to_string(), privacy::audience(&ctx));
        loop {
            let answer = tokio::select! {
                message = inbound.next() => match message {
                    Some(Ok(message)) => on_message(&state, &ctx, &mut followed, message).await,
                    Some(Err(e)) => {
                        tracing::debug!(error = %e, "order tracking stream broke");
                        break;
                    }
                    None => break,
                },
                event = feed.next() => match event {
                    Some(event) => followed.on_event(event).map(|update| pb::TrackOrdersResponse {
                        order_id: update.order_id.clone(),
                        kind: Some(Kind::Update(update)),
                    }),
                    None => break,
                },
                () = tx.closed() => break,
            };
            if let Some(answer) = answer {
                if tx.send(Ok(answer)).await.is_err() {
                    break;
                }
            }
        }
    });
    Ok(ReceiverStream::new(rx).boxed())
}

/// The answer to one subscribe or unsubscribe.
async fn on_message(
    state: &AppState,
    ctx: &RequestContext,
    followed: &mut Followed,
    message: pb::TrackOrdersRequest,
) -> Option<pb::TrackOrdersResponse> {
    let refused = |order_id: String, status: Status| pb::TrackOrdersResponse {
        order_id,
        kind: Some(Kind::Refused(status::failure(&status))),
    };
    let (field, raw) = match &message.action {
        Some(Action::Subscribe(raw)) => ("subscribe", raw.clone()),
        Some(Action::Unsubscribe(raw)) => ("unsubscribe", raw.clone()),
        None => return Some(refused(String::new(), invalid("action", "send subscribe or unsubscribe"))),
    };
    let Ok(id) = Uuid::parse_str(&raw) else {
        return Some(refused(raw, invalid(field, "must be a UUID")));
    };
    if field == "unsubscribe" {
        followed.stop(&id);
        return Some(pb::TrackOrdersResponse { order_id: raw, kind: Some(Kind::Unsubscribed(pb::Unsubscribed {})) });
    }
    if !followed.contains(&id) && followed.count() >= MAX_TRACKED {
        let full = Status::resource_exhausted(format!("a stream follows at most {MAX_TRACKED} orders"));
        return Some(refused(raw, full));
    }
    match service::orders::get(state, id).await {
        Ok(order) => {
            let update = followed.start(privacy::order(ctx, order));
            Some(pb::TrackOrdersResponse { order_id: raw, kind: Some(Kind::Update(update)) })
        }
        Err(e) => Some(refused(raw, status::service(e))),
    }
}

fn invalid(field: &str, message: &str) -> Status {
    status::fields(crema_shared::ValidationErrors::single(field, message))
}
