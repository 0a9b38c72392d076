//! `--profile`: the display's main thread, sampled over the measured orders.

use serde_json::Value;
use std::collections::HashMap;

/// Where the display's main thread went, from a sampled profile (`Profiler.start`): the
/// share of samples of the browser's own work (`(program)`: style, layout, paint, the
/// stream's handling), garbage collection, idle, and the functions with the most samples of
/// their own (a wasm build that keeps its names shows Rust functions by name).
pub fn print(profile: &Value) {
    let mut by_node = HashMap::new();
    for node in profile["nodes"].as_array().into_iter().flatten() {
        let frame = &node["callFrame"];
        let name = frame["functionName"].as_str().unwrap_or_default();
        let url = frame["url"].as_str().unwrap_or_default();
        let place = url.rsplit('/').next().unwrap_or_default();
        let label = if name.is_empty() { format!("(anonymous) {place}") } else { format!("{name} {place}") };
        by_node.insert(node["id"].as_i64().unwrap_or_default(), label.trim().to_string());
    }
    let samples = profile["samples"].as_array().cloned().unwrap_or_default();
    let deltas = profile["timeDeltas"].as_array().cloned().unwrap_or_default();
    let mut by_label: HashMap<&str, f64> = HashMap::new();
    let mut total = 0.0;
    // A sample's time is the delta to the next one.
    for (i, sample) in samples.iter().enumerate() {
        let us = deltas.get(i + 1).and_then(Value::as_f64).unwrap_or(0.0);
        let label = by_node.get(&sample.as_i64().unwrap_or_default()).map(String::as_str).unwrap_or("?");
        *by_label.entry(label).or_default() += us;
        total += us;
    }
    let mut ranked: Vec<_> = by_label.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    eprintln!("kitchen display's main thread, sampled ({:.1} s): self time by function", total / 1e6);
    for (label, us) in ranked.iter().take(30) {
        eprintln!("  {:5.1} %  {label}", 100.0 * us / total.max(1.0));
    }
}
