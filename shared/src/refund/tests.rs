use super::*;
use crate::api::{DiscountDto, OrderLineDto};
use crate::status::{LineStatus, OrderStatus, PaymentStatus};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn order(lines: &[i64], line_discount: Option<(usize, i64)>, order_discount: i64, tax: i64, tip: i64) -> OrderDto {
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 8, 0, 0).single().expect("time");
    let id = |i: usize| Uuid::from_u128(i as u128 + 1);
    let subtotal: i64 = lines.iter().sum();
    let line_off = line_discount.map_or(0, |(_, c)| c);
    let mut discounts = Vec::new();
    if let Some((i, cents)) = line_discount {
        discounts.push(DiscountDto {
            reason_id: Uuid::nil(),
            reason: "Staff".into(),
            line_id: Some(id(i)),
            percent_bps: None,
            amount_cents: cents,
            approved_by: None,
        });
    }
    OrderDto {
        id: Uuid::nil(),
        ticket_number: 1,
        ticket: "1".into(),
        ticket_prefix: String::new(),
        business_date: "2026-12-04".into(),
        customer_name: "Ada".into(),
        customer_email: None,
        status: OrderStatus::Completed,
        payment_status: PaymentStatus::Captured,
        currency: "USD".into(),
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, cents)| OrderLineDto {
                id: id(i),
                item_id: Uuid::nil(),
                name: format!("Item {i}"),
                quantity: 1,
                unit_price_cents: *cents,
                options: vec![],
                note: None,
                status: LineStatus::Done,
                line_total_cents: *cents,
            })
            .collect(),
        subtotal_cents: subtotal,
        discount_cents: line_off + order_discount,
        discounts,
        tax_cents: tax,
        tip_cents: tip,
        total_cents: subtotal - line_off - order_discount + tax + tip,
        payment_method: None,
        payment_reference: None,
        refunded_cents: 0,
        tendered_cents: None,
        change_due_cents: None,
        tenders: vec![],
        version: 1,
        created_at: at,
        updated_at: at,
        placed_by: None,
        history: None,
    }
}

#[test]
fn a_line_gives_back_its_share_with_its_tax_and_less_its_discount() {
    // Latte 4.75 (0.48 staff discount), croissant 3.75; tax 0.71; tip 1.00 (not given back).
    let o = order(&[475, 375], Some((0, 48)), 0, 71, 100);
    let mut errors = ValidationErrors::new();
    let croissant = for_lines(&mut errors, &o, &[o.lines[1].id]).expect("valid");
    // 8.73 × 375 / 802 = 4.0819 -> 4.08
    assert_eq!(croissant.minor(), 408);
    let both = for_lines(&mut errors, &o, &[o.lines[1].id, o.lines[0].id]).expect("valid");
    assert_eq!(both.minor(), o.total_cents - o.tip_cents);
    assert!(errors.is_empty());
}

#[test]
fn unknown_or_repeated_lines_are_refused_by_name() {
    let o = order(&[475, 375], None, 0, 74, 0);
    let mut errors = ValidationErrors::new();
    assert_eq!(for_lines(&mut errors, &o, &[o.lines[0].id, Uuid::nil(), o.lines[0].id]), None);
    let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["line_ids[1]", "line_ids[2]"]);
}

proptest! {
    #[test]
    fn lines_give_back_their_share_all_of_them_exactly_the_order_before_its_tip(
        lines in prop::collection::vec(1i64..20_000, 1..10), pick in any::<u64>(), tax in 0i64..3_000,
        tip in 0i64..2_000, seed in any::<u64>(),
    ) {
        let subtotal: i64 = lines.iter().sum();
        let o = order(&lines, None, subtotal / 10, tax, tip);
        let mut errors = ValidationErrors::new();
        let ids: Vec<Uuid> = o.lines.iter().map(|l| l.id).collect();
        let all = for_lines(&mut errors, &o, &ids).expect("all");
        prop_assert_eq!(all.minor(), o.total_cents - tip);
        let chosen: Vec<Uuid> = ids.iter().enumerate().filter(|(i, _)| pick >> (i % 64) & 1 == 1).map(|(_, id)| *id).collect();
        prop_assume!(!chosen.is_empty());
        let some = for_lines(&mut errors, &o, &chosen).expect("some");
        prop_assert!(some <= all);
        let mut reversed = chosen.clone();
        reversed.rotate_left((seed as usize) % chosen.len());
        prop_assert_eq!(for_lines(&mut errors, &o, &reversed), Some(some), "the order of the ids does not matter");
    }
}
