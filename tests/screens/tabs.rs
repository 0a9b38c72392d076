//! A tab at the till with the shop keeping tabs from the kitchen until paid: the manager sets
//! up the bar's ticket printer (a TCP listener this test runs) on the settings screen, the
//! cashier starts a tab, the kitchen display does not show it, the croissant is voided with a
//! manager's PIN, a friend pays part of it in cash from the till's Tabs (what is still due
//! shown), the rest goes on the card terminal — and only then does the ticket appear on the
//! kitchen display and the bar's printer. The latte was cold: the cashier refunds it from the
//! till's Refunds with the manager's PIN.

use super::{start_shop, BARISTA, CASHIER, MANAGER};
use crema_e2e::browser::{self, Browser};
use crema_e2e::printer::{decode, Printer};
use crema_shared::api::OrderDto;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_held_tab_paid_in_two_parts_reaches_the_kitchen_only_when_paid() {
    let dir = tempfile::tempdir().expect("dir");
    let shop = start_shop(&dir.path().join("crema.db"), 0);
    let response = super::flow::manager(&shop.base)
        .await
        .patch(format!("{}/api/v1/settings", shop.base))
        .json(&json!({"kitchen_before_paid": false}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);

    let driver = browser::Driver::start().await;
    let bar = Printer::start().await;
    let settings = Browser::open(&driver, &shop.base).await;
    settings.sign_in_at("/manage", MANAGER).await;
    settings.click("[data-tab='Settings']").await;
    settings.wait_for("[data-test='add-station']").await;
    settings.click("[data-test='add-station']").await;
    settings.type_into("input[name='station_0']", "Bar").await;
    settings.type_into("input[name='station_printer_0']", "http://wrong").await;
    settings.click("[data-test='save-stations']").await;
    settings.wait_for_text("[data-test='stations'] .error", "tcp://host:port").await;
    settings.clear_and_type("input[name='station_printer_0']", &bar.address()).await;
    settings.click("[data-station='0'] input[data-category='Espresso bar']").await;
    settings.click("[data-test='save-stations']").await;
    settings.wait_for_text("[data-test='stations'] .outcome", "Saved.").await;
    settings.screenshot("manage-stations").await;
    settings.close().await;
    let kitchen = Browser::open(&driver, &shop.base).await;
    kitchen.sign_in_at("/kds", BARISTA).await;
    kitchen.wait_for("[data-test='live']").await;
    let till = Browser::open(&driver, &shop.base).await;
    super::counter::ring_up_latte_and_croissant(&till, CASHIER, "Dee").await;
    till.click("[data-test='tab-later']").await;
    till.wait_for_text("[data-test='pay']", "Start the tab").await;
    till.click("[data-test='pay']").await;
    let ticket = till.text("[data-test='ticket-number']").await.trim().to_string();
    till.click("[data-test='new-order']").await;

    // Not on the kitchen display while unpaid.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(kitchen.count(&format!("[data-ticket='{ticket}']")).await, 0, "a held tab is not shown");

    // A friend pays 5.00 of it in cash, 10.00 handed over.
    till.click("[data-test='tabs']").await;
    till.wait_for("[data-tab='Dee']").await;
    till.click("[data-tab='Dee'] button").await;
    till.wait_for("[data-test='tab-pay']").await;
    // Dee no longer wants the croissant: the cashier voids it, the manager types their PIN.
    till.click("[data-tab-line='Croissant'] button").await;
    till.wait_for_text("[data-test='tab-lines'] .error", "say why").await;
    till.type_into("input[name='void_reason']", "changed her mind").await;
    till.click("[data-tab-line='Croissant'] button").await;
    till.wait_for_text("[data-test='tab-lines'] .error", "manager").await;
    till.type_into("input[name='void_pin']", MANAGER).await;
    till.click("[data-tab-line='Croissant'] button").await;
    till.wait_for_text("[data-test='tab-outcome']", "Voided.").await;
    till.wait_gone("[data-tab-line='Croissant']").await;
    let due = till.text("[data-tab='Dee'] [data-test='due']").await;
    till.clear_and_type("input[name='part']", "5").await;
    till.type_into("input[name='tab_tendered']", "10").await;
    till.click("[data-test='tab-pay-button']").await;
    till.wait_for_text("[data-test='tab-outcome']", "Still due").await;
    let outcome = till.text("[data-test='tab-outcome']").await;
    assert!(outcome.contains("Change due: $5.00"), "{outcome}");
    till.wait_for_text("[data-tab='Dee'] [data-test='due']", "$").await;
    assert_ne!(till.text("[data-tab='Dee'] [data-test='due']").await, due, "less is due now");
    till.screenshot("pos-tab-part").await;
    assert_eq!(kitchen.count(&format!("[data-ticket='{ticket}']")).await, 0, "a part does not send it");

    // Dee pays the rest on the card terminal: the tab closes and the kitchen sees it.
    till.click("[data-test='tab-card']").await;
    till.type_into("input[name='tab_approval_code']", "TAB-42").await;
    till.click("[data-test='tab-pay-button']").await;
    till.wait_for_text("[data-test='tab-outcome']", "Paid.").await;
    till.wait_for_text(".tabs-sheet", "No open tabs.").await;
    kitchen.wait_for(&format!("[data-ticket='{ticket}']")).await;
    kitchen.screenshot("kitchen-tab-paid").await;
    // The bar's printer got its line (the latte), not the croissant, once.
    let prints = bar.wait_for(1, Duration::from_secs(15)).await;
    let paper = decode(&prints[0]).expect("ESC/POS a printer reads");
    assert!(paper.line(&format!("Ticket {ticket}")).is_some_and(|l| l.large), "{:?}", paper.texts());
    assert!(paper.line("1 x Latte").is_some() && paper.line("1 x Croissant").is_none(), "{:?}", paper.texts());

    // The latte was cold: the cashier refunds it at the till, the manager approving with their PIN.
    till.click("[data-test='tabs-sheet'] footer button").await;
    till.click("[data-test='refunds']").await;
    till.click(&format!("[data-order='{ticket}'] [data-test='choose-order']")).await;
    assert_eq!(
        till.count("[data-test='refund-form'] input[data-line='Croissant']").await,
        0,
        "a voided line is not refunded"
    );
    till.click("[data-test='refund-form'] input[data-line='Latte']").await;
    till.type_into("[data-test='refund-form'] input[name='reason']", "cold").await;
    till.click("[data-test='refund']").await;
    till.wait_for_text("[data-error='approval_pin']", "manager").await;
    till.type_into("[data-test='refund-form'] input[name='approval_pin']", MANAGER).await;
    till.click("[data-test='refund']").await;
    till.wait_for_text("[data-test='refund-outcome']", "Refunded.").await;
    till.screenshot("pos-refund").await;

    let page: crema_shared::api::OrderPage = super::flow::get(&shop.base, "/api/v1/orders").await;
    let order: &OrderDto = page.orders.iter().find(|o| o.customer_name == "Dee").expect("Dee's tab");
    assert_eq!(order.payment_status.as_str(), "refunded", "paid in full, then the latte given back");
    assert_eq!((order.due_cents, order.tenders.len()), (0, 2));
    assert_eq!(order.tenders[0].amount_cents, 500);
    assert_eq!(order.tenders[1].reference.as_deref(), Some("terminal:TAB-42"));
    let croissant = order.lines.iter().find(|l| l.name == "Croissant").expect("kept, voided");
    assert_eq!(croissant.status.as_str(), "voided");
    assert_eq!(order.subtotal_cents, order.lines.iter().find(|l| l.name == "Latte").expect("latte").line_total_cents);
    assert!(!order.kitchen_held);
    assert_eq!(order.refunded_cents, order.total_cents, "the latte was all that was left to give back");
    assert_eq!(bar.prints().len(), 1, "printed once");
    till.close().await;
    kitchen.close().await;
    driver.stop();
    shop.kill();
}

#[tokio::test]
async fn a_line_discount_an_amount_off_and_a_typed_tip_reach_the_order_as_the_till_showed_them() {
    let dir = tempfile::tempdir().expect("dir");
    let shop = start_shop(&dir.path().join("crema.db"), 0);
    let driver = browser::Driver::start().await;
    let till = Browser::open(&driver, &shop.base).await;
    super::counter::ring_up_latte_and_croissant(&till, CASHIER, "Gus").await;
    // Staff: half off the croissant (a cashier may give 50 % alone); a typed tip of 1.25.
    till.select("[data-line='Croissant'] select", "Staff").await;
    till.type_into("[data-line='Croissant'] input[inputmode='decimal']", "50").await;
    till.wait_for_text("[data-line='Croissant'] [data-test='line-discount']", "1.88").await;
    assert_eq!(till.count("input[name='approval_pin']").await, 0, "within what a cashier may give");
    // And 0.50 off the order (Promo, as an amount).
    till.select("select[name='discount_reason']", "Promo").await;
    till.select("select[name='discount_kind']", "amount off").await;
    till.type_into("input[name='discount_percent']", "0.50").await;
    till.wait_for_text("[data-test='discount']", "2.38").await;
    till.type_into("input[name='tip_custom']", "1.25").await;
    till.wait_for_text("[data-test='tip']", "1.25").await;
    let total = till.text("[data-test='total']").await;
    till.type_into("input[name='tendered']", "20").await;
    till.screenshot("pos-line-discount").await;
    till.click("[data-test='pay']").await;
    till.wait_for("[data-test='ticket-number']").await;

    let page: crema_shared::api::OrderPage = super::flow::get(&shop.base, "/api/v1/orders").await;
    let order = page.orders.iter().find(|o| o.customer_name == "Gus").expect("Gus's order");
    let croissant = order.lines.iter().find(|l| l.name == "Croissant").expect("croissant");
    assert_eq!(order.discounts.len(), 2, "{order:?}");
    let on_line = order.discounts.iter().find(|d| d.line_id.is_some()).expect("the croissant's");
    assert_eq!((on_line.line_id, on_line.percent_bps, on_line.amount_cents), (Some(croissant.id), Some(5_000), 188));
    let on_order = order.discounts.iter().find(|d| d.line_id.is_none()).expect("the order's");
    assert_eq!((on_order.reason.as_str(), on_order.percent_bps, on_order.amount_cents), ("Promo", None, 50));
    assert_eq!(order.discount_cents, 238);
    assert_eq!(order.tip_cents, 125);
    let digits: String = total.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(digits.parse::<i64>().expect("total"), order.total_cents, "the till's total is the order's");
    till.close().await;
    driver.stop();
    shop.kill();
}
