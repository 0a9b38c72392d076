//! What a cashier does at the till, as steps the browser tests share.

use crema_e2e::browser::Browser;

/// Signs in at the till and rings up a small latte and a croissant for `name`.
pub async fn ring_up_latte_and_croissant(till: &Browser, cashier: &str, name: &str) {
    till.sign_in_at("/pos", cashier).await;
    till.wait_for("[data-item='Latte']").await;
    till.click("[data-item='Latte']").await;
    till.click("[data-option='Small']").await;
    till.click("[data-test='add-to-cart']").await;
    till.click("[data-category='Pastries']").await;
    till.click("[data-item='Croissant']").await;
    till.wait_for("[data-line='Croissant']").await;
    till.type_into("input[name='customer_name']", name).await;
}
