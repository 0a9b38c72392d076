//! Sales tax: one rate per shop in basis points, prices either tax-exclusive or tax-inclusive.
//!
//! **The rounding rule** (the only one in Crema): tax is computed once per order, on the
//! order's taxable amount (subtotal minus discount), and rounded to the nearest minor unit
//! with halves rounded up (away from zero; taxable amounts are never negative). It is never
//! computed per line and summed, so the same basket always gives the same tax whatever the
//! order of its lines.
//!
//! - exclusive: `tax = round(taxable × bps / 10 000)`, added on top;
//! - inclusive: `tax = round(taxable × bps / (10 000 + bps))`, the part of the price that is tax.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Largest accepted rate: 100 %.
pub const MAX_TAX_RATE_BPS: u32 = 10_000;

/// A tax rate in basis points (1/100 of a percent): 875 = 8.75 %.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct TaxRate(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a tax rate is between 0 and {MAX_TAX_RATE_BPS} basis points")]
pub struct InvalidTaxRate;

impl TaxRate {
    /// No tax.
    pub const ZERO: TaxRate = TaxRate(0);

    pub fn basis_points(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for TaxRate {
    type Error = InvalidTaxRate;
    fn try_from(bps: u32) -> Result<Self, Self::Error> {
        if bps <= MAX_TAX_RATE_BPS {
            Ok(TaxRate(bps))
        } else {
            Err(InvalidTaxRate)
        }
    }
}

impl From<TaxRate> for u32 {
    fn from(rate: TaxRate) -> u32 {
        rate.0
    }
}

/// Whether menu prices include tax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaxMode {
    /// Prices are net; tax is added at the till (US style).
    Exclusive,
    /// Prices already include tax (EU style); the receipt shows the tax part.
    Inclusive,
}

impl TaxMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TaxMode::Exclusive => "exclusive",
            TaxMode::Inclusive => "inclusive",
        }
    }

    pub fn parse(s: &str) -> Option<TaxMode> {
        match s {
            "exclusive" => Some(TaxMode::Exclusive),
            "inclusive" => Some(TaxMode::Inclusive),
            _ => None,
        }
    }
}

/// The shop's tax setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxPolicy {
    pub rate: TaxRate,
    pub mode: TaxMode,
}

impl TaxPolicy {
    /// The tax contained in (inclusive) or due on top of (exclusive) a taxable amount.
    pub fn tax_on(self, taxable: Money) -> Money {
        let amount = i128::from(taxable.minor().max(0));
        let bps = i128::from(self.rate.basis_points());
        let tax = match self.mode {
            TaxMode::Exclusive => div_round_half_up(amount * bps, 10_000),
            TaxMode::Inclusive => div_round_half_up(amount * bps, 10_000 + bps),
        };
        Money::from_minor(i64::try_from(tax).unwrap_or(i64::MAX))
    }
}

/// `n / d` rounded to nearest, halves up; `n >= 0`, `d > 0`.
fn div_round_half_up(n: i128, d: i128) -> i128 {
    (2 * n + d) / (2 * d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(bps: u32, mode: TaxMode) -> TaxPolicy {
        TaxPolicy { rate: TaxRate::try_from(bps).expect("valid rate"), mode }
    }

    #[test]
    fn exclusive_rounds_half_up() {
        // 8.75 % of 4.00 = 0.35 exactly; of 1.00 = 0.0875 -> 0.09; of 0.20 = 0.0175 -> 0.02
        assert_eq!(policy(875, TaxMode::Exclusive).tax_on(Money::from_minor(400)).minor(), 35);
        assert_eq!(policy(875, TaxMode::Exclusive).tax_on(Money::from_minor(100)).minor(), 9);
        assert_eq!(policy(1000, TaxMode::Exclusive).tax_on(Money::from_minor(5)).minor(), 1); // 0.5 -> 1
        assert_eq!(policy(1000, TaxMode::Exclusive).tax_on(Money::from_minor(4)).minor(), 0);
        // 0.4 -> 0
    }

    #[test]
    fn inclusive_extracts_the_tax_part() {
        // 20 % VAT included in 6.00 is 1.00.
        assert_eq!(policy(2000, TaxMode::Inclusive).tax_on(Money::from_minor(600)).minor(), 100);
        // 19 % included in 1.00 = 15.966 -> 16
        assert_eq!(policy(1900, TaxMode::Inclusive).tax_on(Money::from_minor(100)).minor(), 16);
    }

    #[test]
    fn rate_is_bounded() {
        assert!(TaxRate::try_from(10_001).is_err());
        assert!(TaxRate::try_from(0).is_ok());
    }
}
