//! Reading the audit log (writing happens inside each audited action's own write), and
//! checking its hash chain: on demand (`crema-server audit verify`), hourly, and daily with
//! the chain head sent off the box (an event for the sinks, a line in the end-of-day email).

use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::audit::{self, AuditFilter};
use crate::store::{outbox, Done, JobError};
use crema_shared::api::{AuditEntryDto, AuditPage};
use crema_shared::events::types;
use serde_json::json;

/// Entries newest first; `filter.limit` is the page size.
pub async fn list(state: &AppState, filter: AuditFilter) -> Result<AuditPage, ServiceError> {
    let mut conn = state.store.read().await?;
    let probe = AuditFilter { limit: crate::service::paging::probe(filter.limit), ..filter.clone() };
    let (found, more) = crate::service::paging::page(audit::list(&mut conn, &probe).await?, filter.limit);
    Ok(AuditPage {
        entries: found
            .into_iter()
            .map(|e| AuditEntryDto {
                id: e.id,
                at: e.entry.at,
                staff_id: e.entry.staff_id,
                action: e.entry.action,
                subject: e.entry.subject,
                detail: e.entry.detail,
                request_id: e.entry.request_id,
            })
            .collect(),
        next_offset: more.then_some(filter.offset + filter.limit),
    })
}

/// Walks the audit log's hash chain (see [`crate::store::audit`]).
pub async fn verify(state: &AppState) -> Result<audit::ChainCheck, ServiceError> {
    let mut conn = state.store.read().await?;
    Ok(audit::verify(&mut conn).await?)
}

/// Checks the chain and writes what it found as an event, which the sinks carry off the box:
/// `audit.chain_head` (the newest row's id and hash) when every link holds, else
/// `audit.chain_broken` naming the first broken link.
pub async fn publish_check(state: &AppState) -> Result<audit::ChainCheck, ServiceError> {
    let check = verify(state).await?;
    let ctx = crate::service::RequestContext::internal();
    let event = match &check {
        audit::ChainCheck::Intact { rows, head } => {
            let (id, hash) = head.clone().unwrap_or((0, audit::GENESIS.to_string()));
            tracing::info!(rows, head_id = id, head_hash = %hash, "audit chain intact");
            ctx.event(
                types::AUDIT_CHAIN_HEAD,
                None,
                state.clock.now(),
                json!({ "rows": rows, "head_id": id, "head_hash": hash }),
            )
        }
        audit::ChainCheck::Broken { id, reason } => {
            tracing::error!(id, reason, "the audit log's chain is broken: someone changed the database file");
            ctx.event(types::AUDIT_CHAIN_BROKEN, None, state.clock.now(), json!({ "id": id, "reason": reason }))
        }
    };
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let last = outbox::append(conn, &[event]).await?;
                Ok::<_, JobError<ServiceError>>(Done::new((), last))
            })
        })
        .await?;
    Ok(check)
}
