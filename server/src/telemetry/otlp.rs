//! OTLP trace export, configured only by the standard OpenTelemetry variables
//! (`OTEL_EXPORTER_OTLP_ENDPOINT` / `…_TRACES_ENDPOINT`, `…_PROTOCOL` / `…_TRACES_PROTOCOL`,
//! `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`,
//! `OTEL_BSP_*`), off unless an endpoint is set. Spans go out in batches from the SDK's own
//! thread, so a slow or absent collector never holds a request.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use opentelemetry_sdk::Resource;
use std::time::Duration;

/// What the trace layer records: Crema's own spans (including the fine-grained debug-level
/// ones such as each write and each batch) and warnings from elsewhere.
pub const TRACE_FILTER: &str = "warn,crema_server=debug";

/// How spans leave the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportProtocol {
    Grpc,
    HttpProtobuf,
}

impl ExportProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportProtocol::Grpc => "grpc",
            ExportProtocol::HttpProtobuf => "http/protobuf",
        }
    }
}

/// Trace export as the environment asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSettings {
    pub protocol: ExportProtocol,
    /// The endpoint variable's value (the exporter reads it itself; kept for the log).
    endpoint: String,
    /// No `service.name` was given: Crema names itself.
    pub default_service_name: bool,
}

impl ExportSettings {
    /// `None` when export is off: no endpoint, `OTEL_SDK_DISABLED=true` or
    /// `OTEL_TRACES_EXPORTER=none`. The protocol defaults to `http/protobuf`, as the
    /// specification says; `http/json` and unknown values are refused by name.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<ExportSettings>, String> {
        let set = |name: &str| var(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        if set("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"))
            || set("OTEL_TRACES_EXPORTER").is_some_and(|v| v.eq_ignore_ascii_case("none"))
        {
            return Ok(None);
        }
        let Some(endpoint) = set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").or_else(|| set("OTEL_EXPORTER_OTLP_ENDPOINT"))
        else {
            return Ok(None);
        };
        let (name, value) = match set("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") {
            Some(v) => ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", v),
            None => ("OTEL_EXPORTER_OTLP_PROTOCOL", set("OTEL_EXPORTER_OTLP_PROTOCOL").unwrap_or_default()),
        };
        let protocol = match value.as_str() {
            "" | "http/protobuf" => ExportProtocol::HttpProtobuf,
            "grpc" => ExportProtocol::Grpc,
            other => return Err(format!("{name}={other} is not supported: use grpc or http/protobuf")),
        };
        let named = set("OTEL_SERVICE_NAME").is_some()
            || set("OTEL_RESOURCE_ATTRIBUTES").is_some_and(|attrs| {
                attrs.split(',').any(|pair| pair.split_once('=').is_some_and(|(k, _)| k.trim() == "service.name"))
            });
        Ok(Some(ExportSettings { protocol, endpoint, default_service_name: !named }))
    }

    /// The endpoint without any user information or query (which may carry a credential).
    pub fn endpoint_for_log(&self) -> String {
        match reqwest::Url::parse(&self.endpoint) {
            Ok(mut url) => {
                let _ = url.set_username("");
                let _ = url.set_password(None);
                url.set_query(None);
                url.to_string()
            }
            Err(_) => "(not a URL)".into(),
        }
    }
}

/// The installed exporter: flush it with [`Telemetry::shutdown`] before the process ends.
#[derive(Debug)]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
    /// The log writer's thread: dropping it writes out what is queued.
    logs: Option<tracing_appender::non_blocking::WorkerGuard>,
}

impl Telemetry {
    pub fn off() -> Telemetry {
        Telemetry { provider: None, logs: None }
    }

    /// Keeps the log writer's thread until [`Telemetry::shutdown`] (or drop).
    pub fn with_log_writer(mut self, guard: tracing_appender::non_blocking::WorkerGuard) -> Telemetry {
        self.logs = Some(guard);
        self
    }

    pub fn exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// Sends the spans still queued (waiting at most a few seconds for the collector).
    pub async fn shutdown(self) {
        let Telemetry { provider, logs } = self;
        let _written_out_last = logs;
        let Some(provider) = provider else { return };
        let flushed = tokio::task::spawn_blocking(move || provider.shutdown_with_timeout(Duration::from_secs(5))).await;
        if let Ok(Err(e)) = flushed {
            tracing::warn!(error = %e, "could not send the last traces");
        }
    }
}

/// Builds the exporter and the tracer the `tracing` layer feeds. Needs a Tokio runtime
/// (gRPC export runs its connection there).
pub fn exporter(settings: &ExportSettings) -> Result<(Telemetry, SdkTracer), String> {
    let exporter = match settings.protocol {
        ExportProtocol::Grpc => SpanExporter::builder().with_tonic().build(),
        ExportProtocol::HttpProtobuf => SpanExporter::builder().with_http().with_protocol(Protocol::HttpBinary).build(),
    }
    .map_err(|e| format!("cannot set up OTLP trace export: {e}"))?;
    let mut resource = Resource::builder();
    if settings.default_service_name {
        resource = resource.with_service_name("crema-server");
    }
    let provider = SdkTracerProvider::builder().with_resource(resource.build()).with_batch_exporter(exporter).build();
    let tracer = provider.tracer("crema-server");
    opentelemetry::global::set_text_map_propagator(opentelemetry_sdk::propagation::TraceContextPropagator::new());
    Ok((Telemetry { provider: Some(provider), logs: None }, tracer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Option<ExportSettings>, String> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ExportSettings::from_env(|name| vars.get(name).cloned())
    }

    #[test]
    fn off_without_an_endpoint_or_when_disabled() {
        assert_eq!(settings(&[]), Ok(None));
        assert_eq!(settings(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " ")]), Ok(None));
        let on = [("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")];
        assert!(settings(&on).expect("valid").is_some());
        assert_eq!(settings(&[on[0], ("OTEL_SDK_DISABLED", "true")]), Ok(None));
        assert_eq!(settings(&[on[0], ("OTEL_TRACES_EXPORTER", "none")]), Ok(None));
    }

    #[test]
    fn the_protocol_defaults_to_http_protobuf_and_the_traces_variable_wins() {
        let endpoint = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:4317");
        let http = settings(&[endpoint]).expect("valid").expect("on");
        assert_eq!(http.protocol, ExportProtocol::HttpProtobuf);
        let grpc = settings(&[endpoint, ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")]).expect("valid").expect("on");
        assert_eq!(grpc.protocol, ExportProtocol::Grpc);
        let traces = settings(&[
            endpoint,
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"),
        ]);
        assert_eq!(traces.expect("valid").expect("on").protocol, ExportProtocol::HttpProtobuf);
    }

    #[test]
    fn an_unsupported_protocol_is_refused_by_name() {
        let error =
            settings(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://x:4318"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")])
                .expect_err("refused");
        assert!(error.contains("OTEL_EXPORTER_OTLP_PROTOCOL=http/json"), "{error}");
    }

    #[test]
    fn crema_names_itself_unless_a_service_name_is_given() {
        let endpoint = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://x:4318");
        assert!(settings(&[endpoint]).expect("valid").expect("on").default_service_name);
        let named = settings(&[endpoint, ("OTEL_SERVICE_NAME", "till-3")]).expect("valid").expect("on");
        assert!(!named.default_service_name);
        let attrs =
            settings(&[endpoint, ("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod, service.name=hub")]);
        assert!(!attrs.expect("valid").expect("on").default_service_name);
    }

    #[test]
    fn the_logged_endpoint_hides_credentials() {
        let s = settings(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "https://user:secret@collector:4318/?token=abc")])
            .expect("valid")
            .expect("on");
        let shown = s.endpoint_for_log();
        assert!(!shown.contains("secret") && !shown.contains("abc") && !shown.contains("user"), "{shown}");
    }
}
