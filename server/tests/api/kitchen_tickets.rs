//! Kitchen tickets on the stations' printers (the kitchen display's backup): each station's
//! printer — a listener this test runs, which decodes the ESC/POS — gets the lines of its
//! categories when an order reaches the kitchen, once; a held tab prints when paid; a printer
//! that is off holds its ticket until it is back; bad stations are refused by name.

use crate::helpers::{spawn_app, TestApp};
use crema_e2e::printer::{decode, Paper, Printer};
use crema_shared::api::{JobPage, SettingsDto};
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);

async fn patch_settings(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app.client.patch(app.url("/api/v1/settings")).json(&body).send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn category(app: &TestApp, name: &str) -> Uuid {
    app.menu().await.categories.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no category {name}")).id
}

/// The bar makes the espresso bar's drinks, the pastry counter its pastries.
async fn stations(app: &TestApp, bar: &str, pastry: &str) -> SettingsDto {
    let body = json!({"kitchen_printers": [
        {"station": "Bar", "printer": bar, "category_ids": [category(app, "Espresso bar").await]},
        {"station": "Pastry", "printer": pastry, "category_ids": [category(app, "Pastries").await]},
    ]});
    let (status, settings) = patch_settings(app, body).await;
    assert_eq!(status, 200, "{settings}");
    serde_json::from_value(settings).expect("settings")
}

fn paper(bytes: &[u8]) -> Paper {
    decode(bytes).unwrap_or_else(|e| panic!("not ESC/POS a printer reads: {e}"))
}

async fn paid(app: &TestApp, name: &str) -> Value {
    let mut body = app.demo().await.latte_and_croissant(name);
    body["payment"] = json!({"method": "cash", "tendered_cents": 2_000});
    body
}

#[tokio::test]
async fn each_station_prints_its_own_lines_once() {
    let app = spawn_app().await;
    let (bar, pastry) = (Printer::start().await, Printer::start().await);
    let settings = stations(&app, &bar.address(), &pastry.address()).await;
    assert_eq!(settings.kitchen_printers.len(), 2);
    assert_eq!(settings.receipt_printer_in_use, None, "no receipt printer: kitchen tickets only");
    let order = app.place(&paid(&app, "Ana").await).await;

    let bar_paper = paper(&bar.wait_for(1, WAIT).await[0]);
    let ticket = bar_paper.line(&format!("Ticket {}", order.ticket)).expect("the ticket number");
    assert!(ticket.large && ticket.centered, "{ticket:?}");
    assert!(bar_paper.line("Bar").is_some_and(|l| l.large));
    let texts = bar_paper.texts();
    assert!(texts.contains(&"1 x Latte") && texts.contains(&"    + Oat milk"), "{texts:?}");
    assert!(
        !texts.iter().any(|t| t.contains("Croissant") || t.contains("TOTAL")),
        "only the bar's lines, no prices: {texts:?}"
    );
    assert!(bar_paper.cut);
    let pastry_paper = paper(&pastry.wait_for(1, WAIT).await[0]);
    assert!(pastry_paper.texts().contains(&"1 x Croissant"), "{:?}", pastry_paper.texts());
    assert!(!pastry_paper.texts().iter().any(|t| t.contains("Latte")));

    // An espresso alone: the pastry counter gets nothing.
    let mut espresso = app.demo().await.espresso("Bo");
    espresso["payment"] = json!({"method": "cash", "tendered_cents": 500});
    app.place(&espresso).await;
    bar.wait_for(2, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!((bar.prints().len(), pastry.prints().len()), (2, 1), "each ticket once, and none without lines");
    let page: JobPage = app.get("/api/v1/jobs?kind=print.kitchen").await.json().await.expect("jobs");
    assert_eq!(page.jobs.len(), 4, "a job per station per order");
    assert!(page.jobs.iter().all(|j| j.state == "succeeded"), "{:?}", page.jobs);
    app.stop().await;
}

#[tokio::test]
async fn a_held_tab_prints_when_paid_and_a_printer_that_is_off_holds_its_ticket() {
    let app = spawn_app().await;
    let bar = Printer::start().await;
    let off = Printer::start().await;
    let port = off.port;
    off.stop();
    stations(&app, &bar.address(), &format!("tcp://127.0.0.1:{port}")).await;
    assert_eq!(patch_settings(&app, json!({"kitchen_before_paid": false})).await.0, 200);
    let tab = app.place(&app.demo().await.latte_and_croissant("Cy")).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(bar.prints().is_empty(), "a held tab is not printed for the kitchen");
    let response = app
        .post(&format!("/api/v1/orders/{}/payment", tab.id), &json!({"method": "cash", "tendered_cents": 5_000}))
        .await;
    assert_eq!(response.status(), 200);
    let bar_paper = paper(&bar.wait_for(1, WAIT).await[0]);
    assert!(bar_paper.line(&format!("Ticket {}", tab.ticket)).is_some());

    // The pastry printer was off: its ticket waits, then prints once when it is back.
    let page: JobPage = app.get("/api/v1/jobs?kind=print.kitchen").await.json().await.expect("jobs");
    assert!(page.jobs.iter().any(|j| j.state != "succeeded"), "{:?}", page.jobs);
    let pastry = Printer::start_on(port).await;
    let later = app.state.clock.now() + chrono::Duration::seconds(120);
    crema_server::service::jobs::drain_at(&app.state, later).await.expect("drain");
    let prints = pastry.wait_for(1, WAIT).await;
    assert!(paper(&prints[0]).texts().contains(&"1 x Croissant"));
    crema_server::service::jobs::drain_at(&app.state, later + chrono::Duration::seconds(600)).await.expect("drain");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!((pastry.prints().len(), bar.prints().len()), (1, 1), "never twice");
    app.stop().await;
}

#[tokio::test]
async fn bad_stations_are_refused_by_name_and_change_nothing() {
    let app = spawn_app().await;
    let drinks = category(&app, "Espresso bar").await;
    for (body, field) in [
        (json!([{"station": "Bar", "printer": "http://printer"}]), "kitchen_printers[0].printer"),
        (json!([{"station": "", "printer": "tcp://10.0.0.9"}]), "kitchen_printers[0].station"),
        (
            json!([{"station": "Bar", "printer": "tcp://10.0.0.9", "category_ids": [Uuid::now_v7()]}]),
            "kitchen_printers[0].category_ids[0]",
        ),
        (
            json!([{"station": "Bar", "printer": "tcp://10.0.0.9", "category_ids": [drinks]}, {"station": "bar", "printer": "tcp://10.0.0.8"}]),
            "kitchen_printers[1].station",
        ),
    ] {
        let (status, problem) = patch_settings(&app, json!({"kitchen_printers": body})).await;
        assert_eq!(status, 422, "{problem}");
        let fields: Vec<&str> =
            problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, [field], "{problem}");
    }
    let settings: SettingsDto = app.get("/api/v1/settings").await.json().await.expect("settings");
    assert!(settings.kitchen_printers.is_empty());
    // A cashier may not set them.
    let till = app.client_as(crate::helpers::CASHIER_PIN).await;
    let response =
        till.patch(app.url("/api/v1/settings")).json(&json!({"kitchen_printers": []})).send().await.expect("sent");
    assert_eq!(response.status(), 403);
    app.stop().await;
}
