//! The typical order as a store record, for the benchmarks' floors (the same rows the API
//! writes, without the API).

use crema_server::store::orders::{LineRecord, OptionSnapshot, OrderRecord, PaymentRecord};
use crema_shared::lifecycle::OrderEvent;
use crema_shared::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};
use crema_shared::totals::Totals;
use crema_shared::Money;
use uuid::Uuid;

/// The typical order as the store keeps it (a large oat latte with an extra shot and a
/// croissant, paid cash), numbered `ticket_number`, for benchmarks that write rows directly.
pub fn order(id: Uuid, ticket_number: i64, now: chrono::DateTime<chrono::Utc>) -> OrderRecord {
    let option = |name: &str, delta: i64| OptionSnapshot {
        option_id: Uuid::now_v7(),
        group_name: "Group".into(),
        name: name.into(),
        price_delta_cents: delta,
    };
    let line = |name: &str, price: i64, options: Vec<OptionSnapshot>| LineRecord {
        id: Uuid::now_v7(),
        item_id: Uuid::now_v7(),
        name: name.into(),
        quantity: 1,
        unit_price: Money::from_minor(price),
        options,
        note: None,
        status: LineStatus::Queued,
        line_total: Money::from_minor(price),
    };
    OrderRecord {
        id,
        business_date: "2026-11-22".into(),
        ticket_number,
        ticket_prefix: String::new(),
        customer_name: "Ana".into(),
        customer_email: None,
        status: OrderStatus::Placed,
        payment_status: PaymentStatus::Captured,
        currency: "USD".into(),
        totals: Totals {
            subtotal: Money::from_minor(1090),
            discount: Money::ZERO,
            tax: Money::from_minor(95),
            tip: Money::ZERO,
            total: Money::from_minor(1185),
        },
        payment: Some(PaymentRecord {
            method: PaymentMethod::Cash,
            tendered: Money::from_minor(2000),
            change_due: Money::from_minor(815),
        }),
        payment_reference: None,
        refunded: Money::ZERO,
        version: 1,
        created_at: now,
        updated_at: now,
        placed_by: Some(Uuid::nil()),
        discounts: vec![],
        tenders: vec![],
        kitchen_held: false,
        lines: vec![
            line("Latte", 715, vec![option("Large", 100), option("Oat milk", 60), option("Extra shot", 80)]),
            line("Croissant", 375, vec![]),
        ],
    }
}

/// The typical order's cash payment, as its `payment.captured` event records it.
pub fn captured() -> OrderEvent {
    OrderEvent::PaymentCaptured {
        method: PaymentMethod::Cash,
        amount: Money::from_minor(1185),
        tendered: Money::from_minor(2000),
        change: Money::from_minor(815),
        tip: Money::ZERO,
    }
}
