//! Checking a typed PIN — to sign in, or a manager approving at the till — under the
//! sign-in limits of where it was typed: the refusal a locked-out source gets, a failure
//! counted (and audited once per window, the shop-wide alert once), one argon2id check.

use super::limiter::Refusal;
use super::{write_audit, AttemptGuard, Source};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::{audit, outbox, staff, Done, JobError};
use crema_shared::events::types;
use crema_shared::staff::Pin;

/// The refusal as the caller sees it, auditing the first refusal of a lockout.
pub async fn refused(
    state: &AppState,
    ctx: &RequestContext,
    action: &str,
    refusal: Refusal,
    source: Source,
) -> ServiceError {
    let retry_after_secs = refusal.retry_after().as_secs().max(1);
    match refusal {
        Refusal::LockedOut { first: true, .. } => {
            let detail = serde_json::json!({ "source": source.to_string(), "retry_after_secs": retry_after_secs });
            if let Err(e) = write_audit(state, ctx.audit(action, None, detail)).await {
                tracing::error!(error = %e, "cannot audit a lockout");
            }
            tracing::warn!(%source, retry_after_secs, "sign-in source locked out");
            ServiceError::TooManyAttempts { retry_after_secs }
        }
        Refusal::LockedOut { .. } | Refusal::SlowedDown { .. } => ServiceError::TooManyAttempts { retry_after_secs },
        Refusal::Crowded { .. } => ServiceError::Busy { retry_after_secs },
    }
}

/// Records a failed attempt: the source's first failure in its window is audited, later ones
/// only counted; reaching the shop-wide budget raises `security.signin_alert`.
pub async fn record_failure(
    state: &AppState,
    ctx: &RequestContext,
    action: &str,
    guard: AttemptGuard,
) -> Result<(), ServiceError> {
    let source = guard.source();
    let note = guard.failed();
    state.metrics.signin_failures.inc();
    let source_text = source.map(|s| s.to_string()).unwrap_or_default();
    let mut entries = Vec::new();
    let mut events = Vec::new();
    if note.first_in_window && !note.under_alert {
        entries.push(ctx.audit(action, None, serde_json::json!({ "source": source_text })));
    }
    if let Some(failures) = note.alert {
        let policy = state.auth.policy.limiter;
        let detail = serde_json::json!({
            "failures": failures,
            "window_secs": policy.window.as_secs(),
            "slowdown_secs": policy.slowdown.as_secs(),
            "last_source": source_text,
        });
        tracing::error!(failures, "sign-in alert: wrong PINs across the shop reached the budget; slowing every source");
        entries.push(ctx.audit(types::SECURITY_SIGNIN_ALERT, None, detail.clone()));
        events.push(ctx.event(types::SECURITY_SIGNIN_ALERT, None, state.clock.now(), detail));
    }
    if entries.is_empty() {
        return Ok(());
    }
    state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                for entry in &entries {
                    audit::append(conn, entry).await?;
                }
                let last = outbox::append(conn, &events).await?;
                Ok::<_, JobError<ServiceError>>(Done::new((), last))
            })
        })
        .await
}

/// What a PIN is typed for: its field, and the audit actions of a failure and a lockout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinUse {
    /// Signing in (`pin`).
    SignIn,
    /// A manager approving what a cashier may not do alone (`approval_pin`).
    Approval,
}

impl PinUse {
    fn field(self) -> &'static str {
        match self {
            PinUse::SignIn => "pin",
            PinUse::Approval => "approval_pin",
        }
    }

    fn failed(self) -> &'static str {
        match self {
            PinUse::SignIn => "sign_in.failed",
            PinUse::Approval => "approval.failed",
        }
    }

    fn locked_out(self) -> &'static str {
        match self {
            PinUse::SignIn => "sign_in.locked_out",
            PinUse::Approval => "approval.locked_out",
        }
    }
}

/// Checks a PIN typed at `source` as signing in does, under the same limits (a locked-out
/// source is refused before any check): the active member of staff it belongs to, or `None`
/// (the failure counted and audited). A PIN of the wrong shape is refused by name.
pub async fn verify_pin(
    state: &AppState,
    ctx: &RequestContext,
    pin: &str,
    source: Source,
    used_for: PinUse,
) -> Result<Option<staff::StaffRecord>, ServiceError> {
    let pin = Pin::parse(pin).map_err(|m| crema_shared::ValidationErrors::single(used_for.field(), m))?;
    let auth = state.auth.clone();
    let guard = match auth.begin_attempt(source) {
        Ok(guard) => guard,
        Err(refusal) => return Err(refused(state, ctx, used_for.locked_out(), refusal, source).await),
    };
    let Some(slot) = auth.checkers.slot().await else {
        // No check ran: the attempt is released, and the caller retries in a moment.
        guard.succeeded();
        return Err(ServiceError::Busy { retry_after_secs: 1 });
    };
    let lookup = auth.pins.lookup(&pin);
    let mut conn = state.store.read().await?;
    let found = staff::find_by_lookup(&mut conn, &lookup).await?;
    drop(conn);
    let verifier = auth.pins.clone();
    let phc = found.as_ref().map(|s| s.pin_hash.clone());
    let verified = tokio::task::spawn_blocking(move || verifier.verify(&pin, phc.as_deref()))
        .await
        .map_err(|e| ServiceError::Store(crate::store::StoreError::internal(format!("PIN check: {e}"))))?;
    drop(slot);
    let Some(member) = found.filter(|s| verified && s.active) else {
        record_failure(state, ctx, used_for.failed(), guard).await?;
        return Ok(None);
    };
    guard.succeeded();
    Ok(Some(member))
}
