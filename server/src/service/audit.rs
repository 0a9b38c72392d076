//! Reading the audit log (writing happens inside each audited action's own write).

use super::ServiceError;
use crate::state::AppState;
use crate::store::audit::{self, AuditFilter};
use crema_shared::api::{AuditEntryDto, AuditPage};

/// Entries newest first; `filter.limit` is the page size.
pub async fn list(state: &AppState, filter: AuditFilter) -> Result<AuditPage, ServiceError> {
    let mut conn = state.store.reader().acquire().await?;
    let probe = AuditFilter { limit: filter.limit + 1, ..filter.clone() };
    let mut found = audit::list(&mut conn, &probe).await?;
    let more = found.len() as i64 > filter.limit;
    found.truncate(filter.limit.max(0) as usize);
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
