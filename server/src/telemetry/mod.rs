//! Logging and tracing: `tracing` to standard output (or a file), filtered by `CREMA_LOG`,
//! and — when an OTLP endpoint is configured by the standard OpenTelemetry variables — the
//! same spans exported as OpenTelemetry traces ([`otlp`]), continued from and handed on as
//! W3C `traceparent`s ([`propagation`]).

pub mod otlp;
pub mod propagation;

use std::path::Path;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

pub use otlp::Telemetry;

/// Installs the global subscriber once, logs only; later calls are ignored (tests start
/// many servers).
pub fn init(filter: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(env_filter(filter))
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .try_init();
}

/// Logs as [`init`], plus trace export when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set. Keep the answer alive while serving and
/// [`Telemetry::shutdown`] it before the runtime ends, so the last spans are sent and the
/// last log lines written.
///
/// Serving writes its log lines from a thread of its own ([`log_output`]).
pub fn start(filter: &str) -> Result<Telemetry, String> {
    let settings = otlp::ExportSettings::from_env(|name| std::env::var(name).ok())?;
    let (stdout, guard) = log_output(std::io::stdout());
    let logs = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_writer(stdout)
        .with_filter(env_filter(filter));
    let Some(settings) = settings else {
        let _ = tracing_subscriber::registry().with(logs).try_init();
        return Ok(Telemetry::off().with_log_writer(guard));
    };
    let (telemetry, tracer) = otlp::exporter(&settings)?;
    let traces = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_tracked_inactivity(false)
        .with_filter(tracing_subscriber::EnvFilter::new(otlp::TRACE_FILTER));
    let _ = tracing_subscriber::registry().with(logs).with(traces).try_init();
    tracing::info!(endpoint = %settings.endpoint_for_log(), protocol = settings.protocol.as_str(), "exporting traces (OTLP)");
    Ok(telemetry.with_log_writer(guard))
}

/// Where serving's log lines go: a thread of its own writes them to `out`. A request hands
/// its line over and goes on instead of waiting for the write; none is dropped (when the
/// queue is full, the logging code waits). The thread writes what has queued up in one go —
/// under load two lines an order (the sale and the answer) would otherwise be two system
/// calls an order — and flushes whenever the queue is empty, so no line waits for another.
pub fn log_output<W: std::io::Write + Send + 'static>(
    out: W,
) -> (tracing_appender::non_blocking::NonBlocking, tracing_appender::non_blocking::WorkerGuard) {
    tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::BufWriter::with_capacity(LOG_BUFFER, out))
}

/// How much of the log [`log_output`] gathers before it writes.
const LOG_BUFFER: usize = 64 * 1024;

/// Like [`init`], but appending to `path` (an app started from a menu has no terminal).
/// Falls back to standard output when the file cannot be opened.
pub fn init_to_file(filter: &str, path: &Path) {
    // The log names staff and orders: readable by its owner only.
    match crate::keys::files::open_private_append(path) {
        Ok(file) => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(env_filter(filter))
                .with_target(false)
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .try_init();
        }
        Err(_) => init(filter),
    }
}

fn env_filter(filter: &str) -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
}

#[cfg(test)]
mod tests;
