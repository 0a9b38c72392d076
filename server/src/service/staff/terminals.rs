//! Enrolling terminals: a manager makes a one-time pairing code, the terminal redeems it
//! for a secret, and from then on proves who it is with that secret.
//!
//! Why: a till tablet, the kitchen screen and the desktop app often share one network
//! address (the desktop app's windows all come from 127.0.0.1; behind a TLS proxy every
//! tablet is the proxy). Keyed on the address, one person typing wrong PINs on one screen
//! would lock out all of them. An enrolled terminal is its own sign-in source with its own
//! limit, and nobody can pretend to be it without its secret. Codes are guessed through
//! the same limiter as PINs.

use crate::service::staff::auth::{self, Source};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::terminals::{self, TerminalRecord};
use crate::store::{audit, Done, JobError};
use chrono::{DateTime, Utc};
use crema_shared::api::{NewTerminalRequest, PairedTerminalDto, TerminalDto, TerminalPatch};
use crema_shared::terminal::{code_from_bytes, next_label, normalize_code, parse_credential, CODE_LENGTH};
use crema_shared::validation::bounded_text;
use crema_shared::ValidationErrors;
use rand::RngCore;
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// How long a pairing code can be redeemed.
pub const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);
pub const MAX_NAME_CHARS: usize = 40;
/// How often a terminal's "last seen" is written back.
const SEEN_EVERY: chrono::Duration = chrono::Duration::minutes(5);

pub fn dto(t: &TerminalRecord, code: Option<String>) -> TerminalDto {
    let status = if t.revoked_at.is_some() {
        "revoked"
    } else if t.secret_hash.is_some() {
        "paired"
    } else {
        "pending"
    };
    TerminalDto {
        id: t.id,
        name: t.name.clone(),
        label: t.label.clone(),
        status: status.into(),
        code_expires_at: code.as_ref().and(t.code_expires_at),
        code,
        paired_at: t.paired_at,
        last_seen_at: t.last_seen_at,
        revoked_at: t.revoked_at,
        created_at: t.created_at,
    }
}

pub async fn list(state: &AppState) -> Result<Vec<TerminalDto>, ServiceError> {
    let mut conn = state.store.read().await?;
    Ok(terminals::list(&mut conn).await?.iter().map(|t| dto(t, None)).collect())
}

pub async fn get(state: &AppState, id: Uuid) -> Result<TerminalDto, ServiceError> {
    terminals::get(&mut state.store.read().await?, id)
        .await?
        .map(|t| dto(&t, None))
        .ok_or(ServiceError::NotFound("terminal"))
}

/// Enrols a terminal: it gets a label and a one-time pairing code (shown once).
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    request: &NewTerminalRequest,
) -> Result<TerminalDto, ServiceError> {
    let clock = state.clock.clone();
    let name = bounded_text(&request.name, MAX_NAME_CHARS).map_err(|m| ValidationErrors::single("name", m))?;
    let (code, code_hash, expires_at) = fresh_code(state.clock.now());
    let ctx = ctx.clone();
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let taken = terminals::labels(conn).await?;
                let now = clock.now();
                let record = TerminalRecord {
                    id: Uuid::now_v7(),
                    name,
                    label: next_label(taken.iter().map(String::as_str)),
                    code_hash: Some(code_hash),
                    code_expires_at: Some(expires_at),
                    secret_hash: None,
                    paired_at: None,
                    last_seen_at: None,
                    revoked_at: None,
                    created_at: now,
                    updated_at: now,
                };
                terminals::upsert(conn, &record).await?;
                let detail = json!({ "name": record.name, "label": record.label });
                audit::append(conn, &ctx.audit("terminal.created", Some(record.id.to_string()), detail)).await?;
                Ok::<_, JobError<ServiceError>>(Done::new(dto(&record, Some(code)), None))
            })
        })
        .await
}

/// A fresh pairing code for a terminal (to pair it again, e.g. a replaced tablet). Its
/// current secret keeps working until the new code is redeemed.
pub async fn new_code(state: &AppState, ctx: &RequestContext, id: Uuid) -> Result<TerminalDto, ServiceError> {
    let (code, code_hash, expires_at) = fresh_code(state.clock.now());
    change(state, ctx, id, "terminal.code_issued", move |t| {
        if t.revoked_at.is_some() {
            return Err(ServiceError::Conflict("this terminal was revoked; enrol a new one".into()));
        }
        t.code_hash = Some(code_hash);
        t.code_expires_at = Some(expires_at);
        Ok(Some(code))
    })
    .await
}

pub async fn rename(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    patch: &TerminalPatch,
) -> Result<TerminalDto, ServiceError> {
    let name = match &patch.name {
        Some(raw) => Some(bounded_text(raw, MAX_NAME_CHARS).map_err(|m| ValidationErrors::single("name", m))?),
        None => None,
    };
    change(state, ctx, id, "terminal.renamed", move |t| {
        if let Some(name) = name {
            t.name = name;
        }
        Ok(None)
    })
    .await
}

/// Revokes a terminal: its secret and any pending code stop working at once.
pub async fn revoke(state: &AppState, ctx: &RequestContext, id: Uuid) -> Result<TerminalDto, ServiceError> {
    let clock = state.clock.clone();
    change(state, ctx, id, "terminal.revoked", move |t| {
        if t.revoked_at.is_none() {
            t.revoked_at = Some(clock.now());
        }
        t.code_hash = None;
        t.code_expires_at = None;
        Ok(None)
    })
    .await
}

async fn change(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    action: &'static str,
    apply: impl FnOnce(&mut TerminalRecord) -> Result<Option<String>, ServiceError> + Send + 'static,
) -> Result<TerminalDto, ServiceError> {
    let clock = state.clock.clone();
    let ctx = ctx.clone();
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let mut record = terminals::get(&mut *conn, id).await?.ok_or(ServiceError::NotFound("terminal"))?;
                let code = apply(&mut record)?;
                record.updated_at = clock.now();
                terminals::upsert(conn, &record).await?;
                let detail = json!({ "name": record.name, "label": record.label });
                audit::append(conn, &ctx.audit(action, Some(id.to_string()), detail)).await?;
                Ok::<_, JobError<ServiceError>>(Done::new(dto(&record, code), None))
            })
        })
        .await
}

/// Redeems a pairing code from `source`: the terminal gets its credential (shown once).
/// A wrong or expired code counts against the source like a wrong PIN.
pub async fn pair(
    state: &AppState,
    ctx: &RequestContext,
    code: &str,
    source: Source,
) -> Result<PairedTerminalDto, ServiceError> {
    let clock = state.clock.clone();
    let code = normalize_code(code)
        .ok_or_else(|| ValidationErrors::single("code", "must be the 8-character code a manager made (ABCD-EFGH)"))?;
    let guard = match state.auth.begin_attempt(source) {
        Ok(guard) => guard,
        Err(refusal) => return Err(auth::refused(state, ctx, "terminal.pair_locked_out", refusal, source).await),
    };
    let code_hash = auth::token_hash(&code);
    let secret = hex::encode(auth::random_bytes());
    let secret_hash = auth::token_hash(&secret);
    let ctx2 = ctx.clone();
    let paired = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let now = clock.now();
                let Some(mut record) = terminals::find_by_code(conn, &code_hash).await? else {
                    return Ok::<_, JobError<ServiceError>>(Done::new(None, None));
                };
                if record.revoked_at.is_some() || record.code_expires_at.is_none_or(|at| at <= now) {
                    return Ok(Done::new(None, None));
                }
                record.code_hash = None;
                record.code_expires_at = None;
                record.secret_hash = Some(secret_hash);
                record.paired_at = Some(now);
                record.last_seen_at = Some(now);
                record.updated_at = now;
                terminals::upsert(conn, &record).await?;
                let detail = json!({ "name": record.name, "label": record.label, "source": source.to_string() });
                audit::append(conn, &ctx2.audit("terminal.paired", Some(record.id.to_string()), detail)).await?;
                Ok(Done::new(Some(record), None))
            })
        })
        .await?;
    let Some(record) = paired else {
        auth::record_failure(state, ctx, "terminal.pair_failed", guard).await?;
        return Err(ValidationErrors::single("code", "is not a current pairing code (it may have expired)").into());
    };
    guard.succeeded();
    tracing::info!(terminal = %record.id, label = %record.label, "terminal paired");
    Ok(PairedTerminalDto {
        id: record.id,
        name: record.name,
        label: record.label,
        credential: Some(format!("{}.{secret}", record.id)),
    })
}

/// The enrolled terminal behind a credential (`<id>.<secret>`), if it is valid and not revoked.
pub async fn identify(state: &AppState, credential: &str) -> Result<Option<TerminalRecord>, ServiceError> {
    let Some((id, secret)) = parse_credential(credential) else { return Ok(None) };
    let Some(record) = terminals::get(&mut state.store.read().await?, id).await? else { return Ok(None) };
    let expected = record.secret_hash.as_deref().unwrap_or_default();
    let matches = !expected.is_empty() && constant_time_eq(expected.as_bytes(), auth::token_hash(secret).as_bytes());
    if !matches || record.revoked_at.is_some() {
        return Ok(None);
    }
    if record.last_seen_at.is_none_or(|at| state.clock.now() - at >= SEEN_EVERY) {
        let now = state.clock.now();
        let mut seen = record.clone();
        seen.last_seen_at = Some(now);
        state
            .store
            .writer()
            .write(move |conn| {
                Box::pin(async move {
                    terminals::upsert(conn, &seen).await?;
                    Ok::<_, JobError<ServiceError>>(Done::new((), None))
                })
            })
            .await?;
    }
    Ok(Some(record))
}

fn fresh_code(now: DateTime<Utc>) -> (String, String, DateTime<Utc>) {
    let mut bytes = [0u8; CODE_LENGTH];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let code = code_from_bytes(&bytes);
    let hash = auth::token_hash(&code);
    let expires_at = now + chrono::Duration::from_std(CODE_LIFETIME).unwrap_or(chrono::Duration::minutes(15));
    (code, hash, expires_at)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
