//! What every handler and use case shares: the store, the live-event hub, the menu cache
//! and a few settings.

use crate::service::jobs::JobKinds;
use crate::service::menu::cache::MenuCache;
use crate::service::staff::auth::Auth;
use crate::service::EventHub;
use crate::store::Store;
use chrono::{DateTime, FixedOffset, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// A handle on the server's [`Shared`] parts: every request clones it (axum's state, each
/// middleware, each spawned task), so cloning it is one reference count, not one per part
/// (the parts themselves, cloned per request, took ≈ 15 % of the request threads' time
/// under placement load).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What the handlers and use cases share, behind [`AppState`].
#[derive(Debug)]
pub struct Shared {
    pub store: Store,
    /// What time it is (a manual clock in tests).
    pub clock: crate::clock::Clock,
    pub auth: Arc<Auth>,
    pub hub: Arc<EventHub>,
    pub menu: Arc<MenuCache>,
    pub day: BusinessDay,
    /// CloudEvents `source`: `crema/<shop>/<node>`.
    pub source: Arc<str>,
    pub sse_keepalive: Duration,
    /// The job kinds this server runs.
    pub job_kinds: Arc<JobKinds>,
    /// Wakes the job runner (a job was enqueued or revived, or the cron sweep fired).
    pub jobs_wakeup: Arc<crate::service::jobs::JobsWakeup>,
    /// How long a ticket may wait before `order.sla_breached` (`None`: no alert).
    pub ticket_sla: Option<Duration>,
    /// Client for outbound HTTP (webhooks).
    pub http: reqwest::Client,
    /// Sinks whose relay task is running.
    pub relays: Arc<std::sync::Mutex<std::collections::HashSet<uuid::Uuid>>>,
    /// Wakes every relay task (a sink was changed or a breaker reset).
    pub relay_wakeup: Arc<Notify>,
    /// The mail server, when configured (`CREMA_SMTP_URL`).
    pub mailer: Option<Arc<crate::service::notify::Mailer>>,
    /// Kafka producers by sink, with the brokers they were made for.
    pub kafka: Arc<crate::sinks::kafka::Producers>,
    /// The card gateway, when configured (`CREMA_PAYMENT_GATEWAY_URL`).
    pub gateway: Option<Arc<dyn crate::payments::PaymentGateway>>,
    /// When card authorizations are captured.
    pub capture_on: crate::service::payments::CaptureOn,
    /// How the outbox relay backs off.
    pub relay_policy: crate::service::sinks::relay::RelayPolicy,
    /// What `/metrics` shows (counted and timed as the server works).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Lets a scraper off loopback read `/metrics` (`CREMA_METRICS_TOKEN`).
    pub metrics_token: Option<Arc<secrecy::SecretString>>,
    /// Periodic work.
    pub cron: CronSettings,
    /// Origins besides the server's own that browsers may call the API from.
    pub cors_origins: Arc<[String]>,
    /// Which proxies are believed, and which host names the server answers to.
    pub network: NetworkPolicy,
    /// Seals and opens secrets kept in the database (with the key file's data key).
    pub sealer: crate::keys::seal::Sealer,
    /// Where sinks may send events (no private targets unless allowed).
    pub egress: Arc<crate::sinks::egress::EgressPolicy>,
    /// Caps on open live streams.
    pub streams: StreamLimits,
    /// Set when this server is a terminal synced with a hub (`--hub-url`).
    pub sync: Option<Arc<crate::service::sync::TerminalLink>>,
    /// Where receipts print (`CREMA_RECEIPT_PRINTER`, else the shop's settings).
    pub receipt_printer: Arc<crate::service::receipts::ReceiptPrinter>,
    /// The pickup board, computed once per change for every open board stream.
    pub board: Arc<crate::service::orders::board_feed::BoardFeed>,
}

/// Who the server believes about a client's address and scheme, and its own names.
#[derive(Clone, Debug, Default)]
pub struct NetworkPolicy {
    pub trusted_proxies: crate::http::client::TrustedProxies,
    /// Host names besides IP addresses and `localhost` (DNS-rebinding guard).
    pub server_names: Arc<[String]>,
}

/// At most this many live streams of each kind are open at once (a clear 503 past it).
#[derive(Clone, Debug)]
pub struct StreamLimits {
    pub board: Arc<tokio::sync::Semaphore>,
    pub events: Arc<tokio::sync::Semaphore>,
}

impl StreamLimits {
    pub fn new(board: usize, events: usize) -> Self {
        StreamLimits {
            board: Arc::new(tokio::sync::Semaphore::new(board)),
            events: Arc::new(tokio::sync::Semaphore::new(events)),
        }
    }
}

/// The shop's local day, for ticket numbers that restart every morning.
#[derive(Clone, Copy, Debug)]
pub struct BusinessDay {
    pub utc_offset: FixedOffset,
}

impl BusinessDay {
    /// `YYYY-MM-DD` of `now` in the shop's time zone.
    pub fn date_of(&self, now: DateTime<Utc>) -> String {
        now.with_timezone(&self.utc_offset).format("%Y-%m-%d").to_string()
    }
}

/// Cron expressions (with seconds) and retention for the periodic work.
#[derive(Clone, Debug)]
pub struct CronSettings {
    pub job_sweep: String,
    pub end_of_day: String,
    pub prune: String,
    pub audit_check: String,
    pub backup: String,
    /// Where and how many nightly backups are kept (`None`: no nightly backup).
    pub backups: Option<std::sync::Arc<crate::service::shop::backups::BackupPlan>>,
    pub retention: crate::service::jobs::retention::Retention,
}

impl AppState {
    /// The Kafka producer of a sink (made on first use, remade when its brokers change).
    pub fn kafka_producer(&self, sink: uuid::Uuid, brokers: &str) -> Result<rdkafka::producer::FutureProducer, String> {
        self.kafka.get(sink, brokers)
    }
}

#[cfg(test)]
mod tests {
    /// Every request clones the state (axum's `State`, each middleware, spawned tasks): a
    /// clone must stay one pointer and one reference count, not a copy of each part (five
    /// strings and some thirty counts before).
    #[test]
    fn the_state_is_one_pointer_to_clone() {
        assert_eq!(std::mem::size_of::<super::AppState>(), std::mem::size_of::<usize>());
    }
}
