//! The cash drawer and the day's close, over a scripted day: cash and card sales, an unpaid
//! order, a void, a refund, paid in and out; the X report mid-day and the Z report at close
//! match the orders to the cent, and the count says how far off the drawer is.

use crate::helpers::{assert_problem, spawn_app, TestApp, BARISTA_PIN, CASHIER_PIN};
use crema_shared::api::{DrawerDto, OrderDto};
use crema_shared::close::CloseReport;
use serde_json::{json, Value};

async fn send(client: &reqwest::Client, app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let response = client.post(app.url(path)).json(&body).send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn assert_refused(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: Value,
    status: u16,
    field: Option<&str>,
) {
    let response = client.post(app.url(path)).json(&body).send().await.expect("sent");
    let (code, headers) = (response.status(), response.headers().clone());
    let problem: Value = response.json().await.expect("problem");
    assert_problem(axum::http::StatusCode::from_u16(code.as_u16()).expect("status"), &headers, &problem, status, field);
}

async fn placed(app: &TestApp, client: &reqwest::Client, body: Value) -> OrderDto {
    let (status, order) = send(client, app, "/api/v1/orders", body).await;
    assert_eq!(status, 201, "{order}");
    serde_json::from_value(order).expect("order")
}

#[tokio::test]
async fn a_scripted_day_closes_to_the_cent() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let demo = app.demo().await;
    // Nothing to pay into before the drawer is open; a bad float is refused by name.
    assert_refused(
        &till,
        &app,
        "/api/v1/drawer/movements",
        json!({"kind": "paid_in", "amount_cents": 100, "reason": "change"}),
        409,
        None,
    )
    .await;
    assert_refused(&till, &app, "/api/v1/drawer", json!({"float_cents": -5}), 422, Some("float_cents")).await;
    assert_eq!(till.get(app.url("/api/v1/drawer")).send().await.expect("sent").status(), 404);
    let (status, drawer) = send(&till, &app, "/api/v1/drawer", json!({"float_cents": 10_000})).await;
    assert_eq!(status, 201, "{drawer}");
    assert_refused(&till, &app, "/api/v1/drawer", json!({"float_cents": 5_000}), 409, None).await;

    // The day's sales.
    let cash = |mut body: Value, tendered: i64| {
        body["payment"] = json!({"method": "cash", "tendered_cents": tendered});
        body
    };
    let a = placed(&app, &till, cash(demo.latte_and_croissant("Ana"), 2_000)).await;
    let b = placed(&app, &till, cash(demo.espresso("Ben"), 1_000)).await;
    let mut card = demo.latte_and_croissant("Cy");
    card["payment"] = json!({"method": "card", "approval_code": "A1B2C3"});
    let c = placed(&app, &till, card).await;
    let unpaid = placed(&app, &till, demo.espresso("Dee")).await;
    let voided = placed(&app, &till, cash(demo.espresso("Eve"), 500)).await;
    let (status, _) =
        send(&till, &app, &format!("/api/v1/orders/{}/cancel", voided.id), json!({"reason": "left"})).await;
    assert_eq!(status, 200);
    let (status, _) =
        send(&app.client, &app, &format!("/api/v1/orders/{}/refunds", a.id), json!({"amount_cents": 100})).await;
    assert_eq!(status, 200, "a manager gives 1.00 back in cash");
    for (kind, cents, reason) in
        [("paid_out", 350, "milk from the corner shop"), ("paid_in", 1_000, "change from the bank")]
    {
        let (status, _) = send(
            &till,
            &app,
            "/api/v1/drawer/movements",
            json!({"kind": kind, "amount_cents": cents, "reason": reason}),
        )
        .await;
        assert_eq!(status, 201);
    }
    assert_refused(
        &till,
        &app,
        "/api/v1/drawer/movements",
        json!({"kind": "tip_jar", "amount_cents": 0, "reason": " "}),
        422,
        Some("kind"),
    )
    .await;

    // What the orders say, added up here from the orders themselves.
    let mut orders = Vec::new();
    for id in [a.id, b.id, c.id, unpaid.id, voided.id] {
        orders.push(app.order(id).await);
    }
    let paid: Vec<&OrderDto> = orders.iter().filter(|o| o.payment_status.as_str() != "unpaid").collect();
    let collected: i64 = paid.iter().map(|o| o.total_cents).sum();
    let refunds: i64 = paid.iter().map(|o| o.refunded_cents).sum();
    let cash_paid: Vec<&&OrderDto> =
        paid.iter().filter(|o| o.payment_method.map(|m| m.as_str()) == Some("cash")).collect();
    let cash_net: i64 = cash_paid.iter().map(|o| o.total_cents - o.refunded_cents).sum();
    let expected = 10_000 + cash_net + 1_000 - 350;
    assert_eq!(refunds, 100 + voided.total_cents);

    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X report");
    assert_eq!((x.kind.as_str(), x.paid_orders, x.unpaid, x.voids), ("X", 4, 1, 1));
    assert_eq!(x.collected_cents, collected);
    assert_eq!(x.refunds_cents, refunds);
    assert_eq!(x.tax_cents, paid.iter().map(|o| o.tax_cents).sum::<i64>());
    assert_eq!(x.gross_sales_cents, paid.iter().map(|o| o.subtotal_cents).sum::<i64>());
    assert_eq!(x.voids_cents, voided.total_cents);
    let card_tender = x.tenders.iter().find(|t| t.method.as_str() == "card").expect("card");
    assert_eq!((card_tender.orders, card_tender.collected_cents), (1, c.total_cents));
    let drawer_now = x.drawer.clone().expect("the drawer");
    assert_eq!(drawer_now.expected_cents, expected);
    assert_eq!(drawer_now.counted_cents, None);

    // Close a quarter short. The cashier may not read the Z report; the manager may.
    let (status, closed) = send(&till, &app, "/api/v1/drawer/close", json!({"counted_cents": expected - 25})).await;
    assert_eq!(status, 200, "{closed}");
    let closed: DrawerDto = serde_json::from_value(closed).expect("drawer");
    assert_eq!(closed.figures.over_short_cents, Some(-25));
    assert_eq!(closed.movements.len(), 2);
    assert_refused(&till, &app, "/api/v1/drawer/close", json!({"counted_cents": expected}), 409, None).await;
    assert_refused(
        &till,
        &app,
        "/api/v1/drawer/movements",
        json!({"kind": "paid_in", "amount_cents": 1, "reason": "late"}),
        409,
        None,
    )
    .await;
    assert_eq!(till.get(app.url("/api/v1/reports/z")).send().await.expect("sent").status(), 403);
    let barista = app.client_as(BARISTA_PIN).await;
    assert_eq!(barista.get(app.url("/api/v1/drawer")).send().await.expect("sent").status(), 403);

    let z: CloseReport = app.get("/api/v1/reports/z").await.json().await.expect("Z report");
    assert_eq!(z.kind, "Z");
    assert_eq!(z.collected_cents, collected);
    assert_eq!(z.refunds_cents, refunds);
    let figures = z.drawer.clone().expect("drawer");
    assert_eq!(
        (figures.expected_cents, figures.counted_cents, figures.over_short_cents),
        (expected, Some(expected - 25), Some(-25))
    );
    assert_eq!((figures.paid_in_cents, figures.paid_out_cents, figures.float_cents), (1_000, 350, 10_000));
    let csv = app.get("/api/v1/reports/z?format=csv").await.text().await.expect("csv");
    assert!(csv.starts_with("figure,amount\nreport,Z\n"), "{csv}");
    assert!(csv.contains("Short,-0.25\n"), "{csv}");
    let page = app.get("/api/v1/reports/z?format=html").await.text().await.expect("page");
    assert!(page.contains(">Z report</div>") && page.contains("-0.25</div>"), "{page}");
    let bad = app.get("/api/v1/reports/z?format=pdf").await;
    assert_eq!(bad.status(), 422);
    assert_eq!(app.get("/api/v1/reports/z?date=2001-01-01").await.status(), 409, "no drawer closed that day");
    let event = app.events().await.into_iter().find(|e| e.event_type == "drawer.closed").expect("drawer.closed");
    assert_eq!(event.data["collected_cents"], collected);
    app.stop().await;
}

#[tokio::test]
async fn tips_are_taken_with_the_payment_and_reported_per_member_of_staff() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let demo = app.demo().await;
    let mut preset = demo.latte_and_croissant("Ana");
    preset["payment"] = json!({"method": "cash", "tendered_cents": 5_000, "tip_percent_bps": 1_500});
    let a = placed(&app, &till, preset).await;
    let before_tip = a.total_cents - a.tip_cents;
    assert_eq!(a.tip_cents, (2 * before_tip * 1_500 + 10_000) / 20_000, "15 %, rounded half up");
    assert_eq!(a.change_due_cents, Some(5_000 - a.total_cents));
    let mut custom = demo.espresso("Ben");
    custom["payment"] = json!({"method": "card", "approval_code": "OK1", "tip_cents": 50});
    let b = placed(&app, &app.client, custom).await;
    assert_eq!(b.tip_cents, 50);
    // Too much, or both ways at once: refused by name.
    let mut greedy = demo.espresso("Cy");
    greedy["payment"] = json!({"method": "card", "approval_code": "OK2", "tip_cents": 1_000_000});
    assert_refused(&till, &app, "/api/v1/orders", greedy, 422, Some("payment.tip_cents")).await;
    let mut both = demo.espresso("Cy");
    both["payment"] = json!({"method": "card", "approval_code": "OK2", "tip_cents": 10, "tip_percent_bps": 1000});
    assert_refused(&till, &app, "/api/v1/orders", both, 422, Some("payment.tip_percent_bps")).await;
    // A tab paid later takes its tip then: too much or a tender short of it changes nothing.
    let later = placed(&app, &till, demo.espresso("Dee")).await;
    let pay_path = format!("/api/v1/orders/{}/payment", later.id);
    let greedy = json!({"method": "cash", "tendered_cents": 100_000, "tip_cents": later.total_cents + 1});
    assert_refused(&till, &app, &pay_path, greedy, 422, Some("tip_cents")).await;
    let short = json!({"method": "cash", "tendered_cents": later.total_cents, "tip_percent_bps": 2_000});
    assert_refused(&till, &app, &pay_path, short, 422, Some("tendered_cents")).await;
    let negative = json!({"method": "cash", "tendered_cents": 1_000, "tip_cents": -1});
    assert_refused(&till, &app, &pay_path, negative, 422, Some("tip_cents")).await;
    let unchanged = app.order(later.id).await;
    assert_eq!(
        (unchanged.payment_status.as_str(), unchanged.total_cents),
        ("unpaid", later.total_cents),
        "nothing changed"
    );
    let tip = (2 * later.total_cents * 2_000 + 10_000) / 20_000;
    let (status, paid) =
        send(&till, &app, &pay_path, json!({"method": "cash", "tendered_cents": 1_000, "tip_percent_bps": 2_000}))
            .await;
    assert_eq!(status, 200, "{paid}");
    let paid: OrderDto = serde_json::from_value(paid).expect("order");
    assert_eq!((paid.tip_cents, paid.total_cents), (tip, later.total_cents + tip));
    assert_eq!(paid.change_due_cents, Some(1_000 - later.total_cents - tip));
    let captured = app.events().await.into_iter().rev().find(|e| e.event_type == "payment.captured").expect("event");
    assert_eq!(captured.data["amount_cents"], json!(paid.total_cents), "{}", captured.data);
    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X report");
    assert_eq!(x.tips_cents, a.tip_cents + 50 + tip);
    let by_staff: Vec<(&str, i64)> = x.tips_by_staff.iter().map(|t| (t.staff.as_str(), t.tips_cents)).collect();
    assert_eq!(by_staff, [("Casey (cashier)", a.tip_cents + tip), ("Morgan (manager)", 50)]);
    app.stop().await;
}
