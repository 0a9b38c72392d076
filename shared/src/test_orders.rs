//! Orders for the domain's tests: the same wire shape the API answers, built from line totals.

use crate::api::{OrderDto, OrderLineDto};
use crate::status::{LineStatus, OrderStatus, PaymentStatus};
use chrono::{TimeZone, Utc};
use uuid::Uuid;

/// A line of `total_cents` (quantity 1), its id `id`.
pub fn line(id: Uuid, name: &str, total_cents: i64) -> OrderLineDto {
    OrderLineDto {
        id,
        item_id: Uuid::nil(),
        name: name.into(),
        quantity: 1,
        unit_price_cents: total_cents,
        options: vec![],
        note: None,
        status: LineStatus::Queued,
        line_total_cents: total_cents,
    }
}

/// An unpaid order of `lines` for Ada, placed on 2026-12-04 at 08:00 UTC, with no discount,
/// tax or tip (tests set what they need and keep the totals consistent).
pub fn order(lines: Vec<OrderLineDto>) -> OrderDto {
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 8, 0, 0).single().unwrap_or_default();
    let subtotal: i64 = lines.iter().map(|l| l.line_total_cents).sum();
    OrderDto {
        id: Uuid::nil(),
        ticket_number: 1,
        ticket: "1".into(),
        ticket_prefix: String::new(),
        business_date: "2026-12-04".into(),
        customer_name: "Ada".into(),
        customer_email: None,
        status: OrderStatus::Placed,
        payment_status: PaymentStatus::Unpaid,
        currency: "USD".into(),
        lines,
        subtotal_cents: subtotal,
        discount_cents: 0,
        discounts: vec![],
        tax_cents: 0,
        tip_cents: 0,
        total_cents: subtotal,
        payment_method: None,
        payment_reference: None,
        refunded_cents: 0,
        tendered_cents: None,
        change_due_cents: None,
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
