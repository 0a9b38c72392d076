//! The lifecycle steps a terminal sends, recovered from the events its change recorded.
//!
//! The terminal's own write records lifecycle events ([`OrderEvent`]); the hub must take the
//! same *steps* through its own rules, so it can refuse one that another terminal made
//! impossible. Events that follow from a step (`ready` after the last line, the cash refund
//! of a cancelled sale) are not steps and are not sent; the hub's rules derive them again.

use crate::lifecycle::{OrderCommand, OrderEvent};
use crate::money::Money;
use crate::status::PaymentMethod;
use crate::tip::Tip;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A lifecycle step taken on a terminal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub enum MoveAction {
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
        tendered_cents: i64,
        /// A tip added when paying (not one given at placement).
        #[serde(default, skip_serializing_if = "is_zero")]
        tip_cents: i64,
        /// What it paid of the order before its tip (a tab paid in parts); absent from a
        /// terminal older than parts: all that was due.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        part_cents: Option<i64>,
    },
    PayCardAtTerminal {
        approval_code: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        tip_cents: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        part_cents: Option<i64>,
    },
    /// Money given back at the till.
    Refund {
        amount_cents: i64,
    },
    /// A line taken off an order not yet paid; the hub prices the order again by its own
    /// rules ([`crate::void::void_line`]), so this carries no total.
    VoidLine {
        line_id: Uuid,
        reason: String,
    },
}

impl MoveAction {
    /// The command the hub's rules apply; `None` for a void, which the hub prices first.
    pub fn command(&self) -> Option<OrderCommand> {
        Some(match self {
            MoveAction::Accept => OrderCommand::Accept,
            MoveAction::StartLine { line_id } => OrderCommand::StartLine { line_id: *line_id },
            MoveAction::FinishLine { line_id } => OrderCommand::FinishLine { line_id: *line_id },
            MoveAction::Complete => OrderCommand::Complete,
            MoveAction::Cancel { reason } => OrderCommand::Cancel { reason: reason.clone() },
            MoveAction::PayCash { tendered_cents, tip_cents, part_cents } => OrderCommand::PayCash {
                tendered: Money::from_minor(*tendered_cents),
                tip: tip_of(*tip_cents),
                part: part_cents.map(Money::from_minor),
            },
            MoveAction::PayCardAtTerminal { approval_code, tip_cents, part_cents } => OrderCommand::PayCardAtTerminal {
                approval_code: approval_code.clone(),
                tip: tip_of(*tip_cents),
                part: part_cents.map(Money::from_minor),
            },
            MoveAction::Refund { amount_cents } => {
                OrderCommand::RecordRefund { amount: Money::from_minor(*amount_cents) }
            }
            MoveAction::VoidLine { .. } => return None,
        })
    }

    /// How a person would say it ("cancel", "start a line of").
    pub fn verb(&self) -> &'static str {
        self.command().map_or("void a line of", |c| c.action())
    }
}

fn is_zero(cents: &i64) -> bool {
    *cents == 0
}

/// A tip the terminal already worked out, as the hub's rules take it.
fn tip_of(cents: i64) -> Tip {
    if cents == 0 {
        Tip::None
    } else {
        Tip::Amount(Money::from_minor(cents))
    }
}

/// The steps behind `events` (one change's events, in order). `approval_code` is the card
/// terminal's code the change recorded, if any.
pub fn actions_from_events(events: &[OrderEvent], approval_code: Option<&str>) -> Vec<MoveAction> {
    let cancelled = events.iter().any(|e| matches!(e, OrderEvent::Cancelled { .. }));
    events
        .iter()
        .filter_map(|event| match event {
            OrderEvent::Accepted => Some(MoveAction::Accept),
            OrderEvent::LineStarted { line_id } => Some(MoveAction::StartLine { line_id: *line_id }),
            OrderEvent::LineDone { line_id } => Some(MoveAction::FinishLine { line_id: *line_id }),
            OrderEvent::Completed => Some(MoveAction::Complete),
            OrderEvent::Cancelled { reason } => Some(MoveAction::Cancel { reason: reason.clone() }),
            OrderEvent::LineVoided { line_id, reason, .. } => {
                Some(MoveAction::VoidLine { line_id: *line_id, reason: reason.clone() })
            }
            OrderEvent::PaymentCaptured { method: PaymentMethod::Cash, tendered, tip, amount, .. } => {
                Some(MoveAction::PayCash {
                    tendered_cents: tendered.minor(),
                    tip_cents: tip.minor(),
                    part_cents: Some((*amount - *tip).minor()),
                })
            }
            OrderEvent::PaymentCaptured { method: PaymentMethod::Card, tip, amount, .. } => {
                approval_code.map(|code| MoveAction::PayCardAtTerminal {
                    approval_code: code.to_string(),
                    tip_cents: tip.minor(),
                    part_cents: Some((*amount - *tip).minor()),
                })
            }
            // The cash refund of a cancelled sale follows from the cancel.
            OrderEvent::PaymentRefunded { amount, .. } if !cancelled => {
                Some(MoveAction::Refund { amount_cents: amount.minor() })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_events_are_not_steps() {
        let line = Uuid::nil();
        let events = [OrderEvent::LineDone { line_id: line }, OrderEvent::Ready];
        assert_eq!(actions_from_events(&events, None), [MoveAction::FinishLine { line_id: line }]);
        let cancel = [
            OrderEvent::Cancelled { reason: "left".into() },
            OrderEvent::PaymentRefunded { method: PaymentMethod::Cash, amount: Money::from_minor(450) },
        ];
        assert_eq!(actions_from_events(&cancel, None), [MoveAction::Cancel { reason: "left".into() }]);
        let refund = [OrderEvent::PaymentRefunded { method: PaymentMethod::Cash, amount: Money::from_minor(100) }];
        assert_eq!(actions_from_events(&refund, None), [MoveAction::Refund { amount_cents: 100 }]);
    }

    #[test]
    fn a_card_payment_carries_the_approval_code() {
        let paid = [OrderEvent::PaymentCaptured {
            method: PaymentMethod::Card,
            amount: Money::from_minor(450),
            tendered: Money::from_minor(450),
            change: Money::ZERO,
            tip: Money::ZERO,
        }];
        assert_eq!(
            actions_from_events(&paid, Some("A1B2")),
            [MoveAction::PayCardAtTerminal { approval_code: "A1B2".into(), tip_cents: 0, part_cents: Some(450) }]
        );
        assert_eq!(
            MoveAction::PayCash { tendered_cents: 500, tip_cents: 0, part_cents: None }.command(),
            Some(OrderCommand::PayCash { tendered: Money::from_minor(500), tip: Tip::None, part: None })
        );
    }

    #[test]
    fn a_part_paid_on_a_terminal_is_sent_as_its_part_and_tip() {
        let part = [OrderEvent::PaymentCaptured {
            method: PaymentMethod::Cash,
            amount: Money::from_minor(330),
            tendered: Money::from_minor(500),
            change: Money::from_minor(170),
            tip: Money::from_minor(30),
        }];
        let actions = actions_from_events(&part, None);
        assert_eq!(actions, [MoveAction::PayCash { tendered_cents: 500, tip_cents: 30, part_cents: Some(300) }]);
        assert_eq!(
            actions[0].command(),
            Some(OrderCommand::PayCash {
                tendered: Money::from_minor(500),
                tip: Tip::Amount(Money::from_minor(30)),
                part: Some(Money::from_minor(300))
            })
        );
        // A void is sent as the line and why: the hub prices the order again itself.
        let line_id = Uuid::from_u128(4);
        let voided = [OrderEvent::LineVoided { line_id, reason: "wrong key".into(), total: Money::from_minor(300) }];
        let actions = actions_from_events(&voided, None);
        assert_eq!(actions, [MoveAction::VoidLine { line_id, reason: "wrong key".into() }]);
        assert_eq!((actions[0].command(), actions[0].verb()), (None, "void a line of"));
        // A terminal older than parts sent no part: all that was due.
        let old: MoveAction = serde_json::from_str(r#"{"action":"pay_cash","tendered_cents":500}"#).expect("parses");
        assert_eq!(old, MoveAction::PayCash { tendered_cents: 500, tip_cents: 0, part_cents: None });
    }
}
