//! Talking to a Crema over HTTP as a client would: signing in, a client holding the token,
//! reading a Server-Sent Events stream, and fetching JSON.

use serde_json::{json, Value};
use std::time::Duration;

/// Demo PINs seeded into every new database.
pub const CASHIER_PIN: &str = "1111";
pub const BARISTA_PIN: &str = "2222";
pub const MANAGER_PIN: &str = "9999";

/// The item called `name` on a menu as `GET /api/v1/menu` answers it (any category).
pub fn menu_item<'a>(menu: &'a Value, name: &str) -> Option<&'a Value> {
    menu["categories"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["items"].as_array().into_iter().flatten())
        .find(|i| i["name"] == name)
}

/// Signs in with `pin` and returns the session token.
pub async fn sign_in(base: &str, pin: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/sessions"))
        .json(&json!({ "pin": pin }))
        .send()
        .await
        .expect("sign-in sent");
    assert_eq!(response.status(), 201, "sign-in with {pin} failed");
    let session: Value = response.json().await.expect("session json");
    session["token"].as_str().expect("token").to_string()
}

/// A client that sends `Authorization: Bearer <token>` on every request.
pub fn client_with(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).expect("header");
    headers.insert(reqwest::header::AUTHORIZATION, value);
    reqwest::Client::builder().default_headers(headers).timeout(Duration::from_secs(30)).build().expect("client")
}

/// A minimal Server-Sent Events reader over a streaming response.
pub struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

#[derive(Debug, Clone)]
pub struct SseMessage {
    pub id: Option<String>,
    pub data: String,
}

impl SseReader {
    pub async fn connect(client: &reqwest::Client, url: &str, last_event_id: Option<&str>) -> SseReader {
        let mut request = client.get(url).header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.expect("stream opens");
        assert_eq!(response.status(), 200);
        SseReader { response, buffer: String::new() }
    }

    /// The next message with data (keep-alive comments are skipped), within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<SseMessage> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut message = SseMessage { id: None, data: String::new() };
                for line in block.lines() {
                    if let Some(id) = line.strip_prefix("id:") {
                        message.id = Some(id.trim().to_string());
                    } else if let Some(data) = line.strip_prefix("data:") {
                        message.data.push_str(data.trim_start());
                    }
                }
                if !message.data.is_empty() {
                    return Some(message);
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await.ok()?.ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

impl SseReader {
    /// Whether the server ends the stream within `wait` (messages before the end are skipped).
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return false,
                Ok(Ok(Some(_))) => continue,
                Ok(Ok(None)) | Ok(Err(_)) => return true,
            }
        }
    }
}

/// Sends a request and parses the answer as JSON, whatever its status.
pub trait FetchJson {
    fn fetch_json(self) -> impl std::future::Future<Output = Value> + Send;
}

impl FetchJson for reqwest::RequestBuilder {
    async fn fetch_json(self) -> Value {
        self.send().await.expect("request sent").json().await.expect("JSON answer")
    }
}
