//! At the till: a discount beyond the cashier's limit that a manager approves with their PIN
//! on the spot, a 15 % tip, the order split between cash and a card, and the receipt —
//! printed by the shop's receipt printer (a TCP listener this test runs, which reads the
//! ESC/POS back into lines) and shown as the receipt page (saved as a screenshot).

use super::{start_shop_with, CASHIER, MANAGER};
use crema_e2e::browser::{self, Browser};
use crema_e2e::printer::{decode, Printer};
use std::time::Duration;

#[tokio::test]
async fn a_discounted_tipped_split_sale_prints_its_receipt_and_shows_it_as_a_page() {
    let dir = tempfile::tempdir().expect("dir");
    let printer = Printer::start().await;
    let address = printer.address();
    let shop = start_shop_with(&dir.path().join("crema.db"), 0, &[("CREMA_RECEIPT_PRINTER", address.as_str())]);
    let driver = browser::Driver::start().await;
    let till = Browser::open(&driver, &shop.base).await;
    super::counter::ring_up_latte_and_croissant(&till, CASHIER, "Ana").await;
    // Loyalty lets a cashier give 10 %: 15 % asks for a manager's PIN, typed on this till.
    let undiscounted = till.text("[data-test='total']").await;
    till.select("select[name='discount_reason']", "Loyalty").await;
    till.type_into("input[name='discount_percent']", "15").await;
    till.wait_for("[data-test='discount']").await;
    till.wait_for("input[name='approval_pin']").await;
    till.click("[data-test='pay']").await;
    till.wait_for_text(".discount p.error", "manager's PIN").await;
    till.type_into("input[name='approval_pin']", MANAGER).await;
    let before_tip = till.text("[data-test='total']").await;
    till.click("[data-test='tip-1500']").await;
    till.wait_for("[data-test='tip']").await;
    let tip = till.text("[data-test='tip']").await;
    let total = till.text("[data-test='total']").await;
    assert_ne!(total, before_tip, "the tip is in the total");
    let cents = |text: &str| -> i64 {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        digits.parse().expect("an amount")
    };
    assert!(cents(&before_tip) < cents(&undiscounted), "the discount is off the total: {before_tip} vs {undiscounted}");
    assert_eq!(cents(&tip), (2 * cents(&before_tip) * 1_500 + 10_000) / 20_000, "15 % of {before_tip}");
    // Split in two: half in cash (20.00 handed over), half on the card terminal; each tips 15 %.
    till.click("[data-test='split-2']").await;
    till.wait_for("[data-part='1']").await;
    till.type_into("input[name='split_tendered_0']", "20").await;
    till.click("[data-test='split-card-1']").await;
    till.type_into("input[name='split_approval_1']", "A1B2C3").await;
    till.wait_for_text("[data-part='0'] .change", "Change due").await;
    let tip = till.text("[data-test='tip']").await;
    let total = till.text("[data-test='total']").await;
    assert!((cents(&tip) - (2 * cents(&before_tip) * 1_500 + 10_000) / 20_000).abs() <= 1, "each part tips 15 %");
    let till_discount = till.text("[data-test='discount']").await;
    till.screenshot("pos-tip").await;
    till.click("[data-test='pay']").await;
    let ticket = till.text("[data-test='ticket-number']").await.trim().to_string();

    // The printer got the receipt: the ticket, the tip and the total the till showed.
    let prints = printer.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(prints.len(), 1, "one receipt");
    let paper = decode(&prints[0]).expect("ESC/POS a printer reads");
    assert!(paper.cut, "the paper is cut");
    assert!(paper.line(&format!("Ticket {ticket}")).is_some_and(|l| l.large), "{:?}", paper.texts());
    let printed_total = paper.line("TOTAL").expect("a total").text.clone();
    assert_eq!(cents(&printed_total), cents(&total), "{printed_total} vs {total}");
    assert!(paper.line("Tip").is_some_and(|l| cents(&l.text) == cents(&tip)), "{:?}", paper.texts());
    let last = |text: &str| cents(text.split_whitespace().last().unwrap_or(""));
    assert!(paper.line("Cash").is_some_and(|l| last(&l.text) == 2_000), "the cash handed over: {:?}", paper.texts());
    let card = paper.line("Card").map(|l| last(&l.text)).expect("the card's tender");
    let change = paper.line("Change").map(|l| last(&l.text)).expect("change from the cash");
    assert_eq!(2_000 + card - change, cents(&total), "the tenders less the change are the total");
    let discount = till_discount.trim_start_matches('-').to_string();
    assert!(
        paper
            .line("Loyalty 15%")
            .is_some_and(|l| cents(l.text.split_whitespace().last().unwrap_or("")) == cents(&discount)),
        "the approved discount as the till showed it: {:?}",
        paper.texts()
    );

    // The receipt page, from the placed order's link.
    let href = till.attribute("[data-test='receipt-link']", "href").await;
    till.goto(&href).await;
    till.wait_for_text("main.receipt", &format!("Ticket {ticket}")).await;
    assert!(till.text("main.receipt").await.contains("TOTAL"));
    till.screenshot("receipt-page").await;
    till.close().await;

    // The manager gives the croissant back from the manager's screen, saying why.
    let manager = Browser::open(&driver, &shop.base).await;
    manager.sign_in_at("/manage", MANAGER).await;
    manager.click("[data-tab='Discounts']").await;
    manager.wait_for("[data-reason='Loyalty']").await;
    manager.click("[data-tab='Refunds']").await;
    manager.click(&format!("[data-order='{ticket}'] [data-test='choose-order']")).await;
    manager.click("input[data-line='Croissant']").await;
    manager.type_into("[data-test='refund-form'] input[name='reason']", "stale").await;
    manager.click("[data-test='refund']").await;
    manager.wait_for_text("[data-test='refund-outcome']", "Refunded.").await;
    manager.screenshot("manage-refund").await;
    manager.close().await;
    let id = href.split('/').rev().nth(1).expect("the order's id in the receipt link").to_string();
    let client = crema_e2e::http::client_with(&crema_e2e::http::sign_in(&shop.base, MANAGER).await);
    let order: crema_shared::api::OrderDto = client
        .get(format!("{}/api/v1/orders/{id}", shop.base))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("order");
    assert!(order.refunded_cents > 0 && order.refunded_cents < order.total_cents, "the croissant's share: {order:?}");
    driver.stop();
    shop.kill();
}
