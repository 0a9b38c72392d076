//! Starting a Crema for a test (a real server on port 0, or the bare router) and the small
//! vocabulary the tests speak: the demo menu's ids, placing orders, reading events.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use crema_server::store::outbox::{self, StoredEvent};
use crema_server::{app, AppState, Config, Server};
use crema_shared::api::{MenuView, OrderDto};
use serde_json::{json, Value};
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tower::ServiceExt;
use uuid::Uuid;

/// A real Crema server on 127.0.0.1 and a free port, with its own database file.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub dir: TempDir,
    /// What it was started with (to start it again on the same database).
    pub config: Config,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

pub use crema_e2e::http::{client_with, sign_in, FetchJson, SseReader, BARISTA_PIN, CASHIER_PIN, MANAGER_PIN};

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    spawn_app_with(test_config(dir.path().join("crema.db")), dir).await
}

/// Defaults with a database at `db`, and loopback allowed as a sink target: the tests'
/// webhook receivers and Kafka brokers listen there. (The SSRF tests use the real default.)
/// With `CREMA_TEST_STORE=postgres` the database is a fresh one on the test PostgreSQL, and
/// the key file sits where SQLite's would.
pub fn test_config(db: impl Into<std::path::PathBuf>) -> Config {
    let mut config = store_config(db);
    config.egress_allow = vec!["127.0.0.0/8".into()];
    config
}

/// `Config::for_database(db)`, on the test PostgreSQL when the suite runs there.
pub fn store_config(db: impl Into<std::path::PathBuf>) -> Config {
    let db = db.into();
    let mut config = Config::for_database(&db);
    if on_postgres() {
        config.key_file = Some(crema_server::keys::default_path(&db));
        config.database_url = crema_e2e::postgres::fresh_database();
    }
    config
}

/// Whether this run of the suite is on PostgreSQL (`CREMA_TEST_STORE=postgres`).
pub fn on_postgres() -> bool {
    crema_e2e::postgres::selected()
}

/// A server with this configuration; its `client` is signed in as the demo manager.
pub async fn spawn_app_with(config: Config, dir: TempDir) -> TestApp {
    let started = config.clone();
    let server = Server::bind(&config).await.expect("server starts");
    let addr = server.local_addr().expect("bound address");
    let state = server.state().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");
    let token = sign_in(&base, MANAGER_PIN).await;
    TestApp { client: client_with(&token), base, state, dir, config: started, stop: Some(stop), task: Some(task) }
}

/// Enrols a terminal as the demo manager and pairs it; returns its credential `<id>.<secret>`.
pub async fn pair_terminal(app: &TestApp, name: &str) -> String {
    let made: Value = app.post("/api/v1/terminals", &json!({ "name": name })).await.json().await.expect("terminal");
    let code = made["code"].as_str().expect("pairing code");
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/terminals/pair"))
        .json(&json!({ "code": code }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 201, "pairing");
    let paired: Value = response.json().await.expect("paired");
    paired["credential"].as_str().expect("credential").to_string()
}

impl TestApp {
    /// Runs a statement on the app's database directly, as someone holding the database (or
    /// time) would: the SQLite file, or the PostgreSQL database.
    pub async fn on_database(&self, sql: &str) {
        use sqlx::{Connection, Executor};
        if on_postgres() {
            let mut conn = sqlx::PgConnection::connect(&self.config.database_url).await.expect("database");
            conn.execute(sql).await.expect("statement");
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", self.config.database_url))
                .await
                .expect("database");
            conn.execute(sql).await.expect("statement");
        }
    }

    /// A client signed in with `pin`.
    pub async fn client_as(&self, pin: &str) -> reqwest::Client {
        client_with(&sign_in(&self.base, pin).await)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request sent")
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request sent")
    }

    pub async fn post_empty(&self, path: &str) -> reqwest::Response {
        self.client.post(self.url(path)).send().await.expect("request sent")
    }

    pub async fn menu(&self) -> MenuView {
        let response = self.get("/api/v1/menu").await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("menu json")
    }

    pub async fn demo(&self) -> DemoMenu {
        DemoMenu(self.menu().await)
    }

    /// Places an order and insists on a 201.
    pub async fn place(&self, body: &Value) -> OrderDto {
        let response = self.post("/api/v1/orders", body).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, 201, "placing failed: {text}");
        serde_json::from_str(&text).expect("order json")
    }

    /// Takes a one-line order through the kitchen to ready (accept, start, done), insisting
    /// on a 200 at each step.
    pub async fn make_ready(&self, order: &OrderDto) {
        let base = format!("/api/v1/orders/{}", order.id);
        let line = order.lines[0].id;
        for path in
            [format!("{base}/accept"), format!("{base}/lines/{line}/start"), format!("{base}/lines/{line}/done")]
        {
            assert_eq!(self.post_empty(&path).await.status(), 200, "{path}");
        }
    }

    pub async fn order(&self, id: Uuid) -> OrderDto {
        let response = self.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("order json")
    }

    /// Every event in the outbox, in sequence order.
    pub async fn events(&self) -> Vec<StoredEvent> {
        outbox::read_after(&mut self.state.store.read().await.expect("reader"), 0, 100_000)
            .await
            .expect("outbox readable")
    }

    pub async fn order_count(&self) -> i64 {
        let page: Value = self.get("/api/v1/orders?limit=200").await.json().await.expect("json");
        page["orders"].as_array().map_or(0, |a| a.len() as i64)
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }
}

/// Looks up the demo menu's items and options by name.
pub struct DemoMenu(pub MenuView);

impl DemoMenu {
    pub fn item(&self, name: &str) -> Uuid {
        self.0
            .categories
            .iter()
            .flat_map(|c| &c.items)
            .find(|i| i.name == name)
            .unwrap_or_else(|| panic!("no item {name}"))
            .id
    }

    pub fn option(&self, item: &str, option: &str) -> Uuid {
        self.0
            .categories
            .iter()
            .flat_map(|c| &c.items)
            .find(|i| i.name == item)
            .into_iter()
            .flat_map(|i| &i.modifier_groups)
            .flat_map(|g| &g.options)
            .find(|o| o.name == option)
            .unwrap_or_else(|| panic!("no option {option} on {item}"))
            .id
    }

    /// "Large oat latte with an extra shot" and a croissant, for `name`.
    pub fn latte_and_croissant(&self, name: &str) -> Value {
        json!({
            "customer_name": name,
            "lines": [
                {"item_id": self.item("Latte"), "quantity": 1,
                 "option_ids": [self.option("Latte", "Large"), self.option("Latte", "Oat milk"), self.option("Latte", "Extra shot")]},
                {"item_id": self.item("Croissant"), "quantity": 1}
            ]
        })
    }

    /// The smallest valid order: one espresso.
    pub fn espresso(&self, name: &str) -> Value {
        json!({"customer_name": name, "lines": [{"item_id": self.item("Espresso"), "quantity": 1}]})
    }
}

/// The bare router over a fresh database, driven with `oneshot` (no socket).
/// Requests without an `Authorization` header are sent as the demo manager.
pub struct TestRouter {
    pub router: axum::Router,
    pub state: AppState,
    pub dir: TempDir,
    pub token: String,
}

pub async fn router_app() -> TestRouter {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = store_config(dir.path().join("crema.db"));
    let state = crema_server::server::build_state(&config).await.expect("state");
    let mut t = TestRouter { router: app(state.clone()), state, dir, token: String::new() };
    t.token = t.sign_in(MANAGER_PIN).await.expect("manager signs in");
    t
}

impl TestRouter {
    /// Signs in with `pin`; the token, or the status on failure.
    pub async fn sign_in(&self, pin: &str) -> Result<String, StatusCode> {
        let request = Request::builder()
            .method("POST")
            .uri("/api/v1/sessions")
            .header("content-type", "application/json")
            .body(Body::from(json!({ "pin": pin }).to_string()))
            .expect("request");
        let response = self.router.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        match (status, body["token"].as_str()) {
            (StatusCode::CREATED, Some(token)) => Ok(token.to_string()),
            _ => Err(status),
        }
    }

    /// Sends a request; returns status, headers and the body parsed as JSON (Null if empty).
    pub async fn send(&self, mut request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
        if !request.headers().contains_key("authorization") {
            let value = format!("Bearer {}", self.token).parse().expect("header");
            request.headers_mut().insert("authorization", value);
        }
        let response = self.router.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 10 << 20).await.expect("body");
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        (status, headers, body)
    }

    pub async fn json(&self, method: &str, uri: &str, body: &str) -> (StatusCode, axum::http::HeaderMap, Value) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.send(request).await
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, axum::http::HeaderMap, Value) {
        self.send(Request::builder().uri(uri).body(Body::empty()).expect("request")).await
    }

    pub async fn events(&self) -> Vec<StoredEvent> {
        outbox::read_after(&mut self.state.store.read().await.expect("reader"), 0, 100_000)
            .await
            .expect("outbox readable")
    }
}

/// Asserts a problem+json answer naming `field` (when given).
pub fn assert_problem(
    status: StatusCode,
    headers: &axum::http::HeaderMap,
    body: &Value,
    expected: u16,
    field: Option<&str>,
) {
    assert_eq!(status.as_u16(), expected, "body: {body}");
    assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    assert_eq!(body["status"], expected);
    assert!(body["type"].as_str().is_some_and(|t| t.starts_with("/problems/")), "{body}");
    assert!(body["request_id"].is_string(), "{body}");
    if let Some(field) = field {
        let fields: Vec<&str> =
            body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
        assert!(fields.contains(&field), "expected an error on {field}, got {body}");
    }
}

/// Opens a stream on `app` as its signed-in client.
pub async fn open_stream(app: &TestApp, path: &str, last_event_id: Option<&str>) -> SseReader {
    SseReader::connect(&app.client, &app.url(path), last_event_id).await
}
