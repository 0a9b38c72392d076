//! The kitchen display's starting point: the open tickets and the event sequence they are
//! current as of, read in one snapshot so that following the event stream from that
//! sequence neither misses a change nor repeats one.

use crate::service::orders::view::order_dto;
use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::{orders, outbox, settings, StoreError};
use crema_shared::api::KitchenDto;

#[tracing::instrument(name = "kitchen.tickets", skip_all)]
pub async fn tickets(state: &AppState) -> Result<KitchenDto, ServiceError> {
    let today = state.day.date_of(state.clock.now());
    // One read transaction: SQLite (WAL) shows it a single snapshot.
    let mut snapshot = state.store.snapshot().await?;
    let mut tx = snapshot.db();
    let after = outbox::latest_sequence(&mut tx).await?;
    let open = orders::open_tickets(&mut tx, &today).await?;
    let shop = settings::load(&mut tx).await?.ok_or_else(|| StoreError::corrupt("no shop settings row"))?.shop;
    snapshot.finish().await?;
    Ok(KitchenDto {
        after,
        orders: open.iter().map(|o| order_dto(o, None)).collect(),
        ticket_warn_seconds: shop.ticket_warn_seconds,
        ticket_late_seconds: shop.ticket_late_seconds,
    })
}
