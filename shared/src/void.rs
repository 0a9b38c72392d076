//! Voiding one line of an order not yet paid in full (a tab, a wrong key on the till): the
//! line stays on the order, marked `voided`, and the order is priced again without it — its
//! own discount goes with it, a percentage off the order is worked out again on what is left,
//! an amount off the order stays (at most what is left), tax is computed once more by the
//! shop's one rule, and the tip stays. A paid order gives a line back as a refund instead.

use crate::api::{DiscountDto, OrderDto};
use crate::money::Money;
use crate::status::LineStatus;
use crate::tax::TaxPolicy;
use crate::tip::percent_of;
use crate::totals::{compute_totals, Totals};
use uuid::Uuid;

/// Longest reason for a void.
pub const MAX_VOID_REASON_CHARS: usize = 140;

/// The order's money once the line is voided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voided {
    pub totals: Totals,
    pub discounts: Vec<DiscountDto>,
    /// What the voided line came to (before discounts and tax).
    pub line_total: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VoidRefusal {
    #[error("the order has no line {0}")]
    NoSuchLine(Uuid),
    #[error("the line is voided already")]
    AlreadyVoided,
    #[error("it is the order's last line: cancel the order instead")]
    LastLine,
}

/// `order` priced again without line `line_id`, by `tax`.
pub fn void_line(order: &OrderDto, line_id: Uuid, tax: TaxPolicy) -> Result<Voided, VoidRefusal> {
    let line = order.lines.iter().find(|l| l.id == line_id).ok_or(VoidRefusal::NoSuchLine(line_id))?;
    if line.status == LineStatus::Voided {
        return Err(VoidRefusal::AlreadyVoided);
    }
    let kept: Vec<_> = order.lines.iter().filter(|l| l.id != line_id && l.status != LineStatus::Voided).collect();
    if kept.is_empty() {
        return Err(VoidRefusal::LastLine);
    }
    let line_totals: Vec<Money> = kept.iter().map(|l| Money::from_minor(l.line_total_cents)).collect();
    let mut discounts: Vec<DiscountDto> = order
        .discounts
        .iter()
        .filter(|d| d.line_id.is_some_and(|id| kept.iter().any(|l| l.id == id)))
        .cloned()
        .collect();
    let on_lines: Money = discounts.iter().map(|d| Money::from_minor(d.amount_cents)).sum();
    let left = (line_totals.iter().copied().sum::<Money>() - on_lines).max(Money::ZERO);
    if let Some(whole) = order.discounts.iter().find(|d| d.line_id.is_none()) {
        let amount = match whole.percent_bps {
            Some(bps) => percent_of(left, bps).min(left),
            None => Money::from_minor(whole.amount_cents).min(left),
        };
        if amount > Money::ZERO {
            discounts.push(DiscountDto { amount_cents: amount.minor(), ..whole.clone() });
        }
    }
    let discount: Money = discounts.iter().map(|d| Money::from_minor(d.amount_cents)).sum();
    let totals = compute_totals(&line_totals, discount, Money::from_minor(order.tip_cents), tax);
    Ok(Voided { totals, discounts, line_total: Money::from_minor(line.line_total_cents) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tax::{TaxMode, TaxRate};
    use crate::test_orders::{line, order};
    use proptest::prelude::*;

    fn tax(mode: TaxMode) -> TaxPolicy {
        TaxPolicy { rate: TaxRate::try_from(875).expect("rate"), mode }
    }

    fn discount(line_id: Option<Uuid>, percent_bps: Option<u32>, amount_cents: i64) -> DiscountDto {
        DiscountDto {
            reason_id: Uuid::nil(),
            reason: "Staff".into(),
            line_id,
            percent_bps,
            amount_cents,
            approved_by: None,
        }
    }

    #[test]
    fn the_line_and_its_discount_go_and_the_orders_percentage_is_worked_out_again() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let mut o = order(vec![line(a, "Latte", 475), line(b, "Croissant", 375), line(c, "Cookie", 250)]);
        // 1.00 off the croissant, 10 % off the rest: 11.00 − 1.00 = 10.00, 10 % = 1.00.
        o.discounts = vec![discount(Some(b), None, 100), discount(None, Some(1_000), 100)];
        let v = void_line(&o, b, tax(TaxMode::Exclusive)).expect("voided");
        assert_eq!(v.line_total.minor(), 375);
        // Left: 7.25, 10 % = 0.73 (half up), taxed 6.52 × 8.75 % = 0.57.
        assert_eq!(v.discounts, vec![discount(None, Some(1_000), 73)]);
        assert_eq!((v.totals.subtotal.minor(), v.totals.discount.minor(), v.totals.tax.minor()), (725, 73, 57));
        assert_eq!(v.totals.total.minor(), 725 - 73 + 57);
        // A voided line stays voided; the last line cannot be voided (cancel instead).
        o.lines[1].status = LineStatus::Voided;
        assert_eq!(void_line(&o, b, tax(TaxMode::Exclusive)), Err(VoidRefusal::AlreadyVoided));
        o.lines[2].status = LineStatus::Voided;
        assert_eq!(void_line(&o, a, tax(TaxMode::Exclusive)), Err(VoidRefusal::LastLine));
        assert_eq!(void_line(&o, Uuid::nil(), tax(TaxMode::Exclusive)), Err(VoidRefusal::NoSuchLine(Uuid::nil())));
    }

    #[test]
    fn an_amount_off_the_order_stays_but_never_passes_what_is_left() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut o = order(vec![line(a, "Latte", 475), line(b, "Muffin", 300)]);
        o.discounts = vec![discount(None, None, 400)];
        let v = void_line(&o, a, tax(TaxMode::Inclusive)).expect("voided");
        assert_eq!(v.discounts[0].amount_cents, 300);
        assert_eq!(v.totals.total, Money::ZERO);
    }

    proptest! {
        /// Voiding a line never raises the order, keeps its tip, and the new total is the
        /// lines left less their discounts, plus tax and tip — in both tax modes.
        #[test]
        fn voiding_never_raises_the_order(
            prices in proptest::collection::vec(1i64..2_000, 2..6),
            order_bps in proptest::option::of(1u32..10_000),
            tip in 0i64..500,
            which in 0usize..6,
            inclusive in any::<bool>(),
        ) {
            let lines: Vec<_> = prices.iter().enumerate().map(|(i, p)| line(Uuid::from_u128(i as u128 + 1), "Item", *p)).collect();
            let mut o = order(lines);
            let policy = tax(if inclusive { TaxMode::Inclusive } else { TaxMode::Exclusive });
            let subtotal: i64 = prices.iter().sum();
            if let Some(bps) = order_bps {
                let d = percent_of(Money::from_minor(subtotal), bps).minor();
                o.discounts = vec![discount(None, Some(bps), d)];
            }
            let before = compute_totals(
                &prices.iter().map(|p| Money::from_minor(*p)).collect::<Vec<_>>(),
                Money::from_minor(o.discounts.iter().map(|d| d.amount_cents).sum()),
                Money::from_minor(tip),
                policy,
            );
            o.total_cents = before.total.minor();
            o.tip_cents = tip;
            let id = o.lines[which % prices.len()].id;
            let v = void_line(&o, id, policy).expect("voided");
            prop_assert!(v.totals.total <= before.total);
            prop_assert_eq!(v.totals.tip.minor(), tip);
            prop_assert!(v.totals.total >= Money::ZERO);
            let left: i64 = subtotal - prices[which % prices.len()];
            prop_assert_eq!(v.totals.subtotal.minor(), left);
            prop_assert_eq!(v.totals.discount.minor(), v.discounts.iter().map(|d| d.amount_cents).sum::<i64>());
        }
    }
}
