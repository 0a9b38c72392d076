//! Discounts at the till: reasons managers keep, a cashier's discount within its reason, a
//! manager's PIN on the spot beyond it (audited, never kept), and every bad input refused by
//! name with nothing placed.

use crate::helpers::{assert_problem, spawn_app, TestApp, BARISTA_PIN, CASHIER_PIN, MANAGER_PIN};
use crema_shared::api::{AuditPage, DiscountReasonDto, OrderDto, SessionDto};
use crema_shared::close::CloseReport;
use serde_json::{json, Value};

async fn post(client: &reqwest::Client, app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let response = client.post(app.url(path)).json(body).send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `body` is refused with `status`, naming `field`, and no order is placed.
async fn refused(app: &TestApp, client: &reqwest::Client, body: &Value, status: u16, field: Option<&str>) {
    let before = app.order_count().await;
    let response = client.post(app.url("/api/v1/orders")).json(body).send().await.expect("sent");
    let (code, headers) = (response.status(), response.headers().clone());
    let problem: Value = response.json().await.expect("problem");
    assert_problem(code, &headers, &problem, status, field);
    assert_eq!(app.order_count().await, before, "nothing placed for {body}");
}

async fn reasons(client: &reqwest::Client, app: &TestApp) -> Vec<DiscountReasonDto> {
    client.get(app.url("/api/v1/discount-reasons")).send().await.expect("sent").json().await.expect("reasons")
}

fn reason(list: &[DiscountReasonDto], name: &str) -> String {
    list.iter().find(|r| r.name == name).map(|r| r.id.to_string()).unwrap_or_else(|| panic!("no reason {name}"))
}

async fn audit(app: &TestApp, action: &str) -> Vec<Value> {
    let page: AuditPage = app.get("/api/v1/audit?limit=200").await.json().await.expect("audit");
    page.entries.into_iter().filter(|e| e.action == action).map(|e| e.detail).collect()
}

#[tokio::test]
async fn a_cashier_discounts_within_the_reason_and_a_manager_approves_beyond_it_with_a_pin() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let demo = app.demo().await;
    let list = reasons(&till, &app).await;
    let (loyalty, comp) = (reason(&list, "Loyalty"), reason(&list, "Comp"));

    // Loyalty lets a cashier take 10 % off alone.
    let mut body = demo.latte_and_croissant("Ana");
    body["discounts"] = json!([{"reason_id": loyalty, "percent_bps": 1000}]);
    let (status, order) = post(&till, &app, "/api/v1/orders", &body).await;
    assert_eq!(status, 201, "{order}");
    let loyal: OrderDto = serde_json::from_value(order).expect("order");
    let tenth = (loyal.subtotal_cents * 1000 + 5000) / 10_000;
    assert_eq!(loyal.discount_cents, tenth);
    assert_eq!(loyal.discounts.len(), 1);
    assert_eq!((loyal.discounts[0].reason.as_str(), loyal.discounts[0].approved_by), ("Loyalty", None));
    assert_eq!(loyal.total_cents, loyal.subtotal_cents - tenth + loyal.tax_cents);

    // The croissant on the house is beyond a cashier: no PIN, a barista's PIN, a wrong one.
    let mut comped = demo.latte_and_croissant("Ben");
    comped["discounts"] = json!([{"reason_id": comp, "line": 1, "percent_bps": 10_000}]);
    comped["payment"] = json!({"method": "cash", "tendered_cents": 2_000});
    refused(&app, &till, &comped, 422, Some("approval_pin")).await;
    for pin in [BARISTA_PIN, "99999999", "12"] {
        let mut with_pin = comped.clone();
        with_pin["approval_pin"] = json!(pin);
        refused(&app, &till, &with_pin, 422, Some("approval_pin")).await;
    }
    assert!(!audit(&app, "approval.failed").await.is_empty(), "a wrong manager's PIN is counted and audited");

    // The manager types their PIN on the cashier's till: placed, approved, audited.
    let manager: SessionDto = app.get("/api/v1/sessions/current").await.json().await.expect("manager");
    let cashier: SessionDto =
        till.get(app.url("/api/v1/sessions/current")).send().await.expect("sent").json().await.expect("me");
    comped["approval_pin"] = json!(MANAGER_PIN);
    let key = [("idempotency-key", "comp-ben-1")];
    let send = || {
        let mut request = till.post(app.url("/api/v1/orders")).json(&comped);
        for (name, value) in key {
            request = request.header(name, value);
        }
        request.send()
    };
    let response = send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 201);
    let approved: OrderDto = response.json().await.expect("order");
    let croissant = &approved.lines[1];
    assert_eq!(approved.discount_cents, croissant.line_total_cents);
    assert_eq!(approved.discounts[0].line_id, Some(croissant.id));
    assert_eq!(approved.discounts[0].approved_by, Some(manager.staff.id));
    assert_eq!(approved.placed_by, Some(cashier.staff.id), "the cashier stays signed in and rang it up");
    let entries = audit(&app, "discount.approved").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["approved_by"], json!(manager.staff.id));
    assert_eq!(entries[0]["cashier"], json!(cashier.staff.id));
    assert_eq!(entries[0]["discounts"][0]["reason"], "Comp");
    // A retry answers the same order; the PIN is not in what was kept.
    let again: OrderDto = send().await.expect("sent").json().await.expect("replayed");
    assert_eq!(again.id, approved.id);
    let kept: Vec<(String,)> = sqlx_rows(&app, "SELECT response FROM idempotency_keys").await;
    assert!(kept.iter().all(|(r,)| !r.contains(MANAGER_PIN) && !r.contains("approval_pin")));

    // The receipt lists it under its line; the X report counts both discounts.
    let receipt = till.get(app.url(&format!("/api/v1/orders/{}/receipt", approved.id))).send().await.expect("sent");
    let page = receipt.text().await.expect("page");
    assert!(page.contains("Comp 100%"), "{page}");
    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X");
    assert_eq!(x.discounts_cents, approved.discount_cents, "the paid order's discount (the loyal one is unpaid)");
    app.stop().await;
}

/// The idempotency answers kept, as text.
async fn sqlx_rows(app: &TestApp, sql: &str) -> Vec<(String,)> {
    if crate::helpers::on_postgres() {
        return Vec::new(); // the same code path; read through SQLite only
    }
    let url = format!("sqlite://{}", app.config.database_url);
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.expect("open");
    sqlx::query_as(sql).fetch_all(&mut conn).await.expect("rows")
}

#[tokio::test]
async fn bad_discounts_are_refused_by_name_and_place_nothing() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let demo = app.demo().await;
    let list = reasons(&till, &app).await;
    let staff = reason(&list, "Staff");
    let with = |discounts: Value| {
        let mut body = demo.latte_and_croissant("Cy");
        body["discounts"] = discounts;
        body
    };
    let unknown = uuid::Uuid::now_v7().to_string();
    let cases = [
        (json!([{"reason_id": unknown, "percent_bps": 100}]), Some("discounts[0].reason_id")),
        (json!([{"reason_id": staff, "line": 7, "percent_bps": 100}]), Some("discounts[0].line")),
        (json!([{"reason_id": staff, "line": 1, "amount_cents": 100_000}]), Some("discounts[0].amount_cents")),
        (json!([{"reason_id": staff, "percent_bps": 100, "amount_cents": 5}]), Some("discounts[0].amount_cents")),
        (json!([{"reason_id": staff, "percent_bps": 10_001}]), Some("discounts[0].percent_bps")),
        (
            json!([{"reason_id": staff, "percent_bps": 100}, {"reason_id": staff, "percent_bps": 100}]),
            Some("discounts[1].line"),
        ),
        (json!([{"reason_id": staff, "percent_bps": 100, "extra": 1}]), None),
    ];
    for (discounts, field) in cases {
        refused(&app, &till, &with(discounts), 422, field).await;
    }
    let mut pin_alone = demo.espresso("Dee");
    pin_alone["approval_pin"] = json!(MANAGER_PIN);
    refused(&app, &till, &pin_alone, 422, Some("approval_pin")).await;
    app.stop().await;
}

#[tokio::test]
async fn managers_keep_the_reasons_and_a_retired_one_is_no_longer_offered() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let new = json!({"name": "Birthday", "roles": ["cashier", "manager"], "limit_bps": 10_000});
    assert_eq!(post(&till, &app, "/api/v1/discount-reasons", &new).await.0, 403, "a cashier may not");
    let (status, created) = post(&app.client, &app, "/api/v1/discount-reasons", &new).await;
    assert_eq!(status, 201, "{created}");
    let created: DiscountReasonDto = serde_json::from_value(created).expect("reason");
    assert_eq!(created.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), ["cashier"], "managers need no listing");
    for (body, field) in [
        (json!({"name": "birthday ", "limit_bps": 10}), "name"),
        (json!({"name": "Birthday", "limit_bps": 10}), "name"),
        (json!({"name": " ", "limit_bps": 10}), "name"),
        (json!({"name": "Too much", "limit_bps": 10_001}), "limit_bps"),
    ] {
        let response = app.client.post(app.url("/api/v1/discount-reasons")).json(&body).send().await.expect("sent");
        let (code, headers) = (response.status(), response.headers().clone());
        let problem: Value = response.json().await.expect("problem");
        if body["name"] == "birthday " {
            // Names differ by case and space only after trimming: "birthday" is a new name.
            assert_eq!(code.as_u16(), 201, "{problem}");
            continue;
        }
        assert_problem(code, &headers, &problem, 422, Some(field));
    }
    assert_eq!(audit(&app, "discount_reason.created").await.len(), 2);

    let demo = app.demo().await;
    let mut body = demo.espresso("Eve");
    body["discounts"] = json!([{"reason_id": created.id, "percent_bps": 10_000}]);
    assert_eq!(post(&till, &app, "/api/v1/orders", &body).await.0, 201, "within the new reason");
    let path = format!("/api/v1/discount-reasons/{}", created.id);
    let response = app.client.patch(app.url(&path)).json(&json!({"active": false})).send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 200);
    let response = app.client.patch(app.url(&path)).json(&json!({"limit_bps": -1})).send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 422);
    let missing = format!("/api/v1/discount-reasons/{}", uuid::Uuid::now_v7());
    let response = app.client.patch(app.url(&missing)).json(&json!({"active": true})).send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 404);
    body["customer_name"] = json!("Fay");
    refused(&app, &till, &body, 422, Some("discounts[0].reason_id")).await;
    app.stop().await;
}
