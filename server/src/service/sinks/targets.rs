//! Where a sink may send events, and its signing secret at rest: the shape of a webhook URL,
//! Kafka brokers and topic; the egress check that keeps sinks off the shop's own network
//! (see [`crate::sinks::egress`]); and sealing the webhook secret with the key file's data key.

use crate::service::ServiceError;
use crate::sinks::signing::WebhookSecret;
use crate::state::AppState;
use crate::store::sinks::SinkTarget;
use crema_shared::ValidationErrors;
use uuid::Uuid;

/// Refuses a target that resolves to an address sinks may not reach (see [`crate::sinks::egress`]).
pub async fn check_egress(state: &AppState, target: &SinkTarget) -> Result<(), ServiceError> {
    let (field, checked) = match target {
        SinkTarget::Webhook { url, .. } => ("url", state.egress.check_url(url).await),
        SinkTarget::Kafka { brokers, .. } => ("brokers", state.egress.check_brokers(brokers).await),
    };
    checked.map_err(|e| ValidationErrors::single(field, e.to_string()).into())
}

/// A webhook secret as stored: sealed with the data key, bound to its sink.
pub fn seal_secret(state: &AppState, sink: Uuid, secret: &str) -> Result<String, ServiceError> {
    state
        .sealer
        .seal(secret, &sink.to_string())
        .map_err(|e| ServiceError::Store(crate::store::StoreError::internal(e.to_string())))
}

/// A stored webhook secret, opened with the data key.
pub fn open_secret(state: &AppState, sink: Uuid, stored: &str) -> Result<WebhookSecret, ServiceError> {
    let plain = state.sealer.open(stored, &sink.to_string()).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    WebhookSecret::parse(&plain).map_err(|e| ServiceError::Conflict(e.to_string()))
}

pub fn check_brokers(raw: &str) -> Result<String, String> {
    let brokers: Vec<&str> = raw.split(',').map(str::trim).collect();
    let ok = !brokers.is_empty()
        && brokers.iter().all(|b| {
            b.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0))
        });
    if ok {
        Ok(brokers.join(","))
    } else {
        Err("must be host:port pairs separated by commas".into())
    }
}

pub fn check_topic(raw: &str) -> Result<String, String> {
    let ok = (1..=249).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(raw.to_string())
    } else {
        Err("must be 1 to 249 characters of letters, digits, '.', '_' and '-'".into())
    }
}

pub fn check_url(raw: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| format!("is not a URL: {e}"))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url.to_string()),
        _ => Err("must be an http:// or https:// URL".into()),
    }
}
