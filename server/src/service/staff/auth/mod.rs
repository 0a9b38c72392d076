//! Signing in with a PIN, and sessions.
//!
//! Every attempt is first reserved with the [`limiter`] for its [`Source`] (an enrolled
//! terminal or a network address, never a header the client makes up), then waits for one of
//! a few [`pins::PinCheckers`] slots, then runs exactly one argon2id verification. A burst of
//! failures from one source is audited once per window (its first failure, and its lockout),
//! and the shop-wide alert once, so guessing cannot fill the disk.
//!
//! Sessions are random 256-bit tokens stored as SHA-256. A session ends after an idle time
//! that each use extends, and at the latest after an absolute lifetime; it ends at once when
//! its owner signs out, is deactivated or has their PIN reset. Open event streams re-check
//! their session whenever sessions end ([`Auth::sessions_changed`]) and every few seconds.

pub mod limiter;
pub mod pins;
mod verify;

pub use verify::{record_failure, refused, verify_pin, PinUse};

use crate::service::context::Actor;
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::{audit, sessions, staff, Done, JobError};
use chrono::{DateTime, Utc};
use crema_shared::api::{SessionDto, StaffDto};
use limiter::{Attempt, Refusal, SignInLimiter};
pub use limiter::{LimiterPolicy, Source};
use pins::{PinCheckers, PinHasher};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// How often a session's idle clock is written back (it is checked on every request).
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// Sign-in policy.
#[derive(Clone, Copy, Debug)]
pub struct AuthPolicy {
    /// A session ends after this long unused...
    pub session_idle: Duration,
    /// ...and at the latest this long after sign-in.
    pub session_max: Duration,
    pub limiter: LimiterPolicy,
    /// PIN verifications that may run at once.
    pub concurrent_pin_checks: usize,
}

/// Everything sign-in needs, shared by all requests.
#[derive(Debug)]
pub struct Auth {
    pub policy: AuthPolicy,
    pub pins: Arc<PinHasher>,
    limiter: Mutex<SignInLimiter>,
    checkers: PinCheckers,
    sessions_changed: watch::Sender<u64>,
    /// The lockout windows are measured on the server's clock.
    clock: crate::clock::Clock,
}

impl Auth {
    pub fn new(policy: AuthPolicy, pins: Arc<PinHasher>, clock: crate::clock::Clock) -> Self {
        Auth {
            policy,
            pins,
            clock,
            limiter: Mutex::new(SignInLimiter::new(policy.limiter)),
            checkers: PinCheckers::new(policy.concurrent_pin_checks),
            sessions_changed: watch::Sender::new(0),
        }
    }

    /// Wakes whoever holds a session (open streams) to check whether it still stands.
    pub fn sessions_ended(&self) {
        self.sessions_changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Changes when some sessions ended (sign-out, deactivation, PIN reset, pruning).
    pub fn sessions_changed(&self) -> watch::Receiver<u64> {
        self.sessions_changed.subscribe()
    }

    /// Reserves a sign-in attempt (also used by terminal pairing, which guesses a code).
    pub fn begin_attempt(self: &Arc<Self>, source: Source) -> Result<AttemptGuard, Refusal> {
        let attempt = self.lock().begin(source, self.clock.now())?;
        Ok(AttemptGuard { auth: self.clone(), attempt: Some(attempt) })
    }

    /// Whether the shop-wide sign-in alert stands.
    pub fn under_alert(&self) -> bool {
        self.lock().under_alert(self.clock.now())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SignInLimiter> {
        self.limiter.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A reserved attempt. Dropped without an outcome (the client went away mid-check) it counts
/// as a failure, so hanging up is not a way around the limit.
#[derive(Debug)]
pub struct AttemptGuard {
    auth: Arc<Auth>,
    attempt: Option<Attempt>,
}

impl AttemptGuard {
    pub fn source(&self) -> Option<Source> {
        self.attempt.as_ref().map(Attempt::source)
    }

    pub fn succeeded(mut self) {
        if let Some(attempt) = self.attempt.take() {
            self.auth.lock().succeeded(attempt, self.auth.clock.now());
        }
    }

    pub fn failed(mut self) -> limiter::FailureNote {
        match self.attempt.take() {
            Some(attempt) => self.auth.lock().failed(attempt, self.auth.clock.now()),
            None => limiter::FailureNote::default(),
        }
    }
}

impl Drop for AttemptGuard {
    fn drop(&mut self) {
        if let Some(attempt) = self.attempt.take() {
            self.auth.lock().failed(attempt, self.auth.clock.now());
        }
    }
}

pub(crate) fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// SHA-256 of a secret token (session token, terminal secret, pairing code), hex: what is
/// stored instead of the token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Signs in with a PIN from `source`; returns the session with its token.
#[tracing::instrument(name = "staff.sign_in", skip_all)]
pub async fn sign_in(
    state: &AppState,
    ctx: &RequestContext,
    pin: &str,
    source: Source,
) -> Result<SessionDto, ServiceError> {
    let Some(member) = verify_pin(state, ctx, pin, source, PinUse::SignIn).await? else {
        return Err(ServiceError::Unauthorized("that PIN does not belong to an active member of staff".into()));
    };
    let auth = &state.auth;
    let token = hex::encode(random_bytes());
    let now = state.clock.now();
    let expires_at = now + chrono_duration(auth.policy.session_idle).min(chrono_duration(auth.policy.session_max));
    let hash = token_hash(&token);
    let entry = RequestContext {
        actor: Some(Actor { id: member.id, name: member.name.clone(), role: member.role }),
        ..ctx.clone()
    }
    .audit("sign_in.succeeded", Some(member.id.to_string()), serde_json::json!({ "source": source.to_string() }));
    let staff_id = member.id;
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                sessions::insert(conn, &hash, staff_id, now, expires_at).await?;
                audit::append(conn, &entry).await?;
                Ok::<_, JobError<ServiceError>>(Done::new((), None))
            })
        })
        .await?;
    tracing::info!(staff_id = %member.id, role = %member.role, %source, "signed in");
    Ok(SessionDto { staff: staff_dto(&member), expires_at, token: Some(token) })
}

/// The live session behind a token hash, without extending it (for open streams).
pub async fn check(state: &AppState, token_hash: &str) -> Result<Option<Actor>, ServiceError> {
    let Some(session) = sessions::find_now(&state.store, token_hash).await? else { return Ok(None) };
    Ok(live(state, &session, state.clock.now()).then(|| actor_of(&session)))
}

/// The actor behind `token`, if the session is live (and extends it within its lifetime).
pub async fn resolve(state: &AppState, token: &str) -> Result<Option<(Actor, DateTime<Utc>)>, ServiceError> {
    let hash = token_hash(token);
    let Some(session) = sessions::find_now(&state.store, &hash).await? else { return Ok(None) };
    let now = state.clock.now();
    if !live(state, &session, now) {
        return Ok(None);
    }
    let mut expires_at = session.expires_at;
    if (now - session.last_seen_at).to_std().unwrap_or_default() >= TOUCH_EVERY {
        expires_at = (now + chrono_duration(state.auth.policy.session_idle)).min(absolute_end(state, &session));
        state
            .store
            .writer()
            .write(move |conn| {
                Box::pin(async move {
                    sessions::touch(conn, &hash, now, expires_at).await?;
                    Ok::<_, JobError<ServiceError>>(Done::new((), None))
                })
            })
            .await?;
    }
    Ok(Some((actor_of(&session), expires_at)))
}

fn live(state: &AppState, session: &sessions::SessionRecord, now: DateTime<Utc>) -> bool {
    session.active && session.expires_at > now && absolute_end(state, session) > now
}

fn absolute_end(state: &AppState, session: &sessions::SessionRecord) -> DateTime<Utc> {
    session.created_at + chrono_duration(state.auth.policy.session_max)
}

fn actor_of(session: &sessions::SessionRecord) -> Actor {
    Actor { id: session.staff_id, name: session.staff_name.clone(), role: session.role }
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::hours(8))
}

/// The signed-in person's session.
pub async fn current(state: &AppState, token: &str) -> Result<SessionDto, ServiceError> {
    let (actor, expires_at) =
        resolve(state, token).await?.ok_or_else(|| ServiceError::Unauthorized("the session has ended".into()))?;
    let mut conn = state.store.read().await?;
    let member = staff::get(&mut conn, actor.id).await?.ok_or(ServiceError::NotFound("staff member"))?;
    Ok(SessionDto { staff: staff_dto(&member), expires_at, token: None })
}

/// Ends the session behind `token`.
pub async fn sign_out(state: &AppState, ctx: &RequestContext, token: &str) -> Result<(), ServiceError> {
    let hash = token_hash(token);
    let entry = ctx.audit("sign_out", ctx.staff_id().map(|id| id.to_string()), serde_json::json!({}));
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                sessions::delete(conn, &hash).await?;
                audit::append(conn, &entry).await?;
                Ok::<_, JobError<ServiceError>>(Done::new((), None))
            })
        })
        .await?;
    state.auth.sessions_ended();
    Ok(())
}

async fn write_audit(state: &AppState, entry: audit::AuditEntry) -> Result<(), ServiceError> {
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                audit::append(conn, &entry).await?;
                Ok::<_, JobError<ServiceError>>(Done::new((), None))
            })
        })
        .await
}

pub fn staff_dto(s: &staff::StaffRecord) -> StaffDto {
    StaffDto {
        id: s.id,
        name: s.name.clone(),
        role: s.role,
        active: s.active,
        email: s.email.clone(),
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}
