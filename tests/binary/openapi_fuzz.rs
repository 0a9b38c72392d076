//! The OpenAPI document tells the truth: Schemathesis, a schema-driven fuzzer, generates
//! requests from the document (with a manager's token) against the real binary, and every
//! answer must be no 5xx, a documented status, a documented content type, and a body that
//! matches its schema — the event streams included (OpenAPI 3.2 `itemSchema`).
//!
//! `scripts/test` installs Schemathesis (PyPI) into a virtual environment and names it in
//! `CREMA_SCHEMATHESIS`.

use crema_e2e::binary;
use crema_e2e::http::{sign_in, MANAGER_PIN};
use std::process::Command;

#[tokio::test]
async fn a_schema_driven_fuzzer_finds_no_5xx_and_no_answer_that_breaks_the_document() {
    let dir = tempfile::tempdir().expect("dir");
    let server = binary::start(&dir.path().join("crema.db"));
    let token = sign_in(&server.base, MANAGER_PIN).await;
    let base = server.base.clone();
    let st = binary::installed_tool("CREMA_SCHEMATHESIS", ".cache/crema/schemathesis/bin/st", "Schemathesis");
    let report = dir.path().join("report");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(st)
            .args(["run", &format!("{base}/api/v1/openapi.json")])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            ])
            // Signing out would end the fuzzer's own session half-way.
            .args(["--exclude-operation-id", "sign_out"])
            .args(["--max-examples", "25", "--seed", "7", "--request-timeout", "3", "--workers", "2"])
            .args(["--phases", "examples,coverage,fuzzing"])
            .args(["--no-color"])
            .arg("--report-dir")
            .arg(&report)
            .output()
            .expect("schemathesis runs")
    })
    .await
    .expect("joined");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the fuzzer found answers that break the document:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("Tested:"), "the fuzzer ran no operation:\n{text}");
    server.kill();
}
