//! "86": an item or option off the menu (or back on). On a synced terminal it is one of the
//! commands that work offline: written locally with its command log entry, applied on the hub
//! when it arrives, and on the hub's menu from then on.

use super::read::{item_dto, option_dto};
use super::{edit, edit_in};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::{menu, sync as sync_store, Done, JobError};
use crema_shared::api::{ItemDto, OptionDto};
use crema_shared::sync::{AvailabilityTarget, CommandEnvelope, SyncCommand};
use uuid::Uuid;

/// "86" an item (or bring it back).
pub async fn set_item_availability(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    available: bool,
    if_match: Option<i64>,
) -> Result<ItemDto, ServiceError> {
    let log = command(state, ctx, AvailabilityTarget::Item, id, available);
    edit(state, ctx, if_match, move |conn| {
        Box::pin(async move {
            let item = set(conn, AvailabilityTarget::Item, id, available, log.as_ref()).await?;
            Ok((item.0.map(|i| item_dto(&i)).ok_or(ServiceError::NotFound("item"))?, "item.availability", id))
        })
    })
    .await
}

/// "86" an option (say, oat milk) or bring it back.
pub async fn set_option_availability(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    available: bool,
    if_match: Option<i64>,
) -> Result<OptionDto, ServiceError> {
    let log = command(state, ctx, AvailabilityTarget::Option, id, available);
    edit(state, ctx, if_match, move |conn| {
        Box::pin(async move {
            let option = set(conn, AvailabilityTarget::Option, id, available, log.as_ref()).await?;
            Ok((option.1.map(|o| option_dto(&o)).ok_or(ServiceError::NotFound("option"))?, "option.availability", id))
        })
    })
    .await
}

/// On the hub: a terminal's 86, inside the write that applies its command.
pub async fn apply_in(
    conn: &mut Db<'_>,
    ctx: &RequestContext,
    now: chrono::DateTime<chrono::Utc>,
    target: AvailabilityTarget,
    id: Uuid,
    available: bool,
) -> Result<Done<()>, JobError<ServiceError>> {
    let change = match target {
        AvailabilityTarget::Item => "item.availability",
        AvailabilityTarget::Option => "option.availability",
    };
    edit_in(conn, ctx, now, None, move |conn| {
        Box::pin(async move {
            let found = set(conn, target, id, available, None).await?;
            if found.0.is_none() && found.1.is_none() {
                return Err(
                    ServiceError::NotFound(if target == AvailabilityTarget::Item { "item" } else { "option" }).into()
                );
            }
            Ok(((), change, id))
        })
    })
    .await
}

/// On a terminal, the command for the hub (written with the change).
fn command(
    state: &AppState,
    ctx: &RequestContext,
    target: AvailabilityTarget,
    id: Uuid,
    available: bool,
) -> Option<CommandEnvelope> {
    state.sync.as_ref().map(|_| CommandEnvelope {
        id: Uuid::now_v7(),
        at: state.clock.now(),
        staff_id: ctx.staff_id(),
        command: SyncCommand::Availability { target, id, available },
    })
}

type Changed = (Option<crema_shared::menu::Item>, Option<crema_shared::menu::ModifierOption>);

async fn set(
    conn: &mut Db<'_>,
    target: AvailabilityTarget,
    id: Uuid,
    available: bool,
    log: Option<&CommandEnvelope>,
) -> Result<Changed, JobError<ServiceError>> {
    let changed = match target {
        AvailabilityTarget::Item => {
            let Some(mut item) = menu::get_item(conn, id).await? else { return Ok((None, None)) };
            item.available = available;
            menu::upsert_item(conn, &item).await?;
            (Some(item), None)
        }
        AvailabilityTarget::Option => {
            let Some(mut option) = menu::get_option(conn, id).await? else { return Ok((None, None)) };
            option.available = available;
            menu::upsert_option(conn, &option).await?;
            (None, Some(option))
        }
    };
    if let Some(envelope) = log {
        sync_store::log_command(conn, envelope).await?;
    }
    Ok(changed)
}
