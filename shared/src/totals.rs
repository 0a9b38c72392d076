//! An order's totals from its line totals, discount, tip and the shop's tax policy.
//!
//! `subtotal = Σ line totals`; the discount is clamped to `0..=subtotal` so a total is never
//! negative; `taxable = subtotal − discount`; tax follows [`crate::tax`]'s single rounding
//! rule; exclusive: `total = taxable + tax + tip`, inclusive: `total = taxable + tip`.

use crate::money::Money;
use crate::tax::{TaxMode, TaxPolicy};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub subtotal: Money,
    pub discount: Money,
    pub tax: Money,
    pub tip: Money,
    pub total: Money,
}

/// Adds an order up. Negative discounts or tips count as zero.
pub fn compute_totals(line_totals: &[Money], discount: Money, tip: Money, policy: TaxPolicy) -> Totals {
    let subtotal: Money = line_totals.iter().copied().sum::<Money>().max(Money::ZERO);
    let discount = discount.max(Money::ZERO).min(subtotal);
    let tip = tip.max(Money::ZERO);
    let taxable = subtotal - discount;
    let tax = policy.tax_on(taxable);
    let total = match policy.mode {
        TaxMode::Exclusive => taxable + tax + tip,
        TaxMode::Inclusive => taxable + tip,
    };
    Totals { subtotal, discount, tax, tip, total }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tax::TaxRate;
    use proptest::prelude::*;

    fn policy(bps: u32, mode: TaxMode) -> TaxPolicy {
        TaxPolicy { rate: TaxRate::try_from(bps).expect("valid rate"), mode }
    }

    fn lines() -> impl Strategy<Value = Vec<Money>> {
        prop::collection::vec((0i64..=1_000_000).prop_map(Money::from_minor), 0..40)
    }

    fn modes() -> impl Strategy<Value = TaxMode> {
        prop_oneof![Just(TaxMode::Exclusive), Just(TaxMode::Inclusive)]
    }

    #[test]
    fn latte_and_croissant_with_us_sales_tax() {
        let t = compute_totals(
            &[Money::from_minor(475), Money::from_minor(375)],
            Money::ZERO,
            Money::ZERO,
            policy(875, TaxMode::Exclusive),
        );
        assert_eq!(t.subtotal.minor(), 850);
        assert_eq!(t.tax.minor(), 74); // 74.375 -> 74
        assert_eq!(t.total.minor(), 924);
    }

    proptest! {
        #[test]
        fn total_is_lines_plus_tax_minus_discount(
            lines in lines(), discount in 0i64..2_000_000, tip in 0i64..10_000,
            bps in 0u32..=10_000, mode in modes(),
        ) {
            let t = compute_totals(&lines, Money::from_minor(discount), Money::from_minor(tip), policy(bps, mode));
            let sum: i64 = lines.iter().map(|m| m.minor()).sum();
            prop_assert_eq!(t.subtotal.minor(), sum);
            match mode {
                TaxMode::Exclusive => prop_assert_eq!(t.total.minor(), sum + t.tax.minor() - t.discount.minor() + tip),
                TaxMode::Inclusive => {
                    prop_assert_eq!(t.total.minor(), sum - t.discount.minor() + tip);
                    prop_assert!(t.tax <= t.subtotal - t.discount);
                }
            }
        }

        #[test]
        fn total_is_never_negative(
            lines in lines(), discount in -5_000_000i64..5_000_000, tip in -10_000i64..10_000,
            bps in 0u32..=10_000, mode in modes(),
        ) {
            let t = compute_totals(&lines, Money::from_minor(discount), Money::from_minor(tip), policy(bps, mode));
            prop_assert!(!t.total.is_negative());
            prop_assert!(!t.tax.is_negative());
            prop_assert!(t.discount <= t.subtotal);
        }

        #[test]
        fn totals_do_not_depend_on_line_order(
            lines in lines(), seed in any::<u64>(), discount in 0i64..100_000,
            bps in 0u32..=10_000, mode in modes(),
        ) {
            let mut shuffled = lines.clone();
            // Deterministic Fisher-Yates driven by the seed.
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let j = (s >> 33) as usize % (i + 1);
                shuffled.swap(i, j);
            }
            let p = policy(bps, mode);
            prop_assert_eq!(
                compute_totals(&lines, Money::from_minor(discount), Money::ZERO, p),
                compute_totals(&shuffled, Money::from_minor(discount), Money::ZERO, p)
            );
        }
    }
}
