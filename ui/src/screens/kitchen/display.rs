//! What the kitchen display holds, and what a barista's taps do to it. One `Copy` handle,
//! so each ticket can act without the screen handing it a closure per button.

use crate::api;
use crate::shell::Shell;
use crate::storage;
use crate::tickets::Tickets;
use crema_shared::api::OrderDto;
use crema_shared::status::{LineStatus, OrderStatus};
use leptos::prelude::*;
use uuid::Uuid;

pub const BUMPED_KEY: &str = "crema.kds.bumped";

#[derive(Clone, Copy)]
pub struct Display {
    pub shell: Shell,
    pub tickets: RwSignal<Option<Tickets>>,
    /// The clock the tickets' ages are read against (ms since the epoch; ticks each second).
    pub now: RwSignal<f64>,
    /// The shop's warn and late ages, in seconds.
    pub thresholds: RwSignal<(u32, u32)>,
    /// Tickets bumped off this display (the last 50), kept across reloads.
    pub bumped: RwSignal<Vec<Uuid>>,
    pub error: RwSignal<Option<String>>,
}

impl Display {
    /// The order as the display shows it now.
    pub fn order(&self, id: Uuid) -> Option<OrderDto> {
        self.tickets.with_untracked(|t| t.as_ref().and_then(|t| t.get(id)).cloned())
    }

    /// A tap on a line: start it (accepting the order first if nobody has), or finish it.
    pub fn tap_line(self, order: OrderDto, line: Uuid, status: LineStatus) {
        let base = format!("/api/v1/orders/{}", order.id);
        let mut steps = Vec::new();
        match status {
            LineStatus::Queued => {
                if order.status == OrderStatus::Placed {
                    steps.push(format!("{base}/accept"));
                }
                steps.push(format!("{base}/lines/{line}/start"));
            }
            LineStatus::Making => steps.push(format!("{base}/lines/{line}/done")),
            LineStatus::Done | LineStatus::Voided => {}
        }
        leptos::task::spawn_local(async move {
            for step in steps {
                if !self.post(&step).await {
                    break;
                }
            }
        });
    }

    /// Hands a ready order over: it leaves every display.
    pub fn hand_over(self, id: Uuid) {
        leptos::task::spawn_local(async move {
            self.post(&format!("/api/v1/orders/{id}/complete")).await;
        });
    }

    /// Takes a ticket off this display only.
    pub fn bump(self, id: Uuid) {
        self.bumped.update(|b| {
            b.retain(|x| *x != id);
            b.push(id);
            let keep = b.len().saturating_sub(50);
            b.drain(..keep);
        });
        storage::save(BUMPED_KEY, &self.bumped.get_untracked());
    }

    /// Brings back the last ticket bumped that is still open.
    pub fn recall(self) {
        let shown: Vec<Uuid> = self
            .tickets
            .with_untracked(|t| t.as_ref().map(|t| t.orders.iter().map(|o| o.id).collect()).unwrap_or_default());
        self.bumped.update(|b| {
            if let Some(pos) = b.iter().rposition(|id| shown.contains(id)) {
                b.remove(pos);
            }
        });
        storage::save(BUMPED_KEY, &self.bumped.get_untracked());
    }

    /// Sends one step and shows its answer at once; false (and the error shown) if it failed.
    async fn post(self, path: &str) -> bool {
        match api::post::<OrderDto>(path).await {
            Ok(updated) => {
                self.error.set(None);
                self.tickets.update(|t| {
                    if let Some(t) = t {
                        t.replace(updated);
                    }
                });
                true
            }
            Err(e) => {
                self.shell.saw(&e);
                self.error.set(Some(e.message()));
                false
            }
        }
    }
}
