//! Unary `CreateOrder` over gRPC beside `POST /api/v1/orders` over REST, in the same run.
//!
//! ```text
//! cargo bench -p crema-server --bench grpc -- [--orders N] [--clients C] [--rounds R]
//! ```
//!
//! Both faces place the typical order (a large oat latte with an extra shot and a croissant,
//! paid cash) with their own idempotency key, as a signed-in cashier, from C concurrent
//! clients: REST over a pool of HTTP/1.1 connections (reqwest, as a till's browser does),
//! gRPC over one HTTP/2 connection (tonic, as a gRPC client does). Each run gets a fresh
//! server in this process (127.0.0.1, a free port, `synchronous=FULL`); the faces alternate
//! over R rounds and the report gives each face's median round.

mod support;

use crema_server::grpc::pb::crema::v1 as pb;
use crema_server::grpc::pb::crema::v1::order_service_client::OrderServiceClient;
use crema_server::{Config, Server};
use serde_json::Value;
use std::time::{Duration, Instant};
use tonic::metadata::MetadataValue;
use uuid::Uuid;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Face {
    Rest,
    Grpc,
}

struct Round {
    face: Face,
    per_second: f64,
    /// Process CPU (server and client, user + system) per order.
    cpu_us: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    crema_server::telemetry::init("warn");
    let orders = support::flag("--orders", 5_000);
    let clients = support::flag("--clients", 32).clamp(1, orders.max(1));
    let rounds = support::flag("--rounds", 3).max(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!(
        "crema gRPC vs REST: {orders} orders per run, {clients} concurrent clients, {rounds} rounds, {cores} cores"
    );
    let mut results = Vec::new();
    for round in 0..rounds {
        let faces = if round % 2 == 0 { [Face::Rest, Face::Grpc] } else { [Face::Grpc, Face::Rest] };
        for face in faces {
            let result = one_run(face, orders, clients).await?;
            eprintln!(
                "  round {round} {face:?}: {:.0} orders/s, p50 {:.2} ms, p99 {:.2} ms, CPU {:.0} µs/order",
                result.per_second, result.p50_ms, result.p99_ms, result.cpu_us
            );
            results.push(result);
        }
    }
    for face in [Face::Rest, Face::Grpc] {
        let mut mine: Vec<&Round> = results.iter().filter(|r| r.face == face).collect();
        mine.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
        let median = mine[mine.len() / 2];
        eprintln!(
            "{face:?} (median round): {:.0} orders/s, p50 {:.2} ms, p99 {:.2} ms, CPU {:.0} µs/order",
            median.per_second, median.p50_ms, median.p99_ms, median.cpu_us
        );
    }
    Ok(())
}

async fn one_run(face: Face, orders: usize, clients: usize) -> Result<Round, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let server = Server::bind(&Config::for_database(dir.path().join("bench.db"))).await?;
    let addr = server.local_addr()?;
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let client = support::signed_in(&base, "1111", clients).await?;
    let body = support::typical_order(&client, &base).await?;
    let token = token(&base).await?;
    let grpc = grpc_client(&base, &token).await?;
    let request = grpc_request(&body)?;
    let place = move |face: Face| {
        let (client, base, body, grpc, request) =
            (client.clone(), base.clone(), body.clone(), grpc.clone(), request.clone());
        async move {
            match face {
                Face::Rest => support::place(&client, &base, &body).await,
                Face::Grpc => {
                    let mut grpc = grpc;
                    let mut request = request;
                    request.request_id = Uuid::new_v4().to_string();
                    grpc.create_order(request).await.map(|_| ()).map_err(|e| e.to_string())
                }
            }
        }
    };
    for _ in 0..clients.min(50) {
        place(face).await?;
    }
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    let mut tasks = Vec::new();
    for c in 0..clients {
        let n = orders / clients + usize::from(c < orders % clients);
        let place = place.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                place(face).await?;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(orders);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let (elapsed, cpu) = (started.elapsed(), cpu_seconds() - cpu_before);
    let _ = stop.send(());
    let _ = serving.await;
    latencies.sort_by(f64::total_cmp);
    Ok(Round {
        face,
        per_second: orders as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
        cpu_us: cpu * 1e6 / orders as f64,
        p50_ms: support::percentile(&latencies, 50.0),
        p99_ms: support::percentile(&latencies, 99.0),
    })
}

/// This process's CPU time so far (user + system, from `/proc/self/stat`, in clock ticks of
/// 1/100 s); 0 where there is no `/proc`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after_name.split_whitespace().map(|f| f.parse().unwrap_or(0.0)).collect();
    (fields.get(11).copied().unwrap_or(0.0) + fields.get(12).copied().unwrap_or(0.0)) / 100.0
}

async fn token(base: &str) -> Result<String, Box<dyn std::error::Error>> {
    let session: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/sessions"))
        .json(&serde_json::json!({"pin": "1111"}))
        .send()
        .await?
        .json()
        .await?;
    Ok(session["token"].as_str().ok_or("no token")?.to_string())
}

/// Sends the cashier's session on every call.
#[derive(Clone)]
struct Bearer(MetadataValue<tonic::metadata::Ascii>);

impl tonic::service::Interceptor for Bearer {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        request.metadata_mut().insert("authorization", self.0.clone());
        Ok(request)
    }
}

type Authed = OrderServiceClient<tonic::service::interceptor::InterceptedService<tonic::transport::Channel, Bearer>>;

async fn grpc_client(base: &str, token: &str) -> Result<Authed, Box<dyn std::error::Error>> {
    let channel =
        tonic::transport::Channel::from_shared(base.to_string())?.timeout(Duration::from_secs(30)).connect().await?;
    Ok(OrderServiceClient::with_interceptor(channel, Bearer(format!("Bearer {token}").parse()?)))
}

/// REST's typical order body as a `CreateOrderRequest`.
fn grpc_request(body: &Value) -> Result<pb::CreateOrderRequest, Box<dyn std::error::Error>> {
    let text = |v: &Value| v.as_str().map(str::to_string).ok_or("not a string");
    let mut lines = Vec::new();
    for line in body["lines"].as_array().ok_or("no lines")? {
        lines.push(pb::LineRequest {
            item_id: text(&line["item_id"])?,
            quantity: line["quantity"].as_i64().unwrap_or(1),
            option_ids: line["option_ids"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| o.as_str().map(str::to_string))
                .collect(),
            note: None,
        });
    }
    Ok(pb::CreateOrderRequest {
        customer_name: text(&body["customer_name"])?,
        lines,
        payment: Some(pb::PaymentRequest {
            method: pb::PaymentMethod::Cash as i32,
            tendered_cents: body["payment"]["tendered_cents"].as_i64(),
            approval_code: None,
            print_receipt: None,
            tip_cents: None,
            tip_percent_bps: None,
            amount_cents: None,
        }),
        ..Default::default()
    })
}
