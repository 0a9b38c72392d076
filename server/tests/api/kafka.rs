//! The outbox relay to Kafka, against librdkafka's mock cluster (a Kafka-protocol broker on
//! 127.0.0.1, in process), read back with an independent consumer.

use crate::helpers::{spawn_app_with, TestApp};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

const TOPIC: &str = "crema.events";

struct Received {
    key: String,
    headers: HashMap<String, String>,
    payload: Value,
}

async fn consume(brokers: &str, count: usize) -> Vec<Received> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", "crema-test")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false")
        .create()
        .expect("consumer");
    consumer.subscribe(&[TOPIC]).expect("subscribe");
    let mut received = Vec::new();
    while received.len() < count {
        let message = match tokio::time::timeout(Duration::from_secs(30), consumer.recv())
            .await
            .unwrap_or_else(|_| panic!("only {} of {count} messages arrived", received.len()))
        {
            Ok(message) => message,
            // The topic may not exist until the first event is produced.
            Err(rdkafka::error::KafkaError::MessageConsumption(_)) => continue,
            Err(e) => panic!("consuming: {e}"),
        };
        let headers = message
            .headers()
            .map(|h| {
                h.iter()
                    .map(|header| {
                        (
                            header.key.to_string(),
                            header.value.map(|v| String::from_utf8_lossy(v).to_string()).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        received.push(Received {
            key: message.key().map(|k| String::from_utf8_lossy(k).to_string()).unwrap_or_default(),
            headers,
            payload: serde_json::from_slice(message.payload().unwrap_or_default()).expect("json payload"),
        });
    }
    received
}

async fn app_with_kafka(brokers: &str) -> TestApp {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crate::helpers::test_config(dir.path().join("crema.db"));
    config.kafka_brokers = Some(brokers.to_string());
    config.kafka_topic = TOPIC.to_string();
    spawn_app_with(config, dir).await
}

#[tokio::test]
async fn every_event_reaches_kafka_in_binary_mode_keyed_by_order_and_in_order_per_order() {
    let cluster = MockCluster::new(1).expect("mock cluster");
    cluster.create_topic(TOPIC, 3, 1).expect("topic");
    let brokers = cluster.bootstrap_servers();
    let app = app_with_kafka(&brokers).await;
    let demo = app.demo().await;
    let mut orders = Vec::new();
    for i in 0..5 {
        let mut body = demo.espresso(&format!("Guest {i}"));
        body["payment"] = json!({"method": "cash", "tendered_cents": 500});
        orders.push(app.place(&body).await);
    }
    let first = &orders[0];
    assert_eq!(app.post_empty(&format!("/api/v1/orders/{}/accept", first.id)).await.status(), 200);
    let events = app.events().await;
    assert_eq!(events.len(), 11);

    let received = consume(&brokers, events.len()).await;
    let mut by_key: HashMap<String, Vec<i64>> = HashMap::new();
    for message in &received {
        let h = &message.headers;
        assert_eq!(h.get("ce_specversion").map(String::as_str), Some("1.0"));
        assert_eq!(h.get("ce_source").map(String::as_str), Some("crema/demo/hub"));
        assert_eq!(h.get("content-type").map(String::as_str), Some("application/json"));
        let stored = events.iter().find(|e| Some(&e.id) == h.get("ce_id")).expect("a known event id");
        assert_eq!(h.get("ce_type"), Some(&stored.event_type));
        assert_eq!(h.get("ce_subject"), stored.subject.as_ref());
        assert_eq!(message.key, stored.subject.clone().unwrap_or_default(), "keyed by the order");
        assert_eq!(message.payload, stored.data, "the value is the event's data");
        by_key.entry(message.key.clone()).or_default().push(h["ce_sequence"].parse().expect("sequence"));
    }
    assert_eq!(by_key.len(), 5);
    for sequences in by_key.values() {
        assert!(sequences.windows(2).all(|w| w[0] < w[1]), "one order's events stay in order: {sequences:?}");
    }
    assert_eq!(by_key[&first.id.to_string()].len(), 3, "placed, captured, accepted");
    let last = events.last().map(|e| e.sequence).unwrap_or_default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let sinks = loop {
        let sinks: Value = app.get("/api/v1/sinks").await.json().await.expect("json");
        if sinks[0]["cursor"] == last {
            break sinks;
        }
        assert!(tokio::time::Instant::now() < deadline, "cursor never reached {last}: {sinks}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(sinks[0]["kind"], "kafka");
    assert_eq!(sinks[0]["topic"], TOPIC);
    app.stop().await;
}

#[tokio::test]
async fn kafka_sinks_are_managed_through_the_api_and_validated() {
    let cluster = MockCluster::new(1).expect("mock cluster");
    cluster.create_topic(TOPIC, 1, 1).expect("topic");
    let brokers = cluster.bootstrap_servers();
    let dir = tempfile::tempdir().expect("dir");
    let app = spawn_app_with(crate::helpers::test_config(dir.path().join("crema.db")), dir).await;
    for (body, field) in [
        (json!({"kind": "kafka", "name": "k", "topic": "t"}), "brokers"),
        (json!({"kind": "kafka", "name": "k", "brokers": "nohost", "topic": "t"}), "brokers"),
        (json!({"kind": "kafka", "name": "k", "brokers": brokers, "topic": "bad topic!"}), "topic"),
        (json!({"kind": "kafka", "name": "k", "brokers": brokers, "topic": "t", "url": "http://x/hook"}), "url"),
        (json!({"kind": "carrier-pigeon", "name": "k"}), "kind"),
    ] {
        let response = app.post("/api/v1/sinks", &body).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(response.json::<Value>().await.expect("json")["errors"][0]["field"], field, "{body}");
    }
    let created = app
        .post(
            "/api/v1/sinks",
            &json!({"kind": "kafka", "name": "warehouse", "brokers": brokers, "topic": TOPIC, "start_after": 0}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let sink: Value = created.json().await.expect("json");
    assert!(sink.get("secret").is_none());
    let demo = app.demo().await;
    app.place(&demo.espresso("Ana")).await;
    let received = consume(&brokers, 1).await;
    assert_eq!(received[0].headers.get("ce_type").map(String::as_str), Some("order.placed"));
    app.stop().await;
}

/// Brokers that do not answer: the sink's status names the topic it could neither find nor
/// make, instead of events timing out behind a bare "Message timed out".
#[tokio::test]
async fn a_topic_that_cannot_be_found_or_made_is_named_in_the_sinks_status() {
    let dir = tempfile::tempdir().expect("dir");
    let app = spawn_app_with(crate::helpers::test_config(dir.path().join("crema.db")), dir).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port");
    let created = app
        .post(
            "/api/v1/sinks",
            &json!({"kind": "kafka", "name": "nowhere", "brokers": closed.to_string(), "topic": "crema.lost", "start_after": 0}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
    let demo = app.demo().await;
    app.place(&demo.espresso("Ana")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let sink: Value = app.get(&format!("/api/v1/sinks/{id}")).await.json().await.expect("json");
        if let Some(error) = sink["last_error"].as_str() {
            assert!(error.contains("crema.lost"), "the status names the topic: {error}");
            assert!(error.contains("could not be created"), "and says why: {error}");
            assert_eq!(sink["cursor"], 0, "nothing was skipped");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the sink never said why: {sink}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.stop().await;
}
