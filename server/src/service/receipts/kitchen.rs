//! Kitchen tickets on the stations' printers, the kitchen display's backup: when an order
//! reaches the kitchen (placed, or a held tab once paid), each station with a printer gets a
//! durable print job of its own — the same job as a receipt's, so a printer that is off holds
//! its tickets and a retry never prints one twice. A station with none of the order's lines
//! prints nothing.
//!
//! They print where the kitchen display runs: on the hub (or a server on its own), which also
//! prints the tickets of orders a terminal took offline when they arrive; never on a terminal.

use super::print;
use crate::service::reactions::{Change, Effects, OrderChange};
use crate::state::AppState;
use crate::store::{settings, StoreError};
use crema_shared::api::OrderDto;
use crema_shared::kitchen_ticket::{station_lines, ticket_lines};
use crema_shared::lifecycle::OrderEvent;
use crema_shared::printer::PrinterAddress;
use crema_shared::receipt::PrintLine;

/// The job kind of a kitchen ticket.
pub const KIND: &str = "print.kitchen";

/// The reaction: one ticket job per station when the order reaches the kitchen.
pub fn on_order_change(state: &AppState, change: &OrderChange<'_>, effects: &mut Effects) {
    let to_kitchen = match change.change {
        Change::Placed { .. } => !change.order.kitchen_held,
        Change::Moved { events } => events.iter().any(|e| matches!(e, OrderEvent::SentToKitchen)),
    };
    if !to_kitchen {
        return;
    }
    let order_id = change.order.id;
    for station in state.receipt_printer.stations() {
        let once = format!("{KIND}:{order_id}:{station}");
        effects.jobs.push(print::kitchen_job(order_id, station, change.at).once(once));
    }
}

/// What `station`'s printer prints for `order`, and where: `None` when the station has none
/// of its lines. A station removed since the ticket was queued is an error of its own.
pub async fn ticket(
    state: &AppState,
    order: &OrderDto,
    station: &str,
) -> Result<Option<(PrinterAddress, Vec<PrintLine>)>, KitchenTicketError> {
    let mut db = state.store.read().await?;
    let printers = settings::kitchen_printers(&mut db).await?;
    let Some(this) = printers.into_iter().find(|p| p.station == station) else {
        return Err(KitchenTicketError::NoStation(station.to_string()));
    };
    let menu = state.menu.current(&mut db).await?;
    let lines = station_lines(&this, order, |item| menu.catalog.item(item).map(|i| i.category_id));
    if lines.is_empty() {
        return Ok(None);
    }
    let at = order.created_at.with_timezone(&state.day.utc_offset);
    let paper = ticket_lines(order, station, &lines, at);
    Ok(Some((this.printer, paper)))
}

#[derive(Debug, thiserror::Error)]
pub enum KitchenTicketError {
    #[error("the kitchen station {0:?} has no printer any more")]
    NoStation(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
