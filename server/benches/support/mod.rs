//! What both benchmarks need: a client signed in as a member of staff.

use serde_json::{json, Value};

/// A client that sends the session of `pin` on every request, keeping `pool` idle connections.
pub async fn signed_in(base: &str, pin: &str, pool: usize) -> Result<reqwest::Client, Box<dyn std::error::Error>> {
    let session: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/sessions"))
        .json(&json!({ "pin": pin }))
        .send()
        .await?
        .json()
        .await?;
    let token = session["token"].as_str().ok_or("no token")?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse()?);
    Ok(reqwest::Client::builder().default_headers(headers).pool_max_idle_per_host(pool).build()?)
}
