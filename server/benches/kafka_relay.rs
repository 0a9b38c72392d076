//! Outbox → Kafka: how fast the relay drains a backlog, and how long an event takes from its
//! commit to the broker under order load.
//!
//! ```text
//! cargo bench -p crema-server --bench kafka_relay -- [--orders N] [--clients C] [--seconds S]
//! ```
//!
//! The broker is librdkafka's mock cluster (Kafka protocol on 127.0.0.1, in this process);
//! the server runs in this process too, and an independent consumer reads the topic.
//! 1. Backlog: N cash orders (2 events each) are placed with no sink; then a Kafka sink is
//!    added from sequence 0 and the time until the consumer has every event is measured.
//! 2. Lag: C clients place orders for S seconds with the sink live; for each event the
//!    consumer records `receive time − ce_time` (the event's commit-time timestamp).

mod support;

use crema_server::{Config, Server};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOPIC: &str = "crema.bench";

struct Args {
    orders: usize,
    clients: usize,
    seconds: u64,
}

fn args() -> Args {
    let mut args = Args { orders: 10_000, clients: 16, seconds: 10 };
    let argv: Vec<String> = std::env::args().collect();
    for pair in argv.windows(2) {
        match (pair[0].as_str(), pair[1].parse::<u64>().ok()) {
            ("--orders", Some(v)) => args.orders = v as usize,
            ("--clients", Some(v)) => args.clients = v.max(1) as usize,
            ("--seconds", Some(v)) => args.seconds = v.max(1),
            _ => {}
        }
    }
    args
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(args()))
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    crema_server::telemetry::init("warn");
    let cluster = MockCluster::new(1)?;
    cluster.create_topic(TOPIC, 6, 1)?;
    let brokers = cluster.bootstrap_servers();
    let dir = tempfile::tempdir()?;
    let server = Server::bind(&Config::for_database(dir.path().join("bench.db"))).await?;
    let base = format!("http://{}", server.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let client = support::signed_in(&base, "9999", args.clients).await?;
    let order = typical_order(&client, &base).await?;

    // The consumer counts messages and records lags from ce_time.
    let received = Arc::new(AtomicUsize::new(0));
    let lags = Arc::new(Mutex::new(Vec::<f64>::new()));
    let recording = Arc::new(AtomicBool::new(false));
    let consumer = spawn_consumer(&brokers, received.clone(), lags.clone(), recording.clone())?;

    // 1. Backlog drain.
    eprintln!("placing {} orders with no sink...", args.orders);
    place_many(&client, &base, &order, args.orders, args.clients).await?;
    let backlog = args.orders * 2;
    let started = Instant::now();
    let sink = json!({"kind": "kafka", "name": "bench", "brokers": brokers, "topic": TOPIC, "start_after": 0});
    let created = client.post(format!("{base}/api/v1/sinks")).json(&sink).send().await?;
    if created.status() != 201 {
        return Err(format!("creating the sink: {}", created.status()).into());
    }
    while received.load(Ordering::SeqCst) < backlog {
        if started.elapsed() > Duration::from_secs(300) {
            return Err("the backlog did not drain in 5 minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let drain = started.elapsed();
    eprintln!(
        "backlog: {backlog} events to Kafka in {:.2} s = {:.0} events/s",
        drain.as_secs_f64(),
        backlog as f64 / drain.as_secs_f64()
    );

    // 2. Commit → broker lag under load.
    recording.store(true, Ordering::SeqCst);
    let before = received.load(Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut placed = 0;
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let (client, base, order) = (client.clone(), base.clone(), order.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while Instant::now() < deadline {
                if place(&client, &base, &order).await.is_err() {
                    break;
                }
                n += 1;
            }
            n
        }));
    }
    for task in tasks {
        placed += task.await?;
    }
    let expected = before + placed * 2;
    let wait = Instant::now();
    while received.load(Ordering::SeqCst) < expected && wait.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut lags = lags.lock().map_err(|_| "lags")?.clone();
    lags.sort_by(|a, b| a.total_cmp(b));
    let pct =
        |p: f64| lags.get(((lags.len() as f64 * p).ceil() as usize).saturating_sub(1)).copied().unwrap_or(f64::NAN);
    eprintln!(
        "under load: {placed} orders ({:.0}/s) → {} events; commit→broker lag p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        placed as f64 / args.seconds as f64,
        lags.len(),
        pct(0.50),
        pct(0.99),
        lags.last().copied().unwrap_or(f64::NAN)
    );
    consumer.abort();
    let _ = stop.send(());
    let _ = serving.await;
    Ok(())
}

fn spawn_consumer(
    brokers: &str,
    received: Arc<AtomicUsize>,
    lags: Arc<Mutex<Vec<f64>>>,
    recording: Arc<AtomicBool>,
) -> Result<tokio::task::JoinHandle<()>, Box<dyn std::error::Error>> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", "crema-bench")
        .set("auto.offset.reset", "earliest")
        .set("fetch.wait.max.ms", "5")
        .create()?;
    consumer.subscribe(&[TOPIC])?;
    Ok(tokio::spawn(async move {
        loop {
            let Ok(message) = consumer.recv().await else { continue };
            let now = chrono::Utc::now();
            if recording.load(Ordering::SeqCst) {
                let time = message.headers().and_then(|h| {
                    h.iter()
                        .find(|x| x.key == "ce_time")
                        .and_then(|x| x.value)
                        .map(|v| String::from_utf8_lossy(v).to_string())
                });
                if let Some(t) = time.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok()) {
                    let lag = (now - t.with_timezone(&chrono::Utc)).num_microseconds().unwrap_or(0) as f64 / 1000.0;
                    if let Ok(mut lags) = lags.lock() {
                        lags.push(lag);
                    }
                }
            }
            received.fetch_add(1, Ordering::SeqCst);
        }
    }))
}

async fn typical_order(client: &reqwest::Client, base: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let menu: Value = client.get(format!("{base}/api/v1/menu")).send().await?.json().await?;
    let espresso = menu["categories"][0]["items"][0]["id"].clone();
    Ok(
        json!({"customer_name": "Ana", "lines": [{"item_id": espresso, "quantity": 1}], "payment": {"method": "cash", "tendered_cents": 500}}),
    )
}

async fn place(client: &reqwest::Client, base: &str, order: &Value) -> Result<(), String> {
    let response = client.post(format!("{base}/api/v1/orders")).json(order).send().await.map_err(|e| e.to_string())?;
    if response.status() != 201 {
        return Err(format!("unexpected {}", response.status()));
    }
    Ok(())
}

async fn place_many(
    client: &reqwest::Client,
    base: &str,
    order: &Value,
    n: usize,
    clients: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let per = n.div_ceil(clients);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let count = per.min(n.saturating_sub(c * per));
        let (client, base, order) = (client.clone(), base.to_string(), order.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..count {
                place(&client, &base, &order).await?;
            }
            Ok::<_, String>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}
