//! A JSON-over-HTTP card gateway adapter.
//!
//! `POST {base}/authorizations {amount_cents, currency}` → `201 {reference}` or `402 {reason}`;
//! `POST {base}/authorizations/{reference}/capture {amount_cents}`, `…/void`,
//! `…/refunds {amount_cents}` → `2xx`. Every request carries `Idempotency-Key`. Timeouts and
//! 5xx are retried (three tries, short backoff) and then reported as unavailable; a 4xx is a
//! decline and never retried.

use super::{GatewayError, PaymentGateway};
use crema_shared::Money;
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::time::Duration;

const TRIES: u32 = 3;

#[derive(Clone, Debug)]
pub struct HttpGateway {
    base: String,
    client: reqwest::Client,
}

impl HttpGateway {
    pub fn new(base: &str) -> Result<HttpGateway, String> {
        let url = reqwest::Url::parse(base).map_err(|e| format!("CREMA_PAYMENT_GATEWAY_URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("CREMA_PAYMENT_GATEWAY_URL must be http:// or https://".into());
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(3))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpGateway { base: base.trim_end_matches('/').to_string(), client })
    }

    #[tracing::instrument(name = "payment.gateway", skip(self, key, body), fields(otel.kind = "client"))]
    async fn post(&self, key: &str, path: &str, body: Value) -> Result<Value, GatewayError> {
        let traceparent = crate::telemetry::propagation::current();
        let mut last = String::new();
        for attempt in 0..TRIES {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(attempt))).await;
            }
            let mut request = self.client.post(format!("{}{path}", self.base)).header("idempotency-key", key);
            if let Some(traceparent) = &traceparent {
                request = request.header("traceparent", traceparent);
            }
            let sent = request.json(&body).send().await;
            match sent {
                Err(e) => last = e.to_string(),
                Ok(response) if response.status().is_server_error() => last = format!("answered {}", response.status()),
                Ok(response) if response.status().is_success() => {
                    return Ok(response.json::<Value>().await.unwrap_or(Value::Null));
                }
                Ok(response) => {
                    let status = response.status();
                    let body: Value = response.json().await.unwrap_or(Value::Null);
                    let reason =
                        body["reason"].as_str().map(String::from).unwrap_or_else(|| format!("answered {status}"));
                    return Err(GatewayError::Declined(reason));
                }
            }
        }
        Err(GatewayError::Unavailable(last))
    }
}

impl PaymentGateway for HttpGateway {
    fn authorize<'a>(
        &'a self,
        key: &'a str,
        amount: Money,
        currency: &'a str,
    ) -> BoxFuture<'a, Result<String, GatewayError>> {
        Box::pin(async move {
            let body = self
                .post(key, "/authorizations", json!({ "amount_cents": amount.minor(), "currency": currency }))
                .await?;
            body["reference"]
                .as_str()
                .map(String::from)
                .ok_or_else(|| GatewayError::Unavailable("the authorization has no reference".into()))
        })
    }

    fn capture<'a>(
        &'a self,
        key: &'a str,
        reference: &'a str,
        amount: Money,
    ) -> BoxFuture<'a, Result<(), GatewayError>> {
        Box::pin(async move {
            self.post(key, &format!("/authorizations/{reference}/capture"), json!({ "amount_cents": amount.minor() }))
                .await
                .map(|_| ())
        })
    }

    fn void<'a>(&'a self, key: &'a str, reference: &'a str) -> BoxFuture<'a, Result<(), GatewayError>> {
        Box::pin(
            async move { self.post(key, &format!("/authorizations/{reference}/void"), json!({})).await.map(|_| ()) },
        )
    }

    fn refund<'a>(
        &'a self,
        key: &'a str,
        reference: &'a str,
        amount: Money,
    ) -> BoxFuture<'a, Result<(), GatewayError>> {
        Box::pin(async move {
            self.post(key, &format!("/authorizations/{reference}/refunds"), json!({ "amount_cents": amount.minor() }))
                .await
                .map(|_| ())
        })
    }
}
