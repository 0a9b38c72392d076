//! The server's metrics, in one registry (`prometheus-client`, OpenMetrics naming): what the
//! code counts and times as it works. Gauges that describe stored state (open tickets, sink
//! lag, jobs by state) are read from the database at scrape time by
//! [`crate::service::metrics`], which also renders the text.
//!
//! Every label value comes from a closed set (routes as registered, job kinds, sink names a
//! manager made), so no request can grow the number of series.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    /// The route as registered (`/api/v1/orders/{id}`), the gRPC method, or `unmatched`.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClassLabels {
    pub class: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub kind: String,
    /// `succeeded`, `retried` (failed, will run again) or `dead` (given up).
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SinkLabels {
    pub sink: String,
    pub kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabels {
    pub status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    pub state: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Seconds, from 1 ms to about 33 s.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// Seconds a ticket waits, from 15 s to about 2 h.
fn ticket_time() -> Histogram {
    Histogram::new(exponential_buckets(15.0, 1.5, 16))
}

pub struct Metrics {
    registry: Registry,
    pub http_duration: HistogramFamily<RouteLabels>,
    pub http_responses: Family<ClassLabels, Counter>,
    pub orders_placed: Counter,
    pub ticket_ready: Histogram,
    pub ticket_pickup: Histogram,
    pub open_tickets: Family<StatusLabels, Gauge>,
    pub late_tickets: Gauge,
    pub batch_size: Histogram,
    pub batch_commit: Histogram,
    pub outbox_sequence: Gauge,
    pub sink_backlog: Family<SinkLabels, Gauge>,
    pub sink_lag: Family<SinkLabels, Gauge<f64, AtomicU64>>,
    pub sink_failures: Family<SinkLabels, Gauge>,
    pub job_runs: Family<JobLabels, Counter>,
    pub jobs: Family<StateLabels, Gauge>,
    pub dead_jobs: Family<KindLabels, Gauge>,
    pub mail: Family<OutcomeLabels, Counter>,
    pub event_streams: Gauge,
    pub board_streams: Gauge,
    pub signin_failures: Counter,
    pub pin_checks: Counter,
    pub signin_alert: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics(..)")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut m = Metrics {
            registry: Registry::with_prefix("crema"),
            http_duration: Family::new_with_constructor(latency),
            http_responses: Family::default(),
            orders_placed: Counter::default(),
            ticket_ready: ticket_time(),
            ticket_pickup: ticket_time(),
            open_tickets: Family::default(),
            late_tickets: Gauge::default(),
            batch_size: Histogram::new(exponential_buckets(1.0, 2.0, 8)),
            batch_commit: latency(),
            outbox_sequence: Gauge::default(),
            sink_backlog: Family::default(),
            sink_lag: Family::default(),
            sink_failures: Family::default(),
            job_runs: Family::default(),
            jobs: Family::default(),
            dead_jobs: Family::default(),
            mail: Family::default(),
            event_streams: Gauge::default(),
            board_streams: Gauge::default(),
            signin_failures: Counter::default(),
            pin_checks: Counter::default(),
            signin_alert: Gauge::default(),
        };
        let r = &mut m.registry;
        r.register_with_unit(
            "http_request_duration",
            "Time to answer a request (to its headers), by method, route and status",
            Unit::Seconds,
            m.http_duration.clone(),
        );
        r.register("http_responses", "Answers sent, by status class", m.http_responses.clone());
        r.register("orders_placed", "Orders placed (REST, gRPC and synced terminals)", m.orders_placed.clone());
        r.register_with_unit(
            "ticket_placed_to_ready",
            "Time from an order being placed to the kitchen marking it ready",
            Unit::Seconds,
            m.ticket_ready.clone(),
        );
        r.register_with_unit(
            "ticket_ready_to_completed",
            "Time from ready to handed over (completed)",
            Unit::Seconds,
            m.ticket_pickup.clone(),
        );
        r.register("open_tickets", "Orders not yet completed or cancelled, by status", m.open_tickets.clone());
        r.register(
            "tickets_late",
            "Tickets still to be made, older than the shop's \"late\" limit (red on the kitchen display)",
            m.late_tickets.clone(),
        );
        r.register("writer_batch_size", "Writes committed together by one transaction", m.batch_size.clone());
        r.register_with_unit(
            "writer_commit",
            "Time to commit one write batch (the fsync)",
            Unit::Seconds,
            m.batch_commit.clone(),
        );
        r.register("outbox_sequence", "The last event written to the log", m.outbox_sequence.clone());
        r.register("sink_backlog_events", "Events after a sink's cursor", m.sink_backlog.clone());
        r.register_with_unit(
            "sink_lag",
            "Age of the oldest event a sink has not taken yet (0 when caught up)",
            Unit::Seconds,
            m.sink_lag.clone(),
        );
        r.register(
            "sink_consecutive_failures",
            "Failed attempts in a row (5 opens the breaker)",
            m.sink_failures.clone(),
        );
        r.register("job_runs", "Job runs by kind and outcome (succeeded, retried, dead)", m.job_runs.clone());
        r.register("jobs", "Durable jobs by state (succeeded ones until pruned)", m.jobs.clone());
        r.register("jobs_dead", "Jobs given up on, waiting for a manager, by kind", m.dead_jobs.clone());
        r.register("mail", "Emails by outcome (sent, failed)", m.mail.clone());
        r.register("event_streams", "Live event subscribers (SSE and gRPC streams)", m.event_streams.clone());
        r.register("board_streams", "Pickup-board streams open", m.board_streams.clone());
        r.register("signin_failures", "Sign-ins refused for a wrong PIN", m.signin_failures.clone());
        r.register("pin_checks", "PIN verifications run (argon2id)", m.pin_checks.clone());
        r.register(
            "signin_alert",
            "1 while wrong PINs across the shop are over the budget (every source slowed)",
            m.signin_alert.clone(),
        );
        m
    }

    /// Records one answered request.
    pub fn answered(&self, method: &str, route: &str, status: u16, took: Duration) {
        let class = match status / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        };
        self.http_responses.get_or_create(&ClassLabels { class }).inc();
        let labels = RouteLabels { method: method.to_string(), route: route.to_string(), status };
        self.http_duration.get_or_create(&labels).observe(took.as_secs_f64());
    }

    /// Answers sent since start, all status classes together.
    pub fn answers(&self) -> u64 {
        ["1xx", "2xx", "3xx", "4xx", "5xx"]
            .into_iter()
            .map(|class| self.http_responses.get(&ClassLabels { class }).map_or(0, |c| c.get()))
            .sum()
    }

    /// Records one committed (or rolled back) write batch.
    pub fn batch(&self, size: usize, commit: Duration) {
        self.batch_size.observe(size as f64);
        self.batch_commit.observe(commit.as_secs_f64());
    }

    /// Records a job run's outcome.
    pub fn job(&self, kind: &str, outcome: &'static str) {
        self.job_runs.get_or_create(&JobLabels { kind: kind.to_string(), outcome }).inc();
    }

    /// Records an email sent or not.
    pub fn mail(&self, sent: bool) {
        self.mail.get_or_create(&OutcomeLabels { outcome: if sent { "sent" } else { "failed" } }).inc();
    }

    /// Counts an open live event stream until the guard is dropped.
    pub fn event_stream(self: &std::sync::Arc<Self>) -> StreamGuard {
        self.event_streams.inc();
        StreamGuard(self.clone())
    }

    /// The OpenMetrics text of everything registered.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// An open event stream, counted in `crema_event_streams`.
pub struct StreamGuard(std::sync::Arc<Metrics>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.event_streams.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_openmetrics_names_with_units_and_totals() {
        let metrics = std::sync::Arc::new(Metrics::new());
        metrics.answered("POST", "/api/v1/orders", 201, Duration::from_millis(3));
        metrics.orders_placed.inc();
        metrics.batch(4, Duration::from_millis(2));
        metrics.job("mail.ready", "succeeded");
        let guard = metrics.event_stream();
        let text = metrics.render().expect("renders");
        assert!(text.contains("crema_http_request_duration_seconds_bucket{le=\"0.004\",method=\"POST\",route=\"/api/v1/orders\",status=\"201\"} 1"), "{text}");
        assert!(text.contains("crema_http_responses_total{class=\"2xx\"} 1"), "{text}");
        assert!(text.contains("crema_orders_placed_total 1"), "{text}");
        assert!(text.contains("crema_writer_batch_size_sum 4.0"), "{text}");
        assert!(text.contains("crema_job_runs_total{kind=\"mail.ready\",outcome=\"succeeded\"} 1"), "{text}");
        assert!(text.contains("crema_event_streams 1"), "{text}");
        drop(guard);
        assert!(metrics.render().expect("renders").contains("crema_event_streams 0"));
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    /// The dashboard and the alert rules in `docs/` name only metrics this registry has.
    #[test]
    fn the_dashboard_and_alerts_use_only_metrics_that_exist() {
        let metrics = std::sync::Arc::new(Metrics::new());
        // Every family gets a series, so every name renders.
        metrics.answered("GET", "/healthz", 200, Duration::from_millis(1));
        metrics.job("k", "dead");
        metrics.mail(true);
        metrics.ticket_ready.observe(1.0);
        metrics.ticket_pickup.observe(1.0);
        metrics.open_tickets.get_or_create(&StatusLabels { status: "placed" }).set(1);
        let sink = SinkLabels { sink: "s".into(), kind: "webhook" };
        metrics.sink_backlog.get_or_create(&sink).set(1);
        metrics.sink_lag.get_or_create(&sink).set(1.0);
        metrics.sink_failures.get_or_create(&sink).set(1);
        metrics.jobs.get_or_create(&StateLabels { state: "dead" }).set(1);
        metrics.dead_jobs.get_or_create(&KindLabels { kind: "k".into() }).set(1);
        let text = metrics.render().expect("renders");
        let exposed: std::collections::HashSet<&str> =
            text.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split(['{', ' ']).next()).collect();
        for (file, doc) in [
            ("docs/grafana/crema.json", include_str!("../../../docs/grafana/crema.json")),
            ("docs/prometheus/crema-alerts.yml", include_str!("../../../docs/prometheus/crema-alerts.yml")),
            ("docs/prometheus/crema-alerts.test.yml", include_str!("../../../docs/prometheus/crema-alerts.test.yml")),
        ] {
            let mut named = 0;
            for (at, _) in doc.match_indices("crema_") {
                let name: String = doc[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                assert!(exposed.contains(name.as_str()), "{file} uses {name}, which /metrics does not have");
                named += 1;
            }
            assert!(named > 3, "{file} names metrics");
        }
    }
}
