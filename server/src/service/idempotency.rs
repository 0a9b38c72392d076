//! Replaying the first answer to a retried create (`Idempotency-Key`).
//!
//! The request is identified by a hash of its canonical JSON, so whitespace or key order
//! don't matter. Looking up and saving happen inside the create's own write, and the single
//! writer serialises concurrent retries: one key, one order.

use crate::service::ServiceError;
use crate::store::db::Db;
use crate::store::idempotency::{self, KeyIndex, SavedResponse};
use sha2::{Digest, Sha256};

/// The rule for a client's key (`Idempotency-Key`, gRPC's `request_id`): 1 to 255 visible
/// ASCII characters.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic())
}

/// A key as the client sent it, with the fingerprint of the request it came with.
#[derive(Clone, Debug)]
pub struct IdempotencyKey {
    pub scope: String,
    pub key: String,
    pub request_hash: String,
}

impl IdempotencyKey {
    pub fn new(scope: impl Into<String>, key: impl Into<String>, canonical_body: &[u8]) -> Self {
        IdempotencyKey {
            scope: scope.into(),
            key: key.into(),
            request_hash: hex::encode(Sha256::digest(canonical_body)),
        }
    }

    /// The answer to save under this key.
    pub fn save(&self, answer: &Answer) -> SavedResponse {
        SavedResponse { request_hash: self.request_hash.clone(), status_code: answer.status, body: answer.body.clone() }
    }

    /// A saved answer for this key: the same request gets it again, another is refused.
    pub fn replay(&self, saved: Option<SavedResponse>) -> Result<Option<Answer>, ServiceError> {
        match saved {
            None => Ok(None),
            Some(saved) if saved.request_hash == self.request_hash => {
                Ok(Some(Answer { status: saved.status_code, body: saved.body, replayed: true }))
            }
            Some(_) => Err(ServiceError::IdempotencyMismatch),
        }
    }
}

/// The key of a create: the client's own key under `scope`, or else the client-made `id`
/// under `{scope}.id` (then `true`: a mismatch means "this id exists with other content").
pub fn for_create(
    scope: &str,
    client_key: Option<String>,
    id: Option<uuid::Uuid>,
    canonical_body: &[u8],
) -> (Option<IdempotencyKey>, bool) {
    match (client_key, id) {
        (Some(key), _) => (Some(IdempotencyKey::new(scope, key, canonical_body)), false),
        (None, Some(id)) => (Some(IdempotencyKey::new(format!("{scope}.id"), id.to_string(), canonical_body)), true),
        (None, None) => (None, false),
    }
}

/// A JSON answer, as sent and as saved for replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

/// The saved answer for `key`, if this is a retry of the same request (`keys`: the store's).
pub async fn replay(
    conn: &mut Db<'_>,
    keys: &KeyIndex,
    key: Option<&IdempotencyKey>,
) -> Result<Option<Answer>, ServiceError> {
    let Some(key) = key else { return Ok(None) };
    key.replay(idempotency::find(conn, keys, &key.scope, &key.key).await?)
}

/// Saves `answer` under `key` (in the caller's write).
pub async fn remember(
    conn: &mut Db<'_>,
    keys: &KeyIndex,
    key: Option<&IdempotencyKey>,
    answer: &Answer,
) -> Result<(), ServiceError> {
    if let Some(key) = key {
        idempotency::save(conn, keys, &key.scope, &key.key, &key.save(answer)).await?;
    }
    Ok(())
}
