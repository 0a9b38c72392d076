//! How close order placement comes to what this machine can do.
//!
//! ```text
//! cargo bench -p crema-server --bench placement_limit -- [--orders 20000] [--clients 1,8,32,64]
//!     [--group 128] [--pg-orders 2000] [--keys random|ordered]
//! ```
//!
//! In one run, on one machine:
//!
//! 1. **The floor** ([`floor`]): the rows of `--orders` orders written by one thread on one
//!    SQLite connection through prepared statements, `--group` orders per commit, with
//!    `synchronous=FULL`.
//! 2. **The API**: for each client count, a fresh `crema-server` process (the release binary, a
//!    new database file, a shop's default configuration) and a load generator in a process of
//!    its own ([`load`]) placing `--orders` typical orders (a large oat latte with an extra shot
//!    and a croissant, paid cash, each with its own `Idempotency-Key`) over persistent
//!    HTTP/1.1 connections. Printed: orders/s, p50/p99/p99.9, the server's CPU per order and
//!    cores used (from `/proc`, over the timed run only), the generator's CPU per order, and
//!    the API's throughput as a share of the floor's.
//! 3. **The same on PostgreSQL** (`--pg-orders` per client count, 0 to skip): a private
//!    server started for the run, each level on a fresh database.
//!
//! `--keys` chooses the `Idempotency-Key`s: `random` (UUIDv4, as any HTTP client may send;
//! the default, as in every earlier run) or `ordered` (UUIDv7, as Crema's own tills send: a
//! key made later sorts later, so the database appends it instead of inserting it at a random
//! place in the index of keys).
//!
//! Every `201` counted is durable: the server answers only after the commit holding it.
//! `CREMA_BENCH_SERVER=<path>` drives another build of the server (before/after figures).

#[path = "../support/mod.rs"]
mod support;

mod floor;
mod load;
mod serving;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let argv: Vec<String> = std::env::args().collect();
    if argv.iter().any(|a| a == "--load-generator") {
        let base = text_flag(&argv, "--base").ok_or("--base")?;
        let keys = load::Keys::parse(text_flag(&argv, "--keys").as_deref())?;
        return load::main(&base, support::flag("--orders", 20_000), support::flag("--clients", 32).max(1), keys);
    }
    let keys = load::Keys::parse(text_flag(&argv, "--keys").as_deref())?;
    let orders = support::flag("--orders", 20_000).max(1);
    let group = support::flag("--group", 128);
    let pg_orders = support::flag("--pg-orders", 2_000);
    let levels: Vec<usize> = text_flag(&argv, "--clients")
        .unwrap_or_else(|| "1,8,32,64".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .filter(|c| *c > 0)
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!("placement limit: {orders} orders per level, clients {levels:?}, {cores} cores, {keys:?} keys");

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let floor = runtime.block_on(floor::run(orders, group))?;
    let floor_rate = orders as f64 / floor.as_secs_f64();
    eprintln!(
        "floor: {floor_rate:.0} orders/s ({orders} in {:.2} s, {group} per commit, prepared statements)",
        floor.as_secs_f64()
    );

    eprintln!("| store | clients | orders/s | p50 ms | p99 ms | p99.9 ms | server CPU/order | server cores | generator CPU/order | API/floor |");
    eprintln!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &clients in &levels {
        let serving = serving::start(None)?;
        let level = drive(&serving, orders, clients, keys)?;
        print_row("SQLite", clients, &level, Some(floor_rate));
    }
    if pg_orders > 0 {
        let postgres = crema_e2e::postgres::Postgres::start();
        for (n, &clients) in levels.iter().enumerate() {
            let url = postgres.create_database(&format!("placement_{n}"));
            let serving = serving::start(Some(&url))?;
            let level = drive(&serving, pg_orders, clients, keys)?;
            print_row("PostgreSQL", clients, &level, None);
        }
    }
    Ok(())
}

/// What one level measured.
struct Level {
    orders: usize,
    seconds: f64,
    p50: f64,
    p99: f64,
    p999: f64,
    server_cpu: f64,
    generator_cpu: f64,
}

/// Runs the load generator against `serving` and reads the server's CPU around the timed run.
fn drive(serving: &serving::Serving, orders: usize, clients: usize, keys: load::Keys) -> Result<Level, Failure> {
    let mut generator = Command::new(std::env::current_exe()?)
        .args(["--load-generator", "--base", &serving.base])
        .args(["--orders", &orders.to_string(), "--clients", &clients.to_string()])
        .args(["--keys", keys.flag()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(generator.stdout.take().ok_or("no stdout")?).lines();
    let mut input = generator.stdin.take().ok_or("no stdin")?;
    let first = lines.next().transpose()?.unwrap_or_default();
    if first != "ready" {
        let _ = generator.kill();
        return Err(format!("the load generator did not get ready: {first:?}").into());
    }
    let cpu = serving.cpu_seconds()?;
    writeln!(input, "go")?;
    let done = lines.next().transpose()?.unwrap_or_default();
    let server_cpu = serving.cpu_seconds()? - cpu;
    generator.wait()?;
    let numbers: Vec<f64> = done.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    let [seconds, p50, p99, p999, generator_cpu] = numbers[..] else {
        return Err(format!("the load generator failed: {done:?}").into());
    };
    Ok(Level { orders, seconds, p50, p99, p999, server_cpu, generator_cpu })
}

fn print_row(store: &str, clients: usize, level: &Level, floor_rate: Option<f64>) {
    let rate = level.orders as f64 / level.seconds;
    let per_order = |cpu: f64| format!("{:.0} µs", cpu / level.orders as f64 * 1e6);
    eprintln!(
        "| {store} | {clients} | {rate:.0} | {:.2} | {:.2} | {:.2} | {} | {:.2} | {} | {} |",
        level.p50,
        level.p99,
        level.p999,
        per_order(level.server_cpu),
        level.server_cpu / level.seconds,
        per_order(level.generator_cpu),
        floor_rate.map_or("—".into(), |f| format!("{:.2}", rate / f)),
    );
}

/// The text after `--name` on the command line.
fn text_flag(argv: &[String], name: &str) -> Option<String> {
    argv.windows(2).find(|pair| pair[0] == name).map(|pair| pair[1].clone())
}
