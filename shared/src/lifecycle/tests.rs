//! Every command against every order status, and every line command against every line status.

use super::*;
use OrderStatus::*;

const A: Uuid = Uuid::from_u128(1);
const B: Uuid = Uuid::from_u128(2);

fn state(status: OrderStatus, a: LineStatus, b: LineStatus) -> OrderState {
    OrderState {
        status,
        payment_status: PaymentStatus::Unpaid,
        total: Money::from_minor(900),
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
    let pay = |tendered| OrderCommand::PayCash { tendered: Money::from_minor(tendered) };
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
    let mut paid = typical(Placed);
    paid.payment_status = PaymentStatus::Captured;
    assert_eq!(decide(&paid, &pay(1000)), Err(TransitionError::AlreadyPaid(PaymentStatus::Captured)));
    assert!(matches!(decide(&typical(Placed), &pay(899)), Err(TransitionError::InsufficientTender { .. })));
}

#[test]
fn cancelling_a_paid_order_refunds_it() {
    let mut s = typical(Accepted);
    s.payment_status = PaymentStatus::Captured;
    let (events, next) = handle(&s, &OrderCommand::Cancel { reason: "left".into() }).expect("legal");
    assert_eq!(events.len(), 2);
    assert_eq!(next.payment_status, PaymentStatus::Refunded);
    assert_eq!(next.status, Cancelled);
}
