//! Offline terminals that sync with the shop's hub (docs/sync.md).
//!
//! A terminal is an ordinary Crema server started with `--hub-url`: every command is
//! validated and written on its own disk first, with an entry in its command log, in the
//! same transaction ([`record_command`], a reaction), so a till answers at local speed
//! whether the hub is up or not. [`client`] pushes the log to the hub in order and follows
//! the hub's event log, [`mirror`] writes what the hub decided onto the terminal. On the hub,
//! [`apply`] takes each pushed command exactly once (by its id) through the same rules as
//! any request, and [`feed`] serves its event log, menu and staff to paired terminals.
//!
//! The hub is the authority on the menu, prices, stock, staff, settings and on conflicting
//! moves; a sale made offline is a fact. Only the hub forwards to sinks and sends mail.

pub mod apply;
pub mod bootstrap;
pub mod client;
pub mod feed;
pub mod mirror;
pub mod status;

use crate::service::orders::view::order_dto;
use crate::service::orders::TERMINAL_PREFIX;
use crate::service::reactions::{Change, OrderChange};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::outbox::NewEvent;
use crate::store::{sync as store, StoreError};
use crema_shared::sync::{actions_from_events, CommandEnvelope, SyncCommand};
use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use uuid::Uuid;

/// This server is a terminal of the hub at `hub_url`.
pub struct TerminalLink {
    pub hub_url: reqwest::Url,
    pub terminal_id: Uuid,
    /// Its tickets are `<label>-<n>`.
    pub label: String,
    credential: SecretString,
    reachable: AtomicBool,
    revoked: AtomicBool,
}

impl std::fmt::Debug for TerminalLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerminalLink")
            .field("hub_url", &self.hub_url.as_str())
            .field("terminal_id", &self.terminal_id)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl TerminalLink {
    pub fn new(
        hub_url: reqwest::Url,
        terminal_id: Uuid,
        label: String,
        credential: SecretString,
        revoked: bool,
    ) -> Self {
        TerminalLink {
            hub_url,
            terminal_id,
            label,
            credential,
            reachable: AtomicBool::new(false),
            revoked: AtomicBool::new(revoked),
        }
    }

    pub fn credential(&self) -> &str {
        self.credential.expose_secret()
    }

    pub fn reachable(&self) -> bool {
        self.reachable.load(Ordering::Relaxed)
    }

    pub fn set_reachable(&self, reachable: bool) {
        self.reachable.store(reachable, Ordering::Relaxed);
    }

    pub fn revoked(&self) -> bool {
        self.revoked.load(Ordering::Relaxed)
    }

    pub fn set_revoked(&self) {
        self.revoked.store(true, Ordering::Relaxed);
    }
}

/// The key that seals what only a paired terminal may read (its staff's PIN verifiers), from
/// what both sides know: the terminal its secret, the hub the secret's hash.
pub fn snapshot_key(secret_hash: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"crema sync snapshot v1\0");
    hasher.update(secret_hash.as_bytes());
    hasher.finalize().into()
}

/// The reaction on a terminal: the command behind an order change, into the command log, in
/// the change's own transaction. (On the hub it does nothing.)
pub fn record_command<'c>(
    conn: &'c mut Db<'_>,
    state: &'c AppState,
    change: &'c OrderChange<'c>,
) -> BoxFuture<'c, Result<Vec<NewEvent>, StoreError>> {
    Box::pin(async move {
        if state.sync.is_none() {
            return Ok(Vec::new());
        }
        let command = match change.change {
            Change::Placed { .. } => SyncCommand::Place { order: Box::new(order_dto(change.order, None)) },
            Change::Moved { events } => {
                let code = change.order.payment_reference.as_deref().and_then(|r| r.strip_prefix(TERMINAL_PREFIX));
                let actions = actions_from_events(events, code);
                if actions.is_empty() {
                    return Ok(Vec::new());
                }
                SyncCommand::Move { order_id: change.order.id, actions }
            }
        };
        let envelope = CommandEnvelope { id: Uuid::now_v7(), at: change.at, staff_id: change.ctx.staff_id(), command };
        store::log_command(conn, &envelope).await?;
        Ok(Vec::new())
    })
}
