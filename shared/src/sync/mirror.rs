//! When a terminal takes the hub's copy of an order.
//!
//! The hub decides; the terminal's own copy is provisional only while it still has commands
//! about that order the hub has not answered (the hub's copy would undo them on screen until
//! they arrive). Once the hub has answered them all, the hub's copy replaces the terminal's,
//! whatever it says.
//!
//! The terminal follows the hub's log in order and does not pass an event about an order it
//! still has unanswered commands for ([`applicable`]): it waits for the answer and reads that
//! part of the log again. Skipping the event instead would lose it for good when another
//! terminal's change to the same order lands in the log between the hub's applying this
//! terminal's command and the terminal's hearing the answer.

use crate::api::OrderDto;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mirror {
    /// Write the hub's copy and tell this terminal's screens.
    Write,
    /// Keep the local copy: it is the same, or it has unanswered commands.
    Keep,
}

/// How many of `orders` (the order each pulled event is about, in log order) the terminal
/// may apply now: up to the first one about an order with unanswered commands here.
pub fn applicable(orders: &[Option<uuid::Uuid>], unanswered: impl Fn(uuid::Uuid) -> bool) -> usize {
    orders.iter().position(|order| order.is_some_and(&unanswered)).unwrap_or(orders.len())
}

/// What to do with the hub's copy `incoming` of an order this terminal has as `local`.
pub fn mirror_decision(local: Option<&OrderDto>, incoming: &OrderDto, unanswered_here: bool) -> Mirror {
    if unanswered_here {
        return Mirror::Keep;
    }
    match local {
        Some(local) if same_order(local, incoming) => Mirror::Keep,
        _ => Mirror::Write,
    }
}

/// The same order in every respect a screen shows (history and timestamps aside).
fn same_order(a: &OrderDto, b: &OrderDto) -> bool {
    a.id == b.id
        && a.status == b.status
        && a.payment_status == b.payment_status
        && a.version == b.version
        && a.refunded_cents == b.refunded_cents
        && a.total_cents == b.total_cents
        && a.ticket == b.ticket
        && a.lines.len() == b.lines.len()
        && a.lines.iter().zip(&b.lines).all(|(x, y)| x.id == y.id && x.status == y.status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn the_log_is_applied_up_to_an_order_with_unanswered_commands() {
        let (mine, theirs) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let log = [Some(theirs), None, Some(mine), Some(theirs)];
        assert_eq!(applicable(&log, |o| o == mine), 2);
        assert_eq!(applicable(&log, |_| false), 4);
        assert_eq!(applicable(&log, |o| o == theirs), 0);
    }
}
