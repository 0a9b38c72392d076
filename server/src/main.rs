//! `crema-server`: parse the command line, then serve (stopping on Ctrl-C or SIGTERM) or
//! run a maintenance command.

use clap::Parser;
use crema_server::config::{AuditCommand, Cli, Command, StaffCommand, TlsCommand};
use crema_server::service::{staff, RequestContext};
use crema_server::{server::build_state, server::shutdown_signal, telemetry, Config, Server};
use crema_shared::api::NewStaffRequest;
use std::io::BufRead;
use std::process::ExitCode;

/// Many small, short-lived allocations per order on several threads: see `docs/performance.md`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Serving exports traces when the OpenTelemetry variables ask for it; commands only log.
    let telemetry = if cli.command.is_none() {
        match telemetry::start(&cli.config.log) {
            Ok(telemetry) => Some(telemetry),
            Err(e) => {
                telemetry::init(&cli.config.log);
                tracing::error!(error = %e, "cannot start");
                return ExitCode::FAILURE;
            }
        }
    } else {
        telemetry::init(&cli.config.log);
        None
    };
    let result = match cli.command {
        None => serve(&cli.config).await,
        Some(Command::Staff(command)) => staff_command(&cli.config, command).await,
        Some(Command::Audit(AuditCommand::Verify)) => audit_verify(&cli.config).await,
        Some(Command::Audit(AuditCommand::Export { out })) => audit_export(&cli.config, &out).await,
        Some(Command::Backup { to }) => backup(&cli.config, &to).await,
        Some(Command::Restore { from }) => restore(&cli.config, &from).await,
        Some(Command::Verify { file }) => verify(&file).await,
        Some(Command::MigrateStore { from, to }) => migrate_store(&from, &to, &cli.config.shop_id).await,
        Some(Command::Tls(TlsCommand::SelfSigned { names, cert, key })) => {
            crema_server::tls::write_self_signed(&names, &cert, &key).map_err(|e| e.to_string()).map(|()| {
                tracing::info!(cert = %cert.display(), key = %key.display(), "wrote a self-signed certificate");
            })
        }
    };
    let code = match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "failed");
            ExitCode::FAILURE
        }
    };
    // Last: it writes out the queued log lines (the one above too).
    if let Some(telemetry) = telemetry {
        telemetry.shutdown().await;
    }
    code
}

async fn serve(config: &Config) -> Result<(), String> {
    let server = Server::bind(config).await.map_err(|e| e.to_string())?;
    match server.local_addr() {
        Ok(addr) => tracing::info!(%addr, database = %config.database_url, "listening on http://{addr}"),
        Err(e) => tracing::warn!(error = %e, "bound, but cannot tell the address"),
    }
    server.run(shutdown_signal()).await.map_err(|e| e.to_string())
}

#[allow(clippy::print_stdout)] // a command-line tool answers on stdout
async fn staff_command(config: &Config, command: StaffCommand) -> Result<(), String> {
    let state = build_state(config).await.map_err(|e| e.to_string())?;
    let outcome = match command {
        StaffCommand::Add { name, role, pin, email } => {
            let pin = match pin {
                Some(pin) => pin,
                None => {
                    std::io::stdin().lock().lines().next().and_then(Result::ok).unwrap_or_default().trim().to_string()
                }
            };
            let request = NewStaffRequest { name, role: role.into(), pin, email };
            staff::create(&state, &RequestContext::internal(), &request).await.map(|member| {
                println!("added {} ({}) {}", member.name, member.role, member.id);
            })
        }
        StaffCommand::RetireDemo => staff::retire_demo(&state, &RequestContext::internal()).await.map(|retired| {
            if retired.is_empty() {
                println!("no demo staff are active");
            }
            for member in retired {
                println!("deactivated {} ({}) {}", member.name, member.role, member.id);
            }
        }),
        StaffCommand::List => staff::list(&state).await.map(|all| {
            for member in all {
                let status = if member.active { "active" } else { "inactive" };
                println!("{}\t{}\t{}\t{}", member.id, member.role, status, member.name);
            }
        }),
    };
    state.store.close().await;
    outcome.map_err(|e| match e {
        crema_server::service::ServiceError::Validation(v) => v.to_string(),
        other => other.to_string(),
    })
}

/// The database file and key file the configuration names (backups need files).
fn files(config: &Config) -> Result<(std::path::PathBuf, std::path::PathBuf), String> {
    let database = crema_server::setup::database_file(&config.database_url)
        .ok_or("backups need a database file, not an in-memory database")?;
    let key = crema_server::setup::key_path(Some(&database), config.key_file.as_deref())
        .ok_or("backups need a key file path")?;
    Ok((database, key))
}

#[allow(clippy::print_stdout)] // a command-line tool answers on stdout
async fn backup(config: &Config, to: &std::path::Path) -> Result<(), String> {
    let (database, key) = files(config)?;
    let manifest = crema_server::backup::create(&database, Some(&key), to).await.map_err(|e| e.to_string())?;
    println!(
        "backup written to {}: {} orders, events up to #{}, key file {}",
        to.display(),
        manifest.contents.orders,
        manifest.contents.outbox_sequence,
        if manifest.key_file { "included" } else { "NOT included (there is none)" }
    );
    Ok(())
}

#[allow(clippy::print_stdout)] // a command-line tool answers on stdout
async fn migrate_store(from: &str, to: &str, shop: &str) -> Result<(), String> {
    // Held while copying: no server starts on the source meanwhile.
    let _lock = match crema_server::setup::database_file(from) {
        Some(db) => Some(
            crema_server::backup::lock::ServerLock::acquire(&db)
                .map_err(|e| format!("{e} (stop the server on {from} first)"))?,
        ),
        None => None,
    };
    let copied = crema_server::store::migrate::sqlite_to_postgres(from, to, shop).await.map_err(|e| e.to_string())?;
    let rows: u64 = copied.rows.values().sum();
    println!(
        "copied {rows} rows in {} tables ({} orders, {} events) as shop {shop}; the next event is #{}",
        copied.rows.len(),
        copied.rows.get("orders").copied().unwrap_or(0),
        copied.rows.get("outbox").copied().unwrap_or(0),
        copied.outbox_head + 1
    );
    Ok(())
}

#[allow(clippy::print_stdout)] // a command-line tool answers on stdout
async fn restore(config: &Config, from: &std::path::Path) -> Result<(), String> {
    let (database, key) = files(config)?;
    let manifest = crema_server::backup::restore(from, &database, &key).await.map_err(|e| e.to_string())?;
    println!(
        "restored {} into {}: {} orders, events up to #{} (taken {})",
        from.display(),
        database.display(),
        manifest.contents.orders,
        manifest.contents.outbox_sequence,
        manifest.created_at
    );
    Ok(())
}

#[allow(clippy::print_stdout)] // a command-line tool answers on stdout
async fn verify(file: &std::path::Path) -> Result<(), String> {
    let verified = crema_server::backup::verify(file).await.map_err(|e| e.to_string())?;
    println!(
        "backup OK: {} orders, events up to #{}, audit chain intact ({} entries), integrity ok, taken {}",
        verified.manifest.contents.orders,
        verified.manifest.contents.outbox_sequence,
        verified.audit_entries,
        verified.manifest.created_at
    );
    Ok(())
}

/// Writes the whole audit log as JSON lines (oldest first, with the chain hashes).
async fn audit_export(config: &Config, out: &std::path::Path) -> Result<(), String> {
    use std::io::Write;
    let state = build_state(config).await.map_err(|e| e.to_string())?;
    let mut sink: Box<dyn Write> = if out.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?)
    };
    let result = async {
        let mut conn = state.store.read().await.map_err(|e| e.to_string())?;
        let (mut after, mut rows) = (0, 0_u64);
        loop {
            let page =
                crema_server::store::audit::export_after(&mut conn, after, 1_000).await.map_err(|e| e.to_string())?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for row in &page {
                let line = serde_json::to_string(row).map_err(|e| e.to_string())?;
                writeln!(sink, "{line}").map_err(|e| e.to_string())?;
                rows += 1;
            }
        }
        sink.flush().map_err(|e| e.to_string())?;
        tracing::info!(rows, "exported the audit log");
        Ok(())
    }
    .await;
    state.store.close().await;
    result
}

/// Checks the audit log's chain; a broken link is named and fails the command.
#[allow(clippy::print_stdout)] // a command-line tool answers on stdout
async fn audit_verify(config: &Config) -> Result<(), String> {
    let state = build_state(config).await.map_err(|e| e.to_string())?;
    let check = crema_server::service::shop::audit::verify(&state).await;
    state.store.close().await;
    match check.map_err(|e| e.to_string())? {
        crema_server::store::audit::ChainCheck::Intact { rows, head } => {
            let (id, hash) = head.unwrap_or_default();
            println!("audit log intact: {rows} entries, head #{id} {hash}");
            Ok(())
        }
        crema_server::store::audit::ChainCheck::Broken { id, reason } => {
            println!("audit log BROKEN at entry #{id}: {reason}");
            Err(format!("the audit chain is broken at entry #{id}"))
        }
    }
}
