//! Where events leave the shop: one [`Sink`] abstraction with its webhook and Kafka
//! implementations, how events are signed, and the egress guard. The relay, range replays
//! and dead-letter replays all send through a [`Sink`] (see `service::sinks::delivery`).

pub mod egress;
pub mod kafka;
pub mod signing;
pub mod webhook;

use crema_shared::api::CloudEvent;
use futures::future::BoxFuture;

/// What became of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// The endpoint will not take this event (it is retried a few times, then dead-lettered).
    Rejected(String),
    /// Try again later (down, overloaded, timed out, not allowed right now).
    Unreachable(String),
}

/// What a sink did with a run of events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// How many from the front were acknowledged, in order.
    pub taken: usize,
    /// Why the rest were not (`None`: all were taken).
    pub stopped: Option<Delivery>,
}

/// A place events are delivered to, in order, at least once.
pub trait Sink: Send + Sync {
    /// Sends `events` in order; stops at the first one not acknowledged.
    fn send<'a>(&'a self, events: &'a [CloudEvent]) -> BoxFuture<'a, Sent>;

    /// Most events worth handing over in one call (a webhook takes one request per event).
    fn max_batch(&self) -> usize;
}

/// Which way an event leaves, for its delivery span.
#[derive(Clone, Copy, Debug)]
pub enum Via {
    Webhook,
    Kafka,
}

/// A delivery's span, continuing the trace of the request that caused `event`.
pub fn delivery_span(via: Via, event: &CloudEvent) -> tracing::Span {
    let span = match via {
        Via::Webhook => tracing::info_span!(
            "webhook.deliver",
            otel.kind = "client",
            event_id = %event.id,
            event_type = %event.event_type
        ),
        Via::Kafka => tracing::info_span!(
            "kafka.produce",
            otel.kind = "producer",
            event_id = %event.id,
            event_type = %event.event_type
        ),
    };
    crate::telemetry::propagation::continue_from(&span, event.traceparent.as_deref());
    span
}

/// The `traceparent` a consumer gets: the delivery's span when traces are exported, else the
/// one stored with the event (same trace id, the request's span).
pub fn traceparent_for(span: &tracing::Span, event: &CloudEvent) -> Option<String> {
    crate::telemetry::propagation::traceparent_of(span).or_else(|| event.traceparent.clone())
}
