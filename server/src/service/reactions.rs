//! What an order change causes, as one table.
//!
//! The order use cases record a change (a sale, or lifecycle events on an order) and hand it
//! here; each [`Reaction`] says what follows from it — durable jobs, audit rows, rows of its
//! own — and all of it is written in the same transaction as the change, so a crash keeps
//! both or neither. `orders` knows none of the reactions; adding one is one entry in
//! [`REACTIONS`] plus its module.

use crate::service::menu::stock;
use crate::service::orders::{audit as order_audit, sla};
use crate::service::{notify, payments, receipts, sync, RequestContext};
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use crate::store::db::Db;
use crate::store::jobs::NewJob;
use crate::store::orders::OrderRecord;
use crate::store::outbox::NewEvent;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use crema_shared::lifecycle::OrderEvent;
use crema_shared::placing::Tender;
use futures::future::BoxFuture;

/// An order change, as the reactions see it.
#[derive(Clone, Copy, Debug)]
pub struct OrderChange<'a> {
    /// Who made it.
    pub ctx: &'a RequestContext,
    /// The order as it is after the change.
    pub order: &'a OrderRecord,
    pub change: Change<'a>,
    /// When it happened (the clock of the write).
    pub at: DateTime<Utc>,
    /// Whether the till wants the customer's receipt printed when this change takes money
    /// (`print_receipt` in a payment; true unless it said no).
    pub receipt: bool,
}

#[derive(Clone, Copy, Debug)]
pub enum Change<'a> {
    /// A new order, paid at the till with `tender` (if it was).
    Placed { tender: Option<&'a Tender> },
    /// Lifecycle events just recorded on an existing order.
    Moved { events: &'a [OrderEvent] },
}

impl OrderChange<'_> {
    /// Whether the change recorded an event `wanted` accepts.
    pub fn recorded(&self, wanted: impl Fn(&OrderEvent) -> bool) -> bool {
        match self.change {
            Change::Placed { .. } => false,
            Change::Moved { events } => events.iter().any(wanted),
        }
    }
}

/// What reactions ask to be written with the change.
#[derive(Debug, Default)]
pub struct Effects {
    pub jobs: Vec<NewJob>,
    pub audit: Vec<AuditEntry>,
}

/// A rows-of-its-own reaction: writes in the change's transaction, returns outbox events.
pub type Write =
    for<'c> fn(&'c mut Db<'_>, &'c AppState, &'c OrderChange<'c>) -> BoxFuture<'c, Result<Vec<NewEvent>, StoreError>>;

/// One reaction: a name (for the docs and logs) and what it does about a change.
pub struct Reaction {
    pub name: &'static str,
    /// Jobs and audit rows, decided from the change alone.
    pub plan: Option<fn(&AppState, &OrderChange<'_>, &mut Effects)>,
    /// Rows of its own, written after the change's rows.
    pub write: Option<Write>,
    /// Whether `write` writes anything when an order is placed, on this server. A placement
    /// that no reaction writes for can be written in one statement group (see
    /// `service/orders/place.rs`); `write` is not called for placements when this says no.
    pub writes_on_placement: fn(&AppState) -> bool,
    /// Whether it runs on a synced terminal too. What reaches the outside world (a card
    /// charge, an email, an alert) happens once, on the hub, when the command arrives there.
    pub on_terminal: bool,
}

/// Every reaction to an order change, in the order they are written.
pub const REACTIONS: &[Reaction] = &[
    Reaction {
        name: "audit log: sales, money moving, cancellations",
        plan: Some(audit),
        write: None,
        writes_on_placement: never,
        on_terminal: true,
    },
    Reaction {
        name: "card payment saga: authorize, capture, void",
        plan: Some(payments::on_order_change),
        write: None,
        writes_on_placement: never,
        on_terminal: false,
    },
    Reaction {
        name: "ticket-age alert",
        plan: Some(sla::on_order_change),
        write: None,
        writes_on_placement: never,
        on_terminal: false,
    },
    Reaction {
        name: "\"ready\" email to the customer",
        plan: Some(notify::on_order_change),
        write: None,
        writes_on_placement: never,
        on_terminal: false,
    },
    Reaction {
        name: "receipt to the receipt printer when money is taken",
        plan: Some(receipts::on_order_change),
        write: None,
        writes_on_placement: never,
        // The till's own printer prints on a terminal (it works offline); the hub does not
        // print what a terminal already printed (see `service/sync/apply.rs`).
        on_terminal: true,
    },
    Reaction {
        name: "kitchen tickets to the stations' printers when an order reaches the kitchen",
        plan: Some(receipts::kitchen::on_order_change),
        write: None,
        writes_on_placement: never,
        // Printed where the kitchen display runs: the hub, also for a terminal's orders.
        on_terminal: false,
    },
    Reaction {
        name: "stock back on cancellation or a voided line",
        plan: None,
        write: Some(stock::on_order_change),
        writes_on_placement: never,
        on_terminal: true,
    },
    Reaction {
        name: "on a terminal: the command, into the log the hub is sent",
        plan: None,
        write: Some(sync::record_command),
        writes_on_placement: |state| state.sync.is_some(),
        on_terminal: true,
    },
];

/// The jobs and audit rows every reaction plans for `change`.
pub fn plan(state: &AppState, change: &OrderChange<'_>) -> Effects {
    let mut effects = Effects::default();
    for plan in running(state).filter_map(|r| r.plan) {
        plan(state, change, &mut effects);
    }
    effects
}

/// Runs the reactions that write rows of their own; returns the events they want appended.
pub async fn write(conn: &mut Db<'_>, state: &AppState, change: &OrderChange<'_>) -> Result<Vec<NewEvent>, StoreError> {
    let mut events = Vec::new();
    let placed = matches!(change.change, Change::Placed { .. });
    for write in running(state).filter(|r| !placed || (r.writes_on_placement)(state)).filter_map(|r| r.write) {
        events.extend(write(conn, state, change).await?);
    }
    Ok(events)
}

/// Whether any reaction writes rows of its own when an order is placed on this server.
pub fn write_on_placement(state: &AppState) -> bool {
    running(state).any(|r| r.write.is_some() && (r.writes_on_placement)(state))
}

fn never(_: &AppState) -> bool {
    false
}

/// The reactions that run on this server.
fn running(state: &AppState) -> impl Iterator<Item = &'static Reaction> {
    let terminal = state.sync.is_some();
    REACTIONS.iter().filter(move |r| r.on_terminal || !terminal)
}

fn audit(_state: &AppState, change: &OrderChange<'_>, effects: &mut Effects) {
    match change.change {
        Change::Placed { tender } => effects.audit.push(order_audit::sale(change.ctx, change.order, tender)),
        Change::Moved { events } => effects
            .audit
            .extend(events.iter().filter_map(|event| order_audit::for_event(change.ctx, change.order, event))),
    }
}

#[cfg(test)]
mod tests {
    use super::REACTIONS;

    /// The order use cases hand changes to this table and know none of the reactions.
    #[test]
    fn the_order_use_cases_import_no_reaction() {
        let sources = [
            ("orders/mod.rs", include_str!("orders/mod.rs")),
            ("orders/place.rs", include_str!("orders/place.rs")),
            ("orders/transition.rs", include_str!("orders/transition.rs")),
            ("orders/read.rs", include_str!("orders/read.rs")),
        ];
        for (file, source) in sources {
            for reaction in
                ["payments", "notify", "sla", "order_audit", "audit::for_event", "stock::release", "receipts"]
            {
                let imports = source.lines().filter(|l| l.starts_with("use ") || l.contains("::")).any(|l| {
                    l.contains(&format!("::{reaction}"))
                        || l.contains(&format!("{{{reaction}"))
                        || l.contains(&format!(" {reaction}::"))
                });
                assert!(!imports, "{file} mentions the {reaction} reaction");
            }
        }
    }

    #[test]
    fn every_reaction_has_a_name_and_does_something() {
        for reaction in REACTIONS {
            assert!(!reaction.name.is_empty());
            assert!(reaction.plan.is_some() || reaction.write.is_some(), "{} does nothing", reaction.name);
        }
    }
}
