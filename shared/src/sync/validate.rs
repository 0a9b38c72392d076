//! What the hub checks of a sale a terminal made, before recording it as a fact.
//!
//! The hub does not re-price an offline sale: the customer paid what the till asked, perhaps
//! against a menu the hub has changed since. It checks that the sale is internally sound
//! (its lines and totals add up, its payment covers it), that it was numbered with the
//! terminal's own label, and that it arrives as a new order.

use crate::api::OrderDto;
use crate::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};
use crate::validation::ValidationErrors;

/// The most lines a synced sale may have (the till's own limit is lower).
pub const MAX_LINES: usize = 100;

/// Checks a sale pushed by the terminal labelled `label`; every problem, by field.
pub fn validate_placed(order: &OrderDto, label: &str) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if order.id.get_version_num() != 7 {
        errors.push("order.id", "must be a UUIDv7");
    }
    if order.ticket_prefix != label {
        errors.push("order.ticket_prefix", format!("must be this terminal's label {label:?}"));
    }
    if order.ticket_number < 1 {
        errors.push("order.ticket_number", "must be at least 1");
    }
    if order.status != OrderStatus::Placed || order.version != 1 {
        errors.push("order.status", "a sale arrives as placed, at version 1");
    }
    if order.lines.is_empty() || order.lines.len() > MAX_LINES {
        errors.push("order.lines", format!("must have between 1 and {MAX_LINES} lines"));
    }
    let mut sum: i64 = 0;
    for (i, line) in order.lines.iter().enumerate() {
        let expected = line.unit_price_cents.checked_mul(i64::from(line.quantity));
        if line.quantity == 0 || line.unit_price_cents < 0 || expected != Some(line.line_total_cents) {
            errors.push(format!("order.lines[{i}].line_total_cents"), "must be the unit price times the quantity");
        }
        if line.status != LineStatus::Queued {
            errors.push(format!("order.lines[{i}].status"), "a new sale's lines are queued");
        }
        sum = sum.saturating_add(line.line_total_cents);
    }
    if order.subtotal_cents != sum {
        errors.push("order.subtotal_cents", "must be the sum of the lines");
    }
    let amounts = [order.discount_cents, order.tax_cents, order.tip_cents, order.total_cents];
    let before_tax = order.subtotal_cents - order.discount_cents + order.tip_cents;
    // Tax on top (exclusive) or already inside the prices (inclusive).
    let adds_up = order.total_cents == before_tax + order.tax_cents || order.total_cents == before_tax;
    if amounts.iter().any(|a| *a < 0) || !adds_up {
        errors.push("order.total_cents", "must be the subtotal less the discount plus tax and tip");
    }
    match (order.payment_status, order.payment_method) {
        (PaymentStatus::Unpaid, _) => {}
        (PaymentStatus::Captured, Some(PaymentMethod::Cash)) => {
            let tendered = order.tendered_cents.unwrap_or(0);
            if tendered < order.total_cents || order.change_due_cents != Some(tendered - order.total_cents) {
                errors.push("order.tendered_cents", "cash must cover the total, with the change");
            }
        }
        (PaymentStatus::Captured, Some(PaymentMethod::Card)) => {
            if order.payment_reference.as_deref().is_none_or(str::is_empty) {
                errors.push("order.payment_reference", "a card sale carries the terminal's approval code");
            }
        }
        _ => errors.push("order.payment_status", "a new sale is unpaid or paid in full"),
    }
    if order.refunded_cents != 0 {
        errors.push("order.refunded_cents", "a new sale has nothing refunded");
    }
    errors.into_result(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::OrderLineDto;
    use proptest::prelude::*;
    use uuid::Uuid;

    /// A UUIDv7 (the shared crate has no clock of its own).
    pub(crate) fn v7() -> Uuid {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&n.to_le_bytes());
        uuid::Builder::from_unix_timestamp_millis(1_796_000_000_000 + n, &random).into_uuid()
    }

    pub(crate) fn sale(label: &str, number: i64, prices: &[(i64, u32)]) -> OrderDto {
        let at = chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap_or_default();
        let lines: Vec<OrderLineDto> = prices
            .iter()
            .map(|(price, qty)| OrderLineDto {
                id: v7(),
                item_id: v7(),
                name: "Latte".into(),
                quantity: *qty,
                unit_price_cents: *price,
                options: vec![],
                note: None,
                status: LineStatus::Queued,
                line_total_cents: price * i64::from(*qty),
            })
            .collect();
        let subtotal: i64 = lines.iter().map(|l| l.line_total_cents).sum();
        let tax = subtotal / 10;
        OrderDto {
            id: v7(),
            ticket_number: number,
            ticket: crate::terminal::ticket(label, number),
            ticket_prefix: label.into(),
            business_date: "2026-12-03".into(),
            customer_name: "Ana".into(),
            customer_email: None,
            status: OrderStatus::Placed,
            payment_status: PaymentStatus::Captured,
            currency: "USD".into(),
            lines,
            subtotal_cents: subtotal,
            discount_cents: 0,
            discounts: vec![],
            tax_cents: tax,
            tip_cents: 0,
            total_cents: subtotal + tax,
            payment_method: Some(PaymentMethod::Cash),
            payment_reference: None,
            refunded_cents: 0,
            tendered_cents: Some(subtotal + tax + 50),
            change_due_cents: Some(50),
            tenders: vec![],
            paid_cents: 0,
            due_cents: 0,
            kitchen_held: false,
            version: 1,
            created_at: at,
            updated_at: at,
            placed_by: None,
            history: None,
        }
    }

    #[test]
    fn a_sound_sale_passes_and_a_borrowed_label_does_not() {
        let order = sale("A", 3, &[(450, 2), (325, 1)]);
        assert!(validate_placed(&order, "A").is_ok());
        let Err(errors) = validate_placed(&order, "B") else { panic!("a borrowed label passed") };
        assert!(errors.errors().iter().any(|e| e.field == "order.ticket_prefix"));
    }

    #[test]
    fn totals_that_do_not_add_up_are_named() {
        let mut order = sale("A", 3, &[(450, 2)]);
        order.total_cents += 1;
        order.lines[0].line_total_cents = 1;
        let Err(errors) = validate_placed(&order, "A") else { panic!("totals that do not add up passed") };
        let fields: Vec<_> = errors.into_errors().into_iter().map(|e| e.field).collect();
        assert!(fields.contains(&"order.total_cents".to_string()));
        assert!(fields.contains(&"order.lines[0].line_total_cents".to_string()));
    }

    proptest! {
        #[test]
        fn any_consistent_sale_passes(prices in proptest::collection::vec((0i64..5_000, 1u32..5), 1..8), n in 1i64..500) {
            prop_assert!(validate_placed(&sale("C", n, &prices), "C").is_ok());
        }
    }
}
