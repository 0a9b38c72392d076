//! When a terminal takes the hub's copy of an order.
//!
//! The hub decides; the terminal's own copy is provisional only while it still has commands
//! about that order the hub has not answered (the hub's copy would undo them on screen until
//! they arrive). Once the hub has answered them all, the hub's copy replaces the terminal's,
//! whatever it says.

use crate::api::OrderDto;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mirror {
    /// Write the hub's copy and tell this terminal's screens.
    Write,
    /// Keep the local copy: it is the same, or it has unanswered commands.
    Keep,
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
