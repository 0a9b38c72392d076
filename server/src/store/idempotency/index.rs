//! Where each saved answer's row is, by its key, in the server's memory (SQLite).
//!
//! Clients' idempotency keys are often random (UUIDv4). In a B-tree over `(scope, key)` each
//! new answer landed on a random leaf, and every COMMIT wrote a whole page for each order
//! placed with such a key — on a busy hub the largest single cost left on placement's serial
//! path. So on SQLite the answers are appended by `id` and this index finds them: a hash of
//! `(scope, key)` to the ids of the rows written under it.
//!
//! It is read from the table when the store opens the file, and only the single writer adds
//! to it or takes from it (one server per database: `<database>.lock`), so it holds every
//! answer the database holds. It may hold more — an id whose write was rolled back, or
//! another key with the same hash — so an id is only a place to look: the row is read and its
//! scope and key compared ([`super::find`]). Ids are handed out here, ascending and never
//! twice while the server runs, so a rolled-back id never comes to name another row.
//!
//! On PostgreSQL the table keeps its primary key on `(shop, scope, key)` (its `id` column only
//! numbers the rows, as SQLite's does) and this index stays empty.

use crate::store::StoreError;
use futures::TryStreamExt;
use sqlx::{Row, SqliteConnection};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard};

/// The index; cheap to clone (clones share it).
#[derive(Clone)]
pub struct KeyIndex {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    /// Seeded at random per process, so keys cannot be chosen to pile up on one hash.
    /// `None` (tests only) hashes every key alike.
    hasher: Option<RandomState>,
    rows: HashMap<u64, Ids>,
    /// The id the next answer gets.
    next_id: i64,
}

/// The ids under one hash: almost always one.
enum Ids {
    One(i64),
    Many(Vec<i64>),
}

impl Default for KeyIndex {
    /// An empty index (what a new database holds).
    fn default() -> Self {
        KeyIndex::new(Some(RandomState::new()))
    }
}

impl std::fmt::Debug for KeyIndex {
    /// How many hashes it holds; never the keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyIndex").field("hashes", &self.lock().rows.len()).finish()
    }
}

impl KeyIndex {
    /// Reads every saved answer's key and id from the table (through its index by time,
    /// which holds both: the answers themselves stay on disk).
    pub async fn load(conn: &mut SqliteConnection) -> Result<KeyIndex, StoreError> {
        let mut inner = Inner { hasher: Some(RandomState::new()), rows: HashMap::new(), next_id: 1 };
        let mut rows = sqlx::query("SELECT id, scope, key FROM idempotency_keys").fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let (id, scope, key): (i64, &str, &str) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            inner.add(scope, key, id);
            inner.next_id = inner.next_id.max(id + 1);
        }
        Ok(KeyIndex { inner: Arc::new(Mutex::new(inner)) })
    }

    fn new(hasher: Option<RandomState>) -> KeyIndex {
        KeyIndex { inner: Arc::new(Mutex::new(Inner { hasher, rows: HashMap::new(), next_id: 1 })) }
    }

    /// An index in which every key has the same hash (for tests of what a collision does).
    #[cfg(test)]
    pub(crate) fn colliding() -> KeyIndex {
        KeyIndex::new(None)
    }

    /// The rows an answer under `(scope, key)` may be in: empty when there is none.
    pub fn candidates(&self, scope: &str, key: &str) -> Vec<i64> {
        let inner = self.lock();
        match inner.rows.get(&inner.hash(scope, key)) {
            None => Vec::new(),
            Some(Ids::One(id)) => vec![*id],
            Some(Ids::Many(ids)) => ids.clone(),
        }
    }

    /// Whether no answer can be saved under `(scope, key)`: no row to look at.
    pub fn is_unused(&self, scope: &str, key: &str) -> bool {
        let inner = self.lock();
        !inner.rows.contains_key(&inner.hash(scope, key))
    }

    /// The id for a new answer under `(scope, key)`, noted before the row is written (a row
    /// that is then rolled back leaves an id that names nothing).
    pub fn assign(&self, scope: &str, key: &str) -> i64 {
        let mut inner = self.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        inner.add(scope, key, id);
        id
    }

    /// Forgets the row `id` (deleted) under `(scope, key)`.
    pub fn forget(&self, scope: &str, key: &str, id: i64) {
        let mut inner = self.lock();
        let hash = inner.hash(scope, key);
        let Some(ids) = inner.rows.get_mut(&hash) else { return };
        let left = match ids {
            Ids::One(one) if *one == id => None,
            Ids::One(_) => return,
            Ids::Many(many) => {
                many.retain(|kept| *kept != id);
                match many[..] {
                    [] => None,
                    [last] => Some(Ids::One(last)),
                    _ => return,
                }
            }
        };
        match left {
            None => inner.rows.remove(&hash),
            Some(one) => inner.rows.insert(hash, one),
        };
    }

    /// How many hashes it holds.
    pub fn len(&self) -> usize {
        self.lock().rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A panic elsewhere while it was held cannot leave it half-changed (every change is one
    /// map operation), so a poisoned lock is taken as it is.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    fn hash(&self, scope: &str, key: &str) -> u64 {
        self.hasher.as_ref().map_or(0, |hasher| hasher.hash_one((scope, key)))
    }

    fn add(&mut self, scope: &str, key: &str, id: i64) {
        let hash = self.hash(scope, key);
        match self.rows.get_mut(&hash) {
            None => {
                self.rows.insert(hash, Ids::One(id));
            }
            Some(Ids::One(first)) => {
                let first = *first;
                self.rows.insert(hash, Ids::Many(vec![first, id]));
            }
            Some(Ids::Many(ids)) => ids.push(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assigned_id_is_found_under_its_key_and_forgotten_with_its_row() {
        let index = KeyIndex::default();
        assert!(index.is_unused("orders", "k1"));
        let first = index.assign("orders", "k1");
        let second = index.assign("orders", "k2");
        assert_eq!(second, first + 1, "ids ascend");
        assert_eq!(index.candidates("orders", "k1"), vec![first]);
        assert!(index.is_unused("orders.grpc", "k1"), "scopes are apart");
        index.forget("orders", "k1", first);
        assert!(index.is_unused("orders", "k1"));
        assert_eq!(index.candidates("orders", "k2"), vec![second]);
    }

    #[test]
    fn keys_with_the_same_hash_keep_every_id_until_each_is_forgotten() {
        let index = KeyIndex::colliding();
        let a = index.assign("orders", "a");
        let b = index.assign("orders", "b");
        let c = index.assign("transitions", "c");
        assert_eq!(index.candidates("orders", "zzz"), vec![a, b, c], "a collision is a place to look, not an answer");
        index.forget("orders", "b", b);
        assert_eq!(index.candidates("orders", "a"), vec![a, c]);
        index.forget("orders", "a", a);
        assert_eq!(index.candidates("orders", "a"), vec![c]);
        index.forget("transitions", "c", c);
        assert!(index.is_empty());
    }

    #[test]
    fn forgetting_an_id_it_does_not_hold_changes_nothing() {
        let index = KeyIndex::default();
        let id = index.assign("orders", "k");
        index.forget("orders", "k", id + 7);
        index.forget("orders", "other", id);
        assert_eq!(index.candidates("orders", "k"), vec![id]);
    }

    #[test]
    fn its_debug_shows_a_count_and_no_key() {
        let index = KeyIndex::default();
        index.assign("orders", "secret-looking-key");
        let shown = format!("{index:?}");
        assert!(shown.contains("hashes: 1") && !shown.contains("secret"), "{shown}");
    }
}
