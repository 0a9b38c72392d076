//! The screens end to end: the real `crema-server` binary (with the screens embedded) on a
//! free port, driven in headless Debian Chromium through chromedriver, one browser per
//! person at the counter. Screenshots of every screen land in `target/screenshots/`.
//!
//! Needs the screens built into the binary (`scripts/build-ui`, which `scripts/test` runs)
//! and chromium + chromium-driver (installed by `scripts/test`).

mod card_tip;
mod counter;
mod flow;
mod kitchen_sound;
mod receipt;
mod same_address;
#[path = "../../server/benches/support/mod.rs"]
mod support;
mod tabs;

use crema_e2e::binary;
use crema_e2e::browser::{self, Browser};
use crema_shared::api::{DayReportDto, OrderPage};
use serde_json::json;
use std::time::Duration;

/// The real binary, which must have the screens built in.
fn start_shop(db: &std::path::Path, port: u16) -> binary::Running {
    start_shop_with(db, port, &[])
}

fn start_shop_with(db: &std::path::Path, port: u16, env: &[(&str, &str)]) -> binary::Running {
    assert!(
        crema_server::http::ui::built(),
        "the screens are not built into this build: run scripts/build-ui (scripts/test does) and test again"
    );
    binary::start_on(db, port, env)
}

const CASHIER: &str = "1111";
const BARISTA: &str = "2222";
const MANAGER: &str = "9999";
/// WebDriver's codes for keys that have no character.
const ENTER: &str = "\u{E007}";
const F8: &str = "\u{E038}";

#[tokio::test]
async fn an_order_goes_from_the_till_to_the_kitchen_to_the_pickup_board_live() {
    let dir = tempfile::tempdir().expect("dir");
    let shop = start_shop(&dir.path().join("crema.db"), 0);
    let driver = browser::Driver::start().await;

    let till = Browser::open(&driver, &shop.base).await;
    till.sign_in_at("/pos", CASHIER).await;
    till.wait_for("[data-item='Latte']").await;
    let kitchen = Browser::open(&driver, &shop.base).await;
    kitchen.sign_in_at("/kds", BARISTA).await;
    kitchen.wait_for_text(".tickets", "No open tickets").await;
    let board = Browser::open(&driver, &shop.base).await;
    board.goto("/board").await;
    board.wait_for("[data-test='ready']").await;
    let manager = Browser::open(&driver, &shop.base).await;
    manager.sign_in_at("/manage", MANAGER).await;
    manager.wait_for("[data-toggle='Croissant']").await;

    // A standard latte takes 3 taps: Latte, a size, Add.
    till.click("[data-item='Latte']").await;
    till.click("[data-option='Small']").await;
    till.click("[data-test='add-to-cart']").await;
    till.wait_for("[data-line='Latte']").await;
    till.click("[data-line='Latte'] button.danger").await;

    // A large oat latte with an extra shot: 5 taps; a croissant (no required choice): 2.
    till.click("[data-item='Latte']").await;
    till.click("[data-option='Large']").await;
    till.click("[data-option='Oat milk']").await;
    till.click("[data-option='Extra shot']").await;
    assert_eq!(till.text("[data-test='line-price']").await, "$7.15", "4.75 + 1.00 + 0.60 + 0.80");
    till.click("[data-test='add-to-cart']").await;
    till.click("[data-category='Pastries']").await;
    till.click("[data-item='Croissant']").await;
    till.wait_for("[data-line='Croissant']").await;
    till.screenshot("pos-cart").await;

    // Paying without a name is refused on the spot, and the cart is kept.
    till.click("[data-test='pay']").await;
    till.wait_for_text("label + .error", "must not be empty").await;
    assert_eq!(till.count("[data-test='cart'] li").await, 2);

    till.type_into("input[name='customer_name']", "Ana Lopez").await;
    till.click("[data-test='cash']").await;
    till.type_into("input[name='tendered']", "20").await;
    till.wait_for_text("[data-test='change']", "Change due").await;
    till.click("[data-test='pay']").await;
    let ticket = till.text("[data-test='ticket-number']").await;
    let ticket: i64 = ticket.trim().parse().expect("a ticket number");
    till.screenshot("pos-ticket").await;

    // The order is what the till showed.
    let order = flow::only_order(&shop.base).await;
    assert_eq!(order.ticket_number, ticket);
    assert_eq!(order.customer_name, "Ana Lopez");
    assert_eq!(order.payment_status.to_string(), "captured");
    let lines: Vec<(String, Vec<String>)> =
        order.lines.iter().map(|l| (l.name.clone(), l.options.iter().map(|o| o.name.clone()).collect())).collect();
    assert_eq!(
        lines,
        [
            ("Latte".to_string(), vec!["Large".to_string(), "Oat milk".to_string(), "Extra shot".to_string()]),
            ("Croissant".to_string(), vec![])
        ]
    );

    // The kitchen shows it without a reload; start and finish both lines, then bump.
    let card = format!("[data-ticket='{ticket}']");
    kitchen.wait_for(&card).await;
    kitchen.screenshot("kds-new-ticket").await;
    // A tap draws again only the line it changed: the ticket and its other line stay the
    // same elements (a busy display cannot rebuild a ticket for each move).
    let mark = "for (const s of arguments) document.querySelector(s).__drawn_once = true; return true;";
    let croissant = format!("{card} [data-line='Croissant']");
    kitchen.client.execute(mark, vec![json!(card), json!(croissant)]).await.expect("marks");
    let still_marked = "return [...arguments].map(s => document.querySelector(s)?.__drawn_once === true);";
    for line in ["Latte", "Croissant"] {
        let button = format!("{card} [data-line='{line}']");
        kitchen.click(&button).await;
        kitchen.wait_for(&format!("{button}[data-status='making']")).await;
        kitchen.click(&button).await;
        kitchen.wait_for(&format!("{button}[data-status='done']")).await;
        if line == "Latte" {
            let kept = kitchen.client.execute(still_marked, vec![json!(card), json!(croissant)]).await.expect("reads");
            assert_eq!(kept, json!([true, true]), "the ticket and its untouched line are not drawn again");
        }
    }
    let kept = kitchen.client.execute(still_marked, vec![json!(card)]).await.expect("reads");
    assert_eq!(kept, json!([true]), "the ticket is drawn once, however its lines move");
    kitchen.click(&format!("{card} [data-test='bump']")).await;
    kitchen.wait_gone(&card).await;
    kitchen.screenshot("kds-bumped").await;

    // The pickup board shows the number under "Ready", live.
    board.wait_for(&format!("[data-test='ready'] [data-ticket='{ticket}']")).await;
    assert!(board.text("[data-test='ready']").await.contains("Ana"));
    assert!(!board.text("[data-test='ready']").await.contains("Lopez"), "first names only");
    board.screenshot("board").await;

    // Recall brings the bumped ticket back to the kitchen.
    kitchen.click("[data-test='recall']").await;
    kitchen.wait_for(&card).await;

    // The manager sells out the croissants; the till shows it disabled without a reload.
    till.click("[data-test='new-order']").await;
    till.click("[data-category='Pastries']").await;
    manager.click("[data-toggle='Croissant']").await;
    manager.wait_for("tr.sold-out[data-item-row='Croissant']").await;
    manager.screenshot("manage-menu").await;
    till.wait_for("[data-item='Croissant'].sold-out[disabled]").await;
    assert_eq!(till.count("[data-test='cart'] li").await, 0, "the next order starts clean");
    till.screenshot("pos-sold-out").await;

    for b in [till, kitchen, board, manager] {
        b.close().await;
    }
    driver.stop();
    shop.kill();
}

#[tokio::test]
async fn the_till_says_when_the_server_is_unreachable_and_sends_the_order_when_it_is_back() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let port = browser::free_port();
    let shop = start_shop(&db, port);
    let driver = browser::Driver::start().await;
    let kitchen = Browser::open(&driver, &shop.base).await;
    kitchen.sign_in_at("/kds", BARISTA).await;
    kitchen.wait_for_text("[data-test='live']", "live").await;
    let till = Browser::open(&driver, &shop.base).await;
    till.sign_in_at("/pos", CASHIER).await;
    till.wait_for("[data-item='Latte']").await;

    // Keyboard: type to search, Enter adds the first match.
    till.keys("crois").await;
    till.wait_for_text("[data-test='search']", "crois").await;
    till.keys(ENTER).await;
    till.wait_for("[data-line='Croissant']").await;
    till.type_into("input[name='customer_name']", "Ben").await;
    till.click("[data-test='card']").await;
    till.type_into("input[name='approval_code']", "A1B2C3").await;

    // The server goes away with the order not yet sent; F8 pays.
    let base = shop.base.clone();
    shop.kill();
    till.keys(F8).await;
    till.wait_for_text(".offline", "Can't reach the Crema server").await;
    till.wait_for_text(".warning", "goes out by itself").await;
    till.screenshot("pos-offline").await;
    assert_eq!(till.value("input[name='customer_name']").await, "Ben", "the input is kept");
    kitchen.wait_for_text("[data-test='live']", "reconnecting").await;

    // Back on the same port and database: the order goes out once, by itself, and the
    // kitchen display (its stream resumed after its last event) shows it exactly once.
    let shop = start_shop(&db, port);
    assert_eq!(shop.base, base);
    let ticket = till.text_within("[data-test='ticket-number']", Duration::from_secs(30)).await;
    till.wait_gone(".offline").await;
    let page: OrderPage = flow::get(&shop.base, "/api/v1/orders").await;
    assert_eq!(page.orders.len(), 1, "placed exactly once");
    assert_eq!(page.orders[0].ticket_number.to_string(), ticket.trim());
    assert_eq!(page.orders[0].payment_reference.as_deref(), Some("terminal:A1B2C3"));
    let card = format!("[data-ticket='{}']", ticket.trim());
    kitchen.wait_for(&card).await;
    let second = flow::place_espresso(&shop.base, "Cy").await;
    kitchen.wait_for(&format!("[data-ticket='{}']", second.ticket_number)).await;
    assert_eq!(kitchen.count(&card).await, 1, "shown once");
    assert_eq!(kitchen.count("[data-ticket]").await, 2, "nothing missed, nothing twice");
    kitchen.screenshot("kds-after-restart").await;
    till.close().await;
    kitchen.close().await;
    driver.stop();
    shop.kill();
}

#[tokio::test]
async fn a_manager_sees_errors_next_to_the_field_and_the_day_in_numbers() {
    let dir = tempfile::tempdir().expect("dir");
    // A shop whose business date is not today's date in UTC (this browser's zone here):
    // twelve hours west before noon UTC, fourteen east after. The report opens on the shop's.
    use chrono::Timelike;
    let offset = if chrono::Utc::now().hour() < 12 { "-12:00" } else { "+14:00" };
    let shop = start_shop_with(&dir.path().join("crema.db"), 0, &[("CREMA_UTC_OFFSET", offset)]);
    flow::place_espresso(&shop.base, "Cy").await;
    let driver = browser::Driver::start().await;
    let manager = Browser::open(&driver, &shop.base).await;
    manager.sign_in_at("/manage", MANAGER).await;

    // Menu: a price that is not a number is named under its field; the typed name is kept.
    manager.wait_for("[data-toggle='Latte']").await;
    manager.click_text("button", "New item").await;
    manager.type_into("[data-editor='item'] input[name='name']", "Flat white XL").await;
    manager.type_into("[data-editor='item'] input[name='price_cents']", "four").await;
    manager.click("[data-editor='item'] button.primary").await;
    manager.wait_for_text("[data-error='price_cents']", "amount like 4.50").await;
    assert_eq!(manager.value("[data-editor='item'] input[name='name']").await, "Flat white XL");

    // Settings: the server's refusal names the field.
    manager.click("[data-tab='Settings']").await;
    manager.wait_for("input[name='ticket_warn_seconds']").await;
    manager.clear_and_type("input[name='ticket_warn_seconds']", "5").await;
    manager.click_text("button", "Save settings").await;
    manager.wait_for_text("[data-error='ticket_warn_seconds']", "must be 30 to 7200 seconds").await;
    manager.screenshot("manage-settings").await;

    // Staff: add a barista.
    manager.click("[data-tab='Staff']").await;
    manager.wait_for_text(".staff-editor", "Casey").await;
    manager.type_into(".staff-editor .editor input[name='name']", "Kim").await;
    manager.type_into(".staff-editor .editor input[name='pin']", "4321").await;
    manager.click_text(".staff-editor .editor button", "Add").await;
    manager.wait_for_text(".staff-editor table", "Kim").await;

    // Today's report.
    manager.click("[data-tab='Today']").await;
    manager.wait_for_text("[data-test='report-orders']", "1").await;
    let today: DayReportDto = flow::get(&shop.base, "/api/v1/reports/day").await;
    assert_eq!(manager.value("input[name='date']").await, today.business_date, "the shop's day, not the browser's");
    assert_eq!(manager.value("input[name='from']").await, today.business_date);
    manager.screenshot("manage-report").await;
    manager.click("[data-tab='Jobs']").await;
    manager.wait_for_text(".jobs", "Dead letters").await;
    manager.screenshot("manage-jobs").await;
    assert!(manager.count(".jobs table").await >= 1);
    manager.close().await;
    driver.stop();
    shop.kill();
}

#[tokio::test]
async fn a_tablet_is_enrolled_with_a_pairing_code_and_signs_in_as_its_own_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    let shop = start_shop(&dir.path().join("crema.db"), 0);
    let driver = browser::Driver::start().await;
    let manager = Browser::open(&driver, &shop.base).await;
    manager.sign_in_at("/manage", MANAGER).await;
    let code_for = |name: &'static str| {
        let manager = &manager;
        async move {
            manager.click("[data-tab='Terminals']").await;
            manager.wait_for(".terminals-editor").await;
            manager.clear_and_type(".terminals-editor .editor input[name='name']", name).await;
            manager.click_text(".terminals-editor .editor button", "Enrol").await;
            manager.wait_for_text("[data-test='pairing-code'] h3", name).await;
            manager.text("[data-test='pairing-code'] .code").await.trim().to_string()
        }
    };

    // Typed on the tablet's sign-in page.
    let code = code_for("Till 2").await;
    manager.screenshot("manage-terminals").await;
    let tablet = Browser::open(&driver, &shop.base).await;
    tablet.goto("/sign-in").await;
    tablet.click("[data-test='enrol-open']").await;
    tablet.type_into("input[name='pairing-code']", &code.to_lowercase()).await;
    tablet.click("[data-test='enrol-pair']").await;
    tablet.wait_for_text("[data-test='enrol-outcome']", "This screen is now Till 2 (A)").await;
    tablet.screenshot("sign-in-enrolled").await;
    tablet.sign_in_at("/pos", CASHIER).await;
    tablet.wait_for("[data-item='Latte']").await;

    // Or opened as a link on the kitchen screen.
    let code = code_for("Kitchen").await;
    let kitchen = Browser::open(&driver, &shop.base).await;
    kitchen.goto(&format!("/kds#enrol={code}")).await;
    kitchen.wait_for(".pinpad").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let terminals: Vec<crema_shared::api::TerminalDto> = flow::get(&shop.base, "/api/v1/terminals").await;
        if terminals.iter().any(|t| t.name == "Kitchen" && t.status == "paired") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the kitchen screen did not pair from its address");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for digit in BARISTA.chars() {
        kitchen.click(&format!(".pinpad [data-key='{digit}']")).await;
    }
    kitchen.click(".pinpad [data-key='enter']").await;
    kitchen.wait_for("[data-test='who']").await;

    let terminals: Vec<crema_shared::api::TerminalDto> = flow::get(&shop.base, "/api/v1/terminals").await;
    assert_eq!(
        terminals.iter().map(|t| (t.name.as_str(), t.status.as_str())).collect::<Vec<_>>(),
        [("Till 2", "paired"), ("Kitchen", "paired")]
    );
    let audit: serde_json::Value = flow::get(&shop.base, "/api/v1/audit?action=sign_in.succeeded").await;
    let sources: Vec<String> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["detail"]["source"].as_str().map(str::to_string))
        .collect();
    for terminal in &terminals {
        assert!(
            sources.contains(&format!("terminal {}", terminal.id)),
            "{} signed in as itself: {sources:?}",
            terminal.name
        );
    }
    for browser in [manager, tablet, kitchen] {
        browser.close().await;
    }
    driver.stop();
    shop.kill();
}
