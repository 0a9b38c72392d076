//! The pieces of the simulated shop: a deterministic generator, the commands and messages
//! that travel, the hub and the terminals (their durable state a map, their requests in
//! flight forgotten on a crash), and an order moved through the real lifecycle.

use super::super::{mirror_decision, validate_placed, Mirror, MoveAction};
use crate::api::OrderDto;
use crate::lifecycle::{self, OrderState};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// SplitMix64: a tiny deterministic generator, so a seed is the whole schedule.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub(super) fn uuid(&mut self) -> Uuid {
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&self.next().to_le_bytes());
        uuid::Builder::from_unix_timestamp_millis(1_796_000_000_000 + (self.next() % 1_000_000), &random).into_uuid()
    }
}

#[derive(Clone, Debug)]
pub(super) enum Command {
    Place(Box<OrderDto>),
    Move(Uuid, Vec<MoveAction>),
}

impl Command {
    pub(super) fn order_id(&self) -> Uuid {
        match self {
            Command::Place(o) => o.id,
            Command::Move(id, _) => *id,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Outcome {
    Accepted,
    Rejected(Option<Box<OrderDto>>),
}

#[derive(Clone, Debug)]
pub(super) enum Message {
    Push { terminal: usize, request: u64, commands: Vec<(Uuid, Command)> },
    PushReply { terminal: usize, request: u64, outcomes: Vec<(Uuid, Outcome)> },
    Pull { terminal: usize, request: u64, after: usize },
    PullReply { terminal: usize, request: u64, after: usize, events: Vec<(usize, Uuid, OrderDto)> },
}

impl Message {
    pub(super) fn terminal(&self) -> usize {
        match self {
            Message::Push { terminal, .. }
            | Message::PushReply { terminal, .. }
            | Message::Pull { terminal, .. }
            | Message::PullReply { terminal, .. } => *terminal,
        }
    }
}

#[derive(Default)]
pub(super) struct Hub {
    pub(super) orders: BTreeMap<Uuid, OrderDto>,
    pub(super) applied: HashMap<Uuid, Outcome>,
    /// The log: (sequence, order) — the sequence is the position + 1.
    pub(super) log: Vec<(usize, Uuid)>,
}

impl Hub {
    pub(super) fn apply(&mut self, label: &str, id: Uuid, command: &Command) -> Outcome {
        if let Some(outcome) = self.applied.get(&id) {
            return outcome.clone();
        }
        let outcome = match command {
            Command::Place(order) => {
                if validate_placed(order, label).is_err() || self.orders.contains_key(&order.id) {
                    Outcome::Rejected(self.orders.get(&order.id).cloned().map(Box::new))
                } else {
                    self.orders.insert(order.id, (**order).clone());
                    self.append(order.id, 1);
                    Outcome::Accepted
                }
            }
            Command::Move(order_id, actions) => match self.orders.get(order_id).cloned() {
                None => Outcome::Rejected(None),
                Some(order) => match moved(&order, actions) {
                    Some(next) => {
                        self.orders.insert(*order_id, next);
                        self.append(*order_id, actions.len());
                        Outcome::Accepted
                    }
                    None => Outcome::Rejected(Some(Box::new(order))),
                },
            },
        };
        self.applied.insert(id, outcome.clone());
        outcome
    }

    pub(super) fn append(&mut self, order: Uuid, events: usize) {
        for _ in 0..events {
            self.log.push((self.log.len() + 1, order));
        }
    }
}

/// `order` after `actions` through the real lifecycle rules (`None`: one was refused).
pub(super) fn moved(order: &OrderDto, actions: &[MoveAction]) -> Option<OrderDto> {
    let mut state = OrderState::of(order);
    for action in actions {
        state = lifecycle::handle(&state, &action.command()?).ok()?.1;
    }
    let mut next = order.clone();
    next.status = state.status;
    next.payment_status = state.payment_status;
    next.refunded_cents = state.refunded.minor();
    next.total_cents = state.total.minor();
    next.tip_cents = state.tip.minor();
    next.paid_cents = state.paid.minor();
    next.due_cents = state.due().minor();
    next.kitchen_held = state.held;
    for (line, s) in next.lines.iter_mut().zip(&state.lines) {
        line.status = s.status;
    }
    next.version += actions.len() as i64;
    Some(next)
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Fate {
    Pending,
    Answered(Outcome),
}

#[derive(Default)]
pub(super) struct Terminal {
    pub(super) label: String,
    // Durable: what a crash keeps.
    pub(super) orders: BTreeMap<Uuid, OrderDto>,
    pub(super) log: Vec<(Uuid, Command, Fate)>,
    pub(super) cursor: usize,
    pub(super) tickets: i64,
    // Volatile: the request in flight of each kind (a crash forgets them).
    pub(super) push_in_flight: Option<u64>,
    pub(super) pull_in_flight: Option<u64>,
}

impl Terminal {
    pub(super) fn unanswered(&self, order: Uuid) -> bool {
        self.log.iter().any(|(_, c, f)| *f == Fate::Pending && c.order_id() == order)
    }

    pub(super) fn take_copy(&mut self, copy: &OrderDto) {
        let unanswered = self.unanswered(copy.id);
        if mirror_decision(self.orders.get(&copy.id), copy, unanswered) == Mirror::Write {
            self.orders.insert(copy.id, copy.clone());
        }
    }
}
