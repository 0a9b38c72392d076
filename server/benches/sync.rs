//! Offline sync's figures for docs/performance.md, on real processes (the release
//! `crema-server`: a hub and two terminals, each with its own database):
//!
//! 1. till A's `201` → the ticket drawn on terminal B's kitchen display (headless Chromium
//!    following B's own live stream), the hub up: p50/p99 over `--orders` orders, one every
//!    150 ms;
//! 2. draining a backlog: the hub is killed, till A takes `--backlog` orders (8 clients),
//!    the hub is restarted; push throughput (orders at the hub per second from the restart)
//!    and the time until both terminals have converged (A has pushed everything, B has every
//!    order).
//!
//! `cargo build --release --bins && cargo bench -p crema-server --bench sync -- --orders 50 --backlog 10000`
//! (needs `scripts/build-ui` first, and chromium + chromium-driver).

mod support;

use support::{arg, epoch_ms, latency_summary};

use crema_e2e::binary::{free_port, start_on, start_with, Running};
use crema_e2e::browser;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error>;

async fn pairing_code(manager: &reqwest::Client, hub: &str, name: &str) -> Result<String, Error> {
    let made: Value =
        manager.post(format!("{hub}/api/v1/terminals")).json(&json!({ "name": name })).send().await?.json().await?;
    Ok(made["code"].as_str().ok_or("no code")?.to_string())
}

async fn terminal(manager: &reqwest::Client, hub: &str, dir: &Path, name: &str) -> Result<Running, Error> {
    let code = pairing_code(manager, hub, name).await?;
    Ok(start_with(&dir.join(format!("{name}.db")), &[("CREMA_HUB_URL", hub), ("CREMA_PAIRING_CODE", &code)]))
}

/// Whether `base` has at least `n` orders.
async fn has_orders(client: &reqwest::Client, base: &str, n: usize) -> Result<bool, Error> {
    let page: Value = client.get(format!("{base}/api/v1/orders?limit=1&offset={}", n - 1)).send().await?.json().await?;
    Ok(page["orders"].as_array().is_some_and(|o| !o.is_empty()))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let orders = arg("--orders", 50);
    let backlog = arg("--backlog", 10_000);
    let dir = tempfile::tempdir()?;
    let port = free_port();
    let hub_db = dir.path().join("hub.db");
    let hub = start_on(&hub_db, port, &[]);
    let manager = support::signed_in(&hub.base, "9999", 2).await?;
    let a = terminal(&manager, &hub.base, dir.path(), "A").await?;
    let b = terminal(&manager, &hub.base, dir.path(), "B").await?;

    // 1. Till A's 201 → drawn on terminal B's kitchen display.
    let driver = browser::Driver::start().await;
    let kitchen = browser::Browser::open(&driver, &b.base).await;
    kitchen.sign_in_at("/kds", "2222").await;
    kitchen.wait_for_text("[data-test='live']", "live").await;
    kitchen.client.execute(support::OBSERVE_TICKETS, vec![]).await?;
    let cashier = support::signed_in(&a.base, "1111", 8).await?;
    let order = support::typical_order(&cashier, &a.base).await?;
    let mut acks: HashMap<String, f64> = HashMap::new();
    for _ in 0..orders {
        let response = cashier.post(format!("{}/api/v1/orders", a.base)).json(&order).send().await?;
        let acked = epoch_ms();
        let placed: Value = response.json().await?;
        acks.insert(placed["ticket_number"].to_string(), acked);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let rendered = kitchen.client.execute("return window.__rendered;", vec![]).await?;
    let mut latency: Vec<f64> = Vec::new();
    for (ticket, acked) in &acks {
        let frame = rendered[ticket.as_str()]["frame"].as_f64().ok_or(format!("ticket {ticket} never showed on B"))?;
        latency.push(frame - acked);
    }
    latency.sort_by(f64::total_cmp);
    eprintln!(
        "till A 201 → terminal B's kitchen display, hub up, {} orders: {}",
        latency.len(),
        latency_summary(&latency)
    );
    kitchen.close().await;
    driver.stop();

    // 2. A backlog taken while the hub is down, drained when it returns.
    hub.kill();
    let taking = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..8 {
        let (cashier, base, order) = (cashier.clone(), a.base.clone(), order.clone());
        let count = backlog / 8 + usize::from(client < backlog % 8);
        tasks.push(tokio::spawn(async move {
            for _ in 0..count {
                let response = cashier
                    .post(format!("{base}/api/v1/orders"))
                    .json(&order)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if response.status() != 201 {
                    return Err(format!("a till answered {}", response.status()));
                }
            }
            Ok::<_, String>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let taken = taking.elapsed();
    eprintln!(
        "offline: {backlog} orders taken on till A in {:.1} s ({:.0} orders/s)",
        taken.as_secs_f64(),
        backlog as f64 / taken.as_secs_f64()
    );
    let total = orders + backlog;
    let hub = start_on(&hub_db, port, &[]);
    let back = Instant::now();
    let manager = support::signed_in(&hub.base, "9999", 2).await?;
    let reader_b = support::signed_in(&b.base, "2222", 2).await?;
    let mut at_hub = None;
    loop {
        if at_hub.is_none() && has_orders(&manager, &hub.base, total).await? {
            at_hub = Some(back.elapsed());
        }
        let status: Value = cashier.get(format!("{}/api/v1/sync/status", a.base)).send().await?.json().await?;
        if at_hub.is_some() && status["pending_commands"] == 0 && has_orders(&reader_b, &b.base, total).await? {
            break;
        }
        if back.elapsed() > Duration::from_secs(600) {
            return Err("no convergence within 10 minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pushed = at_hub.unwrap_or_default();
    let converged = back.elapsed();
    eprintln!(
        "hub back: the {backlog}-order backlog reached it in {:.1} s ({:.0} orders/s pushed); both terminals converged in {:.1} s",
        pushed.as_secs_f64(),
        backlog as f64 / pushed.as_secs_f64(),
        converged.as_secs_f64()
    );
    drop((a, b));
    hub.kill();
    Ok(())
}
