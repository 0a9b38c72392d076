//! The Crema server running inside the desktop app: the same library as `crema-server`,
//! on 127.0.0.1 and a free port, with its database in the terminal's data directory.
//!
//! Stopping it is the server's own graceful shutdown: it stops accepting, lets in-flight
//! requests finish, ends the live streams, stops the job runner and closes the database.
//!
//! Every window is an enrolled terminal of this server: all of them reach it from
//! 127.0.0.1, so keyed on the address, wrong PINs typed in one window would lock out the
//! others. Each window gets a one-time pairing code in its address and pairs itself.

use crema_server::service::staff::terminals;
use crema_server::service::RequestContext;
use crema_server::{AppState, Config, Server};
use std::path::Path;
use std::time::Duration;
use tokio::sync::oneshot;

pub struct Embedded {
    pub url: String,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tauri::async_runtime::JoinHandle<std::io::Result<()>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error("the Crema server could not start: {0}")]
    Start(String),
}

impl Embedded {
    /// Opens (creating and seeding on first start) `crema.db` in `data_dir` and serves it;
    /// with `hub`, as a terminal of the shop's hub (pairing with the code on the first start).
    pub async fn start(
        data_dir: &Path,
        hub: Option<(String, Option<secrecy::SecretString>)>,
    ) -> Result<Embedded, EmbeddedError> {
        let mut config = Config::for_database(data_dir.join("crema.db"));
        if let Some((hub_url, code)) = hub {
            config.hub_url = Some(hub_url);
            config.pairing_code = code;
        }
        let server = Server::bind(&config).await.map_err(|e| EmbeddedError::Start(e.to_string()))?;
        let addr = server.local_addr().map_err(|e| EmbeddedError::Start(e.to_string()))?;
        let state = server.state().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tauri::async_runtime::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        let url = format!("http://{addr}");
        tracing::info!(%url, database = %config.database_url, "embedded server listening");
        Ok(Embedded { url, state, stop: Some(stop), task: Some(task) })
    }

    /// A one-time pairing code for the window of a screen: a new code for its terminal, or a
    /// new terminal (`name`) when it has none yet or it was revoked. Returns the terminal too.
    pub async fn pairing_code(&self, terminal: Option<uuid::Uuid>, name: &str) -> Result<(uuid::Uuid, String), String> {
        let ctx = RequestContext::internal();
        let issued = match terminal {
            Some(id) => terminals::new_code(&self.state, &ctx, id).await.ok(),
            None => None,
        };
        let issued = match issued {
            Some(issued) => issued,
            None => terminals::create(&self.state, &ctx, &crema_shared::api::NewTerminalRequest { name: name.into() })
                .await
                .map_err(|e| e.to_string())?,
        };
        let code = issued.code.ok_or("no pairing code was issued")?;
        Ok((issued.id, code))
    }

    /// Graceful stop; waits up to `patience` for in-flight requests and the database.
    pub async fn stop(&mut self, patience: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            match tokio::time::timeout(patience, task).await {
                Ok(Ok(Ok(()))) => tracing::info!("embedded server stopped cleanly"),
                Ok(Ok(Err(e))) => tracing::error!(error = %e, "embedded server stopped with an error"),
                Ok(Err(e)) => tracing::error!(error = %e, "embedded server task failed"),
                Err(_) => tracing::error!("embedded server did not stop in time"),
            }
        }
    }
}

/// Starts the server in this app on a thread of its own (opening the database is not a `Send`
/// future; the server then runs on Tauri's runtime) and opens every window's screen on it, or
/// says on their start page why it could not start. The receiver gets the outcome.
pub fn launch<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    hub: Option<(String, Option<secrecy::SecretString>)>,
) -> std::sync::mpsc::Receiver<Result<(), String>> {
    use tauri::Manager;
    let (done, outcome) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let desktop = app.state::<crate::Desktop>();
        let pairing = hub.as_ref().is_some_and(|(_, code)| code.is_some());
        let result = match tauri::async_runtime::block_on(Embedded::start(&desktop.data_dir, hub)) {
            Ok(embedded) => {
                let url = embedded.url.clone();
                if let Ok(mut slot) = desktop.embedded.lock() {
                    *slot = Some(embedded);
                }
                if let Ok(mut base) = desktop.base_url.lock() {
                    *base = Some(url.clone());
                }
                crate::write_running(&desktop.data_dir, &url);
                crate::windows::go_all(&app, &url);
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, "the embedded server did not start");
                // A failed pairing is answered on the form; anything else on the start page.
                if !pairing {
                    crate::windows::tell_all(
                        &app,
                        &format!("{e}. See the log; the database is in {}.", desktop.data_dir.display()),
                    );
                }
                Err(e.to_string())
            }
        };
        let _ = done.send(result);
    });
    outcome
}
