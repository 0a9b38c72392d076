//! Delivering one event to a webhook endpoint: a structured CloudEvents JSON body, signed
//! per Standard Webhooks, with a timeout. The answer is classified for the relay: delivered,
//! rejected by the endpoint (a 4xx: this event will not be taken), or unreachable (down,
//! 5xx, 408, 429, timeout: try again later, the endpoint may recover).

use super::signing::WebhookSecret;
use crema_shared::api::CloudEvent;
use std::time::Duration;

pub const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    Rejected(String),
    Unreachable(String),
}

/// POSTs `event` to `url`.
pub async fn deliver(client: &reqwest::Client, url: &str, secret: &WebhookSecret, event: &CloudEvent) -> Delivery {
    let body = match serde_json::to_vec(event) {
        Ok(body) => body,
        Err(e) => return Delivery::Rejected(format!("cannot encode the event: {e}")),
    };
    let timestamp = chrono::Utc::now().timestamp();
    let signature = secret.sign(&event.id, timestamp, &body);
    let sent = client
        .post(url)
        .timeout(TIMEOUT)
        .header("content-type", "application/cloudevents+json")
        .header("webhook-id", &event.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    match sent {
        Err(e) => Delivery::Unreachable(format!("cannot reach the endpoint: {e}")),
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                Delivery::Delivered
            } else if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
                Delivery::Unreachable(format!("the endpoint answered {status}"))
            } else {
                Delivery::Rejected(format!("the endpoint refused the event: {status}"))
            }
        }
    }
}
