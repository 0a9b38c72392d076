//! End to end with a real Kafka-protocol broker: the `crema-server` binary forwards to a
//! `tansu` broker started by the test (which does not create topics on its own), makes its
//! topic there with the partitions it was told, and an independent consumer reads it back.
//!
//! Slow suite: tansu takes ≈25 min to build cold, so this test is ignored by default and run
//! by `scripts/test --slow`, which installs tansu first.

use crema_e2e::binary::start_with;
use crema_e2e::http::FetchJson;
use rdkafka::admin::AdminClient;
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const TOPIC: &str = "crema.e2e";

struct Broker {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_tansu() -> Broker {
    let dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let url = format!("tcp://127.0.0.1:{port}");
    // tansu's sqlite:// engine (feature `libsql`) takes a path relative to its working directory.
    let child = Command::new("tansu")
        .current_dir(dir.path())
        .args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "sqlite://tansu.db",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tansu on PATH (scripts/test --slow installs it)");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "tansu did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Broker { child, address: format!("127.0.0.1:{port}"), _dir: dir }
}

#[tokio::test]
#[ignore = "slow suite: needs the tansu broker; run scripts/test --slow"]
async fn the_binary_forwards_every_event_to_a_real_broker() {
    let broker = start_tansu().await;
    let admin: AdminClient<DefaultClientContext> =
        ClientConfig::new().set("bootstrap.servers", &broker.address).create().expect("admin");
    // Nobody makes the topic: Crema does, with the partitions it is configured for.
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let mut server = start_with(
        &db,
        &[
            ("CREMA_KAFKA_BROKERS", broker.address.as_str()),
            ("CREMA_KAFKA_TOPIC", TOPIC),
            ("CREMA_KAFKA_PARTITIONS", "5"),
        ],
    );
    let client =
        crema_e2e::http::client_with(&crema_e2e::http::sign_in(&server.base, crema_e2e::http::CASHIER_PIN).await);
    let menu: Value =
        client.get(format!("{}/api/v1/menu", server.base)).send().await.expect("menu").json().await.expect("json");
    let espresso = menu["categories"][0]["items"][0]["id"].clone();
    let mut orders = HashSet::new();
    for n in 0..10 {
        let body = json!({"customer_name": format!("Guest {n}"), "lines": [{"item_id": espresso, "quantity": 1}],
            "payment": {"method": "cash", "tendered_cents": 500}});
        let order: Value = client.post(format!("{}/api/v1/orders", server.base)).json(&body).fetch_json().await;
        orders.insert(order["id"].as_str().expect("id").to_string());
    }

    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.address)
        .set("group.id", "crema-e2e")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("consumer");
    consumer.subscribe(&[TOPIC]).expect("subscribe");
    let mut by_order: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    let mut ids = HashSet::new();
    while ids.len() < 20 {
        let message = tokio::time::timeout(Duration::from_secs(60), consumer.recv())
            .await
            .unwrap_or_else(|_| panic!("only {} of 20 events reached the broker", ids.len()))
            .expect("message");
        let header = |name: &str| {
            message
                .headers()
                .and_then(|h| h.iter().find(|x| x.key == name).and_then(|x| x.value))
                .map(|v| String::from_utf8_lossy(v).to_string())
                .unwrap_or_default()
        };
        let key = message.key().map(|k| String::from_utf8_lossy(k).to_string()).unwrap_or_default();
        assert_eq!(header("ce_subject"), key);
        assert_eq!(header("ce_specversion"), "1.0");
        ids.insert(header("ce_id"));
        by_order.entry(key).or_default().push((header("ce_sequence").parse().expect("sequence"), header("ce_type")));
    }
    assert_eq!(by_order.keys().cloned().collect::<HashSet<_>>(), orders);
    let metadata = admin.inner().fetch_metadata(Some(TOPIC), Duration::from_secs(10)).expect("metadata");
    let topic = metadata.topics().iter().find(|t| t.name() == TOPIC).expect("the topic exists");
    assert_eq!(topic.partitions().len(), 5, "Crema created its topic with the configured partitions");
    for events in by_order.values() {
        let types: Vec<&str> = events.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(types, ["order.placed", "payment.captured"], "in order per order");
    }
    server.child.kill().expect("kill");
    server.child.wait().expect("reaped");
}
