//! A card gateway for the tests: a real HTTP listener speaking the gateway protocol Crema's
//! `payments::http` client uses, idempotent by key, with a decline limit and an outage switch.
//! (The real gateway is a third party; this decodes what Crema sends.)

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// An operation the gateway performed: (operation, reference, amount).
pub type Operation = (String, String, i64);

#[derive(Clone, Default)]
pub struct Gateway {
    /// idempotency key → reference, so a retried authorization gets the same answer.
    authorizations: Arc<Mutex<HashMap<String, String>>>,
    /// Operations actually performed: (operation, reference, amount), once per key.
    pub done: Arc<Mutex<HashMap<String, Operation>>>,
    /// Amounts above this are declined.
    pub limit: Arc<AtomicU32>,
    /// Answer 503 to this many requests first.
    pub failures_left: Arc<AtomicU32>,
    /// Perform this many capture/void/refund steps but answer 503 (the answer lost on the way
    /// back: the money moved, Crema cannot know).
    pub lost_answers: Arc<AtomicU32>,
}

impl Gateway {
    pub async fn start(self) -> String {
        async fn authorize(
            State(g): State<Gateway>,
            headers: HeaderMap,
            Json(body): Json<Value>,
        ) -> (StatusCode, Json<Value>) {
            if g.failures_left.load(Ordering::SeqCst) > 0 {
                g.failures_left.fetch_sub(1, Ordering::SeqCst);
                return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({})));
            }
            let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            if body["amount_cents"].as_i64().unwrap_or(0) > i64::from(g.limit.load(Ordering::SeqCst)) {
                return (StatusCode::PAYMENT_REQUIRED, Json(json!({"reason": "insufficient funds"})));
            }
            let mut auths = g.authorizations.lock().expect("lock");
            let n = auths.len();
            let reference = auths.entry(key).or_insert_with(|| format!("auth_{n}")).clone();
            (StatusCode::CREATED, Json(json!({ "reference": reference })))
        }
        async fn step(
            State(g): State<Gateway>,
            Path((reference, op)): Path<(String, String)>,
            headers: HeaderMap,
            Json(body): Json<Value>,
        ) -> StatusCode {
            let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            let amount = body["amount_cents"].as_i64().unwrap_or(0);
            g.done.lock().expect("lock").entry(key).or_insert((op, reference, amount));
            if g.lost_answers.load(Ordering::SeqCst) > 0 {
                g.lost_answers.fetch_sub(1, Ordering::SeqCst);
                return StatusCode::SERVICE_UNAVAILABLE;
            }
            StatusCode::OK
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = axum::Router::new()
            .route("/authorizations", axum::routing::post(authorize))
            .route("/authorizations/{reference}/{op}", axum::routing::post(step))
            .with_state(self);
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    pub fn operations(&self, op: &str) -> Vec<(String, i64)> {
        self.done.lock().expect("lock").values().filter(|(o, _, _)| o == op).map(|(_, r, a)| (r.clone(), *a)).collect()
    }
}
