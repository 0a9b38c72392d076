//! Which status changes an order may go through, as a pure function
//! `(state, command) -> Result<events, error>`, and how events move the state.
//!
//! Orders: `placed → accepted → preparing → ready → completed`; `cancelled` from any state
//! before `ready`. Lines: `queued → making → done`; the first started line moves an accepted
//! order to `preparing`, the last finished line makes it `ready`. Payment (cash, for now):
//! `unpaid → captured`, and a cancelled captured order is refunded at the till
//! (`captured → refunded`). An illegal command is a typed error, never a panic or a no-op.

use crate::money::Money;
use crate::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};
use crate::tip::Tip;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineState {
    pub id: Uuid,
    pub status: LineStatus,
}

/// What the rules need to know of an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderState {
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    /// How it is (being) paid, once known.
    pub payment_method: Option<PaymentMethod>,
    pub total: Money,
    /// Refunded so far (partial refunds add up).
    pub refunded: Money,
    pub lines: Vec<LineState>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderCommand {
    Accept,
    StartLine {
        line_id: Uuid,
    },
    FinishLine {
        line_id: Uuid,
    },
    Complete,
    Cancel {
        reason: String,
    },
    PayCash {
        tendered: Money,
        /// A tip added now (at most the order itself).
        tip: Tip,
    },
    /// A card paid on the shop's own terminal: the cashier records its approval code.
    PayCardAtTerminal {
        approval_code: String,
        tip: Tip,
    },
    /// The card gateway authorized the total (a step of the payment saga).
    RecordAuthorization {
        reference: String,
    },
    /// The card gateway declined.
    RecordDecline {
        reason: String,
    },
    /// The gateway captured the authorized amount.
    RecordCapture,
    /// The gateway released the authorization.
    RecordVoid,
    /// Money given back (cash at the till, or by the gateway); partial refunds add up.
    RecordRefund {
        amount: Money,
    },
}

impl OrderCommand {
    /// The verb used in error messages ("cannot accept an order that is ready").
    pub fn action(&self) -> &'static str {
        match self {
            OrderCommand::Accept => "accept",
            OrderCommand::StartLine { .. } => "start a line of",
            OrderCommand::FinishLine { .. } => "finish a line of",
            OrderCommand::Complete => "complete",
            OrderCommand::Cancel { .. } => "cancel",
            OrderCommand::PayCash { .. } | OrderCommand::PayCardAtTerminal { .. } => "take payment for",
            OrderCommand::RecordAuthorization { .. } | OrderCommand::RecordDecline { .. } => "authorize",
            OrderCommand::RecordCapture => "capture",
            OrderCommand::RecordVoid => "void",
            OrderCommand::RecordRefund { .. } => "refund",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderEvent {
    Accepted,
    LineStarted {
        line_id: Uuid,
    },
    LineDone {
        line_id: Uuid,
    },
    Ready,
    Completed,
    Cancelled {
        reason: String,
    },
    PaymentAuthorized {
        amount: Money,
        reference: String,
    },
    PaymentFailed {
        reason: String,
    },
    /// `amount` includes `tip`, a tip added with a payment taken later (zero otherwise: a tip
    /// given at placement is already in the order's total).
    PaymentCaptured {
        method: PaymentMethod,
        amount: Money,
        tendered: Money,
        change: Money,
        tip: Money,
    },
    PaymentVoided {
        amount: Money,
    },
    PaymentRefunded {
        method: PaymentMethod,
        amount: Money,
    },
}

impl OrderEvent {
    /// The CloudEvents `type`.
    pub fn event_type(&self) -> &'static str {
        use crate::events::types;
        match self {
            OrderEvent::Accepted => types::ORDER_ACCEPTED,
            OrderEvent::LineStarted { .. } => types::ORDER_LINE_STARTED,
            OrderEvent::LineDone { .. } => types::ORDER_LINE_DONE,
            OrderEvent::Ready => types::ORDER_READY,
            OrderEvent::Completed => types::ORDER_COMPLETED,
            OrderEvent::Cancelled { .. } => types::ORDER_CANCELLED,
            OrderEvent::PaymentAuthorized { .. } => types::PAYMENT_AUTHORIZED,
            OrderEvent::PaymentFailed { .. } => types::PAYMENT_FAILED,
            OrderEvent::PaymentVoided { .. } => types::PAYMENT_VOIDED,
            OrderEvent::PaymentCaptured { .. } => types::PAYMENT_CAPTURED,
            OrderEvent::PaymentRefunded { .. } => types::PAYMENT_REFUNDED,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("cannot {action} an order that is {current}")]
    IllegalTransition { action: &'static str, current: OrderStatus },
    #[error("the order has no line {0}")]
    UnknownLine(Uuid),
    #[error("cannot {action} a line that is {current}")]
    IllegalLineTransition { action: &'static str, line_id: Uuid, current: LineStatus },
    #[error("the order's payment is already {0}")]
    AlreadyPaid(PaymentStatus),
    #[error("tendered {tendered} is less than the total {total}")]
    InsufficientTender { tendered: Money, total: Money },
    #[error("the payment is {0}, so it cannot be {1}")]
    PaymentState(PaymentStatus, &'static str),
    #[error("at most {max} can still be refunded")]
    RefundTooLarge { max: Money },
    #[error("a tip is at most the order itself ({max})")]
    TipTooLarge { max: Money },
}

/// Decides what happens when `command` is given to an order in `state`.
pub fn decide(state: &OrderState, command: &OrderCommand) -> Result<Vec<OrderEvent>, TransitionError> {
    use OrderStatus::*;
    let illegal = || TransitionError::IllegalTransition { action: command.action(), current: state.status };
    match command {
        OrderCommand::Accept => match state.status {
            Placed => Ok(vec![OrderEvent::Accepted]),
            _ => Err(illegal()),
        },
        OrderCommand::StartLine { line_id } => {
            if !matches!(state.status, Accepted | Preparing) {
                return Err(illegal());
            }
            match line(state, *line_id)?.status {
                LineStatus::Queued => Ok(vec![OrderEvent::LineStarted { line_id: *line_id }]),
                current => Err(TransitionError::IllegalLineTransition { action: "start", line_id: *line_id, current }),
            }
        }
        OrderCommand::FinishLine { line_id } => {
            if state.status != Preparing {
                return Err(illegal());
            }
            match line(state, *line_id)?.status {
                LineStatus::Making => {
                    let others_done =
                        state.lines.iter().filter(|l| l.id != *line_id).all(|l| l.status == LineStatus::Done);
                    let mut events = vec![OrderEvent::LineDone { line_id: *line_id }];
                    if others_done {
                        events.push(OrderEvent::Ready);
                    }
                    Ok(events)
                }
                current => Err(TransitionError::IllegalLineTransition { action: "finish", line_id: *line_id, current }),
            }
        }
        OrderCommand::Complete => match state.status {
            Ready => Ok(vec![OrderEvent::Completed]),
            _ => Err(illegal()),
        },
        OrderCommand::Cancel { reason } => match state.status {
            Placed | Accepted | Preparing => {
                let mut events = vec![OrderEvent::Cancelled { reason: reason.clone() }];
                // Captured before the order was ready means paid at the till (cash, or the
                // shop's card terminal): it goes back there at once. A gateway authorization
                // (never captured before ready) is voided by the payment saga.
                if state.payment_status == PaymentStatus::Captured {
                    let method = state.payment_method.unwrap_or(PaymentMethod::Cash);
                    events.push(OrderEvent::PaymentRefunded { method, amount: state.total - state.refunded });
                }
                Ok(events)
            }
            _ => Err(illegal()),
        },
        OrderCommand::PayCash { tendered, tip } => {
            if state.status == Cancelled {
                return Err(illegal());
            }
            if state.payment_status != PaymentStatus::Unpaid {
                return Err(TransitionError::AlreadyPaid(state.payment_status));
            }
            let tip = tip.on(state.total).map_err(|max| TransitionError::TipTooLarge { max })?;
            let due = state.total + tip;
            if *tendered < due {
                return Err(TransitionError::InsufficientTender { tendered: *tendered, total: due });
            }
            Ok(vec![OrderEvent::PaymentCaptured {
                method: PaymentMethod::Cash,
                amount: due,
                tendered: *tendered,
                change: *tendered - due,
                tip,
            }])
        }
        OrderCommand::PayCardAtTerminal { tip, .. } => {
            if state.status == Cancelled {
                return Err(illegal());
            }
            if state.payment_status != PaymentStatus::Unpaid {
                return Err(TransitionError::AlreadyPaid(state.payment_status));
            }
            let tip = tip.on(state.total).map_err(|max| TransitionError::TipTooLarge { max })?;
            let due = state.total + tip;
            Ok(vec![OrderEvent::PaymentCaptured {
                method: PaymentMethod::Card,
                amount: due,
                tendered: due,
                change: Money::ZERO,
                tip,
            }])
        }
        OrderCommand::RecordAuthorization { reference } => match state.payment_status {
            PaymentStatus::Unpaid => {
                Ok(vec![OrderEvent::PaymentAuthorized { amount: state.total, reference: reference.clone() }])
            }
            other => Err(TransitionError::PaymentState(other, "authorized")),
        },
        OrderCommand::RecordDecline { reason } => match state.payment_status {
            PaymentStatus::Unpaid => Ok(vec![OrderEvent::PaymentFailed { reason: reason.clone() }]),
            other => Err(TransitionError::PaymentState(other, "declined")),
        },
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
            if state.payment_status != PaymentStatus::Captured {
                return Err(TransitionError::PaymentState(state.payment_status, "refunded"));
            }
            let max = state.total - state.refunded;
            if amount.minor() <= 0 || *amount > max {
                return Err(TransitionError::RefundTooLarge { max });
            }
            let method = state.payment_method.unwrap_or(PaymentMethod::Cash);
            Ok(vec![OrderEvent::PaymentRefunded { method, amount: *amount }])
        }
    }
}

/// Moves `state` by one event. Events come from [`decide`], so they are legal here.
pub fn apply(state: &mut OrderState, event: &OrderEvent) {
    match event {
        OrderEvent::Accepted => state.status = OrderStatus::Accepted,
        OrderEvent::LineStarted { line_id } => {
            set_line(state, *line_id, LineStatus::Making);
            state.status = OrderStatus::Preparing;
        }
        OrderEvent::LineDone { line_id } => set_line(state, *line_id, LineStatus::Done),
        OrderEvent::Ready => state.status = OrderStatus::Ready,
        OrderEvent::Completed => state.status = OrderStatus::Completed,
        OrderEvent::Cancelled { .. } => state.status = OrderStatus::Cancelled,
        OrderEvent::PaymentAuthorized { .. } => {
            state.payment_status = PaymentStatus::Authorized;
            state.payment_method = Some(PaymentMethod::Card);
        }
        OrderEvent::PaymentFailed { .. } => {}
        OrderEvent::PaymentCaptured { method, tip, .. } => {
            state.payment_status = PaymentStatus::Captured;
            state.payment_method = Some(*method);
            state.total = state.total + *tip;
        }
        OrderEvent::PaymentVoided { .. } => state.payment_status = PaymentStatus::Voided,
        OrderEvent::PaymentRefunded { amount, .. } => {
            state.refunded = state.refunded + *amount;
            if state.refunded >= state.total {
                state.payment_status = PaymentStatus::Refunded;
            }
        }
    }
}

/// [`decide`] then [`apply`]: the events and the state after them.
pub fn handle(state: &OrderState, command: &OrderCommand) -> Result<(Vec<OrderEvent>, OrderState), TransitionError> {
    let events = decide(state, command)?;
    let mut next = state.clone();
    for event in &events {
        apply(&mut next, event);
    }
    Ok((events, next))
}

fn line(state: &OrderState, line_id: Uuid) -> Result<&LineState, TransitionError> {
    state.lines.iter().find(|l| l.id == line_id).ok_or(TransitionError::UnknownLine(line_id))
}

fn set_line(state: &mut OrderState, line_id: Uuid, status: LineStatus) {
    if let Some(l) = state.lines.iter_mut().find(|l| l.id == line_id) {
        l.status = status;
    }
}

#[cfg(test)]
mod tests;
