//! A till's order placement with 2,000 pickup-board streams open beside it.
//!
//! ```text
//! cargo bench -p crema-server --bench board_streams -- [--streams N] [--orders M] [--clients C]
//! ```
//!
//! The board is public, so anyone on the shop's network can open many streams. Each stream
//! used to re-read the board on every commit, on the readers the tills' session lookups use.
//! This measures what the tills feel: order placement (a signed-in cashier's large oat latte
//! with an extra shot and a croissant, paid cash, over HTTP on loopback) while a kitchen
//! works every order through (accept, both lines, complete: the board changes all the
//! time), first with no board stream, then with `N` streams open (each a plain HTTP/1.1
//! connection reading every board message), and how many board reads and messages the
//! server made meanwhile.

mod support;

use crema_server::{Config, Server};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Args {
    streams: usize,
    orders: usize,
    clients: usize,
}

fn args() -> Args {
    let orders = support::flag("--orders", 3_000);
    Args {
        streams: support::flag("--streams", 2_000),
        orders,
        clients: support::flag("--clients", 8).clamp(1, orders.max(1)),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    crema_server::telemetry::init("warn");
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_database(dir.path().join("bench.db"));
    config.max_board_streams = (args.streams + 16) as u32;
    config.max_connections = (args.streams + 512) as u32;
    let server = Server::bind(&config).await?;
    let addr = server.local_addr()?;
    let state = server.state().clone();
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let client = support::signed_in(&base, "1111", args.clients).await?;
    let barista = support::signed_in(&base, "2222", 4).await?;
    let body = support::typical_order(&client, &base).await?;
    for _ in 0..args.clients.min(50) {
        support::place(&client, &base, &body).await?;
    }
    eprintln!(
        "crema board streams benchmark: {} orders from {} tills, {} board streams",
        args.orders, args.clients, args.streams
    );

    let quiet = placement(&client, &barista, &base, &body, &args).await?;
    report("no board stream     ", args.orders, &quiet);

    let messages = Arc::new(AtomicU64::new(0));
    let opened = Instant::now();
    let mut watchers = Vec::with_capacity(args.streams);
    for _ in 0..args.streams {
        watchers.push(tokio::spawn(watch_board(addr, messages.clone())));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while (messages.load(Ordering::Relaxed) as usize) < args.streams {
        if Instant::now() > deadline {
            return Err(
                format!("only {} of {} streams got the board", messages.load(Ordering::Relaxed), args.streams).into()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("{} board streams open and current in {:.2} s", args.streams, opened.elapsed().as_secs_f64());
    let (reads_before, messages_before) = (state.board.reads(), messages.load(Ordering::Relaxed));

    let busy = placement(&client, &barista, &base, &body, &args).await?;
    report(&format!("{} board streams  ", args.streams), args.orders, &busy);
    tokio::time::sleep(Duration::from_millis(500)).await;
    eprintln!(
        "during it: {} board reads, {} board messages delivered ({:.1} per stream)",
        state.board.reads() - reads_before,
        messages.load(Ordering::Relaxed) - messages_before,
        (messages.load(Ordering::Relaxed) - messages_before) as f64 / args.streams as f64
    );
    for watcher in watchers {
        watcher.abort();
    }
    let _ = stop.send(());
    let _ = serving.await;
    Ok(())
}

/// One board stream over a plain HTTP/1.1 connection, counting `event: board` messages.
async fn watch_board(addr: std::net::SocketAddr, messages: Arc<AtomicU64>) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(b"GET /api/v1/board/stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
        .await?;
    let mut buffer = vec![0u8; 16 * 1024];
    let needle = b"event: board";
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Ok(());
        }
        carry.extend_from_slice(&buffer[..n]);
        let found = carry.windows(needle.len()).filter(|w| w == needle).count();
        messages.fetch_add(found as u64, Ordering::Relaxed);
        let keep = carry.len().min(needle.len() - 1);
        carry.drain(..carry.len() - keep);
    }
}

/// The tills place `args.orders` orders; two kitchen workers take each through to completed.
async fn placement(
    client: &reqwest::Client,
    barista: &reqwest::Client,
    base: &str,
    body: &Value,
    args: &Args,
) -> Result<(Duration, Vec<Duration>), Box<dyn std::error::Error>> {
    let per_client = args.orders / args.clients;
    let (to_kitchen, orders) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let orders = Arc::new(tokio::sync::Mutex::new(orders));
    let kitchen: Vec<_> = (0..2)
        .map(|_| {
            let (barista, base, orders) = (barista.clone(), base.to_string(), orders.clone());
            tokio::spawn(async move {
                loop {
                    let next = orders.lock().await.recv().await;
                    let Some(order) = next else { return Ok::<_, String>(()) };
                    support::work_through(&barista, &base, &order).await?;
                }
            })
        })
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let (client, base, body, to_kitchen) = (client.clone(), base.to_string(), body.clone(), to_kitchen.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let t = Instant::now();
                let order = support::place_order(&client, &base, &body).await?;
                latencies.push(t.elapsed());
                let _ = to_kitchen.send(order);
            }
            Ok::<_, String>(latencies)
        }));
    }
    drop(to_kitchen);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    for worker in kitchen {
        worker.await??;
    }
    Ok((elapsed, latencies))
}

fn report(label: &str, n: usize, (elapsed, latencies): &(Duration, Vec<Duration>)) {
    let mut sorted = latencies.clone();
    sorted.sort();
    let pct = |p: f64| sorted[((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1).min(sorted.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "{label}: {:>7.0} orders/s  p50 {:>6.2} ms  p99 {:>6.2} ms  ({n} in {:.2} s)",
        n as f64 / elapsed.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        elapsed.as_secs_f64()
    );
}
