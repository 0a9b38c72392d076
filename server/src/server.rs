//! Starting and stopping Crema: open the store, seed a new database, bind, serve, and shut
//! down gracefully (in-flight requests finish, live streams end, the database is closed).
//! Tests, the binary and the desktop shell all start it the same way.

use crate::config::Config;
use crate::http::client::TrustedProxies;
use crate::http::routes::app;
use crate::service::menu::cache::MenuCache;
use crate::service::menu::demo::seed_if_new;
use crate::service::sinks;
use crate::service::staff::auth::pins::PinHasher;
use crate::service::staff::auth::{Auth, AuthPolicy, LimiterPolicy};
use crate::service::staff::{demo_records, DEMO_STAFF};
use crate::service::EventHub;
use crate::setup::{self, SetupError};
use crate::sinks::egress::EgressPolicy;
use crate::state::CronSettings;
use crate::state::{AppState, BusinessDay, NetworkPolicy, StreamLimits};
use crate::store::sinks::SinkTarget;
use crate::store::{outbox, settings, Store, StoreError, StoreOptions};
use crema_shared::settings::{ShopSettings, DEFAULT_TICKET_LATE_SECONDS, DEFAULT_TICKET_WARN_SECONDS};
use crema_shared::tax::{TaxPolicy, TaxRate};
use secrecy::ExposeSecret;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error(
        "refusing to listen on {addr}: demo staff with published PINs are active ({names}). Anyone on the \
         network could sign in as a manager with 9999. Add a real manager \
         (`crema-server staff add --name \"…\" --role manager`), then retire the demo staff \
         (`crema-server staff retire-demo`); or start with --demo (CREMA_DEMO=true) to accept the risk"
    )]
    DemoStaffOnNetwork { addr: SocketAddr, names: String },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Locked(#[from] crate::backup::lock::LockError),
}

/// A bound, not yet serving, Crema server.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    limits: crate::listen::Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
    /// The database is this server's while it runs (see [`crate::backup::lock`]).
    lock: Option<crate::backup::lock::ServerLock>,
}

impl Server {
    /// Opens the database (migrating and seeding it) and binds the address.
    pub async fn bind(config: &Config) -> Result<Server, StartError> {
        let lock = match setup::database_file(&config.database_url) {
            Some(database) => {
                setup::prepare_files(Some(&database))?;
                Some(crate::backup::lock::ServerLock::acquire(&database)?)
            }
            None => None,
        };
        let state = build_state(config).await?;
        if !config.bind.ip().is_loopback() && !config.demo {
            let demo = crate::service::staff::active_demo_staff(&state)
                .await
                .map_err(|e| StartError::Config(format!("checking for demo staff: {e}")))?;
            if !demo.is_empty() {
                let names = demo.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ");
                state.store.close().await;
                return Err(StartError::DemoStaffOnNetwork { addr: config.bind, names });
            }
        } else if !config.bind.ip().is_loopback() {
            tracing::warn!("--demo: demo staff with published PINs may be active on a network address");
        }
        let tls = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Some(crate::tls::acceptor(cert, key)?),
            _ => None,
        };
        // Jobs the previous process was running when it died are due again now (a serving
        // process is the only job worker on its SQLite database; maintenance commands are not).
        // On PostgreSQL other instances may be running jobs: a dead instance's claims lapse
        // with their leases instead.
        let sqlite = state.store.dialect() == crate::store::db::Dialect::Sqlite;
        let orphans = if !sqlite {
            0
        } else {
            state
                .store
                .writer()
                .write(|conn| {
                    Box::pin(async move {
                        let released = crate::store::jobs::release_orphans(conn).await?;
                        Ok::<_, crate::store::JobError<StoreError>>(crate::store::Done::new(released, None))
                    })
                })
                .await?
        };
        if orphans > 0 {
            tracing::warn!(orphans, "jobs the previous process was running when it stopped are due again");
        }
        let listener =
            TcpListener::bind(config.bind).await.map_err(|source| StartError::Bind { addr: config.bind, source })?;
        let limits = crate::listen::Limits {
            max_connections: config.max_connections as usize,
            header_timeout: Duration::from_secs(config.header_timeout_secs),
        };
        Ok(Server { listener, state, limits, tls, lock })
    }

    /// Whether the server speaks HTTPS.
    pub fn tls(&self) -> bool {
        self.tls.is_some()
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then drains and closes the database.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        // Released only after the database is closed, below.
        let _lock = self.lock;
        let state = self.state.clone();
        let hub = state.hub.clone();
        let runner = tokio::spawn(crate::service::jobs::run(state.clone(), state.jobs_wakeup.clone(), hub.closing()));
        if let Err(e) = sinks::start_relays(&state).await {
            tracing::error!(error = %e, "cannot start the outbox relays");
        }
        let mut cron = match crate::service::jobs::cron::start(&state).await {
            Ok(cron) => Some(cron),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the cron scheduler; periodic work will not run");
                None
            }
        };
        let board = tokio::spawn(crate::service::orders::board_feed::run(state.clone()));
        let printer = tokio::spawn(crate::service::receipts::follow_settings(state.clone()));
        let sync = crate::service::sync::client::start(&state);
        let router = app(self.state);
        let result = crate::listen::serve(self.listener, router, self.limits, self.tls, async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests");
            hub.close();
        })
        .await;
        let _ = board.await;
        let _ = printer.await;
        for task in sync {
            let _ = task.await;
        }
        if let Some(cron) = cron.as_mut() {
            if let Err(e) = cron.shutdown().await {
                tracing::warn!(error = %e, "stopping the cron scheduler");
            }
        }
        let _ = runner.await;
        state.store.close().await;
        tracing::info!("database closed");
        result
    }
}

/// Everything the app needs, from configuration.
pub async fn build_state(config: &Config) -> Result<AppState, StartError> {
    if crate::store::is_postgres(&config.database_url) && config.key_file.is_none() {
        // Every instance must hash PINs and open sealed secrets with the same keys.
        return Err(StartError::Config(
            "CREMA_KEY_FILE is required with PostgreSQL: every instance on the database must share one key file".into(),
        ));
    }
    let mut options = StoreOptions::new(&config.database_url);
    options.readers = config.read_connections;
    options.shop = config.shop_id.clone();
    let database = setup::database_file(&config.database_url);
    setup::prepare_files(database.as_deref())?;
    let hub = Arc::new(EventHub::new(0));
    let notify = hub.clone();
    // A rolled-back write may have filled the menu cache from inside its batch: forget it.
    let menu = Arc::new(MenuCache::default());
    let forget = menu.clone();
    let metrics = Arc::new(crate::metrics::Metrics::new());
    let observe = metrics.clone();
    let store = Store::open(
        &options,
        move |sequence| notify.published(sequence),
        move || forget.forget(),
        move |size, commit| observe.batch(size, commit),
    )
    .await?;
    setup::prepare_files(database.as_deref())?;
    let key_path = setup::key_path(database.as_deref(), config.key_file.as_deref());
    let terminal = crate::service::sync::bootstrap::prepare(
        &store,
        config.hub_url.as_deref(),
        config.pairing_code.as_ref(),
        key_path.as_deref(),
    )
    .await
    .map_err(StartError::Config)?;
    let keys = setup::keys(&store, database.as_deref(), config.key_file.as_deref()).await?;
    let sealer = keys.sealer();
    setup::upgrade_rows(&store, &sealer).await?;
    let defaults = ShopSettings {
        name: config.shop_name.clone(),
        currency: config.currency,
        tax: TaxPolicy {
            rate: TaxRate::try_from(config.tax_rate_bps).map_err(|e| StartError::Config(e.to_string()))?,
            mode: config.tax_mode.into(),
        },
        ticket_warn_seconds: DEFAULT_TICKET_WARN_SECONDS,
        ticket_late_seconds: DEFAULT_TICKET_LATE_SECONDS,
        receipt: Default::default(),
        counter: Default::default(),
        kitchen_printers: Vec::new(),
    };
    let pins = Arc::new(PinHasher::new(keys.pin_pepper())?.counting(metrics.pin_checks.clone()));
    drop(keys);
    // A terminal's staff come from its hub.
    let demo_staff = if terminal.is_none() && settings::load(&mut store.read().await?).await?.is_none() {
        demo_records(pins.clone()).await.map_err(|e| StartError::Config(format!("demo staff: {e}")))?
    } else {
        Vec::new()
    };
    if seed_if_new(&store, &defaults, &demo_staff).await? {
        tracing::info!(shop = %defaults.name, "new database: seeded the demo menu");
        for (name, role, pin) in DEMO_STAFF.iter().filter(|_| !demo_staff.is_empty()) {
            tracing::warn!(%role, pin, "demo staff {name}: sign in with PIN {pin}; deactivate the demo staff before real use");
        }
    }
    let auth = Auth::new(
        AuthPolicy {
            session_idle: Duration::from_secs(config.session_idle_minutes * 60),
            session_max: Duration::from_secs(config.session_max_hours * 3600),
            limiter: LimiterPolicy {
                per_source: usize::try_from(config.signin_max_failures).unwrap_or(5),
                window: Duration::from_secs(config.signin_window_secs),
                shop_budget: usize::try_from(config.signin_shop_budget).unwrap_or(30),
                slowdown: Duration::from_secs(config.signin_slowdown_secs),
                max_sources: 10_000,
            },
            concurrent_pin_checks: config.pin_checks as usize,
        },
        pins,
        config.clock.clone(),
    );
    hub.published(outbox::latest_sequence(&mut store.read().await?).await?);
    // Other instances on the same PostgreSQL database commit too: hear of theirs.
    let heard = hub.clone();
    outbox::listen(&store, move |sequence| heard.published(sequence), hub.closing()).await?;
    let egress = Arc::new(egress_policy(config)?);
    let webhook = match (&config.webhook_url, &config.webhook_secret) {
        (Some(url), Some(secret)) => Some((url.clone(), secret.expose_secret().to_string())),
        (None, None) => None,
        _ => return Err(StartError::Config("set both CREMA_WEBHOOK_URL and CREMA_WEBHOOK_SECRET, or neither".into())),
    };
    let state = AppState::new(crate::state::Shared {
        store,
        clock: config.clock.clone(),
        auth: Arc::new(auth),
        hub,
        menu,
        day: BusinessDay { utc_offset: config.utc_offset },
        source: format!("crema/{}/{}", config.shop_id, config.node_id).into(),
        sse_keepalive: Duration::from_secs(config.sse_keepalive_secs),
        http: crate::sinks::egress::http_client(egress.clone()).map_err(StartError::Config)?,
        relays: Arc::default(),
        relay_wakeup: Arc::new(Notify::new()),
        kafka: Arc::new(crate::sinks::kafka::Producers::new(crate::sinks::kafka::TopicSettings {
            partitions: config.kafka_partitions,
            replication: config.kafka_replication,
        })),
        gateway: match &config.payment_gateway_url {
            Some(url) => Some(Arc::new(crate::payments::http::HttpGateway::new(url).map_err(StartError::Config)?)),
            None => None,
        },
        capture_on: if config.capture_on_ready {
            crate::service::payments::CaptureOn::Ready
        } else {
            crate::service::payments::CaptureOn::Completed
        },
        metrics,
        metrics_token: config.metrics_token.clone().map(Arc::new),
        mailer: match &config.smtp_url {
            Some(url) => Some(Arc::new(
                crate::service::notify::Mailer::from_config(url.expose_secret(), &config.mail_from)
                    .map_err(StartError::Config)?,
            )),
            None => None,
        },
        relay_policy: crate::service::sinks::relay::RelayPolicy {
            retry_base: Duration::from_millis(config.webhook_retry_base_ms),
            breaker_open_for: Duration::from_secs(config.webhook_breaker_open_secs),
        },
        job_kinds: Arc::new(crate::service::jobs::catalogue::crema_kinds()),
        jobs_wakeup: Arc::default(),
        ticket_sla: (config.ticket_sla_secs > 0).then(|| Duration::from_secs(config.ticket_sla_secs)),
        cron: CronSettings {
            job_sweep: config.cron_job_sweep.clone(),
            end_of_day: config.cron_end_of_day.clone(),
            prune: config.cron_prune.clone(),
            audit_check: config.cron_audit_check.clone(),
            backup: config.cron_backup.clone(),
            backups: crate::service::shop::backups::BackupPlan::from_config(config, database.as_deref())
                .map_err(StartError::Config)?
                .map(Arc::new),
            retention: crate::service::jobs::retention::Retention {
                finished: Duration::from_secs(config.retention_days * 86_400),
                events: Duration::from_secs(config.outbox_retention_days * 86_400),
                dead: Duration::from_secs(config.dead_retention_days * 86_400),
            },
        },
        cors_origins: config.cors_origins.iter().map(|o| o.trim().trim_end_matches('/').to_string()).collect(),
        network: NetworkPolicy {
            trusted_proxies: TrustedProxies(config.trusted_proxies.clone().into()),
            server_names: config.server_names.iter().map(|n| n.trim().to_ascii_lowercase()).collect(),
        },
        sealer,
        egress,
        receipt_printer: Arc::new(crate::service::receipts::ReceiptPrinter::new(config.receipt_printer.clone())),
        streams: StreamLimits::new(config.max_board_streams as usize, config.max_event_streams as usize),
        board: Arc::default(),
        sync: terminal.as_ref().map(|t| t.link.clone()),
    });
    if let Some(first) = terminal.and_then(|t| t.first_snapshot) {
        crate::service::sync::mirror::apply_snapshot(&state, first.0, first.1)
            .await
            .map_err(|e| StartError::Config(format!("applying the hub's snapshot: {e}")))?;
    }
    if let Some((url, secret)) = webhook {
        let target = SinkTarget::Webhook { url, secret };
        sinks::ensure_configured(&state, sinks::CONFIGURED_WEBHOOK, target)
            .await
            .map_err(|e| StartError::Config(format!("webhook: {e}")))?;
    }
    if let Some(brokers) = &config.kafka_brokers {
        let target = SinkTarget::Kafka { brokers: brokers.clone(), topic: config.kafka_topic.clone() };
        sinks::ensure_configured(&state, sinks::CONFIGURED_KAFKA, target)
            .await
            .map_err(|e| StartError::Config(format!("kafka: {e}")))?;
    }
    Ok(state)
}

/// Where sinks may send: public addresses, what `CREMA_EGRESS_ALLOW` lists, and the hosts
/// the operator configured sinks for.
fn egress_policy(config: &Config) -> Result<EgressPolicy, StartError> {
    let mut policy = EgressPolicy::new(&config.egress_allow).map_err(StartError::Config)?;
    if let Some(host) = config
        .webhook_url
        .as_deref()
        .and_then(|u| reqwest::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
    {
        policy.allow_host(&host);
    }
    for broker in config.kafka_brokers.iter().flat_map(|b| b.split(',')) {
        if let Some((host, _)) = broker.trim().rsplit_once(':') {
            policy.allow_host(host);
        }
    }
    Ok(policy)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
