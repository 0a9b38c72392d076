//! The Crema server running inside the desktop app: the same library as `crema-server`,
//! on 127.0.0.1 and a free port, with its database in the terminal's data directory.
//!
//! Stopping it is the server's own graceful shutdown: it stops accepting, lets in-flight
//! requests finish, ends the live streams, stops the job runner and closes the database.

use crema_server::{Config, Server};
use std::path::Path;
use std::time::Duration;
use tokio::sync::oneshot;

pub struct Embedded {
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tauri::async_runtime::JoinHandle<std::io::Result<()>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error("the Crema server could not start: {0}")]
    Start(String),
}

impl Embedded {
    /// Opens (creating and seeding on first start) `crema.db` in `data_dir` and serves it.
    pub async fn start(data_dir: &Path) -> Result<Embedded, EmbeddedError> {
        let config = Config::for_database(data_dir.join("crema.db"));
        let server = Server::bind(&config).await.map_err(|e| EmbeddedError::Start(e.to_string()))?;
        let addr = server.local_addr().map_err(|e| EmbeddedError::Start(e.to_string()))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tauri::async_runtime::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        let url = format!("http://{addr}");
        tracing::info!(%url, database = %config.database_url, "embedded server listening");
        Ok(Embedded { url, stop: Some(stop), task: Some(task) })
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
