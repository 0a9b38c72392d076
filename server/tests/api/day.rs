//! A busier scripted day: a discounted sale, a split between cash and a card, a tab with a
//! line voided and paid later in two parts, a line refunded, a cancelled sale, paid in and out.
//! The X report and the Z report at close match what the orders themselves say, to the cent,
//! added up here from the orders and their tenders (not by the server's report code).

use crate::helpers::{spawn_app, TestApp, CASHIER_PIN, MANAGER_PIN};
use crema_shared::api::{DiscountReasonDto, OrderDto};
use crema_shared::close::CloseReport;
use serde_json::{json, Value};

async fn send(client: &reqwest::Client, app: &TestApp, path: &str, body: Value) -> Value {
    let response = client.post(app.url(path)).json(&body).send().await.expect("sent");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

async fn placed(client: &reqwest::Client, app: &TestApp, body: Value) -> OrderDto {
    serde_json::from_value(send(client, app, "/api/v1/orders", body).await).expect("order")
}

/// Cash that went into the drawer for `order` (each cash tender's part and tip, or the whole
/// order paid in cash), and cash given back from it (refunds go back to the last tender first).
fn cash_in_and_out(order: &OrderDto) -> (i64, i64) {
    let taken: Vec<(bool, i64)> = if order.tenders.is_empty() {
        let cash = order.payment_method.map(|m| m.as_str()) == Some("cash");
        vec![(cash, order.paid_cents)]
    } else {
        order.tenders.iter().map(|t| (t.method.as_str() == "cash", t.amount_cents + t.tip_cents)).collect()
    };
    let mut left = order.refunded_cents;
    let mut back = 0;
    for (cash, took) in taken.iter().rev() {
        let given = left.min(*took);
        left -= given;
        if *cash {
            back += given;
        }
    }
    (taken.iter().filter(|(cash, _)| *cash).map(|(_, t)| t).sum(), back)
}

#[tokio::test]
async fn a_day_of_discounts_splits_tabs_voids_and_refunds_closes_to_the_cent() {
    let app = spawn_app().await;
    let till = app.client_as(CASHIER_PIN).await;
    let demo = app.demo().await;
    send(&till, &app, "/api/v1/drawer", json!({"float_cents": 15_000})).await;
    let reasons: Vec<DiscountReasonDto> =
        till.get(app.url("/api/v1/discount-reasons")).send().await.expect("sent").json().await.expect("reasons");
    let loyalty = reasons.iter().find(|r| r.name == "Loyalty").expect("Loyalty").id;

    // 1. A loyalty discount, paid in cash.
    let mut body = demo.latte_and_croissant("Ana");
    body["discounts"] = json!([{"reason_id": loyalty, "percent_bps": 1000}]);
    body["payment"] = json!({"method": "cash", "tendered_cents": 2_000, "tip_percent_bps": 1000});
    let discounted = placed(&till, &app, body).await;
    // 2. A split: half in cash, the rest on the card terminal with a tip.
    let quote = placed(&till, &app, demo.latte_and_croissant("Quote")).await;
    send(&app.client, &app, &format!("/api/v1/orders/{}/cancel", quote.id), json!({"reason": "a quote"})).await;
    let half = quote.total_cents / 2;
    let mut body = demo.latte_and_croissant("Ben");
    body["split"] = json!([
        {"method": "cash", "amount_cents": half, "tendered_cents": 1_000},
        {"method": "card", "amount_cents": quote.total_cents - half, "approval_code": "SPLIT-1", "tip_cents": 75},
    ]);
    let split = placed(&till, &app, body).await;
    // 3. A tab: the croissant voided with a manager's PIN, then paid in two parts.
    let tab = placed(&till, &app, demo.latte_and_croissant("Cy")).await;
    let croissant = tab.lines.iter().find(|l| l.name == "Croissant").expect("croissant").id;
    send(
        &till,
        &app,
        &format!("/api/v1/orders/{}/lines/{croissant}/void", tab.id),
        json!({"reason": "changed mind", "approval_pin": MANAGER_PIN}),
    )
    .await;
    let pay = format!("/api/v1/orders/{}/payment", tab.id);
    send(&till, &app, &pay, json!({"method": "cash", "tendered_cents": 500, "part_cents": 300})).await;
    // 4. Mid-day a second tab is still part paid.
    let open = placed(&till, &app, demo.espresso("Dee")).await;
    send(
        &till,
        &app,
        &format!("/api/v1/orders/{}/payment", open.id),
        json!({"method": "cash", "tendered_cents": 100, "part_cents": 100}),
    )
    .await;
    send(&till, &app, &pay, json!({"method": "card", "approval_code": "TAB-2", "tip_percent_bps": 1500})).await;
    // 5. The discounted sale's croissant refunded (a manager), a cash espresso cancelled.
    let croissant = discounted.lines.iter().find(|l| l.name == "Croissant").expect("croissant").id;
    send(
        &app.client,
        &app,
        &format!("/api/v1/orders/{}/refunds", discounted.id),
        json!({"line_ids": [croissant], "reason": "stale"}),
    )
    .await;
    let mut body = demo.espresso("Eve");
    body["payment"] = json!({"method": "cash", "tendered_cents": 500});
    let cancelled = placed(&till, &app, body).await;
    send(&till, &app, &format!("/api/v1/orders/{}/cancel", cancelled.id), json!({"reason": "left"})).await;
    send(
        &till,
        &app,
        "/api/v1/drawer/movements",
        json!({"kind": "paid_out", "amount_cents": 420, "reason": "oat milk"}),
    )
    .await;
    send(&till, &app, "/api/v1/drawer/movements", json!({"kind": "paid_in", "amount_cents": 2_000, "reason": "coins"}))
        .await;

    // What the orders say.
    let mut orders = Vec::new();
    for id in [discounted.id, quote.id, split.id, tab.id, open.id, cancelled.id] {
        orders.push(app.order(id).await);
    }
    let sales: Vec<&OrderDto> =
        orders.iter().filter(|o| matches!(o.payment_status.as_str(), "captured" | "refunded")).collect();
    let sum = |f: &dyn Fn(&OrderDto) -> i64| sales.iter().map(|o| f(o)).sum::<i64>();
    let (cash_in, cash_out) = orders.iter().map(cash_in_and_out).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let expected = 15_000 + cash_in - cash_out + 2_000 - 420;
    let part_paid: Vec<&OrderDto> = orders.iter().filter(|o| o.payment_status.as_str() == "partly_paid").collect();
    assert_eq!(part_paid.len(), 1, "Dee's tab is still open");
    let voided_line = tab.lines.iter().find(|l| l.name == "Croissant").expect("croissant").line_total_cents;

    let check = |r: &CloseReport| {
        assert_eq!(r.paid_orders as usize, sales.len());
        assert_eq!(r.gross_sales_cents, sum(&|o| o.subtotal_cents));
        assert_eq!(r.discounts_cents, sum(&|o| o.discount_cents));
        assert_eq!(r.tax_cents, sum(&|o| o.tax_cents));
        assert_eq!(r.tips_cents, sum(&|o| o.tip_cents));
        assert_eq!(r.collected_cents, sum(&|o| o.total_cents));
        assert_eq!(r.refunds_cents, sum(&|o| o.refunded_cents));
        assert_eq!((r.voids, r.voids_cents), (2, quote.total_cents + cancelled.total_cents));
        assert_eq!((r.line_voids, r.line_voids_cents), (1, voided_line));
        assert_eq!((r.part_paid, r.part_paid_cents), (1, part_paid[0].paid_cents));
        let card: i64 = r.tenders.iter().filter(|t| t.method.as_str() == "card").map(|t| t.collected_cents).sum();
        let cash: i64 = r.tenders.iter().filter(|t| t.method.as_str() == "cash").map(|t| t.collected_cents).sum();
        assert_eq!(card + cash, r.collected_cents + r.part_paid_cents, "every tender adds up");
        assert_eq!(cash, cash_in);
        let drawer = r.drawer.as_ref().expect("drawer");
        assert_eq!((drawer.cash_sales_cents, drawer.cash_refunds_cents), (cash_in, cash_out));
        assert_eq!(drawer.expected_cents, expected);
    };
    let x: CloseReport = app.get("/api/v1/reports/x").await.json().await.expect("X");
    check(&x);
    send(&till, &app, "/api/v1/drawer/close", json!({"counted_cents": expected + 5})).await;
    let z: CloseReport = app.get("/api/v1/reports/z").await.json().await.expect("Z");
    check(&z);
    assert_eq!(z.drawer.as_ref().and_then(|d| d.over_short_cents), Some(5));
    let csv = app.get("/api/v1/reports/z?format=csv").await.text().await.expect("csv");
    assert!(
        csv.contains("Line voids (1 lines),")
            && csv.contains("Tabs part paid (1 open),")
            && csv.contains("Over,0.05\n"),
        "{csv}"
    );
}
