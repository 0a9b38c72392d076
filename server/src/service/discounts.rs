//! The discount reasons managers keep, and the manager's approval a till asks for when a
//! discount is beyond what the cashier may give alone (see `crema_shared::discount`).

use crate::service::context::Actor;
use crate::service::staff::auth::{self, PinUse, Source};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::discounts::{self, ReasonRecord};
use crate::store::{audit, outbox, settings, Done, JobError};
use crema_shared::api::{ApprovalPin, DiscountReasonDto, DiscountReasonPatch, NewDiscountReasonRequest};
use crema_shared::discount::{self as rules, DiscountReason};
use crema_shared::events::{types, MenuUpdatedData};
use crema_shared::staff::Role;
use crema_shared::ValidationErrors;
use uuid::Uuid;

pub fn dto(record: &ReasonRecord) -> DiscountReasonDto {
    let r = &record.reason;
    DiscountReasonDto {
        id: r.id,
        name: r.name.clone(),
        roles: r.roles.clone(),
        limit_bps: r.limit_bps,
        active: r.active,
    }
}

pub async fn list(state: &AppState) -> Result<Vec<DiscountReasonDto>, ServiceError> {
    Ok(discounts::list(&mut state.store.read().await?).await?.iter().map(dto).collect())
}

pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    request: &NewDiscountReasonRequest,
) -> Result<DiscountReasonDto, ServiceError> {
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", rules::reason_name(&request.name));
    let limit_bps = errors.check("limit_bps", rules::limit(request.limit_bps));
    let (Some(name), Some(limit_bps)) = (name, limit_bps) else { return Err(errors.into()) };
    let now = state.clock.now();
    let record = ReasonRecord {
        reason: DiscountReason { id: Uuid::now_v7(), name, roles: roles(&request.roles), limit_bps, active: true },
        created_at: now,
        updated_at: now,
    };
    save(state, ctx, record, true).await
}

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    patch: &DiscountReasonPatch,
) -> Result<DiscountReasonDto, ServiceError> {
    let mut record =
        discounts::get(&mut state.store.read().await?, id).await?.ok_or(ServiceError::NotFound("discount reason"))?;
    let mut errors = ValidationErrors::new();
    if let Some(name) = patch.name.as_deref().and_then(|n| errors.check("name", rules::reason_name(n))) {
        record.reason.name = name;
    }
    if let Some(limit) = patch.limit_bps.and_then(|l| errors.check("limit_bps", rules::limit(l))) {
        record.reason.limit_bps = limit;
    }
    if let Some(list) = &patch.roles {
        record.reason.roles = roles(list);
    }
    if let Some(active) = patch.active {
        record.reason.active = active;
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    record.updated_at = state.clock.now();
    save(state, ctx, record, false).await
}

/// Roles once each, managers left out (they never need approval).
fn roles(list: &[Role]) -> Vec<Role> {
    Role::ALL.iter().copied().filter(|r| *r != Role::Manager && list.contains(r)).collect()
}

async fn save(
    state: &AppState,
    ctx: &RequestContext,
    record: ReasonRecord,
    new: bool,
) -> Result<DiscountReasonDto, ServiceError> {
    let entry = ctx.audit(
        if new { "discount_reason.created" } else { "discount_reason.updated" },
        Some(record.reason.id.to_string()),
        serde_json::to_value(dto(&record)).unwrap_or_default(),
    );
    let answer = dto(&record);
    let (ctx, now, id) = (ctx.clone(), state.clock.now(), record.reason.id);
    let menu = state.menu.clone();
    let saved = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let saved = if new {
                    discounts::insert(conn, &record).await?
                } else {
                    discounts::update(conn, &record).await?
                };
                if !saved {
                    let message = "another discount reason has this name";
                    return Err(JobError::Refused(ServiceError::Validation(ValidationErrors::single("name", message))));
                }
                audit::append(conn, &entry).await?;
                // What a discount may take off is part of pricing: tills and terminals re-read.
                let version = settings::bump_menu_version(conn).await?;
                let data = MenuUpdatedData { version, change: "discount_reason".into(), id };
                let event = ctx.event(types::MENU_UPDATED, None, now, serde_json::to_value(data).unwrap_or_default());
                let last = outbox::append(conn, &[event]).await?;
                Ok(Done::new((), last))
            })
        })
        .await;
    menu.forget();
    saved?;
    Ok(answer)
}

/// The reasons as the till's discounts are checked against.
pub async fn reasons(db: &mut crate::store::db::Db<'_>) -> Result<Vec<DiscountReason>, ServiceError> {
    Ok(discounts::list(db).await?.into_iter().map(|r| r.reason).collect())
}

/// The manager whose PIN this is, checked like a sign-in (the same limits on wrong PINs,
/// from the same source); a wrong PIN or one that is not an active manager's is refused
/// under `approval_pin` and counted.
pub async fn approver(
    state: &AppState,
    ctx: &RequestContext,
    pin: &ApprovalPin,
    source: Source,
) -> Result<Actor, ServiceError> {
    let found = auth::verify_pin(state, ctx, &pin.0, source, PinUse::Approval).await?;
    match found {
        Some(member) if member.role == Role::Manager => {
            Ok(Actor { id: member.id, name: member.name.clone(), role: member.role })
        }
        _ => Err(ValidationErrors::single("approval_pin", "is not an active manager's PIN").into()),
    }
}
