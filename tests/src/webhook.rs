//! A real HTTP webhook receiver for the tests: records what arrives, can answer 503 for a
//! while or refuse some event types, and checks signatures with an implementation of its own
//! (the `standardwebhooks` crate), not the code that signs.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub body: Vec<u8>,
}

impl Received {
    /// Checks the signature with the `standardwebhooks` crate (not Crema's own signing code).
    pub fn verify(&self, secret: &str) -> Result<(), String> {
        let webhook = standardwebhooks::Webhook::new(secret).map_err(|e| format!("secret: {e}"))?;
        let mut headers = axum::http::HeaderMap::new();
        for (name, value) in [
            ("webhook-id", self.id.clone()),
            ("webhook-timestamp", self.timestamp.to_string()),
            ("webhook-signature", self.signature.clone()),
        ] {
            headers.insert(name, value.parse().map_err(|e| format!("{name}: {e}"))?);
        }
        webhook.verify(&self.body, &headers).map_err(|e| e.to_string())
    }
}

#[derive(Clone, Default)]
pub struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    /// Answer 503 to this many requests first.
    pub failures_left: Arc<AtomicU32>,
    /// Answer 400 to events of these types.
    pub refuse: Arc<Mutex<HashSet<String>>>,
}

impl Receiver {
    pub async fn start(self) -> String {
        async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
            if r.failures_left.load(Ordering::SeqCst) > 0 {
                r.failures_left.fetch_sub(1, Ordering::SeqCst);
                return StatusCode::SERVICE_UNAVAILABLE;
            }
            let event: Value = serde_json::from_slice(&body).unwrap_or_default();
            if r.refuse.lock().expect("lock").contains(event["type"].as_str().unwrap_or_default()) {
                return StatusCode::BAD_REQUEST;
            }
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            r.received.lock().expect("lock").push(Received {
                id: header("webhook-id"),
                timestamp: header("webhook-timestamp").parse().unwrap_or_default(),
                signature: header("webhook-signature"),
                body: body.to_vec(),
            });
            StatusCode::NO_CONTENT
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(self);
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/hook")
    }

    pub fn all(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits until events with all of `ids` have arrived (each at least once).
    pub async fn wait_for(&self, ids: &HashSet<String>, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got: HashSet<String> = self.all().into_iter().map(|r| r.id).collect();
            if ids.is_subset(&got) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "missing {:?}", ids.difference(&got).collect::<Vec<_>>());
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
