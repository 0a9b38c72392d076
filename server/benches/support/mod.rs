//! What the benchmarks need: a client signed in as a member of staff, the typical order (a
//! large oat latte with an extra shot and a croissant, paid cash) and placing it.

#![allow(dead_code)] // each benchmark uses its part

pub mod sample;

use serde_json::{json, Value};
use uuid::Uuid;

/// A client that sends the session of `pin` on every request, keeping `pool` idle connections.
pub async fn signed_in(base: &str, pin: &str, pool: usize) -> Result<reqwest::Client, Box<dyn std::error::Error>> {
    let token = session_token(base, pin).await?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse()?);
    Ok(reqwest::Client::builder().default_headers(headers).pool_max_idle_per_host(pool).build()?)
}

/// A new session's token for the member of staff whose PIN is `pin`.
pub async fn session_token(base: &str, pin: &str) -> Result<String, Box<dyn std::error::Error>> {
    let session: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/sessions"))
        .json(&json!({ "pin": pin }))
        .send()
        .await?
        .json()
        .await?;
    Ok(session["token"].as_str().ok_or("no token")?.to_string())
}

/// The typical order's body, from the server's menu.
pub async fn typical_order(client: &reqwest::Client, base: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let menu: Value = client.get(format!("{base}/api/v1/menu")).send().await?.json().await?;
    let find = |name: &str| crema_e2e::http::menu_item(&menu, name).ok_or(format!("no {name}"));
    let latte = find("Latte")?;
    let option = |name: &str| -> Result<Value, String> {
        latte["modifier_groups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["options"].as_array().into_iter().flatten())
            .find(|o| o["name"] == name)
            .map(|o| o["id"].clone())
            .ok_or(format!("no {name}"))
    };
    Ok(json!({
        "customer_name": "Ana",
        "lines": [
            {"item_id": latte["id"], "quantity": 1, "option_ids": [option("Large")?, option("Oat milk")?, option("Extra shot")?]},
            {"item_id": find("Croissant")?["id"], "quantity": 1}
        ],
        "payment": {"method": "cash", "tendered_cents": 2000}
    }))
}

/// Places `body` with its own Idempotency-Key and insists on a 201.
pub async fn place(client: &reqwest::Client, base: &str, body: &Value) -> Result<(), String> {
    place_order(client, base, body).await.map(|_| ())
}

/// [`place`], answering the placed order.
pub async fn place_order(client: &reqwest::Client, base: &str, body: &Value) -> Result<Value, String> {
    let response = client
        .post(format!("{base}/api/v1/orders"))
        .header("idempotency-key", Uuid::new_v4().to_string())
        .json(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != 201 {
        return Err(format!("unexpected {}", response.status()));
    }
    response.json().await.map_err(|e| e.to_string())
}

/// Accept, start and finish each line, complete: the order enters and leaves the kitchen's
/// screens, as a barista would take it through.
pub async fn work_through(barista: &reqwest::Client, base: &str, order: &Value) -> Result<(), String> {
    let id = order["id"].as_str().ok_or("no id")?;
    let mut steps = vec![format!("{base}/api/v1/orders/{id}/accept")];
    for line in order["lines"].as_array().into_iter().flatten() {
        let line = line["id"].as_str().ok_or("no line id")?;
        steps.push(format!("{base}/api/v1/orders/{id}/lines/{line}/start"));
        steps.push(format!("{base}/api/v1/orders/{id}/lines/{line}/done"));
    }
    steps.push(format!("{base}/api/v1/orders/{id}/complete"));
    for step in steps {
        let response = barista.post(&step).send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("{step}: {}", response.status()));
        }
        response.bytes().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Reads a started server's standard output (on a thread, to the end, so it never blocks on a
/// full pipe) and answers the address it says it listens on, within `wait`.
pub fn listening_address(
    child: &mut std::process::Child,
    wait: std::time::Duration,
) -> Result<String, Box<dyn std::error::Error>> {
    use std::io::BufRead;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or_default().to_string());
            }
        }
    });
    Ok(rx.recv_timeout(wait).map_err(|_| "the server did not start listening")?)
}

/// The number after `--name` on the command line, or `default`.
pub fn flag(name: &str, default: usize) -> usize {
    let argv: Vec<String> = std::env::args().collect();
    argv.windows(2).filter(|pair| pair[0] == name).find_map(|pair| pair[1].parse().ok()).unwrap_or(default)
}

/// `--name N` from the command line, else `default`.
pub fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// This machine's wall clock in milliseconds (a browser's `performance.timeOrigin` scale).
pub fn epoch_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

/// Run in a kitchen display's page: records, for each `[data-ticket]`, when it was inserted
/// (`dom`) and the first animation frame after (`frame`), both on this machine's wall clock,
/// in `window.__rendered[<ticket>]`.
pub const OBSERVE_TICKETS: &str = r#"
window.__rendered = {};
const pending = new Set();
new MutationObserver((mutations) => {
  for (const m of mutations) for (const node of m.addedNodes) {
    if (node.nodeType !== 1) continue;
    const found = node.matches('[data-ticket]') ? [node] : [...node.querySelectorAll('[data-ticket]')];
    for (const el of found) {
      const t = el.getAttribute('data-ticket');
      if (t in window.__rendered || pending.has(t)) continue;
      pending.add(t);
      const dom = performance.timeOrigin + performance.now();
      requestAnimationFrame(() => { window.__rendered[t] = { dom, frame: performance.timeOrigin + performance.now() }; });
    }
  }
}).observe(document.body, { subtree: true, childList: true });
return true;
"#;

/// `p50 …, p90 …, p99 …, max … ms` of sorted latencies in milliseconds.
pub fn latency_summary(sorted: &[f64]) -> String {
    format!(
        "p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(sorted, 50.0),
        percentile(sorted, 90.0),
        percentile(sorted, 99.0),
        sorted.last().copied().unwrap_or(f64::NAN)
    )
}

/// The `p`-th percentile (nearest rank) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
