//! Managing staff: add, rename, change role, deactivate, reset a PIN. Every change is
//! audited in the same write; PINs are hashed before the write, off the async threads.

pub mod auth;
pub mod terminals;

use crate::service::error::JobResult;
use crate::service::staff::auth::pins::PinHasher;
use crate::service::staff::auth::{staff_dto, Auth};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::staff::{self, StaffRecord};
use crate::store::{audit, sessions, Done};
use crema_shared::api::{NewStaffRequest, StaffDto, StaffPatch};
use crema_shared::customer::Email;
use crema_shared::staff::{Pin, Role};
use crema_shared::validation::bounded_text;
use crema_shared::ValidationErrors;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

pub const MAX_STAFF_NAME_CHARS: usize = 40;

/// The demo staff a new database starts with: name, role, PIN.
pub const DEMO_STAFF: &[(&str, Role, &str)] = &[
    ("Casey (cashier)", Role::Cashier, "1111"),
    ("Blake (barista)", Role::Barista, "2222"),
    ("Morgan (manager)", Role::Manager, "9999"),
];

pub async fn list(state: &AppState) -> Result<Vec<StaffDto>, ServiceError> {
    let mut conn = state.store.read().await?;
    Ok(staff::list(&mut conn).await?.iter().map(staff_dto).collect())
}

pub async fn get(state: &AppState, id: Uuid) -> Result<StaffDto, ServiceError> {
    let mut conn = state.store.read().await?;
    staff::get(&mut conn, id).await?.map(|s| staff_dto(&s)).ok_or(ServiceError::NotFound("staff member"))
}

/// Hashes a PIN (lookup and argon2id) on a blocking thread.
pub async fn hash_pin(auth: Arc<Auth>, pin: Pin) -> Result<(String, String), ServiceError> {
    tokio::task::spawn_blocking(move || {
        let lookup = auth.pins.lookup(&pin);
        auth.pins.hash(&pin).map(|hash| (lookup, hash))
    })
    .await
    .map_err(|e| ServiceError::Store(crate::store::StoreError::internal(format!("hashing a PIN: {e}"))))?
    .map_err(ServiceError::Store)
}

/// The demo staff records, PINs hashed on a blocking thread.
///
/// Their PINs are published (README); a server with them active refuses to listen on a
/// network address unless started with `--demo` (see [`crate::server`]).
pub async fn demo_records(pins: Arc<PinHasher>) -> Result<Vec<StaffRecord>, ServiceError> {
    tokio::task::spawn_blocking(move || {
        DEMO_STAFF.iter().map(|(name, role, pin)| demo_record(&pins, name, *role, pin)).collect()
    })
    .await
    .map_err(|e| ServiceError::Store(crate::store::StoreError::internal(format!("hashing demo PINs: {e}"))))?
}

/// A demo staff record (hashes computed here; slow).
pub fn demo_record(pins: &PinHasher, name: &str, role: Role, pin: &str) -> Result<StaffRecord, ServiceError> {
    let pin = Pin::parse(pin).map_err(|m| ValidationErrors::single("pin", m))?;
    let now = crate::store::time::now();
    Ok(StaffRecord {
        id: Uuid::now_v7(),
        name: name.to_string(),
        role,
        active: true,
        pin_lookup: pins.lookup(&pin),
        pin_hash: pins.hash(&pin)?,
        email: None,
        created_at: now,
        updated_at: now,
    })
}

pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    request: &NewStaffRequest,
) -> Result<StaffDto, ServiceError> {
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", bounded_text(&request.name, MAX_STAFF_NAME_CHARS));
    let pin = errors.check("pin", Pin::parse(&request.pin));
    let email = optional_email(&mut errors, request.email.as_deref());
    let (Some(name), Some(pin)) = (name, pin) else { return Err(errors.into()) };
    errors.into_result(())?;
    let (pin_lookup, pin_hash) = hash_pin(state.auth.clone(), pin).await?;
    let now = state.clock.now();
    let record = StaffRecord {
        id: Uuid::now_v7(),
        name,
        role: request.role,
        active: true,
        pin_lookup,
        pin_hash,
        email,
        created_at: now,
        updated_at: now,
    };
    let ctx = ctx.clone();
    state.store.writer().write(move |conn| Box::pin(async move { create_job(conn, &ctx, &record).await })).await
}

async fn create_job(conn: &mut Db<'_>, ctx: &RequestContext, record: &StaffRecord) -> JobResult<StaffDto> {
    ensure_pin_free(conn, &record.pin_lookup, record.id).await?;
    staff::upsert(conn, record).await?;
    let detail = json!({ "name": record.name, "role": record.role });
    audit::append(conn, &ctx.audit("staff.created", Some(record.id.to_string()), detail)).await?;
    Ok(Done::new(staff_dto(record), None))
}

/// Renames, changes role or (de)activates. The last active manager cannot be demoted or
/// deactivated (the shop would lock itself out); deactivating signs the person out.
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    patch: &StaffPatch,
) -> Result<StaffDto, ServiceError> {
    let clock = state.clock.clone();
    let name = match &patch.name {
        Some(raw) => Some(bounded_text(raw, MAX_STAFF_NAME_CHARS).map_err(|m| ValidationErrors::single("name", m))?),
        None => None,
    };
    let mut errors = ValidationErrors::new();
    // `Some(None)`: remove the address; `None`: leave it.
    let email = patch.email.as_deref().map(|raw| optional_email(&mut errors, Some(raw)));
    errors.into_result(())?;
    let (ctx, patch) = (ctx.clone(), patch.clone());
    let dto = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let mut member = staff::get(conn, id).await?.ok_or(ServiceError::NotFound("staff member"))?;
                let before = member.clone();
                if let Some(name) = name {
                    member.name = name;
                }
                member.role = patch.role.unwrap_or(member.role);
                member.active = patch.active.unwrap_or(member.active);
                if let Some(email) = email {
                    member.email = email;
                }
                let loses_manager =
                    before.role == Role::Manager && before.active && (member.role != Role::Manager || !member.active);
                if loses_manager && staff::other_active_managers(conn, id).await? == 0 {
                    return Err(ServiceError::Conflict(
                        "this is the last active manager; add another manager first".into(),
                    )
                    .into());
                }
                member.updated_at = clock.now();
                staff::upsert(conn, &member).await?;
                if before.active && !member.active {
                    sessions::delete_for_staff(conn, id).await?;
                }
                let action = if before.active && !member.active { "staff.deactivated" } else { "staff.updated" };
                let detail = json!({
                    "name": member.name, "role": member.role, "active": member.active,
                    "was": { "name": before.name, "role": before.role, "active": before.active },
                });
                audit::append(conn, &ctx.audit(action, Some(id.to_string()), detail)).await?;
                Ok(Done::new(staff_dto(&member), None))
            })
        })
        .await?;
    if !dto.active {
        state.auth.sessions_ended();
    }
    Ok(dto)
}

/// Sets a new PIN (it must not be anyone else's).
pub async fn reset_pin(state: &AppState, ctx: &RequestContext, id: Uuid, pin: &str) -> Result<StaffDto, ServiceError> {
    let clock = state.clock.clone();
    let pin = Pin::parse(pin).map_err(|m| ValidationErrors::single("pin", m))?;
    let (pin_lookup, pin_hash) = hash_pin(state.auth.clone(), pin).await?;
    let ctx = ctx.clone();
    let dto = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let mut member = staff::get(conn, id).await?.ok_or(ServiceError::NotFound("staff member"))?;
                ensure_pin_free(conn, &pin_lookup, id).await?;
                member.pin_lookup = pin_lookup;
                member.pin_hash = pin_hash;
                member.updated_at = clock.now();
                staff::upsert(conn, &member).await?;
                // Whoever knew the old PIN may be signed in with it: those sessions end now.
                let ended = sessions::delete_for_staff(conn, id).await?;
                let detail = json!({ "sessions_ended": ended });
                audit::append(conn, &ctx.audit("staff.pin_reset", Some(id.to_string()), detail)).await?;
                Ok(Done::new(staff_dto(&member), None))
            })
        })
        .await?;
    state.auth.sessions_ended();
    Ok(dto)
}

/// The active staff whose PIN is one of the published demo PINs.
pub async fn active_demo_staff(state: &AppState) -> Result<Vec<StaffRecord>, ServiceError> {
    let mut conn = state.store.read().await?;
    let mut found = Vec::new();
    for (_, _, pin) in DEMO_STAFF {
        let pin = Pin::parse(pin).map_err(|m| ValidationErrors::single("pin", m))?;
        if let Some(member) = staff::find_by_lookup(&mut conn, &state.auth.pins.lookup(&pin)).await? {
            if member.active {
                found.push(member);
            }
        }
    }
    Ok(found)
}

/// Deactivates every active member of staff whose PIN is a published demo PIN. Refused if
/// that would leave the shop without an active manager.
pub async fn retire_demo(state: &AppState, ctx: &RequestContext) -> Result<Vec<StaffDto>, ServiceError> {
    let demo = active_demo_staff(state).await?;
    let mut retired = Vec::new();
    for member in demo {
        let patch = StaffPatch { active: Some(false), ..StaffPatch::default() };
        retired.push(update(state, ctx, member.id, &patch).await?);
    }
    Ok(retired)
}

/// Refuses a PIN that someone other than `owner` already has (a PIN identifies a person).
async fn ensure_pin_free(conn: &mut Db<'_>, lookup: &str, owner: Uuid) -> JobResult<()> {
    if staff::find_by_lookup(conn, lookup).await?.is_some_and(|other| other.id != owner) {
        return Err(ValidationErrors::single("pin", "is already used by someone else; choose another").into());
    }
    Ok(Done::new((), None))
}

/// An optional email: absent or blank means none.
fn optional_email(errors: &mut ValidationErrors, raw: Option<&str>) -> Option<String> {
    match raw.map(str::trim) {
        None | Some("") => None,
        Some(raw) => errors.check("email", Email::parse(raw)).map(|e| e.as_str().to_string()),
    }
}
