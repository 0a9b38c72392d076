//! Order placement on each store, in one run on one machine: SQLite, PostgreSQL with one
//! Crema instance, PostgreSQL with two instances on the same database (clients alternate
//! between them), at 8, 32 and 64 clients; and `pgbench` running the same order transaction
//! (the rows one API order writes, the outbox head taken first) as PostgreSQL's floor.
//!
//! ```text
//! cargo bench -p crema-server --bench store_scale -- [--orders N] [--seconds S]
//! ```
//!
//! Each order is the typical one (a large oat latte with an extra shot and a croissant, paid
//! cash, its own Idempotency-Key, a signed-in cashier). The servers run in this process on
//! loopback; PostgreSQL is a private server this benchmark starts (`synchronous_commit=on`,
//! `fsync=on`), as the tests do. Every 201 is durable on both stores.

mod support;

use crema_server::{Config, Server};
use std::time::{Duration, Instant};

const CLIENTS: [usize; 3] = [8, 32, 64];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let orders = support::flag("--orders", 4_000);
    let seconds = support::flag("--seconds", 10);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(orders, seconds))
}

async fn run(orders: usize, seconds: usize) -> Result<(), Box<dyn std::error::Error>> {
    crema_server::telemetry::init("error");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!("crema store benchmark: {orders} orders per run, {cores} cores");
    let postgres = crema_e2e::postgres::Postgres::start();
    eprintln!("{:<28} {:>8} {:>10} {:>9} {:>9}", "store", "clients", "orders/s", "p50 ms", "p99 ms");
    for clients in CLIENTS {
        let dir = tempfile::tempdir()?;
        let sqlite = Config::for_database(dir.path().join("bench.db"));
        row("SQLite", clients, place(&[sqlite], orders, clients).await?);
        for instances in [1, 2] {
            let url = postgres.create_database(&format!("bench_{clients}_{instances}"));
            let configs: Vec<Config> = (0..instances)
                .map(|_| {
                    let mut config = Config::for_database(dir.path().join("unused.db"));
                    config.database_url = url.clone();
                    config.key_file = Some(dir.path().join("pg.key"));
                    config
                })
                .collect();
            row(&format!("PostgreSQL, {instances} instance(s)"), clients, place(&configs, orders, clients).await?);
        }
    }
    let url = postgres.create_database("floor");
    // The schema, from the server's own migrations.
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_database(dir.path().join("unused.db"));
    config.database_url = url.clone();
    config.key_file = Some(dir.path().join("floor.key"));
    let schema = Server::bind(&config).await?;
    schema.state().store.close().await;
    drop(schema);
    for clients in CLIENTS {
        let tps = pgbench(&postgres, &url, clients, seconds)?;
        eprintln!("{:<28} {clients:>8} {tps:>10.0} {:>9} {:>9}", "pgbench (floor)", "-", "-");
    }
    Ok(())
}

struct Run {
    elapsed: Duration,
    latencies: Vec<Duration>,
}

fn row(label: &str, clients: usize, run: Run) {
    let mut ms: Vec<f64> = run.latencies.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let rate = run.latencies.len() as f64 / run.elapsed.as_secs_f64();
    eprintln!(
        "{label:<28} {clients:>8} {rate:>10.0} {:>9.1} {:>9.1}",
        support::percentile(&ms, 0.50),
        support::percentile(&ms, 0.99)
    );
}

/// Starts one server per configuration and places `orders` from `clients` clients, each
/// client sending to the servers in turn.
async fn place(configs: &[Config], orders: usize, clients: usize) -> Result<Run, Box<dyn std::error::Error>> {
    let mut bases = Vec::new();
    let mut stops = Vec::new();
    for config in configs {
        let server = Server::bind(config).await?;
        bases.push(format!("http://{}", server.local_addr()?));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        stops.push((stop, serving));
    }
    let client = support::signed_in(&bases[0], "1111", clients).await?;
    let body = support::typical_order(&client, &bases[0]).await?;
    for base in &bases {
        for _ in 0..clients.min(20) {
            support::place(&client, base, &body).await?;
        }
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, bases, body) = (client.clone(), bases.clone(), body.clone());
        let n = orders / clients + usize::from(c < orders % clients);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(n);
            for i in 0..n {
                let base = &bases[(c + i) % bases.len()];
                let t = Instant::now();
                support::place(&client, base, &body).await?;
                latencies.push(t.elapsed());
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(orders);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    for (stop, serving) in stops {
        let _ = stop.send(());
        let _ = serving.await;
    }
    Ok(Run { elapsed, latencies })
}

/// The rows one API order writes, as one transaction, the outbox head locked first as the
/// writer does.
const ORDER_TRANSACTION: &str = r#"BEGIN;
UPDATE outbox_head SET sequence = sequence + 2 WHERE id = 1 RETURNING sequence AS head \gset
INSERT INTO ticket_counters (business_date, last_number) VALUES ('2026-12-04', 1)
  ON CONFLICT (shop_id, business_date) DO UPDATE SET last_number = ticket_counters.last_number + 1 RETURNING last_number AS ticket \gset
WITH o AS (
  INSERT INTO orders (id, business_date, ticket_number, customer_name, customer_email, status, payment_status, currency,
    subtotal_cents, discount_cents, tax_cents, tip_cents, total_cents, payment_method, tendered_cents, change_due_cents,
    version, created_at, updated_at, placed_by, payment_reference, ticket_prefix, refunded_cents)
  VALUES (gen_random_uuid(), '2026-12-04', :ticket, 'Guest', NULL, 'placed', 'captured', 'USD', 1090, 0, 95, 0, 1185,
    'cash', 2000, 815, 1, now(), now(), NULL, NULL, 'bench', 0)
  RETURNING id),
h AS (INSERT INTO order_status_history (order_id, from_status, to_status, at) SELECT id, NULL, 'placed', now() FROM o),
l AS (INSERT INTO order_lines (id, order_id, position, item_id, name, quantity, unit_price_cents, options, note, status, line_total_cents)
  SELECT gen_random_uuid(), o.id, p, gen_random_uuid(), 'Latte', 1, 545, '[{"name": "Oat"}]', NULL, 'queued', 545
  FROM o, generate_series(0, 1) p),
i AS (INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response, created_at)
  SELECT 'orders', id::text, repeat('0', 64), 201, '{"id": "' || id || '"}', now() FROM o),
j AS (INSERT INTO jobs (id, kind, payload, state, attempts, run_at, created_at, updated_at)
  SELECT gen_random_uuid(), 'order.sla', jsonb_build_object('order_id', id), 'pending', 0, now(), now(), now() FROM o),
e AS (INSERT INTO outbox (sequence, event_id, event_type, subject, time, data)
  SELECT :head - 1 + n, gen_random_uuid(), 'order.placed', o.id::text, now(), '{"total_cents": 1185}'
  FROM o, generate_series(0, 1) n)
INSERT INTO audit_log (id, at, action, subject, detail, prev_hash, hash)
  SELECT COALESCE((SELECT MAX(id) FROM audit_log), 0) + 1, now(), 'order.placed', id::text, '{}', 'p', 'h' FROM o;
COMMIT;
"#;

/// Transactions per second pgbench reaches with [`ORDER_TRANSACTION`] from `clients` clients.
fn pgbench(
    postgres: &crema_e2e::postgres::Postgres,
    url: &str,
    clients: usize,
    seconds: usize,
) -> Result<f64, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let script = dir.path().join("order.sql");
    std::fs::write(&script, ORDER_TRANSACTION)?;
    let output = std::process::Command::new(postgres.binary("pgbench"))
        .args(["-n", "-c", &clients.to_string(), "-j", "2", "-T", &seconds.to_string(), "-f"])
        .arg(&script)
        // As Crema's connections do: the shop its rows belong to.
        .arg(format!("{url}?options=-c%20crema.shop%3Ddemo"))
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| line.strip_prefix("tps = ").and_then(|rest| rest.split_whitespace().next()?.parse().ok()))
        .ok_or_else(|| format!("pgbench: {text}{}", String::from_utf8_lossy(&output.stderr)).into())
}
