//! gRPC with a real external client: Python's `grpcio`, with stubs generated from the
//! repository's `.proto` files, against the real server binary (`tests/grpc/py/`, pytest).
//!
//! `scripts/test` installs grpcio and its tools (PyPI) into a virtual environment and names
//! its Python in `CREMA_GRPC_PYTHON`.

use crema_e2e::binary;
use std::path::PathBuf;

#[tokio::test]
async fn a_python_grpcio_client_calls_every_method_against_the_real_binary() {
    let dir = tempfile::tempdir().expect("dir");
    let server = binary::start(&dir.path().join("crema.db"));
    let suite = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("grpc/py");
    // The virtual environment's Python, with grpcio, grpcio-tools, -reflection,
    // -health-checking, -status and pytest.
    let python = binary::installed_tool("CREMA_GRPC_PYTHON", ".cache/crema/grpc/bin/python", "the gRPC test client");
    binary::pytest(python, suite, vec![("CREMA_BASE", server.base.clone())]).await;
    server.kill();
}
