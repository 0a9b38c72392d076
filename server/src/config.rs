//! Configuration: command-line flags, each with a `CREMA_*` environment variable and a
//! default (flag > environment > default). `crema-server --help` lists them all.

use chrono::FixedOffset;
use clap::{Parser, ValueEnum};
use crema_shared::tax::TaxMode;
use crema_shared::Currency;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Parser)]
#[command(name = "crema-server", version, about = "Crema: in-shop ordering for coffee shops (API, store, live events)")]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "CREMA_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// SQLite database: a file path or `sqlite://path`. Created if missing.
    #[arg(long, env = "CREMA_DATABASE_URL", default_value = "./crema.db")]
    pub database_url: String,

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
