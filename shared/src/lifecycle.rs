//! Which status changes an order may go through, as a pure function
//! `(state, command) -> Result<events, error>`, and how events move the state.
//!
//! Orders: `placed → accepted → preparing → ready → completed`; `cancelled` from any state
//! before `ready`. Lines: `queued → making → done`; the first started line moves an accepted
//! order to `preparing`, the last finished line makes it `ready`. Payment: `unpaid →
//! captured`, possibly through `partly_paid` (a tab paid in parts), or `unpaid → authorized →
//! captured` through the card gateway (the tip may be adjusted before capture); a cancelled
//! order gives back what was taken. An order the shop keeps from the kitchen until it is paid
//! (`held`) cannot be accepted or started before: the payment that completes it sends it to
//! the kitchen. The payment rules are in [`payment`]. An illegal command is a typed error,
//! never a panic or a no-op.

mod payment;

use crate::money::Money;
use crate::status::{LineStatus, OrderStatus, PaymentMethod, PaymentStatus};
use crate::tip::Tip;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineState {
    pub id: Uuid,
    pub status: LineStatus,
}

impl LineState {
    /// Nothing more to make: done, or voided.
    pub fn finished(&self) -> bool {
        matches!(self.status, LineStatus::Done | LineStatus::Voided)
    }
}

/// What the rules need to know of an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderState {
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    /// How it is (being) paid, once known.
    pub payment_method: Option<PaymentMethod>,
    pub total: Money,
    /// The tip in `total`.
    pub tip: Money,
    /// Taken so far, parts and their tips (the total once fully paid).
    pub paid: Money,
    /// Refunded so far (partial refunds add up).
    pub refunded: Money,
    /// Kept from the kitchen until it is paid (the shop's tab setting).
    pub held: bool,
    pub lines: Vec<LineState>,
}

impl OrderState {
    /// What is still to pay (before any tip).
    pub fn due(&self) -> Money {
        (self.total - self.paid).max(Money::ZERO)
    }

    /// The rules' view of an order as the API shows it.
    pub fn of(order: &crate::api::OrderDto) -> OrderState {
        OrderState {
            status: order.status,
            payment_status: order.payment_status,
            payment_method: order.payment_method,
            total: Money::from_minor(order.total_cents),
            tip: Money::from_minor(order.tip_cents),
            paid: paid_so_far(order.payment_status, Money::from_minor(order.total_cents), &order.tenders),
            refunded: Money::from_minor(order.refunded_cents),
            held: order.kitchen_held,
            lines: order.lines.iter().map(|l| LineState { id: l.id, status: l.status }).collect(),
        }
    }
}

/// What was taken for an order: all of it once captured, its parts (with their tips) while
/// partly paid, nothing before.
pub fn paid_so_far(payment_status: PaymentStatus, total: Money, tenders: &[crate::api::TenderDto]) -> Money {
    match payment_status {
        PaymentStatus::Captured | PaymentStatus::Refunded => total,
        PaymentStatus::PartlyPaid => tenders.iter().map(|t| Money::from_minor(t.amount_cents + t.tip_cents)).sum(),
        PaymentStatus::Unpaid | PaymentStatus::Authorized | PaymentStatus::Voided => Money::ZERO,
    }
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
    /// Takes a line off an order not yet paid in full; `total` is the order priced again
    /// without it ([`crate::void::void_line`]).
    VoidLine {
        line_id: Uuid,
        reason: String,
        total: Money,
    },
    PayCash {
        tendered: Money,
        /// A tip added now (at most what this payment pays of the order).
        tip: Tip,
        /// Part of what is due (a tab paid in parts); `None`: all of it.
        part: Option<Money>,
    },
    /// A card paid on the shop's own terminal: the cashier records its approval code.
    PayCardAtTerminal {
        approval_code: String,
        tip: Tip,
        part: Option<Money>,
    },
    /// The tip on a gateway card, changed before the authorization is captured: at most
    /// `limit_bps` of the order before the tip.
    AdjustTip {
        tip: Tip,
        limit_bps: u32,
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
            OrderCommand::VoidLine { .. } => "void a line of",
            OrderCommand::PayCash { .. } | OrderCommand::PayCardAtTerminal { .. } => "take payment for",
            OrderCommand::RecordAuthorization { .. } | OrderCommand::RecordDecline { .. } => "authorize",
            OrderCommand::AdjustTip { .. } => "adjust the tip of",
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
    /// A line taken off the order, which now comes to `total`.
    LineVoided {
        line_id: Uuid,
        reason: String,
        total: Money,
    },
    /// A held order is paid: the kitchen may make it now.
    SentToKitchen,
    PaymentAuthorized {
        amount: Money,
        reference: String,
    },
    PaymentFailed {
        reason: String,
    },
    /// `amount` includes `tip`, a tip added with a payment taken later (zero otherwise: a tip
    /// given at placement is already in the order's total). Less than what is due: a part.
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
    /// A gateway card's tip changed before capture (the total moves by the difference).
    TipAdjusted {
        tip: Money,
        previous: Money,
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
            OrderEvent::SentToKitchen => types::ORDER_SENT_TO_KITCHEN,
            OrderEvent::LineVoided { .. } => types::ORDER_LINE_VOIDED,
            OrderEvent::TipAdjusted { .. } => types::PAYMENT_TIP_ADJUSTED,
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
    #[error("a card's tip may be at most {max} before it is captured (the shop's limit)")]
    TipBeyondLimit { max: Money },
    #[error("a part is more than nothing and at most what is due ({max})")]
    PartTooLarge { max: Money },
    #[error("the order waits for its payment before the kitchen makes it")]
    AwaitingPayment,
    #[error("{paid} is paid already: the order cannot come to less (give it back as a refund)")]
    VoidBelowPaid { paid: Money },
}

/// Decides what happens when `command` is given to an order in `state`.
pub fn decide(state: &OrderState, command: &OrderCommand) -> Result<Vec<OrderEvent>, TransitionError> {
    use OrderStatus::*;
    let illegal = || TransitionError::IllegalTransition { action: command.action(), current: state.status };
    match command {
        OrderCommand::Accept | OrderCommand::StartLine { .. } if state.held && state.status != Cancelled => {
            Err(TransitionError::AwaitingPayment)
        }
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
                    let others_done = state.lines.iter().filter(|l| l.id != *line_id).all(|l| l.finished());
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
        OrderCommand::VoidLine { line_id, reason, total } => {
            if !matches!(state.status, Placed | Accepted | Preparing) {
                return Err(illegal());
            }
            if !matches!(state.payment_status, PaymentStatus::Unpaid | PaymentStatus::PartlyPaid) {
                return Err(TransitionError::PaymentState(state.payment_status, "changed by a void"));
            }
            let current = line(state, *line_id)?.status;
            if current == LineStatus::Voided {
                return Err(TransitionError::IllegalLineTransition { action: "void", line_id: *line_id, current });
            }
            if *total < state.paid {
                return Err(TransitionError::VoidBelowPaid { paid: state.paid });
            }
            let mut events = vec![OrderEvent::LineVoided { line_id: *line_id, reason: reason.clone(), total: *total }];
            let others_done = state.lines.iter().filter(|l| l.id != *line_id).all(|l| l.finished());
            if state.status == Preparing && others_done {
                events.push(OrderEvent::Ready);
            }
            Ok(events)
        }
        OrderCommand::Cancel { reason } => match state.status {
            Placed | Accepted | Preparing => {
                let mut events = vec![OrderEvent::Cancelled { reason: reason.clone() }];
                events.extend(payment::given_back_on_cancel(state));
                Ok(events)
            }
            _ => Err(illegal()),
        },
        _ => payment::decide(state, command, illegal),
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
        OrderEvent::SentToKitchen => state.held = false,
        OrderEvent::LineVoided { line_id, total, .. } => {
            set_line(state, *line_id, LineStatus::Voided);
            state.total = *total;
        }
        _ => payment::apply(state, event),
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
