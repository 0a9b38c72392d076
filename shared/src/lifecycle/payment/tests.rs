//! Tabs paid in parts, held tabs reaching the kitchen, a gateway card's tip before capture.

use super::super::*;
use proptest::prelude::*;

const LINE: Uuid = Uuid::from_u128(7);

fn tab(total: i64, held: bool) -> OrderState {
    OrderState {
        status: OrderStatus::Placed,
        payment_status: PaymentStatus::Unpaid,
        payment_method: None,
        total: Money::from_minor(total),
        tip: Money::ZERO,
        paid: Money::ZERO,
        refunded: Money::ZERO,
        held,
        lines: vec![LineState { id: LINE, status: crate::status::LineStatus::Queued }],
    }
}

fn cash(tendered: i64, part: Option<i64>, tip: Tip) -> OrderCommand {
    OrderCommand::PayCash { tendered: Money::from_minor(tendered), tip, part: part.map(Money::from_minor) }
}

#[test]
fn a_tab_paid_in_parts_shows_what_is_due_until_the_last_part() {
    let s = tab(1_000, false);
    let (events, s) = handle(&s, &cash(500, Some(400), Tip::Amount(Money::from_minor(40)))).expect("a part");
    assert_eq!(
        events,
        [OrderEvent::PaymentCaptured {
            method: PaymentMethod::Cash,
            amount: Money::from_minor(440),
            tendered: Money::from_minor(500),
            change: Money::from_minor(60),
            tip: Money::from_minor(40),
        }]
    );
    assert_eq!(
        (s.payment_status, s.paid.minor(), s.total.minor(), s.due().minor()),
        (PaymentStatus::PartlyPaid, 440, 1_040, 600)
    );
    // More than is due, nothing, or a negative part: refused by name.
    for part in [601, 0, -5] {
        assert_eq!(
            decide(&s, &cash(1_000, Some(part), Tip::None)),
            Err(TransitionError::PartTooLarge { max: Money::from_minor(600) })
        );
    }
    // The rest by card on the terminal, with a 10 % tip on that part.
    let card = OrderCommand::PayCardAtTerminal { approval_code: "A1".into(), tip: Tip::Percent(1_000), part: None };
    let (_, s) = handle(&s, &card).expect("the rest");
    assert_eq!(
        (s.payment_status, s.paid.minor(), s.total.minor(), s.due().minor()),
        (PaymentStatus::Captured, 1_100, 1_100, 0)
    );
    assert_eq!(decide(&s, &cash(100, None, Tip::None)), Err(TransitionError::AlreadyPaid(PaymentStatus::Captured)));
}

#[test]
fn a_cancelled_partly_paid_tab_gives_back_what_was_taken_and_stays_out_of_the_sales() {
    let (_, s) = handle(&tab(1_000, false), &cash(300, Some(300), Tip::None)).expect("a part");
    let refund = OrderCommand::RecordRefund { amount: Money::from_minor(301) };
    assert_eq!(decide(&s, &refund), Err(TransitionError::RefundTooLarge { max: Money::from_minor(300) }));
    let (events, after) = handle(&s, &OrderCommand::Cancel { reason: "walked out".into() }).expect("legal");
    assert_eq!(events[1], OrderEvent::PaymentRefunded { method: PaymentMethod::Cash, amount: Money::from_minor(300) });
    assert_eq!(
        (after.status, after.payment_status, after.refunded.minor()),
        (OrderStatus::Cancelled, PaymentStatus::PartlyPaid, 300)
    );
}

#[test]
fn a_held_tab_reaches_the_kitchen_only_when_paid() {
    let s = tab(1_000, true);
    assert_eq!(decide(&s, &OrderCommand::Accept), Err(TransitionError::AwaitingPayment));
    assert_eq!(decide(&s, &OrderCommand::StartLine { line_id: LINE }), Err(TransitionError::AwaitingPayment));
    let (events, s) = handle(&s, &cash(400, Some(400), Tip::None)).expect("a part");
    assert!(!events.contains(&OrderEvent::SentToKitchen), "a part does not send it");
    assert!(s.held);
    let (events, s) = handle(&s, &cash(600, None, Tip::None)).expect("the rest");
    assert_eq!(events.last(), Some(&OrderEvent::SentToKitchen));
    assert!(!s.held);
    assert!(handle(&s, &OrderCommand::Accept).is_ok());
    // A gateway card sends it once authorized (captured when the order is finished).
    let (events, s) =
        handle(&tab(1_000, true), &OrderCommand::RecordAuthorization { reference: "auth".into() }).expect("authorized");
    assert_eq!(events.last(), Some(&OrderEvent::SentToKitchen));
    assert!(!s.held);
}

#[test]
fn a_gateway_cards_tip_changes_before_capture_within_the_limit() {
    let adjust = |tip| OrderCommand::AdjustTip { tip, limit_bps: 2_500 };
    // Not before the card is authorized.
    assert_eq!(
        decide(&tab(1_000, false), &adjust(Tip::Percent(1_000))),
        Err(TransitionError::PaymentState(PaymentStatus::Unpaid, "given a new tip before capture"))
    );
    let (_, s) = handle(&tab(1_000, false), &OrderCommand::RecordAuthorization { reference: "a".into() }).expect("ok");
    let (events, s) = handle(&s, &adjust(Tip::Percent(2_000))).expect("within 25 %");
    assert_eq!(events, [OrderEvent::TipAdjusted { tip: Money::from_minor(200), previous: Money::ZERO }]);
    assert_eq!((s.tip.minor(), s.total.minor()), (200, 1_200));
    // Changed again: replaces, not adds.
    let (_, s) = handle(&s, &adjust(Tip::Amount(Money::from_minor(150)))).expect("lower");
    assert_eq!((s.tip.minor(), s.total.minor()), (150, 1_150));
    assert_eq!(
        decide(&s, &adjust(Tip::Amount(Money::from_minor(251)))),
        Err(TransitionError::TipBeyondLimit { max: Money::from_minor(250) })
    );
    // The capture takes the new total; after it the tip is fixed.
    let (events, s) = handle(&s, &OrderCommand::RecordCapture).expect("captured");
    assert!(matches!(events[0], OrderEvent::PaymentCaptured { amount, .. } if amount.minor() == 1_150));
    assert_eq!((s.payment_status, s.paid.minor()), (PaymentStatus::Captured, 1_150));
    assert!(matches!(decide(&s, &adjust(Tip::None)), Err(TransitionError::PaymentState(PaymentStatus::Captured, _))));
}

proptest! {
    /// However a tab is paid in parts (each with its own tip), the last part makes it
    /// captured, what was taken is the order plus the tips, the change is what was over, and
    /// at most what was taken can be given back.
    #[test]
    fn parts_add_up_to_the_order_and_its_tips(
        total in 1i64..20_000,
        parts in proptest::collection::vec((1i64..5_000, 0i64..500, 0i64..1_000), 1..6),
        held in any::<bool>(),
    ) {
        let mut s = tab(total, held);
        let mut tips = 0;
        let mut change = 0;
        for (part, tip, over) in parts {
            let part = part.min(s.due().minor());
            if part == 0 { break; }
            let tip = tip.min(part);
            let (events, next) = handle(&s, &cash(part + tip + over, Some(part), Tip::Amount(Money::from_minor(tip)))).expect("a valid part");
            if let OrderEvent::PaymentCaptured { change: c, .. } = events[0] { change += c.minor(); }
            tips += tip;
            s = next;
        }
        if s.due().minor() > 0 {
            prop_assert_eq!(s.payment_status, PaymentStatus::PartlyPaid);
            prop_assert_eq!(s.held, held);
            let (_, next) = handle(&s, &cash(s.due().minor(), None, Tip::None)).expect("the rest");
            s = next;
        }
        prop_assert_eq!(s.payment_status, PaymentStatus::Captured);
        prop_assert_eq!(s.paid.minor(), total + tips);
        prop_assert_eq!(s.total.minor(), total + tips);
        prop_assert!(change >= 0);
        prop_assert!(!s.held);
        let too_much = OrderCommand::RecordRefund { amount: s.paid + Money::from_minor(1) };
        prop_assert!(decide(&s, &too_much).is_err());
    }
}
