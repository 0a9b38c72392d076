//! The screens' figures for docs/performance.md:
//!
//! 1. the size of the screens' wasm (raw and gzip, as served);
//! 2. time to first render of the POS in headless Chromium: navigation start to the first
//!    frame after the item grid is drawn (the app's `crema:pos-rendered` mark), median of
//!    `--loads` page loads;
//! 3. POS-ack → KDS-render: a till places `--orders` orders one after another through the
//!    API (the same request the POS screen sends); for each, the time from its `201` reaching
//!    the till to the first frame in which a barista's display (another Chromium, following
//!    the live stream) shows that ticket. Both clocks are this machine's wall clock. A
//!    barista takes each of them through the kitchen a second after it was placed.
//!
//! `cargo bench -p crema-server --bench screens -- --orders 50 --loads 15 [--load 32 [--rate 200] [--display-first]] [--profile]`
//!
//! With `--load N`, N more tills place the typical order as fast as the server answers, each
//! order then taken through the kitchen (accept, both lines, complete) by a barista of its
//! own, while the POS-ack → KDS-render orders are measured: the kitchen display draws and
//! clears all those tickets too, as a screen in a busy shop would. That load grows with the
//! server's speed (each till waits for its answer); `--rate R` paces the N tills to R orders
//! a second in all instead, so builds of different speed are compared under the same load.
//! The display's main thread meanwhile is reported from DevTools' own counters
//! (`Performance.getMetrics`): the share of the time its tasks took, and of that script, style
//! and layout (the rest is mostly painting and the browser's own handling of the stream) —
//! wall-clock time, waits for a core included — and the CPU its main thread and its whole
//! renderer actually used (`ThreadTime`, `ProcessTime`): the difference is time a task was
//! ready to run and the machine had no core for it.
//!
//! `--display-first` puts the server's threads and the load's (the N tills and their
//! baristas, on a runtime of their own) at nice 10, while the display's browser, the measured
//! till and the stream follower keep the default: the display gets a core when it needs one,
//! as on a device of its own (in a shop the kitchen display is a tablet or a terminal, and the
//! server that takes the tills' load a box in the back office), and the server and the load
//! still take every cycle the display leaves. Without it all of them share the two cores as
//! equals, and a display task of a few milliseconds can wait tens for a core.
//!
//! `--profile` samples the display's main thread (`Profiler.start`) over the measured orders
//! and prints its self time by function: the browser's own work as `(program)`, and the
//! screens' Rust functions by name when the wasm keeps them (a build without
//! `--remove-name-section`).
//! (needs `scripts/build-ui` first, and chromium + chromium-driver).

mod priority;
mod profile;
#[path = "../support/mod.rs"]
mod support;

use priority::{lower_priority_of_process, lower_priority_runtime, Yielding, YIELDING_NICE};
use support::{arg, epoch_ms, latency_summary, percentile};

use crema_e2e::{binary, browser};

use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let orders = arg("--orders", 50);
    let loads = arg("--loads", 15);
    let load = arg("--load", 0);
    let rate = arg("--rate", 0);
    let profile = std::env::args().any(|a| a == "--profile");
    let display_first = std::env::args().any(|a| a == "--display-first");

    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    let size = |name: &str| std::fs::metadata(dist.join(name)).map(|m| m.len()).unwrap_or(0);
    eprintln!("wasm: {} bytes raw, {} bytes gzip", size("crema_ui_bg.wasm"), size("crema_ui_bg.wasm.gz"));
    eprintln!("js glue: {} bytes raw, {} bytes gzip", size("crema_ui.js"), size("crema_ui.js.gz"));

    let dir = tempfile::tempdir()?;
    let shop = binary::start(&dir.path().join("crema.db"));
    let driver = browser::Driver::start().await;

    // Time to first render of the POS (signed in; the wasm is revalidated, as on a tablet).
    let till = browser::Browser::open(&driver, &shop.base).await;
    till.sign_in_at("/pos", "1111").await;
    let mut first_render = Vec::new();
    for _ in 0..loads {
        till.goto("/pos").await;
        let mut at = None;
        for _ in 0..400 {
            let v = till
                .client
                .execute("const m = performance.getEntriesByName('crema:pos-rendered'); return m.length ? m[0].startTime : null;", vec![])
                .await?;
            if let Some(ms) = v.as_f64() {
                at = Some(ms);
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        first_render.push(at.ok_or("the POS never rendered")?);
    }
    first_render.sort_by(f64::total_cmp);
    eprintln!(
        "POS first render over {loads} loads: median {:.0} ms, min {:.0} ms, max {:.0} ms",
        percentile(&first_render, 50.0),
        first_render[0],
        first_render[first_render.len() - 1]
    );

    // POS-ack → KDS-render.
    let kitchen = browser::Browser::open(&driver, &shop.base).await;
    kitchen.sign_in_at("/kds", "2222").await;
    kitchen.wait_for_text("[data-test='live']", "live").await;
    kitchen.client.execute(support::OBSERVE_TICKETS, vec![]).await?;
    let cashier = support::signed_in(&shop.base, "1111", 2).await?;
    let menu: Value = cashier.get(format!("{}/api/v1/menu", shop.base)).send().await?.json().await?;
    let espresso = crema_e2e::http::menu_item(&menu, "Espresso").ok_or("no espresso")?;
    // Other tills placing the typical order as fast as they can, all the while.
    let busy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let mut background = Vec::new();
    // With `--display-first` the server and the load yield the cores to the display (and to
    // this process's measuring till and stream follower), as a display on a device of its own.
    let yielding = if display_first {
        lower_priority_of_process(shop.child.id());
        Some(Yielding(Some(lower_priority_runtime()?)))
    } else {
        None
    };
    let load_on = yielding
        .as_ref()
        .and_then(|y| y.0.as_ref())
        .map(|rt| rt.handle().clone())
        .unwrap_or_else(tokio::runtime::Handle::current);
    if load > 0 {
        // Made on the load's own runtime, so their connections are driven there.
        let base = shop.base.clone();
        let (tills, baristas, body) = load_on
            .spawn(async move {
                let tills = support::signed_in(&base, "1111", load).await.map_err(|e| e.to_string())?;
                let baristas = support::signed_in(&base, "2222", load).await.map_err(|e| e.to_string())?;
                let body = support::typical_order(&tills, &base).await.map_err(|e| e.to_string())?;
                Ok::<_, String>((tills, baristas, body))
            })
            .await??;
        for till in 0..load {
            let (tills, baristas, base, body, busy) =
                (tills.clone(), baristas.clone(), shop.base.clone(), body.clone(), busy.clone());
            background.push(load_on.spawn(async move {
                let mut placed = 0_usize;
                // Paced: each till starts an order every `load / rate` seconds (one that
                // falls behind is not made up in a burst).
                let mut pace = (rate > 0).then(|| {
                    let period = Duration::from_secs_f64(load as f64 / rate as f64);
                    // Staggered, so the tills do not all order in the same instant.
                    let first = tokio::time::Instant::now() + period.mul_f64(till as f64 / load as f64);
                    let mut every = tokio::time::interval_at(first, period);
                    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    every
                });
                while busy.load(std::sync::atomic::Ordering::Relaxed) {
                    if let Some(every) = pace.as_mut() {
                        every.tick().await;
                    }
                    let order = support::place_order(&tills, &base, &body).await?;
                    support::work_through(&baristas, &base, &order).await?;
                    placed += 1;
                }
                Ok::<_, String>(placed)
            }));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    // A plain client following the same stream: when each measured ticket's event left the
    // server, so the time in the browser can be told from the time before it.
    let streamed = std::sync::Arc::new(std::sync::Mutex::new(HashMap::<String, f64>::new()));
    let follower = {
        let client = support::signed_in(&shop.base, "2222", 1).await?;
        let (url, streamed) = (format!("{}/api/v1/events", shop.base), streamed.clone());
        tokio::spawn(async move {
            let mut stream = crema_e2e::http::SseReader::connect(&client, &url, None).await;
            while let Some(message) = stream.next(Duration::from_secs(30)).await {
                let at = epoch_ms();
                let Ok(event) = serde_json::from_str::<Value>(&message.data) else { continue };
                if event["type"] == "order.placed" {
                    if let Ok(mut seen) = streamed.lock() {
                        seen.insert(event["data"]["ticket_number"].to_string(), at);
                    }
                }
            }
        })
    };
    if display_first {
        // Threads the server started since (a blocking pool's, say) inherited its priority
        // from the thread that made them; this catches any made before.
        lower_priority_of_process(shop.child.id());
        eprintln!("display first: the server and the {load} tills and baristas at nice {YIELDING_NICE}");
    }
    let started = std::time::Instant::now();
    kitchen.cdp("Performance.enable", json!({})).await;
    let before = renderer_metrics(&kitchen).await;
    if profile {
        kitchen.cdp("Profiler.enable", json!({})).await;
        kitchen.cdp("Profiler.setSamplingInterval", json!({ "interval": 200 })).await;
        kitchen.cdp("Profiler.start", json!({})).await;
    }
    let mut acks: HashMap<String, f64> = HashMap::new();
    // The measured orders are made too, a second after each is placed (long after it is
    // drawn): the display holds what a busy kitchen's does, not a pile that grows with
    // `--orders` (the measured till's orders used to stay open to the end of the run).
    let barista = support::signed_in(&shop.base, "2222", 8).await?;
    let mut made = Vec::new();
    for i in 0..orders {
        let body = json!({ "customer_name": format!("Guest {i}"), "lines": [{ "item_id": espresso["id"], "quantity": 1 }],
            "payment": { "method": "cash", "tendered_cents": 1000 } });
        let response = cashier.post(format!("{}/api/v1/orders", shop.base)).json(&body).send().await?;
        let acked = epoch_ms();
        let order: Value = response.json().await?;
        acks.insert(order["ticket_number"].to_string(), acked);
        let (barista, base) = (barista.clone(), shop.base.clone());
        made.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            support::work_through(&barista, &base, &order).await
        }));
        // A busy counter, not a flood: one order every 150 ms.
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let after = renderer_metrics(&kitchen).await;
    let sampled = if profile { Some(kitchen.cdp("Profiler.stop", json!({})).await) } else { None };
    let window = started.elapsed().as_secs_f64();
    busy.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut placed = 0;
    for task in background {
        placed += task.await??;
    }
    for task in made {
        task.await??;
    }
    if load > 0 {
        let seconds = started.elapsed().as_secs_f64() + 1.0;
        eprintln!(
            "background: {load} tills placed {placed} orders ({:.0}/s), each taken through the kitchen",
            placed as f64 / seconds
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rendered = kitchen.client.execute("return window.__rendered;", vec![]).await?;
    let mut to_frame = Vec::new();
    let mut to_dom = Vec::new();
    for (ticket, acked) in &acks {
        let seen = &rendered[ticket.as_str()];
        let (Some(frame), Some(dom)) = (seen["frame"].as_f64(), seen["dom"].as_f64()) else {
            return Err(format!("ticket {ticket} never showed on the kitchen display").into());
        };
        to_frame.push(frame - acked);
        to_dom.push(dom - acked);
    }
    follower.abort();
    let mut to_stream = Vec::new();
    if let Ok(seen) = streamed.lock() {
        for (ticket, acked) in &acks {
            if let Some(at) = seen.get(ticket) {
                to_stream.push(at - acked);
            }
        }
    }
    to_stream.sort_by(f64::total_cmp);
    to_frame.sort_by(f64::total_cmp);
    to_dom.sort_by(f64::total_cmp);
    eprintln!(
        "POS-ack → KDS-render over {} orders: {} (to DOM insertion: p50 {:.1} ms, p99 {:.1} ms)",
        to_frame.len(),
        latency_summary(&to_frame),
        percentile(&to_dom, 50.0),
        percentile(&to_dom, 99.0),
    );
    if !to_stream.is_empty() {
        eprintln!(
            "POS-ack → the event at a plain client following the same stream over {} orders: p50 {:.1} ms, p99 {:.1} ms",
            to_stream.len(),
            percentile(&to_stream, 50.0),
            percentile(&to_stream, 99.0),
        );
    }
    // Where the display's main thread went meanwhile (DevTools' own counters, in seconds).
    let share = |name: &str| (after.get(name).unwrap_or(&0.0) - before.get(name).unwrap_or(&0.0)) / window;
    eprintln!(
        "kitchen display's main thread: its tasks ran {:.2} of the time (script {:.2}, style {:.2}, layout {:.2}); {:.0} layouts/s",
        share("TaskDuration"),
        share("ScriptDuration"),
        share("RecalcStyleDuration"),
        share("LayoutDuration"),
        share("LayoutCount"),
    );
    eprintln!(
        "kitchen display's CPU: main thread {:.2} of a core, its whole renderer {:.2} (the rest of its tasks' time they waited for a core)",
        share("ThreadTime"),
        share("ProcessTime"),
    );
    if let Some(sampled) = sampled {
        profile::print(&sampled["profile"]);
    }
    till.close().await;
    kitchen.close().await;
    driver.stop();
    shop.kill();
    drop(yielding);
    Ok(())
}

/// The renderer's counters (`Performance.getMetrics`) by name.
async fn renderer_metrics(browser: &browser::Browser) -> HashMap<String, f64> {
    let answer = browser.cdp("Performance.getMetrics", json!({})).await;
    answer["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| Some((m["name"].as_str()?.to_string(), m["value"].as_f64()?)))
        .collect()
}
