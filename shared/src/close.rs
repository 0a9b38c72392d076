//! The cash drawer and the day's close: what the drawer should hold, and the X report (mid-day)
//! and Z report (at close) as the till, the printer, the page and the CSV show them.
//!
//! Pure: the store hands over one row per order of the business day and the drawer's own
//! movements, and [`summarize`] adds them up — so the same figures come out everywhere, and
//! property tests can hold them to the orders to the cent.
//!
//! The drawer's rule: `expected = float + cash taken − cash given back + paid in − paid out`,
//! where cash taken is each cash-paid order's total (what was tendered minus the change) and
//! cash given back its refunds; `over/short = counted − expected`.

use crate::money::Money;
use crate::status::{OrderStatus, PaymentMethod, PaymentStatus};
use crate::validation::bounded_text;
use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// The most a drawer's float, count or movement may be (100,000.00).
pub const MAX_DRAWER_CENTS: i64 = 10_000_000;
/// Longest reason for paying in or out.
pub const MAX_MOVEMENT_REASON_CHARS: usize = 120;

/// Money put into or taken out of the drawer other than by a sale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MovementKind {
    /// Change brought in, a float top-up.
    PaidIn,
    /// Milk from the corner shop, a window cleaner paid from the till.
    PaidOut,
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::PaidIn => "paid_in",
            MovementKind::PaidOut => "paid_out",
        }
    }

    pub fn parse(s: &str) -> Option<MovementKind> {
        match s {
            "paid_in" => Some(MovementKind::PaidIn),
            "paid_out" => Some(MovementKind::PaidOut),
            _ => None,
        }
    }
}

/// An amount of cash as the till types it: 0 up to [`MAX_DRAWER_CENTS`] (`positive`: above 0).
pub fn cash_amount(field: &str, cents: Option<i64>, positive: bool, errors: &mut ValidationErrors) -> Option<Money> {
    let low = i64::from(positive);
    match cents {
        Some(c) if (low..=MAX_DRAWER_CENTS).contains(&c) => Some(Money::from_minor(c)),
        Some(_) => {
            errors.push(field, format!("must be {low} to {MAX_DRAWER_CENTS} (minor units)"));
            None
        }
        None => {
            errors.push(field, "is required");
            None
        }
    }
}

/// A paid-in or paid-out reason: short, printable.
pub fn movement_reason(raw: Option<&str>, errors: &mut ValidationErrors) -> Option<String> {
    errors.check("reason", bounded_text(raw.unwrap_or_default(), MAX_MOVEMENT_REASON_CHARS))
}

/// One order of the day, as the close sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderMoney {
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub method: Option<PaymentMethod>,
    pub subtotal: Money,
    pub discount: Money,
    pub tax: Money,
    pub tip: Money,
    pub total: Money,
    pub refunded: Money,
    /// Who rang it up (for tips by staff member).
    pub staff: Option<String>,
    /// An order paid by several tenders: what each took (its part and tip); empty for one.
    pub tenders: Vec<(PaymentMethod, Money)>,
    /// Its lines voided before it was paid, and what they came to.
    pub voided_lines: u32,
    pub voided_lines_total: Money,
}

impl OrderMoney {
    /// Whether money was taken for it (captured, possibly refunded since).
    fn collected(&self) -> bool {
        matches!(self.payment_status, PaymentStatus::Captured | PaymentStatus::Refunded)
    }

    /// Whether any money was taken for it: collected, or a tab paid in part (whose parts are
    /// in the drawer and the tenders, but not yet in the sales).
    fn took_some(&self) -> bool {
        self.collected() || self.payment_status == PaymentStatus::PartlyPaid
    }

    /// What each tender took and gave back: one tender takes the total; a split's refunds go
    /// back to its tenders last first, each at most what it took.
    pub fn pieces(&self) -> Vec<(PaymentMethod, Money, Money)> {
        if self.tenders.is_empty() {
            return self.method.map(|m| (m, self.total, self.refunded)).into_iter().collect();
        }
        let mut left = self.refunded;
        let mut pieces: Vec<(PaymentMethod, Money, Money)> = Vec::with_capacity(self.tenders.len());
        for (method, took) in self.tenders.iter().rev() {
            let back = left.min(*took).max(Money::ZERO);
            left = left - back;
            pieces.push((*method, *took, back));
        }
        pieces.reverse();
        pieces
    }
}

/// A movement as the close sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Movement {
    pub kind: MovementKind,
    pub amount: Money,
}

/// The drawer of the day: its float and, once closed, what was counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrawerState {
    pub float: Money,
    pub counted: Option<Money>,
}

/// Money taken and given back with one tender.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenderTotals {
    pub method: PaymentMethod,
    pub orders: u32,
    pub collected_cents: i64,
    pub refunded_cents: i64,
}

/// Tips taken on orders a member of staff rang up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffTips {
    pub staff: String,
    pub tips_cents: i64,
}

/// The drawer's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DrawerFigures {
    pub float_cents: i64,
    pub cash_sales_cents: i64,
    pub cash_refunds_cents: i64,
    pub paid_in_cents: i64,
    pub paid_out_cents: i64,
    pub expected_cents: i64,
    /// Once closed.
    pub counted_cents: Option<i64>,
    /// `counted − expected`: positive over, negative short.
    pub over_short_cents: Option<i64>,
}

/// The X report (the day so far) or the Z report (the day closed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloseReport {
    /// `X` (mid-day, the drawer still open) or `Z` (closed).
    pub kind: String,
    pub business_date: String,
    pub currency: String,
    /// Orders with money taken.
    pub paid_orders: u32,
    /// Σ line totals of those orders.
    pub gross_sales_cents: i64,
    pub discounts_cents: i64,
    /// Gross sales minus discounts.
    pub net_sales_cents: i64,
    pub tax_cents: i64,
    pub tips_cents: i64,
    /// Everything taken, all tenders (net sales + tax on top + tips).
    pub collected_cents: i64,
    pub refunds_cents: i64,
    pub tenders: Vec<TenderTotals>,
    /// Orders cancelled, and what they came to (money taken for them and given back is in
    /// `refunds_cents`).
    pub voids: u32,
    pub voids_cents: i64,
    /// Lines voided off orders before they were paid, and what they came to.
    #[serde(default)]
    pub line_voids: u32,
    #[serde(default)]
    pub line_voids_cents: i64,
    /// Orders not (fully) paid.
    pub unpaid: u32,
    /// Of those, tabs paid in part (not cancelled), and what their parts took less what was
    /// given back (in the tenders and the drawer, not in the sales until the last part).
    #[serde(default)]
    pub part_paid: u32,
    #[serde(default)]
    pub part_paid_cents: i64,
    pub tips_by_staff: Vec<StaffTips>,
    /// Absent when no drawer was opened that day.
    pub drawer: Option<DrawerFigures>,
}

/// Adds the day up.
pub fn summarize(
    kind: &str,
    business_date: &str,
    currency: &str,
    orders: &[OrderMoney],
    drawer: Option<DrawerState>,
    movements: &[Movement],
) -> CloseReport {
    let sum = |f: &dyn Fn(&OrderMoney) -> Money, keep: &dyn Fn(&OrderMoney) -> bool| -> Money {
        orders.iter().filter(|o| keep(o)).map(f).sum()
    };
    let collected = |o: &OrderMoney| o.collected();
    let voided = |o: &OrderMoney| o.status == OrderStatus::Cancelled;
    let mut tenders: Vec<TenderTotals> = Vec::new();
    // (collected, given back) with `method` on the orders money was taken for.
    let by_method = |method: PaymentMethod| -> (usize, Money, Money) {
        let mut totals = (0, Money::ZERO, Money::ZERO);
        for order in orders.iter().filter(|o| o.took_some()) {
            let pieces: Vec<_> = order.pieces().into_iter().filter(|p| p.0 == method).collect();
            if !pieces.is_empty() {
                totals.0 += 1;
            }
            for (_, took, back) in pieces {
                totals = (totals.0, totals.1 + took, totals.2 + back);
            }
        }
        totals
    };
    for method in [PaymentMethod::Cash, PaymentMethod::Card] {
        let (count, took, back) = by_method(method);
        if count > 0 {
            tenders.push(TenderTotals {
                method,
                orders: u32::try_from(count).unwrap_or(u32::MAX),
                collected_cents: took.minor(),
                refunded_cents: back.minor(),
            });
        }
    }
    let mut tips_by_staff: Vec<StaffTips> = Vec::new();
    for order in orders.iter().filter(|o| o.collected() && o.tip > Money::ZERO) {
        let staff = order.staff.clone().unwrap_or_else(|| "(no one)".into());
        match tips_by_staff.iter_mut().find(|t| t.staff == staff) {
            Some(t) => t.tips_cents += order.tip.minor(),
            None => tips_by_staff.push(StaffTips { staff, tips_cents: order.tip.minor() }),
        }
    }
    tips_by_staff.sort_by(|a, b| a.staff.cmp(&b.staff));
    let part_paid = |o: &OrderMoney| o.payment_status == PaymentStatus::PartlyPaid;
    let part_paid_cents: Money =
        orders.iter().filter(|o| part_paid(o)).flat_map(OrderMoney::pieces).map(|(_, took, back)| took - back).sum();
    let gross = sum(&|o| o.subtotal, &collected);
    let discounts = sum(&|o| o.discount, &collected);
    let drawer = drawer.map(|d| {
        let moved = |k: MovementKind| movements.iter().filter(|m| m.kind == k).map(|m| m.amount).sum::<Money>();
        let (_, cash_taken, cash_back) = by_method(PaymentMethod::Cash);
        let figures = (cash_taken, cash_back);
        let (paid_in, paid_out) = (moved(MovementKind::PaidIn), moved(MovementKind::PaidOut));
        let expected = d.float + figures.0 - figures.1 + paid_in - paid_out;
        DrawerFigures {
            float_cents: d.float.minor(),
            cash_sales_cents: figures.0.minor(),
            cash_refunds_cents: figures.1.minor(),
            paid_in_cents: paid_in.minor(),
            paid_out_cents: paid_out.minor(),
            expected_cents: expected.minor(),
            counted_cents: d.counted.map(Money::minor),
            over_short_cents: d.counted.map(|c| (c - expected).minor()),
        }
    });
    CloseReport {
        kind: kind.to_string(),
        business_date: business_date.to_string(),
        currency: currency.to_string(),
        paid_orders: u32::try_from(orders.iter().filter(|o| collected(o)).count()).unwrap_or(u32::MAX),
        gross_sales_cents: gross.minor(),
        discounts_cents: discounts.minor(),
        net_sales_cents: (gross - discounts).minor(),
        tax_cents: sum(&|o| o.tax, &collected).minor(),
        tips_cents: sum(&|o| o.tip, &collected).minor(),
        collected_cents: sum(&|o| o.total, &collected).minor(),
        refunds_cents: sum(&|o| o.refunded, &collected).minor(),
        tenders,
        voids: u32::try_from(orders.iter().filter(|o| voided(o)).count()).unwrap_or(u32::MAX),
        voids_cents: sum(&|o| o.total, &voided).minor(),
        unpaid: u32::try_from(orders.iter().filter(|o| o.status != OrderStatus::Cancelled && !o.collected()).count())
            .unwrap_or(u32::MAX),
        line_voids: orders.iter().map(|o| o.voided_lines).sum(),
        line_voids_cents: orders.iter().map(|o| o.voided_lines_total).sum::<Money>().minor(),
        part_paid: u32::try_from(orders.iter().filter(|o| part_paid(o) && !voided(o)).count()).unwrap_or(u32::MAX),
        part_paid_cents: part_paid_cents.minor(),
        tips_by_staff,
        drawer,
    }
}

mod render;
pub use render::{csv, figures, print_lines};

#[cfg(test)]
mod tests;
