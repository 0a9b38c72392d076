//! The load generator, run as a process of its own (this benchmark's executable again, with
//! `--load-generator`): C clients, each on its own persistent HTTP/1.1 connection, place the
//! typical order one after another, each with its own `Idempotency-Key`, insisting on `201`.
//!
//! Requests are written and answers read on plain sockets (status line, headers,
//! `Content-Length` body) so that the generator spends as little of the shared two cores as
//! it can; what it does use is reported beside the server's.
//!
//! Conversation with the benchmark, on standard input and output: it prints `ready` once
//! signed in and warmed up, waits for a line, runs, and prints
//! `done <seconds> <p50 ms> <p99 ms> <p99.9 ms> <its own CPU seconds>`.

use crate::{serving, support};
use std::io::BufRead;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Which `Idempotency-Key`s the clients send (see the benchmark's `--keys`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    /// UUIDv4: in no order, as any HTTP client may make them.
    Random,
    /// UUIDv7: in the order they are made, as Crema's tills make them.
    Ordered,
}

impl Keys {
    pub fn parse(flag: Option<&str>) -> Result<Keys, String> {
        match flag {
            None | Some("random") => Ok(Keys::Random),
            Some("ordered") => Ok(Keys::Ordered),
            Some(other) => Err(format!("--keys takes random or ordered, not {other:?}")),
        }
    }

    pub fn flag(self) -> &'static str {
        match self {
            Keys::Random => "random",
            Keys::Ordered => "ordered",
        }
    }

    fn make(self) -> uuid::Uuid {
        match self {
            Keys::Random => uuid::Uuid::new_v4(),
            Keys::Ordered => uuid::Uuid::now_v7(),
        }
    }
}

pub fn main(base: &str, orders: usize, clients: usize, keys: Keys) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let client = support::signed_in(base, "1111", 1).await?;
        let token = support::session_token(base, "1111").await?;
        let body = support::typical_order(&client, base).await?.to_string();
        let addr = base.trim_start_matches("http://").to_string();
        let warm = run(&addr, &token, &body, clients * 20, clients, keys).await.map_err(|e| e.to_string())?;
        drop(warm);
        say("ready")?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let cpu = serving::cpu_seconds(std::process::id())?;
        let started = Instant::now();
        let mut latencies = run(&addr, &token, &body, orders, clients, keys).await.map_err(|e| e.to_string())?;
        let elapsed = started.elapsed();
        let cpu = serving::cpu_seconds(std::process::id())? - cpu;
        latencies.sort();
        let ms: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        say(&format!(
            "done {} {} {} {} {cpu}",
            elapsed.as_secs_f64(),
            support::percentile(&ms, 50.0),
            support::percentile(&ms, 99.0),
            support::percentile(&ms, 99.9)
        ))
    })
}

/// One line to the benchmark, on standard output.
fn say(line: &str) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// `orders` orders from `clients` connections; every answer's latency.
async fn run(
    addr: &str,
    token: &str,
    body: &str,
    orders: usize,
    clients: usize,
    keys: Keys,
) -> Result<Vec<Duration>, Failure> {
    let mut tasks = Vec::new();
    for c in 0..clients {
        let n = orders / clients + usize::from(c < orders % clients);
        let (addr, token, body) = (addr.to_string(), token.to_string(), body.to_string());
        tasks.push(tokio::spawn(async move { one_client(&addr, &token, &body, n, keys).await }));
    }
    let mut latencies = Vec::with_capacity(orders);
    for task in tasks {
        latencies.extend(task.await??);
    }
    Ok(latencies)
}

async fn one_client(addr: &str, token: &str, body: &str, orders: usize, keys: Keys) -> Result<Vec<Duration>, Failure> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut latencies = Vec::with_capacity(orders);
    let mut buffer = Vec::with_capacity(8192);
    for _ in 0..orders {
        let request = format!(
            "POST /api/v1/orders HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n\
             content-type: application/json\r\nidempotency-key: {}\r\ncontent-length: {}\r\n\r\n{body}",
            keys.make(),
            body.len()
        );
        let sent = Instant::now();
        stream.write_all(request.as_bytes()).await?;
        let status = read_answer(&mut stream, &mut buffer).await?;
        latencies.push(sent.elapsed());
        if status != 201 {
            return Err(format!("expected 201, got {status}: {}", String::from_utf8_lossy(&buffer)).into());
        }
    }
    Ok(latencies)
}

/// Reads one HTTP/1.1 answer (headers and a `Content-Length` body) into `buffer`; its status.
async fn read_answer(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<u16, Failure> {
    buffer.clear();
    let mut chunk = [0_u8; 8192];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buffer[..end])?;
            let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or("no status")?;
            let length: usize = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .and_then(|v| v.parse().ok())
                .ok_or("no content-length")?;
            while buffer.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err("connection closed mid-answer".into());
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            return Ok(status);
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err("connection closed".into());
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}
