//! Enrolling terminals: one-time pairing codes, labels, renaming, revoking, bad input.

use crate::helpers::{pair_terminal, spawn_app, FetchJson};
use serde_json::{json, Value};

#[tokio::test]
async fn a_code_pairs_one_terminal_once_and_revoking_it_ends_its_credential() {
    let app = spawn_app().await;
    let made: Value = app.post("/api/v1/terminals", &json!({"name": "Till 1"})).await.json().await.expect("json");
    assert_eq!(made["status"], "pending");
    assert_eq!(made["label"], "A");
    let code = made["code"].as_str().expect("code").to_string();
    assert_eq!(code.len(), 9, "ABCD-EFGH");
    let id = made["id"].as_str().expect("id").to_string();
    // The code is shown once: not in the list.
    let listed: Value = app.get("/api/v1/terminals").await.json().await.expect("json");
    assert!(listed[0].get("code").is_none());
    // Typed in lower case with spaces, it still pairs; the answer sets an HttpOnly cookie.
    let typed = code.to_lowercase().replace('-', " ");
    let plain = reqwest::Client::new();
    let paired =
        plain.post(app.url("/api/v1/terminals/pair")).json(&json!({"code": typed})).send().await.expect("sent");
    assert_eq!(paired.status(), 201);
    let cookie = paired.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_string();
    assert!(cookie.starts_with("crema_terminal=") && cookie.contains("HttpOnly"), "{cookie}");
    let paired: Value = paired.json().await.expect("json");
    let credential = paired["credential"].as_str().expect("credential").to_string();
    assert!(credential.starts_with(&id));
    // A code works once.
    let again = plain.post(app.url("/api/v1/terminals/pair")).json(&json!({"code": code})).send().await.expect("sent");
    assert_eq!(again.status(), 422);
    // The terminal knows who it is; the manager sees it paired.
    let me: Value =
        plain.get(app.url("/api/v1/terminals/current")).header("x-crema-terminal", &credential).fetch_json().await;
    assert_eq!((me["name"].as_str(), me["label"].as_str()), (Some("Till 1"), Some("A")));
    assert!(me.get("credential").is_none());
    let seen: Value = app.get(&format!("/api/v1/terminals/{id}")).await.json().await.expect("json");
    assert_eq!(seen["status"], "paired");
    // Renamed, then revoked: the credential no longer identifies anyone.
    let renamed = app.client.patch(app.url(&format!("/api/v1/terminals/{id}"))).json(&json!({"name": "Front till"}));
    assert_eq!(renamed.send().await.expect("sent").json::<Value>().await.expect("json")["name"], "Front till");
    let revoked = app.client.delete(app.url(&format!("/api/v1/terminals/{id}"))).send().await.expect("sent");
    assert_eq!(revoked.json::<Value>().await.expect("json")["status"], "revoked");
    let gone = plain.get(app.url("/api/v1/terminals/current")).header("x-crema-terminal", &credential).send();
    assert_eq!(gone.await.expect("sent").status(), 404);
    // A revoked terminal gets no new code.
    assert_eq!(app.post_empty(&format!("/api/v1/terminals/{id}/code")).await.status(), 409);
    let audit: Value = app.get("/api/v1/audit?action=terminal.").await.json().await.expect("json");
    let actions: Vec<&str> =
        audit["entries"].as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    let expected =
        ["terminal.revoked", "terminal.renamed", "terminal.pair_failed", "terminal.paired", "terminal.created"];
    assert_eq!(actions, expected, "the second use of the code is audited as a failure");
    app.stop().await;
}

#[tokio::test]
async fn labels_are_unique_and_a_new_code_re_pairs_a_replaced_device() {
    let app = spawn_app().await;
    let first = pair_terminal(&app, "Till 1").await;
    pair_terminal(&app, "Kitchen").await;
    let listed: Value = app.get("/api/v1/terminals").await.json().await.expect("json");
    let labels: Vec<&str> = listed.as_array().expect("list").iter().filter_map(|t| t["label"].as_str()).collect();
    assert_eq!(labels, ["A", "B"]);
    let id = first.split('.').next().expect("id");
    let fresh: Value = app.post_empty(&format!("/api/v1/terminals/{id}/code")).await.json().await.expect("json");
    let code = fresh["code"].as_str().expect("code");
    let plain = reqwest::Client::new();
    let again: Value = plain.post(app.url("/api/v1/terminals/pair")).json(&json!({"code": code})).fetch_json().await;
    let second = again["credential"].as_str().expect("credential");
    assert_ne!(second, first, "a new secret");
    assert_eq!(again["label"], "A", "the same terminal");
    let old = plain.get(app.url("/api/v1/terminals/current")).header("x-crema-terminal", &first).send();
    assert_eq!(old.await.expect("sent").status(), 404, "the old device's secret is replaced");
    app.stop().await;
}

#[tokio::test]
async fn bad_terminal_input_is_a_clear_422_and_changes_nothing() {
    let app = spawn_app().await;
    let blank: Value = app.post("/api/v1/terminals", &json!({"name": "  "})).await.json().await.expect("json");
    assert_eq!(blank["errors"][0]["field"], "name");
    let unknown = app.post("/api/v1/terminals", &json!({"name": "Till", "secret": "x"})).await;
    assert_eq!(unknown.status(), 422);
    let plain = reqwest::Client::new();
    for code in ["", "ABC", "0000-0000", "ABCD-EFGH-IJKL"] {
        let answer: Value =
            plain.post(app.url("/api/v1/terminals/pair")).json(&json!({"code": code})).fetch_json().await;
        assert_eq!(answer["status"], 422, "{code:?}");
        assert_eq!(answer["errors"][0]["field"], "code");
    }
    let listed: Value = app.get("/api/v1/terminals").await.json().await.expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(0));
    app.stop().await;
}

#[tokio::test]
async fn guessing_pairing_codes_is_limited_like_guessing_pins() {
    let app = spawn_app().await;
    let plain = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let answer = plain.post(app.url("/api/v1/terminals/pair")).json(&json!({"code": "ABCD-EFGH"})).send();
        statuses.push(answer.await.expect("sent").status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 15, "{statuses:?}");
    app.stop().await;
}
