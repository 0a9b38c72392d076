use super::*;
use crate::api::{DiscountDto, OrderDto};
use crate::receipt::{receipt_lines, ReceiptShop};
use crate::tax::{TaxMode, TaxPolicy, TaxRate};
use crate::test_orders::{line, order};
use crate::totals::compute_totals;
use chrono::FixedOffset;
use proptest::prelude::*;

fn reason(n: u128, name: &str, roles: &[Role], limit_bps: u32) -> DiscountReason {
    DiscountReason { id: Uuid::from_u128(n), name: name.into(), roles: roles.to_vec(), limit_bps, active: true }
}

fn reasons() -> Vec<DiscountReason> {
    vec![
        reason(1, "Staff", &[Role::Cashier, Role::Barista], 5_000),
        reason(2, "Loyalty", &[Role::Cashier], 1_000),
        reason(3, "Comp", &[], 10_000),
        DiscountReason { active: false, ..reason(4, "Old promo", &[Role::Cashier], 10_000) },
    ]
}

fn on(reason: u128, line: Option<usize>, percent_bps: Option<u32>, amount_cents: Option<i64>) -> DiscountRequest {
    DiscountRequest { reason_id: Uuid::from_u128(reason), line, percent_bps, amount_cents }
}

fn money(cents: &[i64]) -> Vec<Money> {
    cents.iter().copied().map(Money::from_minor).collect()
}

fn apply_as(role: Role, requests: &[DiscountRequest], lines: &[i64]) -> (Vec<AppliedDiscount>, ValidationErrors) {
    let reasons = reasons();
    let mut errors = ValidationErrors::new();
    let applied = apply(&mut errors, requests, &money(lines), Discounting { reasons: &reasons, role: Some(role) });
    (applied, errors)
}

#[test]
fn line_discounts_come_off_their_line_and_the_order_discount_off_what_is_left() {
    // Latte 4.75 with 10 % staff discount (0.475 -> 0.48), then 1.00 loyalty off the rest.
    let (applied, errors) =
        apply_as(Role::Cashier, &[on(2, None, None, Some(50)), on(1, Some(0), Some(1_000), None)], &[475, 375]);
    assert!(errors.is_empty(), "{errors:?}");
    let amounts: Vec<(Option<usize>, i64, bool)> =
        applied.iter().map(|d| (d.line, d.amount.minor(), d.needs_approval)).collect();
    assert_eq!(amounts, [(Some(0), 48, false), (None, 50, false)]);
}

#[test]
fn beyond_the_role_or_the_limit_needs_a_manager_and_a_manager_approves_their_own() {
    // Loyalty allows 10 %: 15 % needs approval; comp is for no role; an amount over the limit too.
    let requests = [on(2, Some(0), Some(1_500), None), on(3, Some(1), Some(10_000), None), on(2, None, None, Some(10))];
    let (applied, errors) = apply_as(Role::Cashier, &requests, &[400, 300]);
    assert!(errors.is_empty());
    assert_eq!(applied.iter().map(|d| d.needs_approval).collect::<Vec<_>>(), [true, true, false]);
    let (by_barista, _) = apply_as(Role::Barista, &[on(2, Some(0), Some(500), None)], &[400]);
    assert!(by_barista[0].needs_approval, "loyalty is not the barista's to give");
    let (by_manager, _) = apply_as(Role::Manager, &requests, &[400, 300]);
    assert!(by_manager.iter().all(|d| !d.needs_approval));
}

#[test]
fn a_percentage_at_the_limit_needs_no_manager_even_when_its_amount_rounds_up() {
    // Staff 50 % of a 3.75 croissant is 1.875, taken off as 1.88: still the reason's 50 %.
    let (applied, errors) = apply_as(Role::Cashier, &[on(1, Some(0), Some(5_000), None)], &[375]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(applied[0].amount.minor(), 188);
    assert!(!applied[0].needs_approval, "50 % is within Staff's 50 %");
    // The same as an amount is within it too; a cent more is not.
    let (applied, _) = apply_as(Role::Cashier, &[on(1, Some(0), None, Some(188))], &[375]);
    assert!(!applied[0].needs_approval);
    let (applied, _) = apply_as(Role::Cashier, &[on(1, Some(0), None, Some(189))], &[375]);
    assert!(applied[0].needs_approval);
}

#[test]
fn bad_discounts_are_refused_by_name() {
    let requests = [
        on(9, None, Some(100), None),        // unknown reason
        on(4, None, Some(100), None),        // no longer offered
        on(1, Some(5), Some(100), None),     // no such line
        on(1, Some(0), Some(100), Some(10)), // both
        on(1, Some(0), Some(100), None),     // (fine)
        on(2, Some(0), Some(100), None),     // second on line 0
        on(1, Some(1), None, Some(301)),     // more than the line
        on(1, None, Some(10_001), None),     // past 100 %
        on(1, None, None, None),             // neither
    ];
    let (_, errors) = apply_as(Role::Manager, &requests, &[400, 300]);
    let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "discounts[0].reason_id",
            "discounts[1].reason_id",
            "discounts[2].line",
            "discounts[3].amount_cents",
            "discounts[5].line",
            "discounts[6].amount_cents",
            "discounts[7].percent_bps",
            "discounts[8].percent_bps",
        ]
    );
}

#[test]
fn a_second_whole_order_discount_is_refused() {
    let (_, errors) = apply_as(Role::Manager, &[on(1, None, Some(100), None), on(2, None, Some(100), None)], &[400]);
    assert_eq!(errors.errors()[0].field, "discounts[1].line");
}

fn lines() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(0i64..=20_000, 1..12)
}

fn modes() -> impl Strategy<Value = TaxMode> {
    prop_oneof![Just(TaxMode::Exclusive), Just(TaxMode::Inclusive)]
}

/// A discount to ask for: a percentage (`true`) or an amount, as basis points of its base.
type Ask = Option<(bool, u32)>;
/// Per line, maybe a discount; maybe one on the order.
type Plan = (Vec<Ask>, Ask);

/// Per line: maybe a discount (percent or amount, as a fraction of the line); maybe one on the order.
fn discount_plan() -> impl Strategy<Value = Plan> {
    let one = (any::<bool>(), 1u32..=10_000);
    (prop::collection::vec(prop::option::of(one.clone()), 12), prop::option::of(one))
}

fn requests(lines: &[i64], plan: &Plan) -> Vec<DiscountRequest> {
    let ask = |line: Option<usize>, (percent, bps): (bool, u32), base: i64| {
        if percent {
            on(3, line, Some(bps), None)
        } else {
            on(3, line, None, Some((base * i64::from(bps) / 10_000).max(1)))
        }
    };
    let mut out: Vec<DiscountRequest> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, cents)| plan.0[i].filter(|_| *cents > 0).map(|d| ask(Some(i), d, *cents)))
        .collect();
    if let Some(d) = plan.1 {
        // On the order, a percentage (an amount may exceed what the lines leave: unit tests).
        out.push(on(3, None, Some(d.1), None));
    }
    out
}

fn policy(bps: u32, mode: TaxMode) -> TaxPolicy {
    TaxPolicy { rate: TaxRate::try_from(bps).expect("rate"), mode }
}

proptest! {
    #[test]
    fn total_is_lines_less_discounts_plus_tax_and_tip_and_never_negative(
        lines in lines(), plan in discount_plan(), tip in 0i64..5_000, bps in 0u32..=3_000, mode in modes(),
    ) {
        let (applied, errors) = apply_as(Role::Manager, &requests(&lines, &plan), &lines);
        prop_assert!(errors.is_empty(), "{:?}", errors);
        let discount: Money = applied.iter().map(|d| d.amount).sum();
        let t = compute_totals(&money(&lines), discount, Money::from_minor(tip), policy(bps, mode));
        let sum: i64 = lines.iter().sum();
        prop_assert_eq!(t.discount, discount, "the discounts never exceed the subtotal, so none is clamped");
        for d in &applied {
            if let Some(i) = d.line {
                prop_assert!(d.amount.minor() <= lines[i]);
            }
        }
        let tax = if mode == TaxMode::Exclusive { t.tax.minor() } else { 0 };
        prop_assert_eq!(t.total.minor(), sum - discount.minor() + tax + tip);
        prop_assert!(!t.total.is_negative() && !t.tax.is_negative());
    }

    #[test]
    fn discounts_do_not_depend_on_line_order(lines in lines(), plan in discount_plan(), seed in any::<u64>()) {
        let asked = requests(&lines, &plan);
        let (applied, _) = apply_as(Role::Cashier, &asked, &lines);
        // Shuffle the lines, and point each line discount at its line's new place.
        let mut order: Vec<usize> = (0..lines.len()).collect();
        let mut s = seed;
        for i in (1..order.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (s >> 33) as usize % (i + 1));
        }
        let shuffled: Vec<i64> = order.iter().map(|&i| lines[i]).collect();
        let moved: Vec<DiscountRequest> = asked
            .iter()
            .map(|r| DiscountRequest { line: r.line.map(|l| order.iter().position(|&o| o == l).unwrap_or(l)), ..r.clone() })
            .collect();
        let (again, _) = apply_as(Role::Cashier, &moved, &shuffled);
        let total = |a: &[AppliedDiscount]| a.iter().map(|d| d.amount).sum::<Money>();
        prop_assert_eq!(total(&applied), total(&again));
        for d in &applied {
            let new_line = d.line.map(|l| order.iter().position(|&o| o == l).unwrap_or(l));
            let same = again.iter().find(|e| e.line == new_line).map(|e| (e.amount, e.needs_approval));
            prop_assert_eq!(same, Some((d.amount, d.needs_approval)));
        }
    }

    #[test]
    fn the_receipt_adds_up_to_the_total_exactly(
        lines in lines(), plan in discount_plan(), tip in 0i64..5_000, bps in 0u32..=3_000, mode in modes(),
    ) {
        let (applied, _) = apply_as(Role::Manager, &requests(&lines, &plan), &lines);
        let discount: Money = applied.iter().map(|d| d.amount).sum();
        let tax = policy(bps, mode);
        let t = compute_totals(&money(&lines), discount, Money::from_minor(tip), tax);
        let order = order_dto(&lines, &applied, t);
        let shop = ReceiptShop { name: "Crema", header: "", footer: "", tax };
        let at = order.created_at.with_timezone(&FixedOffset::east_opt(0).expect("offset"));
        let printed = receipt_lines(&order, &shop, at);
        // Between the first two rules: the lines and their discounts; then the order's figures.
        let rules: Vec<usize> = printed.iter().enumerate().filter(|(_, l)| l.text.starts_with("----")).map(|(i, _)| i).collect();
        let amount = |text: &str| -> i64 {
            let last = text.split_whitespace().last().unwrap_or("0");
            let negative = last.starts_with('-');
            let digits: String = last.chars().filter(char::is_ascii_digit).collect();
            let cents: i64 = digits.parse().unwrap_or(0);
            if negative { -cents } else { cents }
        };
        let mut sum: i64 = printed[rules[0] + 1..rules[1]]
            .iter()
            .filter(|l| l.text.split_whitespace().last().is_some_and(|w| w.contains('.')))
            .map(|l| amount(&l.text))
            .sum();
        let mut total = None;
        for line in &printed[rules[1] + 1..] {
            let text = line.text.as_str();
            if text.starts_with("TOTAL") {
                total = Some(amount(text));
                break;
            }
            let counted = !(text.starts_with("Subtotal") || text.starts_with("Line discounts") || text.starts_with("Incl. tax"));
            if counted {
                sum += amount(text);
            }
        }
        prop_assert_eq!(total, Some(t.total.minor()));
        prop_assert_eq!(sum, t.total.minor(), "{:#?}", printed);
    }
}

fn order_dto(lines: &[i64], applied: &[AppliedDiscount], t: crate::totals::Totals) -> OrderDto {
    let line_id = |i: usize| Uuid::from_u128(1_000 + i as u128);
    let lines = lines.iter().enumerate().map(|(i, cents)| line(line_id(i), &format!("Item {i}"), *cents)).collect();
    OrderDto {
        discount_cents: t.discount.minor(),
        discounts: applied
            .iter()
            .map(|d| DiscountDto {
                reason_id: d.reason_id,
                reason: d.reason.clone(),
                line_id: d.line.map(line_id),
                percent_bps: d.percent_bps,
                amount_cents: d.amount.minor(),
                approved_by: None,
            })
            .collect(),
        tax_cents: t.tax.minor(),
        tip_cents: t.tip.minor(),
        total_cents: t.total.minor(),
        ..order(lines)
    }
}
