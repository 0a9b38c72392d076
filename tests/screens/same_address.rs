//! A browser keeps what a server at an address answered. Another database served later at
//! that same address — the shop's server replaced, set up again, or restored from a backup —
//! numbers its menu from 1 too, so a menu the browser kept can carry the version the new
//! server is at. The till must sell from the menu of the database it now talks to.

use crate::{start_shop, CASHIER};
use crema_e2e::binary;
use crema_e2e::browser::{self, Browser};
use crema_shared::api::MenuView;

#[tokio::test]
async fn a_till_sells_from_the_menu_of_the_database_now_at_its_address_not_one_it_kept() {
    let dir = tempfile::tempdir().expect("dir");
    let port = binary::free_port();
    let driver = browser::Driver::start().await;
    let first = start_shop(&dir.path().join("first.db"), port);
    let till = Browser::open(&driver, &first.base).await;
    till.sign_in_at("/pos", CASHIER).await;
    till.wait_for("[data-item='Latte']").await;
    first.kill();

    // Another shop database, the same address; the till signs in again (its session was the
    // other server's) and rings up a croissant.
    let second = start_shop(&dir.path().join("second.db"), port);
    till.sign_in_at("/pos", CASHIER).await;
    till.click("[data-category='Pastries']").await;
    till.click("[data-item='Croissant']").await;
    till.type_into("input[name='customer_name']", "Noor").await;
    till.type_into("input[name='tendered']", "10").await;
    till.click("[data-test='pay']").await;
    let ticket = till.text("[data-test='ticket-number']").await;

    let order = crate::flow::only_order(&second.base).await;
    assert_eq!(order.ticket_number.to_string(), ticket.trim());
    let menu: MenuView = crate::flow::get(&second.base, "/api/v1/menu").await;
    let croissant = menu.categories.iter().flat_map(|c| &c.items).find(|i| i.name == "Croissant").expect("croissant");
    assert_eq!(order.lines[0].item_id, croissant.id, "sold from the second database's menu");
    till.close().await;
}
