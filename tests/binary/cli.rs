//! `crema-server staff add`: a shop's first real manager, from the command line.

use crema_e2e::binary::start;
use crema_e2e::http::sign_in;
use crema_e2e::http::FetchJson;
use std::process::{Command, Stdio};

fn crema(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(crema_e2e::binary::path("crema-server"))
        .arg("--database-url")
        .arg(db)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("binary runs")
}

#[tokio::test]
async fn staff_add_creates_a_manager_who_can_sign_in_and_refuses_a_taken_pin() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let added = crema(&db, &["staff", "add", "--name", "Jo Owner", "--role", "manager", "--pin", "4321"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert!(String::from_utf8_lossy(&added.stdout).contains("added Jo Owner (manager)"));
    let taken = crema(&db, &["staff", "add", "--name", "Copy", "--role", "cashier", "--pin", "1111"]);
    assert!(!taken.status.success(), "a demo PIN was accepted twice");
    let bad = crema(&db, &["staff", "add", "--name", "Bad", "--role", "cashier", "--pin", "12"]);
    assert!(!bad.status.success());
    let listed = crema(&db, &["staff", "list"]);
    let text = String::from_utf8_lossy(&listed.stdout).to_string();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("manager\tactive\tJo Owner"));

    let mut server = start(&db);
    let token = sign_in(&server.base, "4321").await;
    let me: serde_json::Value =
        crema_e2e::http::client_with(&token).get(format!("{}/api/v1/sessions/current", server.base)).fetch_json().await;
    assert_eq!((me["staff"]["name"].as_str(), me["staff"]["role"].as_str()), (Some("Jo Owner"), Some("manager")));
    server.child.kill().expect("kill");
    server.child.wait().expect("reaped");
}
