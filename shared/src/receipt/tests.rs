use super::*;
use crate::api::{LineOptionDto, OrderLineDto};
use crate::tax::TaxRate;
use crate::test_orders::{self, line};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

fn order(names: &[(&str, u32, i64)]) -> OrderDto {
    let lines: Vec<OrderLineDto> = names
        .iter()
        .map(|(name, quantity, total)| OrderLineDto {
            quantity: *quantity,
            unit_price_cents: total / i64::from((*quantity).max(1)),
            ..line(Uuid::nil(), name, *total)
        })
        .collect();
    let base = test_orders::order(lines);
    let subtotal = base.subtotal_cents;
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 8, 41, 0).single().expect("time");
    OrderDto {
        ticket_number: 42,
        ticket: "42".into(),
        payment_status: PaymentStatus::Captured,
        tax_cents: 74,
        total_cents: subtotal + 74,
        payment_method: Some(PaymentMethod::Cash),
        tendered_cents: Some(2000),
        change_due_cents: Some(2000 - subtotal - 74),
        created_at: at,
        updated_at: at,
        ..base
    }
}

fn shop<'a>(header: &'a str, footer: &'a str) -> ReceiptShop<'a> {
    ReceiptShop {
        name: "Crema",
        header,
        footer,
        tax: TaxPolicy { rate: TaxRate::try_from(875).expect("rate"), mode: TaxMode::Exclusive },
    }
}

fn local(order: &OrderDto) -> DateTime<FixedOffset> {
    order.created_at.with_timezone(&FixedOffset::east_opt(3600).expect("offset"))
}

fn texts(lines: &[PrintLine]) -> Vec<&str> {
    lines.iter().map(|l| l.text.as_str()).collect()
}

#[test]
fn a_cash_sale_reads_as_the_till_rang_it() {
    let mut sale = order(&[("Large oat latte", 1, 475), ("Croissant", 1, 375)]);
    sale.lines[0].options = vec![LineOptionDto {
        option_id: Uuid::nil(),
        group_name: "Milk".into(),
        name: "Oat".into(),
        price_delta_cents: 50,
    }];
    sale.lines[1].note = Some("warm\nplease".into());
    let lines = receipt_lines(&sale, &shop("12 Bean St", "Thank you!"), local(&sale));
    let text = texts(&lines);
    assert_eq!(text[0], "Crema");
    assert_eq!(text[1], "12 Bean St");
    assert!(text.contains(&"Ticket 42"));
    assert!(text.contains(&format!("Ada{}2026-12-04 09:41", " ".repeat(48 - 3 - 16)).as_str()));
    assert!(text.contains(&format!("1 x Large oat latte{}4.75", " ".repeat(48 - 19 - 4)).as_str()));
    assert!(text.contains(&"    + Oat"));
    assert!(text.contains(&"    \"warm please\""));
    assert!(text.contains(&format!("Tax 8.75%{}0.74", " ".repeat(48 - 9 - 4)).as_str()));
    let total = lines.iter().find(|l| l.text.starts_with("TOTAL")).expect("a total line");
    assert!(total.bold && total.text.ends_with("USD 9.24"));
    assert!(text.iter().any(|l| l.starts_with("Cash") && l.ends_with("20.00")));
    assert!(text.iter().any(|l| l.starts_with("Change") && l.ends_with("10.76")));
    assert_eq!(text.last(), Some(&"Thank you!"));
}

#[test]
fn an_unpaid_order_shows_what_is_due_and_inclusive_tax_is_named_so() {
    let mut sale = order(&[("Flat white", 2, 700)]);
    sale.payment_status = PaymentStatus::Unpaid;
    sale.payment_method = None;
    let mut vat = shop("", "");
    vat.tax = TaxPolicy { rate: TaxRate::try_from(2000).expect("rate"), mode: TaxMode::Inclusive };
    let text: Vec<String> = receipt_lines(&sale, &vat, local(&sale)).into_iter().map(|l| l.text).collect();
    assert!(text.iter().any(|l| l.starts_with("Due") && l.ends_with("7.74")));
    assert!(text.iter().any(|l| l.starts_with("Incl. tax 20%")));
    assert!(!text.iter().any(|l| l.starts_with("Cash")));
}

#[test]
fn headers_wrap_at_words_and_break_long_words() {
    assert_eq!(wrap("Open 7-19 every day\n\nWiFi: crema", 10), ["Open 7-19", "every day", "", "WiFi:", "crema"]);
    assert_eq!(wrap("abcdefghijklmnop", 6), ["abcdef", "ghijkl", "mnop"]);
    assert!(wrap("   \n  ", 48).is_empty());
}

proptest! {
    /// Whatever the names, notes and amounts: every line fits the paper, and the total is
    /// printed whole, exactly as the order has it.
    #[test]
    fn every_line_fits_and_the_total_is_never_cut(
        names in prop::collection::vec(("(?s).{0,80}", 1u32..100, 0i64..10_000_000_000), 1..8),
        customer in "(?s).{0,80}", header in "(?s).{0,200}", footer in "(.{0,30}\n){0,4}",
        tax in 0i64..1_000_000_000,
    ) {
        let names: Vec<(&str, u32, i64)> = names.iter().map(|(n, q, t)| (n.as_str(), *q, *t)).collect();
        let mut sale = order(&names);
        sale.customer_name = customer;
        sale.tax_cents = tax;
        sale.total_cents = sale.subtotal_cents + tax;
        let lines = receipt_lines(&sale, &shop(&header, &footer), local(&sale));
        for line in &lines {
            prop_assert!(line.text.chars().count() <= line.width(), "{:?} is wider than {}", line.text, line.width());
            prop_assert!(!line.text.chars().any(char::is_control), "{:?} holds a control character", line.text);
        }
        let total = format!("USD {}", Money::from_minor(sale.total_cents));
        prop_assert!(lines.iter().any(|l| l.text.starts_with("TOTAL") && l.text.ends_with(&total)));
    }
}
