//! The payment half of the lifecycle: paying at the till (at once or in parts, with a tip),
//! the card gateway's steps (authorize, adjust the tip, capture, void), refunds, and what a
//! cancel gives back.
//!
//! A part pays some of what is due and tips on that part; the payment that pays the rest
//! makes the order `captured` and, if the shop kept it from the kitchen until paid, sends it
//! there. A gateway authorization sends a held order to the kitchen too: the capture follows
//! when the order is finished. Refunds give back at most what was taken.

use super::{OrderCommand, OrderEvent, OrderState, TransitionError};
use crate::money::Money;
use crate::status::{OrderStatus, PaymentMethod, PaymentStatus};
use crate::tip::{percent_of, Tip};

/// The payment commands (the caller has handled the kitchen's); `illegal` names the refusal
/// for the order's status.
pub(super) fn decide(
    state: &OrderState,
    command: &OrderCommand,
    illegal: impl Fn() -> TransitionError,
) -> Result<Vec<OrderEvent>, TransitionError> {
    match command {
        OrderCommand::PayCash { tendered, tip, part } => {
            pay(state, PaymentMethod::Cash, Some(*tendered), *tip, *part, illegal)
        }
        OrderCommand::PayCardAtTerminal { tip, part, .. } => {
            pay(state, PaymentMethod::Card, None, *tip, *part, illegal)
        }
        OrderCommand::RecordAuthorization { reference } => match state.payment_status {
            PaymentStatus::Unpaid => {
                let mut events =
                    vec![OrderEvent::PaymentAuthorized { amount: state.total, reference: reference.clone() }];
                events.extend(to_kitchen(state));
                Ok(events)
            }
            other => Err(TransitionError::PaymentState(other, "authorized")),
        },
        OrderCommand::RecordDecline { reason } => match state.payment_status {
            PaymentStatus::Unpaid => Ok(vec![OrderEvent::PaymentFailed { reason: reason.clone() }]),
            other => Err(TransitionError::PaymentState(other, "declined")),
        },
        OrderCommand::AdjustTip { tip, limit_bps } => {
            if state.status == OrderStatus::Cancelled {
                return Err(illegal());
            }
            if state.payment_status != PaymentStatus::Authorized {
                return Err(TransitionError::PaymentState(state.payment_status, "given a new tip before capture"));
            }
            let before_tip = state.total - state.tip;
            let limit = percent_of(before_tip, (*limit_bps).min(crate::tip::MAX_TIP_BPS));
            let beyond = TransitionError::TipBeyondLimit { max: limit };
            let new = tip.on(before_tip).map_err(|_| beyond.clone())?;
            if new > limit {
                return Err(beyond);
            }
            Ok(vec![OrderEvent::TipAdjusted { tip: new, previous: state.tip }])
        }
        OrderCommand::RecordCapture => match state.payment_status {
            PaymentStatus::Authorized => Ok(vec![OrderEvent::PaymentCaptured {
                method: PaymentMethod::Card,
                amount: state.total,
                tendered: state.total,
                change: Money::ZERO,
                tip: Money::ZERO,
            }]),
            other => Err(TransitionError::PaymentState(other, "captured")),
        },
        OrderCommand::RecordVoid => match state.payment_status {
            PaymentStatus::Authorized => Ok(vec![OrderEvent::PaymentVoided { amount: state.total }]),
            other => Err(TransitionError::PaymentState(other, "voided")),
        },
        OrderCommand::RecordRefund { amount } => {
            if !matches!(state.payment_status, PaymentStatus::Captured | PaymentStatus::PartlyPaid) {
                return Err(TransitionError::PaymentState(state.payment_status, "refunded"));
            }
            let max = state.paid - state.refunded;
            if amount.minor() <= 0 || *amount > max {
                return Err(TransitionError::RefundTooLarge { max });
            }
            let method = state.payment_method.unwrap_or(PaymentMethod::Cash);
            Ok(vec![OrderEvent::PaymentRefunded { method, amount: *amount }])
        }
        OrderCommand::Accept
        | OrderCommand::StartLine { .. }
        | OrderCommand::FinishLine { .. }
        | OrderCommand::Complete
        | OrderCommand::Cancel { .. }
        | OrderCommand::VoidLine { .. } => Err(illegal()),
    }
}

/// Money taken at the till: all that is due, or a part of it, with a tip on what it pays.
fn pay(
    state: &OrderState,
    method: PaymentMethod,
    tendered: Option<Money>,
    tip: Tip,
    part: Option<Money>,
    illegal: impl Fn() -> TransitionError,
) -> Result<Vec<OrderEvent>, TransitionError> {
    if state.status == OrderStatus::Cancelled {
        return Err(illegal());
    }
    if !matches!(state.payment_status, PaymentStatus::Unpaid | PaymentStatus::PartlyPaid) {
        return Err(TransitionError::AlreadyPaid(state.payment_status));
    }
    let due = state.due();
    let part = match part {
        None => due,
        Some(p) if p.minor() > 0 && p <= due => p,
        Some(_) => return Err(TransitionError::PartTooLarge { max: due }),
    };
    let tip = tip.on(part).map_err(|max| TransitionError::TipTooLarge { max })?;
    let amount = part + tip;
    let tendered = tendered.unwrap_or(amount);
    if tendered < amount {
        return Err(TransitionError::InsufficientTender { tendered, total: amount });
    }
    let mut events = vec![OrderEvent::PaymentCaptured { method, amount, tendered, change: tendered - amount, tip }];
    if part == due {
        events.extend(to_kitchen(state));
    }
    Ok(events)
}

/// A held order goes to the kitchen once paid (or authorized).
fn to_kitchen(state: &OrderState) -> Option<OrderEvent> {
    (state.held && state.status == OrderStatus::Placed).then_some(OrderEvent::SentToKitchen)
}

/// What a cancel gives back at the till: everything taken there and not yet refunded. A
/// gateway authorization (never captured before the order is ready) is voided by the saga.
pub(super) fn given_back_on_cancel(state: &OrderState) -> Option<OrderEvent> {
    let taken = state.paid - state.refunded;
    let at_till = matches!(state.payment_status, PaymentStatus::Captured | PaymentStatus::PartlyPaid);
    (at_till && taken.minor() > 0).then(|| OrderEvent::PaymentRefunded {
        method: state.payment_method.unwrap_or(PaymentMethod::Cash),
        amount: taken,
    })
}

/// Moves `state` by a payment event.
pub(super) fn apply(state: &mut OrderState, event: &OrderEvent) {
    match event {
        OrderEvent::PaymentAuthorized { .. } => {
            state.payment_status = PaymentStatus::Authorized;
            state.payment_method = Some(PaymentMethod::Card);
        }
        OrderEvent::PaymentCaptured { method, amount, tip, .. } => {
            state.total = state.total + *tip;
            state.tip = state.tip + *tip;
            state.paid = if state.payment_status == PaymentStatus::Authorized { *amount } else { state.paid + *amount };
            state.payment_status =
                if state.paid >= state.total { PaymentStatus::Captured } else { PaymentStatus::PartlyPaid };
            state.payment_method = Some(*method);
        }
        OrderEvent::TipAdjusted { tip, previous } => {
            state.total = state.total - *previous + *tip;
            state.tip = *tip;
        }
        OrderEvent::PaymentVoided { .. } => state.payment_status = PaymentStatus::Voided,
        OrderEvent::PaymentRefunded { amount, .. } => {
            state.refunded = state.refunded + *amount;
            // A tab refunded while partly paid stays partly paid: its sales were never counted.
            if state.payment_status == PaymentStatus::Captured && state.refunded >= state.total {
                state.payment_status = PaymentStatus::Refunded;
            }
        }
        OrderEvent::PaymentFailed { .. }
        | OrderEvent::Accepted
        | OrderEvent::LineStarted { .. }
        | OrderEvent::LineDone { .. }
        | OrderEvent::Ready
        | OrderEvent::Completed
        | OrderEvent::Cancelled { .. }
        | OrderEvent::LineVoided { .. }
        | OrderEvent::SentToKitchen => {}
    }
}

#[cfg(test)]
mod tests;
