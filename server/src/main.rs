//! `crema-server`: parse the configuration, start the server, stop on Ctrl-C or SIGTERM.

use clap::Parser;
use crema_server::{server::shutdown_signal, telemetry, Config, Server};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    telemetry::init(&config.log);
    let server = match Server::bind(&config).await {
        Ok(server) => server,
        Err(e) => {
            tracing::error!(error = %e, "cannot start");
            return ExitCode::FAILURE;
        }
    };
    match server.local_addr() {
        Ok(addr) => {
            tracing::info!(%addr, database = %config.database_url, "listening on http://{addr}")
        }
        Err(e) => tracing::warn!(error = %e, "bound, but cannot tell the address"),
    }
    match server.run(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server failed");
            ExitCode::FAILURE
        }
    }
}
