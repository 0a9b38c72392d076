//! Tips at payment: an amount, or a percentage of what the order comes to before the tip
//! (the till's presets, 10 / 15 / 20 %, send a percentage; a custom tip sends an amount).
//!
//! A tip is never negative and never more than the order itself ([`MAX_TIP_BPS`] of it):
//! a typed extra zero is refused, not charged. A percentage rounds to the nearest minor
//! unit, halves up — the one rounding rule of [`crate::tax`].

use crate::api::PaymentRequest;
use crate::money::Money;
use crate::validation::ValidationErrors;

/// The largest tip: 100 % of the order before the tip.
pub const MAX_TIP_BPS: u32 = 10_000;

/// The tip `payment` asks for on an order of `due` before the tip; errors go under
/// `path.tip_cents` / `path.tip_percent_bps`.
pub fn tip(errors: &mut ValidationErrors, path: &str, payment: &PaymentRequest, due: Money) -> Money {
    let field = |name: &str| if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
    let due = due.max(Money::ZERO);
    match (payment.tip_cents, payment.tip_percent_bps) {
        (None, None) => Money::ZERO,
        (Some(_), Some(_)) => {
            errors.push(field("tip_percent_bps"), "give the tip as an amount or a percentage, not both");
            Money::ZERO
        }
        (Some(cents), None) => {
            if (0..=due.minor()).contains(&cents) {
                Money::from_minor(cents)
            } else {
                errors.push(field("tip_cents"), format!("must be 0 to {due} (at most the order itself)"));
                Money::ZERO
            }
        }
        (None, Some(bps)) => {
            if bps <= MAX_TIP_BPS {
                percent_of(due, bps)
            } else {
                errors.push(field("tip_percent_bps"), format!("must be 0 to {MAX_TIP_BPS} basis points (0% to 100%)"));
                Money::ZERO
            }
        }
    }
}

/// A tip asked for with a payment taken later (the order's total is known only then).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tip {
    #[default]
    None,
    Amount(Money),
    /// Basis points of the order (at most [`MAX_TIP_BPS`]).
    Percent(u32),
}

impl Tip {
    /// The tip on an order of `due`; `Err(max)` when it would be more than the order itself.
    pub fn on(self, due: Money) -> Result<Money, Money> {
        let due = due.max(Money::ZERO);
        let tip = match self {
            Tip::None => Money::ZERO,
            Tip::Amount(amount) => amount,
            Tip::Percent(bps) if bps <= MAX_TIP_BPS => percent_of(due, bps),
            Tip::Percent(_) => return Err(due),
        };
        if tip.is_negative() || tip > due {
            Err(due)
        } else {
            Ok(tip)
        }
    }

    /// The tip a payment request asks for, its shape checked (errors under `path.tip_…`).
    pub fn asked(errors: &mut ValidationErrors, path: &str, payment: &PaymentRequest) -> Tip {
        Tip::given(errors, path, payment.tip_cents, payment.tip_percent_bps)
    }

    /// A tip given as an amount or a percentage (not both), its shape checked.
    pub fn given(errors: &mut ValidationErrors, path: &str, cents: Option<i64>, bps: Option<u32>) -> Tip {
        let field = |name: &str| if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
        match (cents, bps) {
            (None, None) => Tip::None,
            (Some(_), Some(_)) => {
                errors.push(field("tip_percent_bps"), "give the tip as an amount or a percentage, not both");
                Tip::None
            }
            (Some(cents), None) if cents >= 0 => Tip::Amount(Money::from_minor(cents)),
            (Some(_), None) => {
                errors.push(field("tip_cents"), "must not be negative");
                Tip::None
            }
            (None, Some(bps)) if bps <= MAX_TIP_BPS => Tip::Percent(bps),
            (None, Some(_)) => {
                errors.push(field("tip_percent_bps"), format!("must be 0 to {MAX_TIP_BPS} basis points (0% to 100%)"));
                Tip::None
            }
        }
    }
}

/// `bps` basis points of `amount`, rounded half up.
pub fn percent_of(amount: Money, bps: u32) -> Money {
    let n = i128::from(amount.minor().max(0)) * i128::from(bps);
    Money::from_minor(i64::try_from((2 * n + 10_000) / 20_000).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::PaymentMethod;
    use proptest::prelude::*;

    fn payment(cents: Option<i64>, bps: Option<u32>) -> PaymentRequest {
        PaymentRequest {
            method: PaymentMethod::Cash,
            tendered_cents: Some(0),
            approval_code: None,
            print_receipt: None,
            tip_cents: cents,
            tip_percent_bps: bps,
            amount_cents: None,
            part_cents: None,
        }
    }

    #[test]
    fn presets_are_percentages_of_the_order_and_custom_tips_amounts() {
        let mut errors = ValidationErrors::new();
        // 15 % of 9.24 = 1.386 -> 1.39; 10 % of 0.05 = 0.005 -> 0.01.
        assert_eq!(tip(&mut errors, "payment", &payment(None, Some(1500)), Money::from_minor(924)).minor(), 139);
        assert_eq!(tip(&mut errors, "payment", &payment(None, Some(1000)), Money::from_minor(5)).minor(), 1);
        assert_eq!(tip(&mut errors, "payment", &payment(Some(200), None), Money::from_minor(924)).minor(), 200);
        assert!(errors.is_empty());
    }

    #[test]
    fn a_tip_past_the_order_negative_or_given_twice_is_refused_by_name() {
        let mut errors = ValidationErrors::new();
        tip(&mut errors, "payment", &payment(Some(925), None), Money::from_minor(924));
        tip(&mut errors, "payment", &payment(Some(-1), None), Money::from_minor(924));
        tip(&mut errors, "payment", &payment(None, Some(10_001)), Money::from_minor(924));
        tip(&mut errors, "payment", &payment(Some(1), Some(1)), Money::from_minor(924));
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["payment.tip_cents", "payment.tip_cents", "payment.tip_percent_bps", "payment.tip_percent_bps"]
        );
    }

    proptest! {
        #[test]
        fn a_percentage_tip_is_within_half_a_cent_and_never_past_the_order(due in 0i64..10_000_000, bps in 0u32..=MAX_TIP_BPS) {
            let tip = percent_of(Money::from_minor(due), bps).minor();
            let exact = due as f64 * f64::from(bps) / 10_000.0;
            prop_assert!((tip as f64 - exact).abs() <= 0.5);
            prop_assert!((0..=due).contains(&tip));
        }
    }
}
