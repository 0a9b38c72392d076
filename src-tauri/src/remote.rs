//! The shop's server, when this terminal uses one: the windows stay on the local splash
//! page, saying plainly that the server cannot be reached, until it answers `/healthz`;
//! then they open their screens. (Once a screen is loaded it shows outages itself.)

use crate::{windows, Desktop};
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};

const RETRY: Duration = Duration::from_secs(2);

pub async fn wait_for<R: Runtime>(app: AppHandle<R>, url: String) {
    let client = match reqwest::Client::builder().timeout(Duration::from_secs(3)).build() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client");
            return;
        }
    };
    let mut told = false;
    loop {
        match client.get(format!("{url}/healthz")).send().await {
            Ok(answer) if answer.status().is_success() => break,
            outcome => {
                let why = match outcome {
                    Ok(answer) => format!("it answered {}", answer.status()),
                    Err(e) => e.to_string(),
                };
                if !told {
                    tracing::warn!(%url, %why, "the shop's server cannot be reached; retrying every 2 s");
                    told = true;
                }
                windows::tell_all(&app, &format!("Can't reach the shop's server at {url}. Retrying…"));
            }
        }
        tokio::time::sleep(RETRY).await;
    }
    tracing::info!(%url, "the shop's server answers");
    let desktop = app.state::<Desktop>();
    if let Ok(mut base) = desktop.base_url.lock() {
        *base = Some(url.clone());
    }
    windows::go_all(&app, &url);
}
