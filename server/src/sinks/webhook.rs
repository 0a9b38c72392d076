//! Delivering one event to a webhook endpoint: a structured CloudEvents JSON body, signed
//! per Standard Webhooks, with a timeout. The answer is classified for the relay: delivered,
//! rejected by the endpoint (a 4xx or a redirect: this event will not be taken), or
//! unreachable (down, 5xx, 408, 429, timeout, a forbidden address: try again later).
//!
//! The client must be [`super::egress::http_client`] (checked addresses, no redirects); an
//! address in the URL itself is checked here, since no resolver sees it. What the manager
//! sees of a failure is generic; the detail is logged.

use super::egress::EgressPolicy;
use super::signing::WebhookSecret;
use super::{Delivery, Sent, Sink};
use crema_shared::api::CloudEvent;
use futures::future::BoxFuture;
use std::time::Duration;
use tracing::Instrument;

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A webhook endpoint with its signing secret: one signed POST per event.
pub struct WebhookSink {
    pub client: reqwest::Client,
    pub egress: std::sync::Arc<EgressPolicy>,
    pub url: String,
    pub secret: WebhookSecret,
}

impl Sink for WebhookSink {
    fn send<'a>(&'a self, events: &'a [CloudEvent]) -> BoxFuture<'a, Sent> {
        Box::pin(async move {
            for (taken, event) in events.iter().enumerate() {
                match deliver(&self.client, &self.egress, &self.url, &self.secret, event).await {
                    Delivery::Delivered => {}
                    failure => return Sent { taken, stopped: Some(failure) },
                }
            }
            Sent { taken: events.len(), stopped: None }
        })
    }

    fn max_batch(&self) -> usize {
        20
    }
}

const FORBIDDEN: &str =
    "the endpoint's address is not allowed (private, loopback or link-local: see CREMA_EGRESS_ALLOW)";

/// POSTs `event` to `url`.
pub async fn deliver(
    client: &reqwest::Client,
    egress: &EgressPolicy,
    url: &str,
    secret: &WebhookSecret,
    event: &CloudEvent,
) -> Delivery {
    let Ok(parsed) = reqwest::Url::parse(url) else { return Delivery::Rejected("the URL is not valid".into()) };
    let literal = parsed
        .host_str()
        .and_then(|h| h.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().ok());
    if let Some(ip) = literal {
        if !egress.permits(&ip.to_string(), ip) {
            tracing::warn!(%ip, "refused a webhook delivery to a forbidden address");
            return Delivery::Unreachable(FORBIDDEN.into());
        }
    }
    let body = match serde_json::to_vec(event) {
        Ok(body) => body,
        Err(e) => return Delivery::Rejected(format!("cannot encode the event: {e}")),
    };
    let timestamp = chrono::Utc::now().timestamp();
    let signature = secret.sign(&event.id, timestamp, &body);
    // The delivery continues the trace of the request that caused the event; the endpoint
    // gets this span (or, with traces off, the stored traceparent) as its parent.
    let span = super::delivery_span(super::Via::Webhook, event);
    let mut request = client
        .post(url)
        .timeout(TIMEOUT)
        .header("content-type", "application/cloudevents+json")
        .header("webhook-id", &event.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature);
    if let Some(traceparent) = super::traceparent_for(&span, event) {
        request = request.header("traceparent", traceparent);
    }
    let sent = request.body(body).send().instrument(span).await;
    match sent {
        Err(e) => {
            tracing::warn!(error = %error_chain(&e), "webhook delivery failed");
            if refused_by_policy(&e) {
                Delivery::Unreachable(FORBIDDEN.into())
            } else if e.is_timeout() {
                Delivery::Unreachable("the endpoint did not answer in time".into())
            } else {
                Delivery::Unreachable("cannot reach the endpoint".into())
            }
        }
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                Delivery::Delivered
            } else if status.is_redirection() {
                Delivery::Rejected(format!("the endpoint answered {status}; redirects are not followed"))
            } else if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
                Delivery::Unreachable(format!("the endpoint answered {status}"))
            } else {
                Delivery::Rejected(format!("the endpoint refused the event: {status}"))
            }
        }
    }
}

fn refused_by_policy(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(inner) = source {
        if inner.downcast_ref::<super::egress::EgressError>().is_some() {
            return true;
        }
        source = inner.source();
    }
    false
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
