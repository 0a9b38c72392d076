//! Every command against every order status, and every line command against every line status.

use super::*;
use crate::tip::Tip;
use OrderStatus::*;

const A: Uuid = Uuid::from_u128(1);
const B: Uuid = Uuid::from_u128(2);

fn state(status: OrderStatus, a: LineStatus, b: LineStatus) -> OrderState {
    OrderState {
        status,
        payment_status: PaymentStatus::Unpaid,
        payment_method: None,
        total: Money::from_minor(900),
        tip: Money::ZERO,
        paid: Money::ZERO,
        refunded: Money::ZERO,
        held: false,
        lines: vec![LineState { id: A, status: a }, LineState { id: B, status: b }],
    }
}

/// A plausible line state for each order status.
fn typical(status: OrderStatus) -> OrderState {
    use LineStatus::*;
    match status {
        Placed | Accepted => state(status, Queued, Queued),
        Preparing => state(status, Making, Queued),
        Ready | Completed => state(status, Done, Done),
        Cancelled => state(status, Queued, Queued),
    }
}

/// `s` paid in full.
fn captured(mut s: OrderState) -> OrderState {
    s.payment_status = PaymentStatus::Captured;
    s.paid = s.total;
    s
}

#[test]
fn order_level_commands_follow_the_table() {
    // (command, statuses where it is legal, resulting status)
    let table: Vec<(OrderCommand, Vec<OrderStatus>, OrderStatus)> = vec![
        (OrderCommand::Accept, vec![Placed], Accepted),
        (OrderCommand::Complete, vec![Ready], Completed),
        (OrderCommand::Cancel { reason: "left".into() }, vec![Placed, Accepted, Preparing], Cancelled),
    ];
    for (command, legal, to) in table {
        for from in OrderStatus::ALL {
            let result = handle(&typical(*from), &command);
            if legal.contains(from) {
                let (events, next) = result.unwrap_or_else(|e| panic!("{command:?} from {from}: {e}"));
                assert_eq!(next.status, to, "{command:?} from {from}");
                assert!(!events.is_empty());
            } else {
                assert_eq!(
                    result.map(|r| r.0),
                    Err(TransitionError::IllegalTransition { action: command.action(), current: *from }),
                    "{command:?} from {from} must be refused"
                );
            }
        }
    }
}

#[test]
fn start_line_is_legal_only_for_a_queued_line_of_an_accepted_or_preparing_order() {
    for from in OrderStatus::ALL {
        for line_status in LineStatus::ALL {
            let s = state(*from, *line_status, LineStatus::Queued);
            let result = decide(&s, &OrderCommand::StartLine { line_id: A });
            match (from, line_status) {
                (Accepted | Preparing, LineStatus::Queued) => {
                    assert_eq!(result, Ok(vec![OrderEvent::LineStarted { line_id: A }]));
                    let (_, next) = handle(&s, &OrderCommand::StartLine { line_id: A }).expect("legal");
                    assert_eq!(next.status, Preparing);
                    assert_eq!(next.lines[0].status, LineStatus::Making);
                }
                (Accepted | Preparing, current) => assert_eq!(
                    result,
                    Err(TransitionError::IllegalLineTransition { action: "start", line_id: A, current: *current })
                ),
                _ => assert!(matches!(result, Err(TransitionError::IllegalTransition { .. })), "{from} {line_status}"),
            }
        }
    }
}

#[test]
fn finish_line_is_legal_only_for_a_making_line_of_a_preparing_order() {
    for from in OrderStatus::ALL {
        for line_status in LineStatus::ALL {
            let s = state(*from, *line_status, LineStatus::Queued);
            let result = decide(&s, &OrderCommand::FinishLine { line_id: A });
            match (from, line_status) {
                (Preparing, LineStatus::Making) => {
                    assert_eq!(result, Ok(vec![OrderEvent::LineDone { line_id: A }]))
                }
                (Preparing, current) => assert_eq!(
                    result,
                    Err(TransitionError::IllegalLineTransition { action: "finish", line_id: A, current: *current })
                ),
                _ => assert!(matches!(result, Err(TransitionError::IllegalTransition { .. })), "{from} {line_status}"),
            }
        }
    }
}

#[test]
fn the_last_done_line_makes_the_order_ready() {
    let s = state(Preparing, LineStatus::Done, LineStatus::Making);
    let (events, next) = handle(&s, &OrderCommand::FinishLine { line_id: B }).expect("legal");
    assert_eq!(events, vec![OrderEvent::LineDone { line_id: B }, OrderEvent::Ready]);
    assert_eq!(next.status, Ready);
}

#[test]
fn a_whole_order_walks_the_happy_path() {
    let mut s = state(Placed, LineStatus::Queued, LineStatus::Queued);
    for command in [
        OrderCommand::Accept,
        OrderCommand::StartLine { line_id: A },
        OrderCommand::StartLine { line_id: B },
        OrderCommand::FinishLine { line_id: B },
        OrderCommand::FinishLine { line_id: A },
        OrderCommand::Complete,
    ] {
        s = handle(&s, &command).expect("legal").1;
    }
    assert_eq!(s.status, Completed);
}

#[test]
fn unknown_line_is_named() {
    let s = state(Preparing, LineStatus::Making, LineStatus::Queued);
    let ghost = Uuid::from_u128(9);
    assert_eq!(decide(&s, &OrderCommand::StartLine { line_id: ghost }), Err(TransitionError::UnknownLine(ghost)));
    assert_eq!(decide(&s, &OrderCommand::FinishLine { line_id: ghost }), Err(TransitionError::UnknownLine(ghost)));
}

#[test]
fn cash_payment_rules() {
    let pay = |tendered| OrderCommand::PayCash { tendered: Money::from_minor(tendered), tip: Tip::None, part: None };
    for from in OrderStatus::ALL {
        let s = typical(*from);
        let result = handle(&s, &pay(1000));
        if *from == Cancelled {
            assert!(matches!(result, Err(TransitionError::IllegalTransition { .. })));
        } else {
            let (events, next) = result.expect("legal");
            assert_eq!(next.payment_status, PaymentStatus::Captured);
            assert!(matches!(events[0], OrderEvent::PaymentCaptured { change, .. } if change.minor() == 100));
        }
    }
    let paid = captured(typical(Placed));
    assert_eq!(decide(&paid, &pay(1000)), Err(TransitionError::AlreadyPaid(PaymentStatus::Captured)));
    assert!(matches!(decide(&typical(Placed), &pay(899)), Err(TransitionError::InsufficientTender { .. })));
}

#[test]
fn cancelling_a_paid_order_refunds_it() {
    let s = captured(typical(Accepted));
    let (events, next) = handle(&s, &OrderCommand::Cancel { reason: "left".into() }).expect("legal");
    assert_eq!(events.len(), 2);
    assert_eq!(next.payment_status, PaymentStatus::Refunded);
    assert_eq!(next.status, Cancelled);
}

#[test]
fn the_card_saga_authorizes_captures_voids_and_refunds_in_order() {
    let mut s = typical(Placed);
    // Capture, void and refund need an authorization or capture first.
    for command in [
        OrderCommand::RecordCapture,
        OrderCommand::RecordVoid,
        OrderCommand::RecordRefund { amount: Money::from_minor(1) },
    ] {
        assert!(
            matches!(decide(&s, &command), Err(TransitionError::PaymentState(PaymentStatus::Unpaid, _))),
            "{command:?}"
        );
    }
    let declined = handle(&s, &OrderCommand::RecordDecline { reason: "insufficient funds".into() }).expect("legal");
    assert_eq!(declined.1.payment_status, PaymentStatus::Unpaid, "a decline leaves the order unpaid");
    s = handle(&s, &OrderCommand::RecordAuthorization { reference: "auth_1".into() }).expect("legal").1;
    assert_eq!((s.payment_status, s.payment_method), (PaymentStatus::Authorized, Some(PaymentMethod::Card)));
    assert!(matches!(
        decide(&s, &OrderCommand::PayCash { tendered: Money::from_minor(900), tip: Tip::None, part: None }),
        Err(TransitionError::AlreadyPaid(_))
    ));
    let voided = handle(&s, &OrderCommand::RecordVoid).expect("legal").1;
    assert_eq!(voided.payment_status, PaymentStatus::Voided);
    s = handle(&s, &OrderCommand::RecordCapture).expect("legal").1;
    assert_eq!(s.payment_status, PaymentStatus::Captured);
    // Cancelling an authorized (not captured) order leaves the void to the saga.
    let authorized =
        handle(&typical(Placed), &OrderCommand::RecordAuthorization { reference: "a".into() }).expect("legal").1;
    let (events, _) = handle(&authorized, &OrderCommand::Cancel { reason: "left".into() }).expect("legal");
    assert_eq!(events, vec![OrderEvent::Cancelled { reason: "left".into() }]);
    // Partial refunds add up; more than is left is refused.
    s = handle(&s, &OrderCommand::RecordRefund { amount: Money::from_minor(400) }).expect("legal").1;
    assert_eq!((s.payment_status, s.refunded.minor()), (PaymentStatus::Captured, 400));
    assert_eq!(
        decide(&s, &OrderCommand::RecordRefund { amount: Money::from_minor(501) }),
        Err(TransitionError::RefundTooLarge { max: Money::from_minor(500) })
    );
    s = handle(&s, &OrderCommand::RecordRefund { amount: Money::from_minor(500) }).expect("legal").1;
    assert_eq!(s.payment_status, PaymentStatus::Refunded);
}

#[test]
fn a_terminal_approval_captures_at_once() {
    let (events, next) = handle(
        &typical(Placed),
        &OrderCommand::PayCardAtTerminal { approval_code: "A1B2C3".into(), tip: Tip::None, part: None },
    )
    .expect("legal");
    assert!(
        matches!(events[0], OrderEvent::PaymentCaptured { method: PaymentMethod::Card, change, .. } if change == Money::ZERO)
    );
    assert_eq!(next.payment_status, PaymentStatus::Captured);
}

#[test]
fn a_tip_added_when_paying_later_grows_the_total_and_the_cash_must_cover_it() {
    let s = typical(Placed);
    let total = s.total;
    let tip = Tip::Percent(1_000);
    let ten_percent = crate::tip::percent_of(total, 1_000);
    let (events, after) =
        handle(&s, &OrderCommand::PayCash { tendered: total + ten_percent, tip, part: None }).expect("covered");
    assert!(
        matches!(events[0], OrderEvent::PaymentCaptured { tip, change, .. } if tip == ten_percent && change == Money::ZERO)
    );
    assert_eq!(after.total, total + ten_percent, "refunds may give the tip back too");
    assert!(matches!(
        decide(&s, &OrderCommand::PayCash { tendered: total, tip, part: None }),
        Err(TransitionError::InsufficientTender { .. })
    ));
    let too_much = Tip::Amount(total + Money::from_minor(1));
    assert!(matches!(
        decide(&s, &OrderCommand::PayCardAtTerminal { approval_code: "A1".into(), tip: too_much, part: None }),
        Err(TransitionError::TipTooLarge { .. })
    ));
    let (events, after) = handle(
        &s,
        &OrderCommand::PayCardAtTerminal {
            approval_code: "A1".into(),
            tip: Tip::Amount(Money::from_minor(50)),
            part: None,
        },
    )
    .expect("legal");
    assert!(matches!(events[0], OrderEvent::PaymentCaptured { amount, .. } if amount == total + Money::from_minor(50)));
    assert_eq!(after.total, total + Money::from_minor(50));
}

#[test]
fn a_void_takes_a_line_off_an_order_not_yet_paid_in_full() {
    let void = |line_id, total| OrderCommand::VoidLine {
        line_id,
        reason: "wrong key".into(),
        total: Money::from_minor(total),
    };
    // The other line done, this one still making: voiding it makes the order ready.
    let s = state(Preparing, LineStatus::Making, LineStatus::Done);
    let (events, after) = handle(&s, &void(A, 500)).expect("legal");
    assert_eq!(events[1], OrderEvent::Ready);
    assert_eq!((after.lines[0].status, after.total.minor(), after.status), (LineStatus::Voided, 500, Ready));
    // Not twice, not started, not once ready or paid, never below what is paid.
    let voided = handle(&state(Accepted, LineStatus::Queued, LineStatus::Queued), &void(A, 500)).expect("legal").1;
    assert!(matches!(decide(&voided, &void(A, 500)), Err(TransitionError::IllegalLineTransition { .. })));
    assert!(matches!(
        decide(&voided, &OrderCommand::StartLine { line_id: A }),
        Err(TransitionError::IllegalLineTransition { .. })
    ));
    assert!(matches!(decide(&typical(Ready), &void(A, 500)), Err(TransitionError::IllegalTransition { .. })));
    assert!(matches!(decide(&captured(typical(Placed)), &void(A, 500)), Err(TransitionError::PaymentState(..))));
    let mut part_paid = typical(Placed);
    part_paid.payment_status = PaymentStatus::PartlyPaid;
    part_paid.paid = Money::from_minor(600);
    assert_eq!(decide(&part_paid, &void(A, 599)), Err(TransitionError::VoidBelowPaid { paid: Money::from_minor(600) }));
    assert!(decide(&part_paid, &void(A, 600)).is_ok());
}
