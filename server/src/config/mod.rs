//! Configuration: command-line flags, each with a `CREMA_*` environment variable and a
//! default (flag > environment > default). `crema-server --help` lists them all.

use chrono::FixedOffset;
use clap::{Parser, ValueEnum};
use crema_shared::tax::TaxMode;
use crema_shared::Currency;
use ipnet::IpNet;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;

mod command;

pub use command::{AuditCommand, Cli, Command, RoleArg, StaffCommand, TlsCommand};

#[derive(Debug, Clone, Parser)]
#[command(name = "crema-server", version, about = "Crema: in-shop ordering for coffee shops (API, store, live events)")]
pub struct Config {
    /// What time it is: the wall clock, or a manual clock a test moves (never from the
    /// command line).
    #[arg(skip)]
    pub clock: crate::clock::Clock,

    /// Run as a terminal of the shop's server (the hub) at this URL: work on the local
    /// database first and sync with the hub whenever it can be reached (docs/sync.md).
    #[arg(long, env = "CREMA_HUB_URL")]
    pub hub_url: Option<String>,

    /// The one-time code a manager made on the hub (`POST /api/v1/terminals`), for the first
    /// start with --hub-url.
    #[arg(long, env = "CREMA_PAIRING_CODE", requires = "hub_url", hide_env_values = true)]
    pub pairing_code: Option<SecretString>,

    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "CREMA_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// The database: a SQLite file path or `sqlite://path` (created if missing, mode 0600), or
    /// `postgres://user@host:port/database` (several instances may share one; see docs/deployment.md).
    #[arg(long, env = "CREMA_DATABASE_URL", default_value = "./crema.db")]
    pub database_url: String,

    /// The key file holding the PIN pepper and the data key (default: the database path + `.key`).
    #[arg(long, env = "CREMA_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Accept the published demo PINs (1111, 2222, 9999) on a network address. Without it a
    /// server with demo staff active only listens on loopback.
    #[arg(long, env = "CREMA_DEMO")]
    pub demo: bool,

    /// TLS certificate chain (PEM). With --tls-key, the server speaks HTTPS only.
    #[arg(long, env = "CREMA_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM) for --tls-cert.
    #[arg(long, env = "CREMA_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed (IPs or CIDRs, comma-separated).
    #[arg(long, env = "CREMA_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpNet>,

    /// Host names this server answers to, besides IP addresses and `localhost` (comma-separated).
    #[arg(long, env = "CREMA_SERVER_NAMES", value_delimiter = ',')]
    pub server_names: Vec<String>,

    /// Private, loopback or link-local targets sinks may still reach (CIDRs, or `host:port`; comma-separated).
    #[arg(long, env = "CREMA_EGRESS_ALLOW", value_delimiter = ',')]
    pub egress_allow: Vec<String>,

    /// Connections served at once; more wait to be accepted.
    #[arg(long, env = "CREMA_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(8..=100_000))]
    pub max_connections: u32,

    /// Seconds a client has to send a request's headers (also how long an idle keep-alive connection stays open).
    #[arg(long, env = "CREMA_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_timeout_secs: u64,

    /// Open pickup-board streams at once (public); more get 503.
    #[arg(long, env = "CREMA_MAX_BOARD_STREAMS", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_board_streams: u32,

    /// Open event streams at once (signed in); more get 503.
    #[arg(long, env = "CREMA_MAX_EVENT_STREAMS", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_event_streams: u32,

    /// Shop id, used in event sources (`crema/<shop>/<node>`).
    #[arg(long, env = "CREMA_SHOP_ID", default_value = "demo")]
    pub shop_id: String,

    /// This node's id (a terminal or the hub), used in event sources.
    #[arg(long, env = "CREMA_NODE_ID", default_value = "hub")]
    pub node_id: String,

    /// Shop name for a new database.
    #[arg(long, env = "CREMA_SHOP_NAME", default_value = "Crema Demo Coffee")]
    pub shop_name: String,

    /// ISO 4217 currency for a new database.
    #[arg(long, env = "CREMA_CURRENCY", default_value = "USD")]
    pub currency: Currency,

    /// Tax rate in basis points (875 = 8.75 %) for a new database.
    #[arg(long, env = "CREMA_TAX_RATE_BPS", default_value_t = 875, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub tax_rate_bps: u32,

    /// Whether menu prices include tax, for a new database.
    #[arg(long, env = "CREMA_TAX_MODE", value_enum, default_value_t = TaxModeArg::Exclusive)]
    pub tax_mode: TaxModeArg,

    /// The shop's UTC offset, for the business day that ticket numbers restart on.
    #[arg(long, env = "CREMA_UTC_OFFSET", default_value = "+00:00", allow_hyphen_values = true)]
    pub utc_offset: FixedOffset,

    /// Seconds between keep-alive comments on the live event stream.
    #[arg(long, env = "CREMA_SSE_KEEPALIVE_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub sse_keepalive_secs: u64,

    /// Read connections to the database.
    #[arg(long, env = "CREMA_READ_CONNECTIONS", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub read_connections: u32,

    /// Minutes a sign-in session lasts without use.
    #[arg(long, env = "CREMA_SESSION_IDLE_MINUTES", default_value_t = 480, value_parser = clap::value_parser!(u64).range(1..=10_080))]
    pub session_idle_minutes: u64,

    /// Hours a sign-in session lasts at most, however busy.
    #[arg(long, env = "CREMA_SESSION_MAX_HOURS", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=720))]
    pub session_max_hours: u64,

    /// Wrong (or still running) PIN checks one source — an enrolled terminal, else an address — may have...
    #[arg(long, env = "CREMA_SIGNIN_MAX_FAILURES", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub signin_max_failures: u64,

    /// ...within this many seconds (and for how long it then waits).
    #[arg(long, env = "CREMA_SIGNIN_WINDOW_SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub signin_window_secs: u64,

    /// Wrong PINs across the shop within the window that raise `security.signin_alert`.
    #[arg(long, env = "CREMA_SIGNIN_SHOP_BUDGET", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub signin_shop_budget: u64,

    /// During an alert, seconds every source waits between sign-in attempts.
    #[arg(long, env = "CREMA_SIGNIN_SLOWDOWN_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub signin_slowdown_secs: u64,

    /// PIN checks (argon2id, ≈19 MiB each) that may run at once; more get 503 with Retry-After.
    #[arg(long, env = "CREMA_PIN_CHECKS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub pin_checks: u32,

    /// Extra origins allowed to call the API from a browser (comma-separated), besides the server's own.
    #[arg(long, env = "CREMA_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Seconds a ticket may wait before an `order.sla_breached` alert (0: no alert).
    #[arg(long, env = "CREMA_TICKET_SLA_SECS", default_value_t = 600)]
    pub ticket_sla_secs: u64,

    /// Cron (with seconds) of the due-job sweep that wakes the job runner.
    #[arg(long, env = "CREMA_CRON_JOB_SWEEP", default_value = "*/15 * * * * *")]
    pub cron_job_sweep: String,

    /// Cron (with seconds, in UTC) of the end-of-day summary email to managers.
    #[arg(long, env = "CREMA_CRON_END_OF_DAY", default_value = "0 0 23 * * *")]
    pub cron_end_of_day: String,

    /// Cron (with seconds) of the pruning of what is past its retention (jobs, answers, events, dead letters, sessions).
    #[arg(long, env = "CREMA_CRON_PRUNE", default_value = "0 30 3 * * *")]
    pub cron_prune: String,

    /// Cron (with seconds) of the audit log's chain check (a broken link raises `audit.chain_broken`).
    #[arg(long, env = "CREMA_CRON_AUDIT_CHECK", default_value = "0 17 * * * *")]
    pub cron_audit_check: String,

    /// Folder for the nightly backup (off when unset); the backups there are the managers'
    /// jobs screen's `backup.nightly` jobs (docs/operations.md).
    #[arg(long, env = "CREMA_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,

    /// Cron (with seconds) of the nightly backup into --backup-dir.
    #[arg(long, env = "CREMA_CRON_BACKUP", default_value = "0 45 2 * * *")]
    pub cron_backup: String,

    /// How many nightly backups are kept in --backup-dir (the oldest beyond it are removed).
    #[arg(long, env = "CREMA_BACKUP_KEEP", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub backup_keep: u32,

    /// Days succeeded jobs and idempotency answers are kept.
    #[arg(long, env = "CREMA_RETENTION_DAYS", default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub retention_days: u64,

    /// Days outbox events are kept once every sink has passed them, and no longer needed by a
    /// kept idempotency answer (the audit log is never pruned).
    #[arg(long, env = "CREMA_OUTBOX_RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub outbox_retention_days: u64,

    /// Days dead jobs and dead letters are kept for a manager to look at and retry.
    #[arg(long, env = "CREMA_DEAD_RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub dead_retention_days: u64,

    /// A webhook endpoint to forward every event to (Standard Webhooks signed).
    #[arg(long, env = "CREMA_WEBHOOK_URL")]
    pub webhook_url: Option<String>,

    /// Its secret, `whsec_<base64>`.
    #[arg(long, env = "CREMA_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<SecretString>,

    /// First delay before retrying a webhook delivery, in milliseconds (doubles, with jitter, up to a minute).
    #[arg(long, env = "CREMA_WEBHOOK_RETRY_BASE_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub webhook_retry_base_ms: u64,

    /// Seconds an open circuit breaker waits before probing a webhook endpoint again.
    #[arg(long, env = "CREMA_WEBHOOK_BREAKER_OPEN_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub webhook_breaker_open_secs: u64,

    /// Kafka bootstrap brokers (`host:port,host:port`) to forward every event to.
    #[arg(long, env = "CREMA_KAFKA_BROKERS")]
    pub kafka_brokers: Option<String>,

    /// The Kafka topic for the shop's events.
    #[arg(long, env = "CREMA_KAFKA_TOPIC", default_value = "crema.events")]
    pub kafka_topic: String,

    /// Partitions of a Kafka topic Crema creates because it is missing (an existing topic is left alone).
    #[arg(long, env = "CREMA_KAFKA_PARTITIONS", default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=10_000))]
    pub kafka_partitions: i32,

    /// Replication factor of a Kafka topic Crema creates (use 3 on a production cluster).
    #[arg(long, env = "CREMA_KAFKA_REPLICATION", default_value_t = 1, value_parser = clap::value_parser!(i32).range(1..=32))]
    pub kafka_replication: i32,

    /// Card gateway base URL (JSON over HTTP, see docs/payments.md); without it cards need a terminal approval code.
    #[arg(long, env = "CREMA_PAYMENT_GATEWAY_URL")]
    pub payment_gateway_url: Option<String>,

    /// Capture card authorizations when the order is ready instead of when it is completed.
    #[arg(long, env = "CREMA_CAPTURE_ON_READY")]
    pub capture_on_ready: bool,

    /// The receipt printer (ESC/POS over raw TCP), `tcp://host:port`; used when no manager has
    /// set one in the shop's settings.
    #[arg(long, env = "CREMA_RECEIPT_PRINTER", value_parser = parse_printer)]
    pub receipt_printer: Option<crema_shared::printer::PrinterAddress>,

    /// Mail server for customer notifications: `smtp://[user:pass@]host[:port][?tls=starttls]` or `smtps://…`.
    #[arg(long, env = "CREMA_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<SecretString>,

    /// Sender of customer notifications.
    #[arg(long, env = "CREMA_MAIL_FROM", default_value = "Crema <crema@localhost>")]
    pub mail_from: String,

    /// Lets a Prometheus scraper read `/metrics` from the network (`Authorization: Bearer
    /// <token>`); without it `/metrics` answers loopback only.
    #[arg(long, env = "CREMA_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<SecretString>,

    /// Log filter (`info`, `crema_server=debug,warn`, ...).
    #[arg(long, env = "CREMA_LOG", default_value = "info")]
    pub log: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaxModeArg {
    Exclusive,
    Inclusive,
}

impl From<TaxModeArg> for TaxMode {
    fn from(mode: TaxModeArg) -> TaxMode {
        match mode {
            TaxModeArg::Exclusive => TaxMode::Exclusive,
            TaxModeArg::Inclusive => TaxMode::Inclusive,
        }
    }
}

impl Config {
    /// Defaults for everything, a database at `path` and a free port: for tests and tools.
    pub fn for_database(path: impl Into<PathBuf>) -> Config {
        let path: PathBuf = path.into();
        let mut config = Config::parse_from(["crema-server"]);
        config.database_url = path.to_string_lossy().into_owned();
        config.bind = SocketAddr::from(([127, 0, 0, 1], 0));
        config
    }
}

fn parse_printer(raw: &str) -> Result<crema_shared::printer::PrinterAddress, String> {
    raw.parse().map_err(|e: crema_shared::printer::InvalidPrinterAddress| e.to_string())
}
