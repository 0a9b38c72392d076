//! On a terminal: writing what the hub decided — its copy of each order the log reports, the
//! answers to pushed commands, and the snapshot of menu, staff and settings. Each pull is
//! applied in one transaction with the cursor, so a crash repeats none of it and loses none.

use crate::service::orders::view::{order_dto, order_event_data, record_from_dto};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::outbox::NewEvent;
use crate::store::staff::StaffRecord;
use crate::store::{menu, orders, outbox, settings, sync as store, Done, JobError, StoreError};
use crema_shared::api::OrderDto;
use crema_shared::events::types;
use crema_shared::sync::{
    applicable, mirror_decision, CommandOutcome, HubSnapshot, Mirror, Outcome, PullResponse, SealedStaff,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// How far a pull got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The new cursor.
    pub cursor: i64,
    /// It stopped before an event about an order with unanswered commands here (pull that
    /// part again once the hub has answered).
    pub held: bool,
}

/// Applies one pull, in log order, up to the first event about an order this terminal still
/// has unanswered commands for (all of it when `force`): the hub's copies of the orders,
/// and the cursor, in one transaction.
pub async fn apply_pull(
    state: &AppState,
    pulled: PullResponse,
    after: i64,
    force: bool,
) -> Result<Applied, ServiceError> {
    let clock = state.clock.clone();
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let mut pending = HashMap::new();
                for event in &pulled.events {
                    if let Some(order) = &event.order {
                        if let std::collections::hash_map::Entry::Vacant(slot) = pending.entry(order.id) {
                            slot.insert(!force && store::has_pending(conn, order.id).await?);
                        }
                    }
                }
                let about: Vec<Option<Uuid>> = pulled.events.iter().map(|e| e.order.as_ref().map(|o| o.id)).collect();
                let take = applicable(&about, |id| pending.get(&id).copied().unwrap_or(false));
                let held = take < pulled.events.len();
                let cursor = pulled.events[..take].last().map_or(after, |e| e.sequence);
                // The newest copy of each order the applied part is about.
                let mut copies: Vec<&OrderDto> = Vec::new();
                let mut seen: HashMap<Uuid, usize> = HashMap::new();
                for order in pulled.events[..take].iter().filter_map(|e| e.order.as_deref()) {
                    match seen.get(&order.id) {
                        Some(at) => copies[*at] = order,
                        None => {
                            seen.insert(order.id, copies.len());
                            copies.push(order);
                        }
                    }
                }
                let mut events = Vec::new();
                for copy in copies {
                    events.extend(take_copy(conn, copy, force).await?);
                }
                let sequence = outbox::append(conn, &events).await?;
                if cursor > after {
                    store::set_cursor(conn, cursor, clock.now()).await?;
                }
                Ok::<_, JobError<ServiceError>>(Done::new(Applied { cursor, held }, sequence))
            })
        })
        .await
}

/// Writes the hub's copy of an order unless this terminal still has unanswered commands
/// about it or already has the same; returns the local `order.synced` event when it wrote.
async fn take_copy(conn: &mut Db<'_>, copy: &OrderDto, force: bool) -> Result<Option<NewEvent>, StoreError> {
    let local = orders::get(conn, copy.id).await?.map(|o| order_dto(&o, None));
    let unanswered = !force && store::has_pending(conn, copy.id).await?;
    if mirror_decision(local.as_ref(), copy, unanswered) == Mirror::Keep {
        return Ok(None);
    }
    let record = record_from_dto(copy);
    store::put_order(conn, &record).await?;
    let ctx = RequestContext::internal();
    Ok(Some(ctx.event(
        types::ORDER_SYNCED,
        Some(record.id.to_string()),
        crate::store::time::now(),
        order_event_data(&record, None),
    )))
}

/// Records the hub's answers; a rejection brings the hub's copy of its order with it.
pub async fn apply_answers(state: &AppState, outcomes: Vec<CommandOutcome>) -> Result<(), ServiceError> {
    let clock = state.clock.clone();
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let mut events = Vec::new();
                for answer in &outcomes {
                    store::record_answer(conn, answer.id, &answer.outcome, clock.now()).await?;
                    if let Outcome::Rejected { order: Some(copy), detail, .. } = &answer.outcome {
                        tracing::warn!(command = %answer.id, %detail, "the hub rejected a command");
                        events.extend(take_copy(conn, copy, false).await?);
                    }
                }
                let sequence = outbox::append(conn, &events).await?;
                Ok::<_, JobError<ServiceError>>(Done::new((), sequence))
            })
        })
        .await
}

/// Replaces settings, menu and staff with the hub's (staff already opened from the seal).
pub async fn apply_snapshot(state: &AppState, snapshot: HubSnapshot, staff: SealedStaff) -> Result<(), ServiceError> {
    let now = state.clock.now();
    let written = state
        .store
        .writer()
        .write(move |conn| Box::pin(async move { snapshot_job(conn, &snapshot, &staff, now).await }))
        .await;
    // Whatever happened, the cached menu may be one the snapshot replaced at the same version.
    state.menu.forget();
    written
}

async fn snapshot_job(
    conn: &mut Db<'_>,
    snapshot: &HubSnapshot,
    staff: &SealedStaff,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Done<()>, JobError<ServiceError>> {
    settings::update(conn, &snapshot.shop).await?;
    store::set_menu_version(conn, snapshot.menu_version).await?;
    let ids = |v: &[Uuid]| v.to_vec();
    store::delete_menu_except(
        conn,
        &ids(&snapshot.items.iter().map(|i| i.id).collect::<Vec<_>>()),
        &ids(&snapshot.options.iter().map(|o| o.id).collect::<Vec<_>>()),
        &ids(&snapshot.groups.iter().map(|g| g.id).collect::<Vec<_>>()),
        &ids(&snapshot.categories.iter().map(|c| c.id).collect::<Vec<_>>()),
    )
    .await?;
    for c in &snapshot.categories {
        menu::upsert_category(conn, c).await?;
    }
    for g in &snapshot.groups {
        menu::upsert_group(conn, g).await?;
    }
    for o in &snapshot.options {
        menu::upsert_option(conn, o).await?;
    }
    for i in &snapshot.items {
        menu::upsert_item(conn, i).await?;
    }
    for reason in &snapshot.discount_reasons {
        let record = crate::store::discounts::ReasonRecord { reason: reason.into(), created_at: now, updated_at: now };
        crate::store::discounts::upsert(conn, &record).await?;
    }
    let keep: Vec<Uuid> = staff.members.iter().map(|m| m.id).collect();
    store::retire_staff_except(conn, &keep).await?;
    for m in &staff.members {
        let record = StaffRecord {
            id: m.id,
            name: m.name.clone(),
            role: m.role,
            active: m.active,
            pin_lookup: m.pin_lookup.clone(),
            pin_hash: m.pin_hash.clone(),
            email: m.email.clone(),
            created_at: now,
            updated_at: now,
        };
        crate::store::staff::upsert(conn, &record).await?;
    }
    let ctx = RequestContext::internal();
    let event = ctx.event(types::MENU_UPDATED, None, now, json!({ "version": snapshot.menu_version }));
    let sequence = outbox::append(conn, &[event]).await?;
    Ok(Done::new((), sequence))
}
