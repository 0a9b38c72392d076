//! The command line: serve (the default), or one of the maintenance commands.

use super::Config;
use clap::{Parser, ValueEnum};
use std::path::PathBuf;

/// The command line: serve (the default), or a maintenance command.
#[derive(Debug, Clone, Parser)]
#[command(name = "crema-server", version, about = "Crema: in-shop ordering for coffee shops (API, store, live events)")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Manage staff without the API (e.g. the first real manager of a shop).
    #[command(subcommand)]
    Staff(StaffCommand),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Certificates for serving HTTPS on the shop's network.
    #[command(subcommand)]
    Tls(TlsCommand),
    /// Write an online, consistent backup (database snapshot + key file) while the server runs.
    Backup {
        /// The backup file to write (replaced atomically if it exists).
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place of the database (refused while a server runs on it; what it
    /// replaces is kept beside it as `<name>.replaced-<time>`).
    Restore {
        /// The backup file to restore.
        #[arg(long)]
        from: PathBuf,
    },
    /// Copy a shop from its SQLite file into an empty PostgreSQL database, with its whole
    /// history: orders, the event log and its sequence numbers, sink cursors, jobs, staff,
    /// sessions, the audit chain. Stop the server first; keep the key file (CREMA_KEY_FILE).
    MigrateStore {
        /// The SQLite database (`sqlite://path` or a path).
        #[arg(long)]
        from: String,
        /// The empty PostgreSQL database (`postgres://…`).
        #[arg(long)]
        to: String,
    },
    /// Check a backup: checksum, SQLite integrity and foreign keys, the audit chain.
    Verify {
        /// The backup file to check.
        file: PathBuf,
    },
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum StaffCommand {
    /// Add a member of staff. The PIN comes from --pin, CREMA_STAFF_PIN, or a line on stdin.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long, env = "CREMA_STAFF_PIN", hide_env_values = true)]
        pin: Option<String>,
        /// Managers with an email get the end-of-day summary.
        #[arg(long)]
        email: Option<String>,
    },
    /// List staff (no PINs).
    List,
    /// Deactivate the demo staff (their PINs are published); an active real manager must exist.
    RetireDemo,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's hash chain; names the first broken link (exit status 1).
    Verify,
    /// Copy the whole audit log, oldest first, as JSON lines with each row's chain hashes
    /// (it is never pruned; this is how it leaves the box).
    Export {
        /// Where to write (`-`: standard output).
        #[arg(long, default_value = "-")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum TlsCommand {
    /// Write a self-signed certificate and key (mode 0600) for --tls-cert / --tls-key.
    SelfSigned {
        /// Names and addresses the certificate is for (e.g. `crema.local,192.168.1.10`).
        #[arg(long, value_delimiter = ',', required = true)]
        names: Vec<String>,
        #[arg(long, default_value = "crema-cert.pem")]
        cert: PathBuf,
        #[arg(long, default_value = "crema-key.pem")]
        key: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Cashier,
    Barista,
    Manager,
}

impl From<RoleArg> for crema_shared::staff::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Cashier => crema_shared::staff::Role::Cashier,
            RoleArg::Barista => crema_shared::staff::Role::Barista,
            RoleArg::Manager => crema_shared::staff::Role::Manager,
        }
    }
}
