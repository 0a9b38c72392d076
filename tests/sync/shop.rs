//! A shop of real processes: the hub (with a webhook sink), terminals paired with it, and the
//! checks that they converged.

use crema_e2e::binary::{free_port, start_on, start_with, Running};
use crema_e2e::http::{client_with, sign_in, FetchJson, CASHIER_PIN, MANAGER_PIN};
use crema_e2e::webhook::Receiver;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const WEBHOOK_SECRET: &str = "whsec_c3luYy10ZXN0LXNlY3JldC0xMjM0NTY3ODkw";

pub struct Shop {
    pub dir: tempfile::TempDir,
    pub hub: Option<Running>,
    pub hub_port: u16,
    pub receiver: Receiver,
    pub webhook_url: String,
}

impl Shop {
    /// A hub on a fixed free port (so it comes back where the terminals look for it) with a
    /// webhook sink.
    pub async fn open() -> Shop {
        let dir = tempfile::tempdir().expect("dir");
        let receiver = Receiver::default();
        let webhook_url = receiver.clone().start().await;
        let mut shop = Shop { dir, hub: None, hub_port: free_port(), receiver, webhook_url };
        shop.start_hub();
        shop
    }

    pub fn hub_db(&self) -> PathBuf {
        self.dir.path().join("hub.db")
    }

    pub fn hub_base(&self) -> String {
        format!("http://127.0.0.1:{}", self.hub_port)
    }

    pub fn start_hub(&mut self) {
        let env = [("CREMA_WEBHOOK_URL", self.webhook_url.as_str()), ("CREMA_WEBHOOK_SECRET", WEBHOOK_SECRET)];
        self.hub = Some(start_on(&self.hub_db(), self.hub_port, &env));
    }

    /// `kill -9` of the hub.
    pub fn kill_hub(&mut self) {
        if let Some(hub) = self.hub.take() {
            hub.kill();
        }
    }

    pub async fn manager(&self) -> reqwest::Client {
        client_with(&sign_in(&self.hub_base(), MANAGER_PIN).await)
    }

    /// A one-time pairing code for a new terminal called `name`.
    pub async fn pairing_code(&self, name: &str) -> String {
        let response = self
            .manager()
            .await
            .post(format!("{}/api/v1/terminals", self.hub_base()))
            .json(&json!({ "name": name }))
            .send()
            .await
            .expect("enrol");
        assert_eq!(response.status(), 201);
        let terminal: Value = response.json().await.expect("json");
        terminal["code"].as_str().expect("code").to_string()
    }

    /// Pairs and starts a terminal reaching the hub at `hub_url` (the hub itself, or a proxy).
    pub async fn terminal(&self, name: &str, hub_url: &str) -> Terminal {
        let code = self.pairing_code(name).await;
        let db = self.dir.path().join(format!("{name}.db"));
        let running = start_with(&db, &[("CREMA_HUB_URL", hub_url), ("CREMA_PAIRING_CODE", &code)]);
        Terminal { db, hub_url: hub_url.to_string(), running: Some(running) }
    }
}

pub struct Terminal {
    pub db: PathBuf,
    pub hub_url: String,
    pub running: Option<Running>,
}

impl Terminal {
    pub fn base(&self) -> String {
        self.running.as_ref().expect("running").base.clone()
    }

    /// `kill -9`, then the same terminal again on its own database (no pairing code needed).
    pub fn kill(&mut self) {
        if let Some(running) = self.running.take() {
            running.kill();
        }
    }

    pub fn restart(&mut self) {
        self.running = Some(start_with(&self.db, &[("CREMA_HUB_URL", self.hub_url.as_str())]));
    }

    pub async fn cashier(&self) -> reqwest::Client {
        client_with(&sign_in(&self.base(), CASHIER_PIN).await)
    }
}

/// The first item of the menu as `base` serves it (the hub's menu, on a terminal).
pub async fn first_item(client: &reqwest::Client, base: &str) -> Value {
    let menu: Value = client.get(format!("{base}/api/v1/menu")).send().await.expect("menu").json().await.expect("json");
    menu["categories"][0]["items"][0]["id"].clone()
}

/// Places `count` cash orders on the terminal at `base`; every one must be a 201.
pub async fn place(client: &reqwest::Client, base: &str, item: &Value, name: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..count {
        let body = json!({ "customer_name": format!("{name} {n}"), "lines": [{ "item_id": item, "quantity": 1 }],
            "payment": { "method": "cash", "tendered_cents": 2000 } });
        let response = client.post(format!("{base}/api/v1/orders")).json(&body).send().await.expect("sent");
        assert_eq!(response.status(), 201, "a till refused an order: {}", response.text().await.unwrap_or_default());
        let order: Value = response.json().await.expect("json");
        ids.push(order["id"].as_str().expect("id").to_string());
    }
    ids
}

/// Every order `base` has: id → (ticket, status, payment status).
pub async fn orders(client: &reqwest::Client, base: &str) -> BTreeMap<String, (String, String, String)> {
    let mut all = BTreeMap::new();
    let mut offset = 0;
    loop {
        let page: Value = client.get(format!("{base}/api/v1/orders?limit=200&offset={offset}")).fetch_json().await;
        for o in page["orders"].as_array().expect("orders") {
            let field = |f: &str| o[f].as_str().unwrap_or_default().to_string();
            all.insert(field("id"), (field("ticket"), field("status"), field("payment_status")));
        }
        match page["next_offset"].as_i64() {
            Some(next) => offset = next,
            None => return all,
        }
    }
}

pub async fn status(client: &reqwest::Client, base: &str) -> Value {
    client.get(format!("{base}/api/v1/sync/status")).send().await.expect("status").json().await.expect("json")
}

/// Waits until every terminal has pushed everything and holds exactly the hub's orders;
/// returns the hub's orders.
pub async fn converged(
    hub: &str,
    terminals: &[(&str, &reqwest::Client)],
    within: Duration,
) -> BTreeMap<String, (String, String, String)> {
    let manager = client_with(&sign_in(hub, MANAGER_PIN).await);
    let deadline = Instant::now() + within;
    loop {
        let at_hub = orders(&manager, hub).await;
        let mut differences = Vec::new();
        for (base, client) in terminals {
            let sync = status(client, base).await;
            let pending = sync["pending_commands"].as_i64().unwrap_or(-1);
            let here = orders(client, base).await;
            if pending != 0 || here != at_hub {
                let missing = at_hub.keys().filter(|k| !here.contains_key(*k)).count();
                let differ: Vec<String> = at_hub
                    .iter()
                    .filter_map(|(k, v)| here.get(k).filter(|h| *h != v).map(|h| format!("{k}: hub {v:?}, here {h:?}")))
                    .collect();
                let extra = here.keys().filter(|k| !at_hub.contains_key(*k)).count();
                differences.push(format!(
                    "{base}: {pending} pending, {missing} missing, {extra} extra, {} differ {:?}",
                    differ.len(),
                    differ.iter().take(3).collect::<Vec<_>>()
                ));
            }
        }
        if differences.is_empty() {
            return at_hub;
        }
        assert!(Instant::now() < deadline, "no convergence within {within:?}: {differences:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Each `order.placed` the webhook received, by order id: the event ids it came with.
pub fn placed_by_order(receiver: &Receiver) -> HashMap<String, std::collections::HashSet<String>> {
    let mut placed: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
    for received in receiver.all() {
        let event: Value = serde_json::from_slice(&received.body).expect("event json");
        if event["type"] == "order.placed" {
            let order = event["subject"].as_str().unwrap_or_default().to_string();
            placed.entry(order).or_default().insert(event["id"].as_str().unwrap_or_default().to_string());
        }
    }
    placed
}
