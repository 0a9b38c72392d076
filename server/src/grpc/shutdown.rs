//! Ends every open gRPC response stream when shutdown starts, with `UNAVAILABLE` ("reconnect"),
//! so a long-lived call the services do not end themselves (a health `Watch`, a reflection
//! session) cannot hold the graceful drain open until its deadline. Crema's own streams end
//! on their own (their [`EventFeed`](crate::service::event_feed::EventFeed) closes); this is
//! the same promise for everything else on the gRPC face.
//!
//! A stream gets [`LAST_WORDS`] after shutdown starts to send what it has (the health
//! service's NOT_SERVING), then the trailers go in place of whatever would have come next. It sits inside the gRPC-Web layer, which turns those trailers into a gRPC-Web
//! trailer frame.

use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use http_body::{Body as HttpBody, Frame};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::watch;

/// How long a stream may still send after shutdown starts.
pub const LAST_WORDS: Duration = Duration::from_millis(250);

/// `axum::middleware::map_response_with_state`: every response body ends at shutdown.
pub async fn until_closing(State(state): State<AppState>, response: Response) -> Response {
    let closing = state.hub.closing();
    response.map(|body| Body::new(UntilClosing { inner: body, closing: Box::pin(closed(closing)), done: false }))
}

async fn closed(mut closing: watch::Receiver<bool>) {
    while !*closing.borrow_and_update() {
        if closing.changed().await.is_err() {
            return;
        }
    }
    tokio::time::sleep(LAST_WORDS).await;
}

struct UntilClosing {
    inner: Body,
    closing: Pin<Box<dyn Future<Output = ()> + Send>>,
    done: bool,
}

impl HttpBody for UntilClosing {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if self.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if self.closing.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.done = true;
        let mut trailers = HeaderMap::new();
        trailers.insert("grpc-status", HeaderValue::from(tonic::Code::Unavailable as i32));
        trailers.insert("grpc-message", HeaderValue::from_static("the server is shutting down; reconnect"));
        Poll::Ready(Some(Ok(Frame::trailers(trailers))))
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
