//! W3C trace context across Crema's hops: a caller's `traceparent` continued by the request
//! span, stored with each event and job, and taken up again when the relay delivers the
//! event or the runner runs the job later — so one trace runs from the till's request to
//! the webhook's consumer. Everything here is a no-op when traces are not exported.

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use std::collections::HashMap;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Makes `span` (not yet entered) a child of the remote span `traceparent` names, when it
/// is a valid W3C traceparent.
pub fn continue_from(span: &Span, traceparent: Option<&str>) {
    let Some(traceparent) = traceparent else { return };
    let carrier = HashMap::from([("traceparent".to_string(), traceparent.trim().to_string())]);
    let parent = TraceContextPropagator::new().extract(&carrier);
    if parent.span().span_context().is_valid() {
        let _ = span.set_parent(parent);
    }
}

/// `span`'s own W3C traceparent (`00-<trace>-<span>-<flags>`), when it is exported.
pub fn traceparent_of(span: &Span) -> Option<String> {
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context.is_valid().then(|| {
        format!("00-{}-{}-{:02x}", span_context.trace_id(), span_context.span_id(), span_context.trace_flags().to_u8())
    })
}

/// The traceparent of the span this code runs in, when it is exported.
pub fn current() -> Option<String> {
    traceparent_of(&Span::current())
}

/// Records on `span` that it carries work for `cause` (a batch for each of its writes).
pub fn link(span: &Span, cause: &Span) {
    let context = cause.context();
    let span_context = context.span().span_context().clone();
    if span_context.is_valid() {
        span.add_link(span_context);
    }
}
