use super::*;
use proptest::prelude::*;

fn order(method: Option<PaymentMethod>, payment: PaymentStatus, total: i64, refunded: i64) -> OrderMoney {
    OrderMoney {
        status: OrderStatus::Completed,
        payment_status: payment,
        method,
        subtotal: Money::from_minor(total * 100 / 109),
        discount: Money::ZERO,
        tax: Money::from_minor(total - total * 100 / 109),
        tip: Money::ZERO,
        total: Money::from_minor(total),
        refunded: Money::from_minor(refunded),
        staff: Some("Casey".into()),
        tenders: vec![],
        voided_lines: 0,
        voided_lines_total: Money::ZERO,
    }
}

#[test]
fn a_small_day_adds_up_and_the_drawer_is_short_by_what_is_missing() {
    let mut cancelled = order(Some(PaymentMethod::Cash), PaymentStatus::Refunded, 500, 500);
    cancelled.status = OrderStatus::Cancelled;
    let mut tipped = order(Some(PaymentMethod::Card), PaymentStatus::Captured, 1_200, 0);
    tipped.tip = Money::from_minor(150);
    let orders = [
        order(Some(PaymentMethod::Cash), PaymentStatus::Captured, 924, 0),
        order(Some(PaymentMethod::Cash), PaymentStatus::Captured, 400, 100),
        tipped,
        cancelled,
        order(None, PaymentStatus::Unpaid, 300, 0),
    ];
    let movements = [
        Movement { kind: MovementKind::PaidIn, amount: Money::from_minor(1_000) },
        Movement { kind: MovementKind::PaidOut, amount: Money::from_minor(350) },
    ];
    let drawer = DrawerState { float: Money::from_minor(10_000), counted: Some(Money::from_minor(11_370)) };
    let report = summarize("Z", "2026-12-04", "USD", &orders, Some(drawer), &movements);
    assert_eq!(report.paid_orders, 4);
    assert_eq!(report.collected_cents, 924 + 400 + 1_200 + 500);
    assert_eq!(report.refunds_cents, 600);
    assert_eq!(report.tips_cents, 150);
    assert_eq!((report.voids, report.voids_cents), (1, 500));
    assert_eq!(report.unpaid, 1);
    assert_eq!(
        report.tenders[0],
        TenderTotals { method: PaymentMethod::Cash, orders: 3, collected_cents: 1_824, refunded_cents: 600 }
    );
    assert_eq!(report.tips_by_staff, [StaffTips { staff: "Casey".into(), tips_cents: 150 }]);
    let d = report.drawer.as_ref().expect("drawer");
    // 100.00 + 18.24 − 6.00 + 10.00 − 3.50 = 118.74; counted 113.70: short 5.04.
    assert_eq!(d.expected_cents, 11_874);
    assert_eq!(d.over_short_cents, Some(-504));
    let csv = csv(&report);
    assert!(csv.contains("Short,-5.04\n") && csv.contains("Expected in drawer,118.74\n"), "{csv}");
    let lines = print_lines(&report, "Crema Demo Coffee");
    assert!(lines.iter().any(|l| l.bold && l.text.starts_with("Short") && l.text.ends_with("-5.04")));
}

#[test]
fn a_tab_paid_in_part_is_in_the_drawer_and_the_tenders_but_not_yet_in_the_sales() {
    let mut tab = order(Some(PaymentMethod::Cash), PaymentStatus::PartlyPaid, 1_000, 0);
    tab.status = OrderStatus::Preparing;
    tab.tenders = vec![(PaymentMethod::Cash, Money::from_minor(400)), (PaymentMethod::Card, Money::from_minor(250))];
    // A tab cancelled after a part: its cash went back.
    let mut walked = order(Some(PaymentMethod::Cash), PaymentStatus::PartlyPaid, 800, 300);
    walked.status = OrderStatus::Cancelled;
    walked.tenders = vec![(PaymentMethod::Cash, Money::from_minor(300))];
    let mut voided = order(Some(PaymentMethod::Cash), PaymentStatus::Captured, 500, 0);
    (voided.voided_lines, voided.voided_lines_total) = (1, Money::from_minor(375));
    let orders = [voided, tab, walked];
    let drawer = DrawerState { float: Money::from_minor(10_000), counted: None };
    let report = summarize("X", "2026-12-04", "USD", &orders, Some(drawer), &[]);
    assert_eq!((report.paid_orders, report.collected_cents), (1, 500), "only the paid order is a sale");
    assert_eq!((report.part_paid, report.part_paid_cents), (1, 650));
    assert_eq!(report.unpaid, 1);
    assert_eq!(report.voids, 1);
    let cash = &report.tenders[0];
    assert_eq!((cash.orders, cash.collected_cents, cash.refunded_cents), (3, 500 + 400 + 300, 300));
    assert_eq!(report.tenders[1].collected_cents, 250);
    // 100.00 + 5.00 + 4.00 (+ 3.00 taken and given back).
    assert_eq!(report.drawer.as_ref().map(|d| d.expected_cents), Some(10_900));
    assert!(csv(&report).contains("Tabs part paid (1 open),6.50\n"));
    assert_eq!((report.line_voids, report.line_voids_cents), (1, 375));
    assert!(csv(&report).contains("Line voids (1 lines),3.75\n"));
}

fn orders() -> impl Strategy<Value = Vec<OrderMoney>> {
    let one = (0u8..4, 0u8..3, 0i64..100_000, 0i64..100, 0i64..5_000, 0u8..3, any::<bool>()).prop_map(
        |(status, payment, total, refund_share, tip, staff, split)| {
            let payment_status =
                [PaymentStatus::Unpaid, PaymentStatus::Captured, PaymentStatus::Refunded][payment as usize];
            let method = match payment_status {
                PaymentStatus::Unpaid => None,
                _ if total % 2 == 0 => Some(PaymentMethod::Cash),
                _ => Some(PaymentMethod::Card),
            };
            let mut o = order(method, payment_status, total, 0);
            o.status = [OrderStatus::Placed, OrderStatus::Ready, OrderStatus::Completed, OrderStatus::Cancelled]
                [status as usize];
            o.refunded = if method.is_some() { Money::from_minor(total * refund_share / 100) } else { Money::ZERO };
            o.tip = Money::from_minor(tip.min(total));
            o.discount = Money::from_minor(total / 10);
            o.staff = ["Ana", "Ben", "Cy"].get(staff as usize).map(|s| (*s).to_string());
            if split && method.is_some() {
                // Cash for a third, a card for the rest.
                let cash = Money::from_minor(total / 3);
                o.tenders = vec![(PaymentMethod::Cash, cash), (PaymentMethod::Card, o.total - cash)];
            }
            o
        },
    );
    prop::collection::vec(one, 0..40)
}

fn movements() -> impl Strategy<Value = Vec<Movement>> {
    prop::collection::vec(
        (any::<bool>(), 1i64..100_000).prop_map(|(paid_in, cents)| Movement {
            kind: if paid_in { MovementKind::PaidIn } else { MovementKind::PaidOut },
            amount: Money::from_minor(cents),
        }),
        0..10,
    )
}

proptest! {
    /// The report is the orders and movements added up, to the cent: tenders add up to the
    /// whole, the drawer holds float + cash in − cash out, and over/short is counted − expected.
    #[test]
    fn the_close_is_the_orders_added_up(
        orders in orders(), movements in movements(), float in 0i64..1_000_000, counted in 0i64..10_000_000,
    ) {
        let drawer = DrawerState { float: Money::from_minor(float), counted: Some(Money::from_minor(counted)) };
        let r = summarize("Z", "2026-12-04", "USD", &orders, Some(drawer), &movements);
        let paid: Vec<&OrderMoney> = orders.iter().filter(|o| o.payment_status != PaymentStatus::Unpaid).collect();
        prop_assert_eq!(r.collected_cents, paid.iter().map(|o| o.total.minor()).sum::<i64>());
        prop_assert_eq!(r.tenders.iter().map(|t| t.collected_cents).sum::<i64>(), r.collected_cents);
        prop_assert_eq!(r.tenders.iter().map(|t| t.refunded_cents).sum::<i64>(), r.refunds_cents);
        prop_assert_eq!(r.tips_by_staff.iter().map(|t| t.tips_cents).sum::<i64>(), r.tips_cents);
        prop_assert_eq!(r.net_sales_cents, r.gross_sales_cents - r.discounts_cents);
        // Cash kept per order: all of a cash order; of a split (cash first, then the card),
        // its cash part less what the card part could not give back.
        let cash_kept = |o: &OrderMoney| -> i64 {
            match o.tenders.as_slice() {
                [] if o.method == Some(PaymentMethod::Cash) => o.total.minor() - o.refunded.minor(),
                [] => 0,
                [(_, cash), (_, card)] => cash.minor() - (o.refunded.minor() - card.minor()).clamp(0, cash.minor()),
                _ => unreachable!("the generator splits in two"),
            }
        };
        let moved = |k: MovementKind| movements.iter().filter(|m| m.kind == k).map(|m| m.amount.minor()).sum::<i64>();
        let expected = float + paid.iter().map(|o| cash_kept(o)).sum::<i64>()
            + moved(MovementKind::PaidIn) - moved(MovementKind::PaidOut);
        let d = r.drawer.clone().expect("drawer");
        prop_assert_eq!(d.expected_cents, expected);
        prop_assert_eq!(d.over_short_cents, Some(counted - expected));
        for line in print_lines(&r, "Crema") {
            prop_assert!(line.text.chars().count() <= line.width());
        }
        prop_assert_eq!(csv(&r).lines().count(), figures(&r).len() + 4);
    }

    #[test]
    fn the_close_does_not_depend_on_the_order_of_orders(orders in orders(), movements in movements()) {
        let mut reversed = orders.clone();
        reversed.reverse();
        let drawer = Some(DrawerState { float: Money::from_minor(5_000), counted: None });
        prop_assert_eq!(
            summarize("X", "2026-12-04", "USD", &orders, drawer, &movements),
            summarize("X", "2026-12-04", "USD", &reversed, drawer, &movements)
        );
    }
}
