//! Operations with real outside tools (`tests/ops/py/`, pytest): OTLP trace export received
//! by a collector built from the `opentelemetry-proto` package (gRPC and HTTP/protobuf), the
//! webhook consumer seeing the same trace, and `/metrics` read by Prometheus' own Python
//! parser. Each Python test starts the real server binary with the environment it needs.
//!
//! `scripts/test` installs the packages into the Python test client's virtual environment and
//! names its Python in `CREMA_GRPC_PYTHON`.

use crema_e2e::binary;
use std::path::PathBuf;

#[tokio::test]
async fn traces_and_metrics_read_by_real_opentelemetry_and_prometheus_tools() {
    let suite = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ops/py");
    let python = binary::installed_tool("CREMA_GRPC_PYTHON", ".cache/crema/grpc/bin/python", "the Python test client");
    let server = binary::path("crema-server").to_string_lossy().into_owned();
    binary::pytest(python, suite, vec![("CREMA_BINARY", server)]).await;
}
