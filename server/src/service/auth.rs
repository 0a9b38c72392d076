//! Signing in with a PIN, sessions, and the lockout after repeated failures.
//!
//! A PIN identifies the person at the counter, so it is looked up by a keyed hash
//! (HMAC-SHA256 under a per-database pepper: unique index, no scan) and verified with
//! argon2id. Every attempt runs exactly one argon2id verification — against the person's
//! hash, or a dummy when no one has that PIN — and writes one audit row, so a wrong PIN
//! takes as long as a right one. Sessions are random 256-bit tokens stored as SHA-256,
//! expiring after an idle time that each use extends.

use super::context::Actor;
use super::error::JobResult;
use super::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::{audit, secrets, sessions, staff, time, Done, JobError, Store, StoreError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use crema_shared::api::{SessionDto, StaffDto};
use crema_shared::staff::Pin;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a session's idle clock is written back (it is checked on every request).
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// Sign-in policy.
#[derive(Clone, Copy, Debug)]
pub struct AuthPolicy {
    pub session_idle: Duration,
    pub max_failures: usize,
    pub failure_window: Duration,
}

/// Everything sign-in needs, shared by all requests.
#[derive(Debug)]
pub struct Auth {
    pub policy: AuthPolicy,
    pub pins: Arc<PinHasher>,
    throttle: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Auth {
    pub fn new(policy: AuthPolicy, pins: Arc<PinHasher>) -> Self {
        Auth { policy, pins, throttle: Mutex::new(HashMap::new()) }
    }

    /// `Err(seconds to wait)` while `client` is locked out.
    fn check_throttle(&self, client: &str) -> Result<(), u64> {
        let mut map = self.throttle.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let Some(failures) = map.get_mut(client) else { return Ok(()) };
        while failures.front().is_some_and(|t| now.duration_since(*t) >= self.policy.failure_window) {
            failures.pop_front();
        }
        if failures.len() >= self.policy.max_failures {
            let oldest = failures.front().copied().unwrap_or(now);
            let wait = self.policy.failure_window.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        Ok(())
    }

    fn record_failure(&self, client: &str) {
        let mut map = self.throttle.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(client.to_string()).or_default().push_back(Instant::now());
    }

    fn record_success(&self, client: &str) {
        let mut map = self.throttle.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(client);
    }
}

/// Keyed lookup and argon2id hashing of PINs.
pub struct PinHasher {
    pepper: Vec<u8>,
    dummy_hash: String,
}

impl std::fmt::Debug for PinHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinHasher(..)")
    }
}

impl PinHasher {
    /// Loads (or makes, the first time) the database's pepper.
    pub async fn load(store: &Store) -> Result<PinHasher, StoreError> {
        let pepper = store
            .writer()
            .write(|conn| {
                Box::pin(async move {
                    let value = secrets::get_or_create(conn, "pin_pepper", || hex::encode(random_bytes())).await?;
                    Ok::<_, JobError<StoreError>>(Done::new(value, None))
                })
            })
            .await?;
        let pepper = hex::decode(pepper).map_err(|_| StoreError::corrupt("pin pepper"))?;
        let dummy = Pin::parse("00000000").map_err(StoreError::corrupt)?;
        let mut hasher = PinHasher { pepper, dummy_hash: String::new() };
        hasher.dummy_hash = hasher.hash(&dummy)?;
        Ok(hasher)
    }

    /// Finds the person: HMAC-SHA256(pepper, PIN), hex.
    pub fn lookup(&self, pin: &Pin) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.pepper).expect("HMAC takes keys of any length");
        mac.update(pin.expose().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// An argon2id PHC string for `pin` (slow on purpose: call off the async threads).
    pub fn hash(&self, pin: &Pin) -> Result<String, StoreError> {
        let salt = SaltString::encode_b64(&random_bytes()[..16]).map_err(|e| StoreError::corrupt(e.to_string()))?;
        Argon2::default()
            .hash_password(pin.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::corrupt(format!("hashing a PIN: {e}")))
    }

    /// Verifies `pin` against `phc`, or burns the same time on a dummy when there is none.
    pub fn verify(&self, pin: &Pin, phc: Option<&str>) -> bool {
        let target = phc.unwrap_or(&self.dummy_hash);
        let ok = PasswordHash::new(target)
            .map(|parsed| Argon2::default().verify_password(pin.expose().as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        ok && phc.is_some()
    }
}

fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Signs in with a PIN from `client` (address or terminal); returns the session with its token.
pub async fn sign_in(
    state: &AppState,
    ctx: &RequestContext,
    pin: &str,
    client: &str,
) -> Result<SessionDto, ServiceError> {
    let auth = state.auth.clone();
    if let Err(retry_after_secs) = auth.check_throttle(client) {
        return Err(ServiceError::TooManyAttempts { retry_after_secs });
    }
    let pin = Pin::parse(pin).map_err(|m| crema_shared::ValidationErrors::single("pin", m))?;
    let lookup = auth.pins.lookup(&pin);
    let mut conn = state.store.reader().acquire().await?;
    let found = staff::find_by_lookup(&mut conn, &lookup).await?;
    drop(conn);
    let verifier = auth.clone();
    let phc = found.as_ref().map(|s| s.pin_hash.clone());
    let verified = tokio::task::spawn_blocking(move || verifier.pins.verify(&pin, phc.as_deref()))
        .await
        .map_err(|e| ServiceError::Store(StoreError::corrupt(format!("PIN check: {e}"))))?;
    let member = found.filter(|s| verified && s.active);
    let Some(member) = member else {
        auth.record_failure(client);
        let entry = ctx.audit("sign_in.failed", None, serde_json::json!({ "client": client }));
        write_audit(state, entry).await?;
        return Err(ServiceError::Unauthorized("that PIN does not belong to an active member of staff".into()));
    };
    auth.record_success(client);
    let token = hex::encode(random_bytes());
    let now = time::now();
    let expires_at = now + chrono::Duration::from_std(auth.policy.session_idle).unwrap_or(chrono::Duration::hours(8));
    let hash = token_hash(&token);
    let entry = RequestContext {
        actor: Some(Actor { id: member.id, name: member.name.clone(), role: member.role }),
        ..ctx.clone()
    }
    .audit("sign_in.succeeded", Some(member.id.to_string()), serde_json::json!({ "client": client }));
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
    tracing::info!(staff_id = %member.id, role = %member.role, "signed in");
    Ok(SessionDto { staff: staff_dto(&member), expires_at, token: Some(token) })
}

/// The actor behind `token`, if the session is live (and extends it).
pub async fn resolve(state: &AppState, token: &str) -> Result<Option<(Actor, DateTime<Utc>)>, ServiceError> {
    let hash = token_hash(token);
    let Some(session) = sessions::find(state.store.reader(), &hash).await? else { return Ok(None) };
    let now = time::now();
    if !session.active || session.expires_at <= now {
        return Ok(None);
    }
    let idle = chrono::Duration::from_std(state.auth.policy.session_idle).unwrap_or(chrono::Duration::hours(8));
    let mut expires_at = session.expires_at;
    if (now - session.last_seen_at).to_std().unwrap_or_default() >= TOUCH_EVERY {
        expires_at = now + idle;
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
    Ok(Some((Actor { id: session.staff_id, name: session.staff_name, role: session.role }, expires_at)))
}

/// The signed-in person's session.
pub async fn current(state: &AppState, token: &str) -> Result<SessionDto, ServiceError> {
    let (actor, expires_at) =
        resolve(state, token).await?.ok_or_else(|| ServiceError::Unauthorized("the session has ended".into()))?;
    let mut conn = state.store.reader().acquire().await?;
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
        .await
}

async fn write_audit(state: &AppState, entry: audit::AuditEntry) -> Result<(), ServiceError> {
    state.store.writer().write(move |conn| Box::pin(async move { audit_job(conn, &entry).await })).await
}

async fn audit_job(conn: &mut sqlx::SqliteConnection, entry: &audit::AuditEntry) -> JobResult<()> {
    audit::append(conn, entry).await?;
    Ok(Done::new((), None))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(max: usize, window_ms: u64) -> Auth {
        let pins = PinHasher { pepper: vec![7; 32], dummy_hash: String::new() };
        Auth::new(
            AuthPolicy {
                session_idle: Duration::from_secs(60),
                max_failures: max,
                failure_window: Duration::from_millis(window_ms),
            },
            Arc::new(pins),
        )
    }

    #[test]
    fn lockout_after_max_failures_per_client_and_reset_on_success() {
        let a = auth(3, 60_000);
        for _ in 0..3 {
            assert!(a.check_throttle("till-1").is_ok());
            a.record_failure("till-1");
        }
        let wait = a.check_throttle("till-1").expect_err("locked");
        assert!((1..=60).contains(&wait));
        assert!(a.check_throttle("till-2").is_ok(), "another terminal is not locked");
        a.record_success("till-1");
        assert!(a.check_throttle("till-1").is_ok());
    }

    #[test]
    fn failures_expire_with_the_window() {
        let a = auth(1, 0);
        a.record_failure("x");
        assert!(a.check_throttle("x").is_ok());
    }

    #[test]
    fn pins_hash_verify_and_look_up_deterministically() {
        let mut h = PinHasher { pepper: vec![1; 32], dummy_hash: String::new() };
        let pin = Pin::parse("2468").expect("pin");
        h.dummy_hash = h.hash(&pin).expect("hash");
        let phc = h.hash(&pin).expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify(&pin, Some(&phc)));
        assert!(!h.verify(&Pin::parse("1357").expect("pin"), Some(&phc)));
        // No hash: never verifies, even if the dummy would match.
        assert!(!h.verify(&pin, None));
        assert_eq!(h.lookup(&pin), h.lookup(&pin));
        assert_ne!(h.lookup(&pin), h.lookup(&Pin::parse("24680").expect("pin")));
    }
}
