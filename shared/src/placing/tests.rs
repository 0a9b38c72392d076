use super::*;
use crate::menu::fixtures::{catalog, Ids};
use crate::tax::{TaxMode, TaxRate};

fn tax() -> TaxPolicy {
    TaxPolicy { rate: TaxRate::try_from(875).expect("rate"), mode: TaxMode::Exclusive }
}

fn line(item_id: Uuid, quantity: i64, option_ids: Vec<Uuid>) -> LineRequest {
    LineRequest { item_id, quantity, option_ids, note: None }
}

fn request(lines: Vec<LineRequest>) -> PlaceOrderRequest {
    PlaceOrderRequest {
        id: None,
        customer_name: "Ana".into(),
        customer_email: None,
        lines,
        payment: None,
        split: vec![],
        discounts: vec![],
        approval_pin: None,
    }
}

fn errors_of(ids_req: (&Catalog, PlaceOrderRequest)) -> Vec<(String, String)> {
    match price_order(ids_req.0, tax(), &ids_req.1) {
        Ok(_) => vec![],
        Err(e) => e.into_errors().into_iter().map(|f| (f.field, f.message)).collect(),
    }
}

fn large_oat_latte(ids: &Ids) -> LineRequest {
    line(ids.latte, 2, vec![ids.large, ids.oat, ids.vanilla])
}

#[test]
fn prices_a_latte_and_croissant_from_the_menu() {
    let (catalog, ids) = catalog();
    let order = price_order(&catalog, tax(), &request(vec![large_oat_latte(&ids), line(ids.croissant, 1, vec![])]))
        .expect("valid order");
    assert_eq!(order.lines[0].unit_price.minor(), 475 + 100 + 60 + 50);
    assert_eq!(order.lines[0].line_total.minor(), 2 * 685);
    let groups: Vec<&str> = order.lines[0].options.iter().map(|o| o.group_name.as_str()).collect();
    assert_eq!(groups, ["Size", "Milk", "Syrup"]);
    assert_eq!(order.totals.subtotal.minor(), 1370 + 375);
    assert_eq!(order.totals.tax.minor(), 153); // 8.75 % of 17.45 = 1.526875
    assert_eq!(order.totals.total.minor(), 1745 + 153);
}

#[test]
fn every_rule_names_its_field() {
    let (catalog, ids) = catalog();
    let cases: Vec<(PlaceOrderRequest, &str, &str)> = vec![
        (request(vec![]), "lines", "at least one line"),
        (request(vec![line(Uuid::from_u128(999), 1, vec![])]), "lines[0].item_id", "no such item"),
        (request(vec![line(ids.muffin, 1, vec![])]), "lines[0].item_id", "sold out"),
        (request(vec![line(ids.latte, 1, vec![])]), "lines[0].options", "\"Size\" needs exactly 1 choice, got 0"),
        (request(vec![line(ids.latte, 1, vec![ids.small, ids.large])]), "lines[0].options", "needs exactly 1"),
        (
            request(vec![line(ids.croissant, 1, vec![]), line(ids.latte, 1, vec![ids.small, Uuid::from_u128(998)])]),
            "lines[1].option_ids[1]",
            "no such option",
        ),
        (request(vec![line(ids.latte, 1, vec![ids.small, ids.soy])]), "lines[0].option_ids[1]", "sold out"),
        (request(vec![line(ids.croissant, 1, vec![ids.oat])]), "lines[0].option_ids[0]", "not offered for Croissant"),
        (
            request(vec![line(ids.latte, 1, vec![ids.orphan_option, ids.small])]),
            "lines[0].option_ids[0]",
            "not offered",
        ),
        (request(vec![line(ids.latte, 1, vec![ids.small, ids.small])]), "lines[0].option_ids[1]", "twice"),
        (request(vec![line(ids.croissant, 0, vec![])]), "lines[0].quantity", "between 1 and 99"),
        (request(vec![line(ids.croissant, 100, vec![])]), "lines[0].quantity", "between 1 and 99"),
        (
            request(vec![LineRequest {
                item_id: ids.croissant,
                quantity: 1,
                option_ids: vec![],
                note: Some("x".repeat(141)),
            }]),
            "lines[0].note",
            "at most 140",
        ),
        (
            PlaceOrderRequest { customer_name: " ".into(), ..request(vec![line(ids.croissant, 1, vec![])]) },
            "customer_name",
            "empty",
        ),
        (
            PlaceOrderRequest { customer_email: Some("nope".into()), ..request(vec![line(ids.croissant, 1, vec![])]) },
            "customer_email",
            "email",
        ),
        (
            PlaceOrderRequest {
                payment: Some(PaymentRequest {
                    method: PaymentMethod::Cash,
                    tendered_cents: Some(100),
                    approval_code: None,
                    print_receipt: None,
                    tip_cents: None,
                    tip_percent_bps: None,
                    amount_cents: None,
                    part_cents: None,
                }),
                ..request(vec![line(ids.croissant, 1, vec![])])
            },
            "payment.tendered_cents",
            "at least the total 4.08",
        ),
    ];
    for (req, field, message) in cases {
        let errors = errors_of((&catalog, req));
        assert!(
            errors.iter().any(|(f, m)| f == field && m.contains(message)),
            "expected {field}: {message}, got {errors:?}"
        );
    }
}

#[test]
fn syrup_allows_up_to_two_not_three() {
    let (catalog, ids) = catalog();
    let ok = request(vec![line(ids.latte, 1, vec![ids.small, ids.vanilla, ids.caramel])]);
    assert!(price_order(&catalog, tax(), &ok).is_ok());
}

#[test]
fn cash_change_is_tendered_minus_total() {
    let (catalog, ids) = catalog();
    let req = PlaceOrderRequest {
        payment: Some(PaymentRequest {
            method: PaymentMethod::Cash,
            tendered_cents: Some(500),
            approval_code: None,
            print_receipt: None,
            tip_cents: None,
            tip_percent_bps: None,
            amount_cents: None,
            part_cents: None,
        }),
        ..request(vec![line(ids.croissant, 1, vec![])])
    };
    let order = price_order(&catalog, tax(), &req).expect("valid");
    assert_eq!(order.payment.and_then(|p| p.cash()).map(|p| p.change.minor()), Some(500 - 408));
}

#[test]
fn a_tip_is_added_after_tax_and_cash_must_cover_it() {
    let (catalog, ids) = catalog();
    let paid = |tendered: i64| PlaceOrderRequest {
        payment: Some(PaymentRequest {
            method: PaymentMethod::Cash,
            tendered_cents: Some(tendered),
            approval_code: None,
            print_receipt: None,
            tip_cents: None,
            tip_percent_bps: Some(1500),
            amount_cents: None,
            part_cents: None,
        }),
        ..request(vec![line(ids.croissant, 1, vec![])])
    };
    // 4.08 with tax; 15 % of it is 0.612 -> 0.61; the total is 4.69.
    let order = price_order(&catalog, tax(), &paid(500)).expect("valid");
    assert_eq!((order.totals.tip.minor(), order.totals.total.minor()), (61, 469));
    assert_eq!(order.payment.and_then(|p| p.cash()).map(|p| p.change.minor()), Some(31));
    let short = price_order(&catalog, tax(), &paid(450)).expect_err("the tip is not covered");
    assert_eq!(short.errors()[0].field, "payment.tendered_cents");
}
