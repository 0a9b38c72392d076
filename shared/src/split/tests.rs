use super::*;
use proptest::prelude::*;

fn part(
    method: PaymentMethod,
    amount: i64,
    tendered: Option<i64>,
    code: Option<&str>,
    tip_bps: Option<u32>,
) -> PaymentRequest {
    PaymentRequest {
        method,
        tendered_cents: tendered,
        approval_code: code.map(str::to_string),
        print_receipt: None,
        tip_cents: None,
        tip_percent_bps: tip_bps,
        amount_cents: Some(amount),
        part_cents: None,
    }
}

#[test]
fn cash_and_a_card_with_its_tip_and_change_only_from_cash() {
    let mut errors = ValidationErrors::new();
    let requests = [
        part(PaymentMethod::Cash, 500, Some(1_000), None, None),
        part(PaymentMethod::Card, 424, None, Some("A1"), Some(1_500)),
    ];
    let paid = parts(&mut errors, &requests, Money::from_minor(924)).expect("valid");
    assert!(errors.is_empty());
    assert_eq!((paid[0].change.minor(), paid[0].tip.minor()), (500, 0));
    // 15 % of 4.24 = 0.636 -> 0.64; the card is charged its part and tip, no change.
    assert_eq!((paid[1].tip.minor(), paid[1].tendered.minor(), paid[1].change.minor()), (64, 488, 0));
}

#[test]
fn parts_that_do_not_add_up_or_a_gateway_card_or_short_cash_are_refused_by_name() {
    let fields = |requests: &[PaymentRequest]| {
        let mut errors = ValidationErrors::new();
        parts(&mut errors, requests, Money::from_minor(924));
        errors.errors().iter().map(|e| e.field.clone()).collect::<Vec<_>>()
    };
    let cash = |amount, tendered| part(PaymentMethod::Cash, amount, Some(tendered), None, None);
    assert_eq!(fields(&[cash(500, 500), cash(400, 400)]), ["split"]);
    assert_eq!(fields(&[cash(924, 924)]), ["split"]);
    assert_eq!(fields(&[cash(500, 499), cash(424, 424)]), ["split[0].tendered_cents"]);
    assert_eq!(fields(&[cash(500, 500), part(PaymentMethod::Card, 424, None, None, None)]), ["split[1].approval_code"]);
    assert_eq!(fields(&[cash(0, 0), cash(925, 925)]), ["split[0].amount_cents", "split[1].amount_cents"]);
    let mut no_amount = cash(500, 500);
    no_amount.amount_cents = None;
    assert_eq!(fields(&[no_amount, cash(424, 424)]), ["split[0].amount_cents"]);
}

proptest! {
    #[test]
    fn an_even_split_adds_up_and_differs_by_at_most_a_cent(total in 0i64..10_000_000, n in 1u32..=10) {
        let shares = split_evenly(Money::from_minor(total), n);
        prop_assert_eq!(shares.len(), n as usize);
        prop_assert_eq!(shares.iter().map(|m| m.minor()).sum::<i64>(), total);
        let (min, max) = (shares.iter().min().copied(), shares.iter().max().copied());
        prop_assert!(max.zip(min).is_some_and(|(a, b)| (a - b).minor() <= 1));
    }

    #[test]
    fn a_valid_split_collects_the_order_and_its_tips_and_cash_gives_the_only_change(
        total in 2i64..1_000_000, n in 2u32..=6, tips in prop::collection::vec(0u32..=3_000, 6), extra in 0i64..5_000,
    ) {
        let shares = split_evenly(Money::from_minor(total), n);
        prop_assume!(shares.iter().all(|s| s.minor() > 0));
        let requests: Vec<PaymentRequest> = shares
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let tip = crate::tip::percent_of(*s, tips[i]).minor();
                if i % 2 == 0 {
                    part(PaymentMethod::Cash, s.minor(), Some(s.minor() + tip + extra), None, Some(tips[i]))
                } else {
                    part(PaymentMethod::Card, s.minor(), None, Some("OK1"), Some(tips[i]))
                }
            })
            .collect();
        let mut errors = ValidationErrors::new();
        let paid = parts(&mut errors, &requests, Money::from_minor(total)).expect("valid");
        prop_assert_eq!(paid.iter().map(|p| p.amount.minor()).sum::<i64>(), total);
        for p in &paid {
            prop_assert_eq!(p.tendered - p.change, p.collected());
            if p.method == PaymentMethod::Card {
                prop_assert_eq!(p.change, Money::ZERO);
            }
        }
    }
}
