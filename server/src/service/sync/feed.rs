//! On the hub: what paired terminals read — its event log after their cursor (each order
//! event with the order as it is now, waiting a while when there is nothing new), and the
//! snapshot of what the hub decides alone: settings, menu and stock, staff.

use super::snapshot_key;
use crate::keys::seal::Sealer;
use crate::service::orders::view::order_dto;
use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::terminals::TerminalRecord;
use crate::store::{menu, orders, outbox, settings, staff, StoreError};
use crema_shared::api::OrderDto;
use crema_shared::sync::{HubSnapshot, PullResponse, PulledEvent, SealedStaff, StaffVerifier, MAX_PULL};
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

/// The longest a pull waits for something new.
pub const MAX_WAIT: Duration = Duration::from_secs(25);

/// Events after `after` (at most `limit`), waiting up to `wait` for the first one.
pub async fn pull(state: &AppState, after: i64, limit: usize, wait: Duration) -> Result<PullResponse, ServiceError> {
    let limit = limit.clamp(1, MAX_PULL) as i64;
    if state.hub.latest() <= after && !wait.is_zero() {
        let mut latest = state.hub.subscribe();
        let mut closing = state.hub.closing();
        let waited = async {
            loop {
                if *latest.borrow_and_update() > after || *closing.borrow() {
                    return;
                }
                tokio::select! {
                    changed = latest.changed() => if changed.is_err() { return },
                    _ = closing.changed() => return,
                }
            }
        };
        let _ = tokio::time::timeout(wait.min(MAX_WAIT), waited).await;
    }
    let mut conn = state.store.read().await?;
    let stored = outbox::read_after(&mut conn, after, limit).await?;
    let mut copies: HashMap<Uuid, Option<OrderDto>> = HashMap::new();
    let mut events = Vec::with_capacity(stored.len());
    for event in stored {
        let order_id =
            is_order_event(&event.event_type).then(|| event.subject.as_deref().and_then(|s| s.parse().ok())).flatten();
        let order = match order_id {
            Some(id) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = copies.entry(id) {
                    slot.insert(orders::get(&mut conn, id).await?.map(|o| order_dto(&o, None)));
                }
                copies.get(&id).cloned().flatten().map(Box::new)
            }
            None => None,
        };
        events.push(PulledEvent {
            sequence: event.sequence,
            id: event.id.parse().map_err(|_| StoreError::corrupt("event id"))?,
            event_type: event.event_type,
            subject: event.subject,
            time: event.time,
            data: event.data,
            order,
        });
    }
    Ok(PullResponse {
        events,
        latest_sequence: outbox::latest_sequence(&mut conn).await?,
        menu_version: settings::menu_version(&mut conn).await?,
    })
}

fn is_order_event(event_type: &str) -> bool {
    event_type.starts_with("order.") || event_type.starts_with("payment.")
}

/// What `terminal` takes from the hub as it is; the staff part sealed for it alone.
pub async fn snapshot(state: &AppState, terminal: &TerminalRecord) -> Result<HubSnapshot, ServiceError> {
    let secret_hash = terminal.secret_hash.as_deref().ok_or(ServiceError::NotFound("paired terminal"))?;
    let mut conn = state.store.read().await?;
    let stored = settings::load(&mut conn).await?.ok_or_else(|| StoreError::corrupt("no shop settings row"))?;
    let members = staff::list(&mut conn)
        .await?
        .into_iter()
        .map(|s| StaffVerifier {
            id: s.id,
            name: s.name,
            role: s.role,
            active: s.active,
            pin_lookup: s.pin_lookup,
            pin_hash: s.pin_hash,
            email: s.email,
        })
        .collect();
    let sealed = SealedStaff { pin_pepper: state.auth.pins.pepper_hex(), members };
    let plain = serde_json::to_string(&sealed).map_err(|e| StoreError::internal(e.to_string()))?;
    let staff = Sealer::new(&snapshot_key(secret_hash))
        .seal(&plain, &staff_context(terminal.id))
        .map_err(|e| StoreError::internal(e.to_string()))?;
    Ok(HubSnapshot {
        menu_version: stored.menu_version,
        shop: stored.shop,
        categories: menu::list_categories(&mut conn).await?,
        items: menu::list_items(&mut conn).await?,
        groups: menu::list_groups(&mut conn).await?,
        options: menu::list_options(&mut conn).await?,
        discount_reasons: crate::store::discounts::list(&mut conn)
            .await?
            .iter()
            .map(crate::service::discounts::dto)
            .collect(),
        staff,
    })
}

/// What the staff part of a snapshot is bound to: the terminal it was sealed for.
pub fn staff_context(terminal_id: Uuid) -> String {
    format!("sync-staff:{terminal_id}")
}
