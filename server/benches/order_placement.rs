//! Durable order placement through HTTP on loopback, against the floor: the same rows
//! written with the same statements straight through sqlx with the same durability settings,
//! one transaction per order on one connection.
//!
//! ```text
//! cargo bench -p crema-server --bench order_placement -- [--orders N] [--clients C]
//! ```
//!
//! Each API order is "a large oat latte with an extra shot and a croissant, paid cash",
//! sent with its own Idempotency-Key by a signed-in cashier, as a till would. The server runs in this process on
//! 127.0.0.1 and a free port, with `synchronous=FULL` (every 201 is on disk).

mod support;

use crema_server::service::orders::{sla, view as order_view};
use crema_server::service::RequestContext;
use crema_server::store::db::Db;
use crema_server::store::idempotency::{KeyIndex, SavedResponse};
use crema_server::store::placement::{self, IdempotencyRecord};
use crema_server::store::{audit, connect_options, time};
use crema_server::{Config, Server};
use serde_json::json;
use sqlx::{Connection, SqliteConnection};
use std::time::{Duration, Instant};
use uuid::Uuid;

struct Args {
    orders: usize,
    clients: usize,
}

fn args() -> Args {
    let orders = support::flag("--orders", 20_000);
    Args { orders, clients: support::flag("--clients", 32).clamp(1, orders.max(1)) }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    crema_server::telemetry::init("warn");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!(
        "crema order placement benchmark: {} orders, {} concurrent clients, {cores} cores",
        args.orders, args.clients
    );

    let api = api_run(&args).await?;
    report("API  (HTTP, loopback)", args.orders, api.elapsed, Some(&api.latencies));
    let floor = floor_run(args.orders).await?;
    report("floor (sqlx, 1 conn) ", args.orders, floor, None);
    let ratio = floor.as_secs_f64() / api.elapsed.as_secs_f64();
    eprintln!("ratio API/floor: {ratio:.2}");
    Ok(())
}

struct ApiRun {
    elapsed: Duration,
    latencies: Vec<Duration>,
}

async fn api_run(args: &Args) -> Result<ApiRun, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let config = Config::for_database(dir.path().join("bench.db"));
    let server = Server::bind(&config).await?;
    let base = format!("http://{}", server.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    // A cashier's session, as a till has.
    let client = support::signed_in(&base, "1111", args.clients).await?;
    let body = support::typical_order(&client, &base).await?;

    // Warm up connections and caches.
    for _ in 0..args.clients.min(50) {
        support::place(&client, &base, &body).await?;
    }
    let per_client = args.orders / args.clients;
    let extra = args.orders % args.clients;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let (client, base, body) = (client.clone(), base.clone(), body.clone());
        let n = per_client + usize::from(c < extra);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                support::place(&client, &base, &body).await?;
                latencies.push(t.elapsed());
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(args.orders);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    let _ = serving.await;
    Ok(ApiRun { elapsed, latencies })
}

/// The same rows one API order writes (order, lines, history, outbox events, idempotency
/// answer, job, audit row), with the same statements, straight through sqlx on
/// one connection with the same durability settings: one transaction per order, no HTTP,
/// no batching.
async fn floor_run(orders: usize) -> Result<Duration, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let config = Config::for_database(dir.path().join("floor.db"));
    // Create, migrate and seed the file like the server does, then close it.
    let state = crema_server::server::build_state(&config).await?;
    state.store.close().await;
    let mut conn =
        SqliteConnection::connect_with(&connect_options(&config.database_url, Duration::from_secs(5))?).await?;
    let keys = KeyIndex::load(&mut conn).await?;
    let ctx = RequestContext::internal();
    let captured = support::sample::captured();
    let started = Instant::now();
    for _ in 0..orders {
        let now = time::now();
        let id = Uuid::now_v7();
        let key = Uuid::new_v4().to_string();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await?;
        let check =
            placement::check(&mut Db::sqlite(&mut conn), &keys, id, "2026-11-22", Some(("orders", &key))).await?;
        let order = support::sample::order(id, check.next_ticket_number, now);
        let subject = Some(order.id.to_string());
        let events = [
            ctx.event("order.placed", subject.clone(), now, order_view::order_event_data(&order, None)),
            ctx.event("payment.captured", subject.clone(), now, order_view::order_event_data(&order, Some(&captured))),
        ];
        let body = serde_json::to_string(&order_view::order_dto(&order, None))?;
        let saved = SavedResponse { request_hash: "0".repeat(64), status_code: 201, body };
        let record = IdempotencyRecord { scope: "orders", key: &key, saved: &saved, keys: &keys };
        let sla_job = sla::second_job_for(now, Duration::from_secs(600));
        // Every sale is audited, in the hash-chained log (the check read its head).
        let detail =
            json!({ "ticket": order.ticket_number, "total_cents": 1185, "tender": "cash", "approval_code": null });
        let audited = audit::link_after(check.audit_head.clone(), &ctx.audit("order.placed", subject.clone(), detail));
        placement::write(
            &mut Db::sqlite(&mut conn),
            &order,
            true,
            &events,
            Some(record),
            std::slice::from_ref(&sla_job),
            Some(&audited),
        )
        .await?;
        sqlx::query("COMMIT").execute(&mut conn).await?;
    }
    Ok(started.elapsed())
}

fn report(label: &str, n: usize, elapsed: Duration, latencies: Option<&[Duration]>) {
    let rate = n as f64 / elapsed.as_secs_f64();
    match latencies {
        Some(latencies) => {
            let mut sorted = latencies.to_vec();
            sorted.sort();
            let pct =
                |p: f64| sorted[((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1).min(sorted.len() - 1)];
            eprintln!(
                "{label}: {rate:>8.0} orders/s  p50 {:>6.2} ms  p99 {:>6.2} ms  p99.9 {:>6.2} ms  ({n} in {:.2} s)",
                ms(pct(0.50)),
                ms(pct(0.99)),
                ms(pct(0.999)),
                elapsed.as_secs_f64()
            );
        }
        None => eprintln!("{label}: {rate:>8.0} orders/s  ({n} in {:.2} s)", elapsed.as_secs_f64()),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
