use super::*;
use crate::api::DiscountDto;
use crate::status::{OrderStatus, PaymentStatus};
use crate::test_orders::{line, order as order_of};
use proptest::prelude::*;

fn order(lines: &[i64], line_discount: Option<(usize, i64)>, order_discount: i64, tax: i64, tip: i64) -> OrderDto {
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
    let lines = lines.iter().enumerate().map(|(i, cents)| line(id(i), &format!("Item {i}"), *cents)).collect();
    OrderDto {
        status: OrderStatus::Completed,
        payment_status: PaymentStatus::Captured,
        discount_cents: line_off + order_discount,
        discounts,
        tax_cents: tax,
        tip_cents: tip,
        total_cents: subtotal - line_off - order_discount + tax + tip,
        ..order_of(lines)
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
