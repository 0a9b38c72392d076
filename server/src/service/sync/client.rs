//! On a terminal: talking to the hub — pairing on the first start, then two tasks for as long
//! as the server runs. The push task sends the command log in order and records each answer;
//! the pull task follows the hub's log after the cursor (a long poll) and takes the hub's
//! snapshot whenever its menu version moves. Either keeps retrying, slower and slower up to
//! a few seconds, while the hub or the network is down; the till never waits for them.

use super::{feed, mirror, TerminalLink};
use crate::keys::seal::Sealer;
use crate::service::staff::auth::token_hash;
use crate::state::AppState;
use crate::store::{settings, sync as store};
use crema_shared::api::{PairRequest, PairedTerminalDto};
use crema_shared::sync::{HubSnapshot, PullResponse, PushRequest, PushResponse, SealedStaff, MAX_PULL, MAX_PUSH};
use crema_shared::terminal::parse_credential;
use std::time::Duration;

/// How long a pull waits on the hub for something new.
const PULL_WAIT: Duration = Duration::from_secs(20);
/// The longest pause between attempts while the hub cannot be reached.
const MAX_BACKOFF: Duration = Duration::from_secs(3);
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// How long the pull waits for the push task's answers before reading the log again.
const HOLD_PAUSE: Duration = Duration::from_millis(50);
/// How long the pull may be held behind unanswered commands before it goes past them.
const MAX_HOLD: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("cannot reach the shop's server: {0}")]
    Unreachable(String),
    #[error("the shop's server revoked this terminal")]
    Revoked,
    #[error("the shop's server answered {status}: {detail}")]
    Refused { status: u16, detail: String },
    #[error("the shop's server sent something this terminal cannot read: {0}")]
    Unreadable(String),
}

/// An HTTP client for the hub. Not the sinks' client: the hub is on the shop's own network,
/// which the sinks' egress guard rightly refuses.
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .timeout(PULL_WAIT + Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())
}

/// Redeems a pairing code at the hub: the terminal's id, label and credential.
pub async fn pair(http: &reqwest::Client, hub: &reqwest::Url, code: &str) -> Result<PairedTerminalDto, SyncError> {
    let url = hub.join("api/v1/terminals/pair").map_err(|e| SyncError::Unreachable(e.to_string()))?;
    let response = http.post(url).json(&PairRequest { code: code.to_string() }).send().await.map_err(unreachable)?;
    let paired: PairedTerminalDto = read(response).await?;
    if paired.credential.as_deref().and_then(parse_credential).is_none() {
        return Err(SyncError::Unreadable("the pairing answer has no credential".into()));
    }
    Ok(paired)
}

/// The hub's snapshot for this terminal, with its staff part opened.
pub async fn snapshot(
    http: &reqwest::Client,
    hub: &reqwest::Url,
    credential: &str,
) -> Result<(HubSnapshot, SealedStaff), SyncError> {
    let (id, secret) = parse_credential(credential).ok_or(SyncError::Revoked)?;
    let url = hub.join("api/v1/sync/snapshot").map_err(|e| SyncError::Unreachable(e.to_string()))?;
    let response = http.get(url).header(TERMINAL_HEADER, credential).send().await.map_err(unreachable)?;
    let snapshot: HubSnapshot = read(response).await?;
    let opened = Sealer::new(&super::snapshot_key(&token_hash(secret)))
        .open(&snapshot.staff, &feed::staff_context(id))
        .map_err(|e| SyncError::Unreadable(e.to_string()))?;
    let staff: SealedStaff = serde_json::from_str(&opened).map_err(|e| SyncError::Unreadable(e.to_string()))?;
    Ok((snapshot, staff))
}

const TERMINAL_HEADER: &str = "x-crema-terminal";

async fn push(http: &reqwest::Client, link: &TerminalLink, request: &PushRequest) -> Result<PushResponse, SyncError> {
    let url = link.hub_url.join("api/v1/sync/commands").map_err(|e| SyncError::Unreachable(e.to_string()))?;
    let response =
        http.post(url).header(TERMINAL_HEADER, link.credential()).json(request).send().await.map_err(unreachable)?;
    read(response).await
}

async fn pull(http: &reqwest::Client, link: &TerminalLink, after: i64) -> Result<PullResponse, SyncError> {
    let mut url = link.hub_url.join("api/v1/sync/events").map_err(|e| SyncError::Unreachable(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("after", &after.to_string())
        .append_pair("limit", &MAX_PULL.to_string())
        .append_pair("wait", &PULL_WAIT.as_secs().to_string());
    let response = http.get(url).header(TERMINAL_HEADER, link.credential()).send().await.map_err(unreachable)?;
    read(response).await
}

async fn read<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T, SyncError> {
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        return Err(SyncError::Revoked);
    }
    if !status.is_success() {
        let detail = response.text().await.unwrap_or_default().chars().take(300).collect();
        // A hub that is starting or overloaded is "not reachable yet", not a refusal.
        if status.is_server_error() {
            return Err(SyncError::Unreachable(format!("{status}: {detail}")));
        }
        return Err(SyncError::Refused { status: status.as_u16(), detail });
    }
    response.json().await.map_err(|e| SyncError::Unreadable(e.to_string()))
}

fn unreachable(e: reqwest::Error) -> SyncError {
    SyncError::Unreachable(e.without_url().to_string())
}

/// Starts the push and pull tasks of a terminal; they end when the server shuts down.
pub fn start(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let Some(link) = state.sync.clone() else { return Vec::new() };
    let http = match http_client() {
        Ok(http) => http,
        Err(e) => {
            tracing::error!(error = %e, "cannot make the hub client; this terminal will not sync");
            return Vec::new();
        }
    };
    tracing::info!(hub = %link.hub_url, label = %link.label, "syncing with the shop's server");
    vec![
        tokio::spawn(push_loop(state.clone(), link.clone(), http.clone())),
        tokio::spawn(pull_loop(state.clone(), link, http)),
    ]
}

async fn push_loop(state: AppState, link: std::sync::Arc<TerminalLink>, http: reqwest::Client) {
    let mut closing = state.hub.closing();
    let mut written = state.hub.subscribe();
    let mut backoff = FIRST_BACKOFF;
    while !*closing.borrow() && !link.revoked() {
        let pending = match async { store::pending(&mut state.store.read().await?, MAX_PUSH as i64).await }.await {
            Ok(pending) => pending,
            Err(e) => {
                tracing::error!(error = %e, "reading the command log");
                pause(&mut closing, MAX_BACKOFF).await;
                continue;
            }
        };
        if pending.is_empty() {
            // Every command is written with an event: a commit wakes this task.
            tokio::select! {
                _ = written.changed() => {}
                _ = closing.changed() => {}
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
            continue;
        }
        let count = pending.len();
        match push(&http, &link, &PushRequest { commands: pending }).await {
            Ok(answer) => {
                link.set_reachable(true);
                backoff = FIRST_BACKOFF;
                if let Err(e) = mirror::apply_answers(&state, answer.outcomes).await {
                    tracing::error!(error = %e, "recording the hub's answers");
                    pause(&mut closing, MAX_BACKOFF).await;
                } else {
                    tracing::debug!(count, "pushed commands to the hub");
                }
            }
            Err(e) => backoff = failed(&state, &link, &mut closing, e, backoff).await,
        }
    }
}

async fn pull_loop(state: AppState, link: std::sync::Arc<TerminalLink>, http: reqwest::Client) {
    let mut closing = state.hub.closing();
    let mut backoff = FIRST_BACKOFF;
    let mut fresh_snapshot = false;
    let mut held_since = None;
    while !*closing.borrow() && !link.revoked() {
        let cursor = match async { store::state(&mut state.store.read().await?).await }.await {
            Ok(Some(sync)) => sync.pulled_sequence,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "reading the sync cursor");
                pause(&mut closing, MAX_BACKOFF).await;
                continue;
            }
        };
        let pulled = tokio::select! {
            pulled = pull(&http, &link, cursor) => pulled,
            _ = closing.changed() => return,
        };
        let pulled = match pulled {
            Ok(pulled) => pulled,
            Err(e) => {
                backoff = failed(&state, &link, &mut closing, e, backoff).await;
                fresh_snapshot = false;
                continue;
            }
        };
        link.set_reachable(true);
        backoff = FIRST_BACKOFF;
        let local_version = async { settings::menu_version(&mut state.store.read().await?).await }.await.unwrap_or(-1);
        // Not while this terminal has unanswered commands: its own 86 would flicker back until
        // the hub has it.
        let settled = async { store::pending_count(&mut state.store.read().await?).await }.await.is_ok_and(|n| n == 0);
        if settled && (!fresh_snapshot || local_version != pulled.menu_version) {
            match snapshot(&http, &link.hub_url, link.credential()).await {
                Ok((snapshot, staff)) => match mirror::apply_snapshot(&state, snapshot, staff).await {
                    Ok(()) => fresh_snapshot = true,
                    Err(e) => tracing::error!(error = %e, "applying the hub's snapshot"),
                },
                Err(e) => {
                    backoff = failed(&state, &link, &mut closing, e, backoff).await;
                    continue;
                }
            }
        }
        // Held back behind this terminal's own unanswered commands: pull that part again once
        // the push task has the answers — but not forever, should the pushes be stuck.
        let force = held_since.is_some_and(|since: std::time::Instant| since.elapsed() > MAX_HOLD);
        match mirror::apply_pull(&state, pulled, cursor, force).await {
            Ok(applied) if applied.held => {
                held_since.get_or_insert_with(std::time::Instant::now);
                pause(&mut closing, HOLD_PAUSE).await;
            }
            Ok(_) => held_since = None,
            Err(e) => {
                tracing::error!(error = %e, "applying the hub's events");
                pause(&mut closing, MAX_BACKOFF).await;
            }
        }
        if force {
            tracing::warn!("commands to the hub have waited for an answer too long; followed the hub's log past them");
        }
    }
}

/// Notes a failed exchange and waits before the next; returns the next pause.
async fn failed(
    state: &AppState,
    link: &TerminalLink,
    closing: &mut tokio::sync::watch::Receiver<bool>,
    error: SyncError,
    backoff: Duration,
) -> Duration {
    match error {
        SyncError::Revoked => {
            if !link.revoked() {
                tracing::error!("the shop's server revoked this terminal: it no longer syncs (pair it again)");
                link.set_revoked();
                let now = state.clock.now();
                let marked = state
                    .store
                    .writer()
                    .write(move |conn| {
                        Box::pin(async move {
                            store::set_revoked(conn, now).await?;
                            Ok::<_, crate::store::JobError<crate::store::StoreError>>(crate::store::Done::new((), None))
                        })
                    })
                    .await;
                if let Err(e) = marked {
                    tracing::error!(error = %e, "recording the revocation");
                }
            }
            backoff
        }
        other => {
            if link.reachable() {
                tracing::warn!(error = %other, "lost the shop's server; working offline");
            }
            link.set_reachable(false);
            pause(closing, backoff).await;
            (backoff * 2).min(MAX_BACKOFF)
        }
    }
}

async fn pause(closing: &mut tokio::sync::watch::Receiver<bool>, how_long: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(how_long) => {}
        _ = closing.changed() => {}
    }
}
