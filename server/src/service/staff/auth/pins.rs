//! PINs: a keyed lookup to find the person, argon2id to verify, and a bound on how many
//! verifications run at once.
//!
//! A PIN identifies the person at the counter, so it is looked up by a keyed hash
//! (HMAC-SHA256 under the pepper from the key file: unique index, no scan) and verified
//! with argon2id (≈19 MiB and tens of milliseconds each, on purpose). Every check runs
//! exactly one verification — against the person's hash, or a dummy when no one has that
//! PIN — so a wrong PIN takes as long as a right one. At most `concurrent` checks run at
//! once; beyond that a sign-in is answered 503 with `Retry-After` instead of queueing
//! memory without bound.

use crate::store::StoreError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use crema_shared::staff::Pin;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a sign-in waits for a free PIN checker before it is told to retry.
const QUEUE_WAIT: Duration = Duration::from_millis(500);

/// Keyed lookup and argon2id hashing of PINs.
pub struct PinHasher {
    pepper: Vec<u8>,
    dummy_hash: String,
    /// Shared with `/metrics` (`crema_pin_checks_total`).
    checks: prometheus_client::metrics::counter::Counter,
    running: AtomicU64,
    peak: AtomicU64,
}

impl std::fmt::Debug for PinHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinHasher(..)")
    }
}

impl PinHasher {
    /// A hasher under `pepper` (from the key file).
    /// The pepper, hex: only for sealing it to a paired terminal (see `service::sync::feed`).
    pub fn pepper_hex(&self) -> String {
        hex::encode(&self.pepper)
    }

    pub fn new(pepper: &[u8]) -> Result<PinHasher, StoreError> {
        let mut hasher = PinHasher {
            pepper: pepper.to_vec(),
            dummy_hash: String::new(),
            checks: Default::default(),
            running: AtomicU64::new(0),
            peak: AtomicU64::new(0),
        };
        let dummy = Pin::parse("00000000").map_err(StoreError::internal)?;
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
        let salt =
            SaltString::encode_b64(&super::random_bytes()[..16]).map_err(|e| StoreError::internal(e.to_string()))?;
        Argon2::default()
            .hash_password(pin.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::internal(format!("hashing a PIN: {e}")))
    }

    /// Verifies `pin` against `phc`, or burns the same time on a dummy when there is none.
    pub fn verify(&self, pin: &Pin, phc: Option<&str>) -> bool {
        self.checks.inc();
        let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(running, Ordering::SeqCst);
        let target = phc.unwrap_or(&self.dummy_hash);
        let ok = PasswordHash::new(target)
            .map(|parsed| Argon2::default().verify_password(pin.expose().as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        self.running.fetch_sub(1, Ordering::SeqCst);
        ok && phc.is_some()
    }

    /// PIN verifications run since start (for tests and `/metrics`).
    pub fn checks(&self) -> u64 {
        self.checks.get()
    }

    /// Counts checks in `counter` (the metrics' own) from now on.
    pub fn counting(mut self, counter: prometheus_client::metrics::counter::Counter) -> Self {
        counter.inc_by(self.checks.get());
        self.checks = counter;
        self
    }

    /// The most verifications that ever ran at the same time.
    pub fn peak_concurrency(&self) -> u64 {
        self.peak.load(Ordering::SeqCst)
    }
}

/// The bound on concurrent PIN checks.
#[derive(Debug)]
pub struct PinCheckers {
    slots: Arc<Semaphore>,
}

impl PinCheckers {
    pub fn new(concurrent: usize) -> Self {
        PinCheckers { slots: Arc::new(Semaphore::new(concurrent.max(1))) }
    }

    /// A slot to run one check in, or `None` when all are busy for longer than a moment.
    pub async fn slot(&self) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(QUEUE_WAIT, self.slots.clone().acquire_owned()).await.ok()?.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_hash_verify_and_look_up_deterministically() {
        let h = PinHasher::new(&[1; 32]).expect("hasher");
        let pin = Pin::parse("2468").expect("pin");
        let phc = h.hash(&pin).expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify(&pin, Some(&phc)));
        assert!(!h.verify(&Pin::parse("1357").expect("pin"), Some(&phc)));
        // No hash: never verifies, even if the dummy would match.
        assert!(!h.verify(&Pin::parse("00000000").expect("pin"), None));
        assert_eq!(h.checks(), 3);
        assert_eq!(h.lookup(&pin), h.lookup(&pin));
        assert_ne!(h.lookup(&pin), h.lookup(&Pin::parse("24680").expect("pin")));
        let other = PinHasher::new(&[2; 32]).expect("hasher");
        assert_ne!(h.lookup(&pin), other.lookup(&pin), "the lookup depends on the pepper");
    }

    #[tokio::test]
    async fn at_most_the_configured_checks_run_at_once() {
        let checkers = PinCheckers::new(2);
        let a = checkers.slot().await.expect("first");
        let _b = checkers.slot().await.expect("second");
        assert!(checkers.slot().await.is_none(), "a third waits, then is told to retry");
        drop(a);
        assert!(checkers.slot().await.is_some());
    }
}
