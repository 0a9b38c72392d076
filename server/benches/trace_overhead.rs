//! What exporting traces costs order placement: the real `crema-server` binary, once with
//! OTLP export off and once exporting every span (HTTP/protobuf to a receiver in this
//! process that reads and acknowledges each batch), rounds interleaved so the machine's
//! drift hits both alike.
//!
//! ```text
//! cargo bench -p crema-server --bench trace_overhead -- [--orders N] [--clients C] [--rounds R]
//! ```

mod support;

use axum::body::Bytes;
use axum::routing::post;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run())
}

struct Round {
    exporting: bool,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let orders = support::flag("--orders", 4000);
    let clients = support::flag("--clients", 32).max(1);
    let rounds = support::flag("--rounds", 3).max(1);
    let (collector, received) = receiver().await?;
    eprintln!("trace export overhead: {orders} orders × {clients} clients, {rounds} rounds each way");
    let mut results = Vec::new();
    for round in 0..rounds {
        for exporting in [false, true] {
            let before = received.load(Ordering::Relaxed);
            let result = one_round(exporting, &collector, orders, clients).await?;
            let bytes = received.load(Ordering::Relaxed) - before;
            eprintln!(
                "round {round} export {}: {:.0} orders/s, p50 {:.2} ms, p99 {:.2} ms, {bytes} bytes of spans received",
                if exporting { "on " } else { "off" },
                result.per_second,
                result.p50_ms,
                result.p99_ms
            );
            if exporting && bytes == 0 {
                return Err("export was on but no spans arrived".into());
            }
            results.push(result);
        }
    }
    let median = |exporting: bool| {
        let mut mine: Vec<&Round> = results.iter().filter(|r| r.exporting == exporting).collect();
        mine.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
        (mine[mine.len() / 2].per_second, mine[mine.len() / 2].p99_ms)
    };
    let (off, off_p99) = median(false);
    let (on, on_p99) = median(true);
    eprintln!(
        "median: off {off:.0} orders/s (p99 {off_p99:.2} ms), on {on:.0} orders/s (p99 {on_p99:.2} ms): \
         export costs {:.1} % of throughput",
        (1.0 - on / off) * 100.0
    );
    Ok(())
}

/// An OTLP/HTTP receiver: acknowledges each export, counting the bytes.
async fn receiver() -> Result<(String, Arc<AtomicU64>), Box<dyn std::error::Error>> {
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(body.len() as u64, Ordering::Relaxed);
                ([(axum::http::header::CONTENT_TYPE, "application/x-protobuf")], Vec::<u8>::new())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((format!("http://{addr}"), received))
}

struct Serving {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(exporting: bool, collector: &str) -> Result<Serving, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut command = Command::new(env!("CARGO_BIN_EXE_crema-server"));
    command
        .args(["--bind", "127.0.0.1:0", "--database-url"])
        .arg(dir.path().join("bench.db"))
        .env("CREMA_LOG", "warn,crema_server=info")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if exporting {
        command.env("OTEL_EXPORTER_OTLP_ENDPOINT", collector).env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    }
    let mut child = command.spawn()?;
    let addr = support::listening_address(&mut child, Duration::from_secs(30))?;
    Ok(Serving { child, base: format!("http://{addr}"), _dir: dir })
}

async fn one_round(
    exporting: bool,
    collector: &str,
    orders: usize,
    clients: usize,
) -> Result<Round, Box<dyn std::error::Error>> {
    let server = start(exporting, collector)?;
    let base = server.base.clone();
    let client = support::signed_in(&base, "1111", clients).await?;
    let body = support::typical_order(&client, &base).await?;
    for _ in 0..clients.min(50) {
        support::place(&client, &base, &body).await?;
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let n = orders / clients + usize::from(c < orders % clients);
        let (client, base, body) = (client.clone(), base.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                support::place(&client, &base, &body).await?;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(orders);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    // Let the last batch of spans leave before the server goes.
    tokio::time::sleep(Duration::from_millis(if exporting { 6000 } else { 0 })).await;
    Ok(Round { exporting, per_second: orders as f64 / elapsed.as_secs_f64(), p50_ms: at(0.5), p99_ms: at(0.99) })
}
