//! On a terminal: how its sync stands, for the screens' header and `GET /api/v1/sync/status`,
//! and acknowledging the hub's rejections once someone has read them.

use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::{sync as store, Done, JobError};
use crema_shared::sync::SyncStatus;
use uuid::Uuid;

pub async fn status(state: &AppState) -> Result<SyncStatus, ServiceError> {
    let link = state.sync.as_ref().ok_or(ServiceError::NotFound("sync (this server is not a terminal)"))?;
    let mut conn = state.store.read().await?;
    let sync = store::state(&mut conn).await?.ok_or(ServiceError::NotFound("sync state"))?;
    Ok(SyncStatus {
        hub_reachable: link.reachable() && !link.revoked(),
        pending_commands: store::pending_count(&mut conn).await?,
        last_pushed_at: sync.last_pushed_at,
        last_pulled_sequence: sync.pulled_sequence,
        rejected: store::rejected(&mut conn).await?,
        unsynced_orders: store::pending_orders(&mut conn, 500).await?,
        hub_url: link.hub_url.to_string(),
        label: link.label.clone(),
        revoked: link.revoked() || sync.revoked_at.is_some(),
    })
}

/// Marks a rejection as read; 404 when there is no unacknowledged rejection with that id.
pub async fn acknowledge(state: &AppState, id: Uuid) -> Result<(), ServiceError> {
    if state.sync.is_none() {
        return Err(ServiceError::NotFound("sync (this server is not a terminal)"));
    }
    let now = state.clock.now();
    let found = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                Ok::<_, JobError<ServiceError>>(Done::new(store::acknowledge(conn, id, now).await?, None))
            })
        })
        .await?;
    if found {
        Ok(())
    } else {
        Err(ServiceError::NotFound("unacknowledged rejection"))
    }
}
