//! Pairing this computer with the shop's hub from the app itself: when it is set to sync
//! with a hub but holds no credential yet (and no `--pairing-code` was given), the windows'
//! start page shows a form (the hub's address and the one-time code a manager made there);
//! pairing starts the server in this app as a terminal of that hub and opens the screens.

use crate::settings::{parse_server_url, ServerMode};
use crate::Desktop;
use tauri::{AppHandle, Manager, Runtime, State};

/// Whether the database in `data_dir` still has to be paired (its key file holds no
/// terminal credential).
pub fn needed(data_dir: &std::path::Path) -> bool {
    let key_file = crema_server::keys::default_path(&data_dir.join("crema.db"));
    !matches!(crema_server::keys::Keys::read(&key_file), Ok(Some(keys)) if keys.terminal_credential().is_some())
}

/// Asked by the start page: the hub to pair with, when this computer waits to be paired.
#[tauri::command]
pub fn pairing_needed(desktop: State<'_, Desktop>) -> Option<String> {
    desktop.awaiting_pairing.lock().ok().and_then(|hub| hub.clone())
}

/// Pairs with the hub at `hub_url` using `code`, then starts the server and opens the
/// screens; the error, in words, otherwise (the form shows it).
#[tauri::command]
pub async fn pair<R: Runtime>(app: AppHandle<R>, hub_url: String, code: String) -> Result<(), String> {
    let hub_url = parse_server_url(&hub_url).map_err(|e| e.to_string())?;
    let code = code.trim().to_string();
    if code.is_empty() {
        return Err("Type the pairing code a manager made on the shop's server.".into());
    }
    let started = crate::embedded::launch(app.clone(), Some((hub_url.clone(), Some(code.into()))));
    tauri::async_runtime::spawn_blocking(move || started.recv().unwrap_or(Err("stopped".into())))
        .await
        .map_err(|e| e.to_string())??;
    let desktop = app.state::<Desktop>();
    if let Ok(mut awaiting) = desktop.awaiting_pairing.lock() {
        *awaiting = None;
    }
    desktop.update(|s| s.server = ServerMode::Synced { hub_url });
    tracing::info!("paired with the shop's hub from the app");
    Ok(())
}
