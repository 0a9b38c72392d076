//! The desktop app synced with a hub: paired from its start page, selling while the hub is
//! down and saying so quietly, syncing when it returns.

use crate::{desktop_app, flow, running, sell_a_croissant, wait_gone, ONE_AT_A_TIME};
use crema_e2e::browser::Browser;
use crema_e2e::display::{Display, TauriDriver};
use crema_e2e::http::FetchJson;
use fantoccini::ClientBuilder;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Paired with a hub from its start page (a wrong code is refused there), the app takes an
/// order while the hub is down, says so quietly
/// ("Offline — 1 waiting to sync"), and syncs it once the hub is back.
#[tokio::test]
async fn paired_with_a_hub_it_sells_while_the_hub_is_down_and_syncs_when_it_returns() {
    use crema_e2e::binary::{free_port, start_on};
    use crema_e2e::http::{client_with, sign_in, MANAGER_PIN};
    let _turn = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().expect("data dir");
    let hub_dir = tempfile::tempdir().expect("hub dir");
    let port = free_port();
    let hub_db = hub_dir.path().join("hub.db");
    let hub = start_on(&hub_db, port, &[]);
    let manager = client_with(&sign_in(&hub.base, MANAGER_PIN).await);
    let enrolled: Value = manager
        .post(format!("{}/api/v1/terminals", hub.base))
        .json(&json!({ "name": "Counter laptop" }))
        .fetch_json()
        .await;
    let code = enrolled["code"].as_str().expect("code").to_string();

    let display = Display::start();
    let driver = TauriDriver::start(&display).await;
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    // Set to sync with the hub but not paired: the start page asks for the code.
    let args = json!(["--data-dir", data.path(), "--screen", "pos", "--hub-url", hub.base]);
    caps.insert("tauri:options".into(), json!({ "application": desktop_app(), "args": args }));
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session on the app's window");
    let form = client.wait().for_element(fantoccini::Locator::Css("form#pair:not([hidden]) #code")).await;
    let code_field = form.expect("the start page asks for a pairing code");
    let wrong = client.find(fantoccini::Locator::Css("#code")).await.expect("code field");
    wrong.send_keys("AAAA-AAAA").await.expect("typed");
    client.find(fantoccini::Locator::Css("#pair-button")).await.expect("button").click().await.expect("clicked");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let said =
            client.find(fantoccini::Locator::Css("#status")).await.expect("status").text().await.unwrap_or_default();
        if said.contains("is not a current pairing code") {
            break;
        }
        assert!(Instant::now() < deadline, "a wrong code was not refused on the form: {said:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    code_field.clear().await.expect("cleared");
    code_field.send_keys(&code).await.expect("typed");
    client.find(fantoccini::Locator::Css("#pair-button")).await.expect("button").click().await.expect("clicked");
    let (pid, base) = running(data.path()).await;
    let till = Browser::with_client(client, &base);

    // The hub dies; the cashier (one of the hub's staff, synced) signs in and sells anyway.
    hub.kill();
    let ticket = sell_a_croissant(&till, "Dana").await;
    assert_eq!(ticket.trim(), "A-1", "numbered with the terminal's label");
    // The window enrolled with this app's own server (its terminal), as in the local mode.
    let terminals: Vec<crema_shared::api::TerminalDto> = flow::get(&base, "/api/v1/terminals").await;
    assert!(
        terminals.iter().any(|t| t.name == "This computer · Till" && t.status == "paired"),
        "the till window is not an enrolled terminal of the app's server: {terminals:?}"
    );
    till.wait_for_text("[data-test='sync']", "Offline — 1 waiting to sync").await;
    till.wait_for_text("[data-test='unsynced']", "not synced with the shop's server yet").await;
    till.screenshot("desktop-synced-offline").await;

    // The hub returns: the order reaches it and the badge goes quiet.
    let hub = start_on(&hub_db, port, &[]);
    let manager = client_with(&sign_in(&hub.base, MANAGER_PIN).await);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let orders: Value = manager.get(format!("{}/api/v1/orders", hub.base)).fetch_json().await;
        if orders["orders"].as_array().is_some_and(|o| o.len() == 1) {
            assert_eq!(orders["orders"][0]["ticket"], "A-1");
            assert_eq!(orders["orders"][0]["customer_name"], "Dana");
            break;
        }
        assert!(Instant::now() < deadline, "the order never reached the hub");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let badge = match till.find(fantoccini::Locator::Css("[data-test='sync']")).await {
            Some(e) => e.text().await.unwrap_or_default(),
            None => String::new(),
        };
        if badge.trim().is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "the badge still says {badge:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    till.wait_gone("[data-test='unsynced']").await;
    till.screenshot("desktop-synced-online").await;
    let settings: Value =
        serde_json::from_str(&std::fs::read_to_string(data.path().join("settings.json")).expect("settings"))
            .expect("json");
    assert_eq!(settings["server"]["mode"], "synced");
    display.close_window("Crema — Till");
    wait_gone(pid, data.path()).await;
    let _ = till.client.close().await;
    drop(hub);
}
