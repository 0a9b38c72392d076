//! The sync state of a terminal, quietly in the top bar: "Offline — 3 waiting to sync" while
//! the hub cannot be reached, "Syncing — 3 waiting" while it catches up, nothing when all is
//! synced, and the hub's rejections listed until someone acknowledges them. Never blocks
//! ringing up. On a server that is not a terminal (`/api/v1/sync/status` is 404) it shows
//! nothing and stops asking.

use crate::api::{self, ApiError};
use crema_shared::sync::SyncStatus;
use leptos::prelude::*;
use std::time::Duration;

/// What the badge says, from the status.
pub fn headline(status: &SyncStatus) -> Option<String> {
    let n = status.pending_commands;
    if status.revoked {
        Some("Not syncing — this terminal was revoked on the shop's server".into())
    } else if !status.hub_reachable {
        Some(format!("Offline — {n} waiting to sync"))
    } else if n > 0 {
        Some(format!("Syncing — {n} waiting"))
    } else {
        None
    }
}

#[component]
pub fn SyncBadge() -> impl IntoView {
    let status = RwSignal::new(None::<SyncStatus>);
    let terminal = RwSignal::new(true);
    let shell = crate::shell::use_shell();
    let refresh = move || {
        leptos::task::spawn_local(async move {
            match api::get::<SyncStatus>("/api/v1/sync/status").await {
                Ok(s) => {
                    if shell.unsynced.with_untracked(|u| *u != s.unsynced_orders) {
                        shell.unsynced.set(s.unsynced_orders.clone());
                    }
                    status.set(Some(s));
                }
                Err(ApiError::Refused(p)) if p.status == 404 => terminal.set(false),
                Err(_) => {}
            }
        });
    };
    refresh();
    let handle = set_interval_with_handle(
        move || {
            if terminal.get_untracked() {
                refresh();
            }
        },
        Duration::from_secs(1),
    );
    if let Ok(handle) = handle {
        on_cleanup(move || handle.clear());
    }
    let acknowledge = move |id: uuid::Uuid| {
        leptos::task::spawn_local(async move {
            let path = format!("/api/v1/sync/rejections/{id}/acknowledge");
            // 204 (no body) reads as an error here; either way the list is asked again.
            let _ = api::send::<(), serde_json::Value>("POST", &path, None, &[]).await;
            refresh();
        });
    };
    view! {
        <Show when=move || terminal.get()>
            <span class="sync" data-test="sync"
                class:offline=move || status.with(|s| s.as_ref().is_some_and(|s| !s.hub_reachable))>
                {move || status.with(|s| s.as_ref().and_then(headline)).unwrap_or_default()}
            </span>
            <ul class="rejections" data-test="rejections">
                {move || {
                    status
                        .with(|s| s.as_ref().map(|s| s.rejected.clone()).unwrap_or_default())
                        .into_iter()
                        .map(|r| {
                            let id = r.id;
                            view! {
                                <li role="alert">
                                    <span>{r.detail}</span>
                                    <button on:click=move |_| acknowledge(id)>"OK"</button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(reachable: bool, pending: i64) -> SyncStatus {
        SyncStatus {
            hub_reachable: reachable,
            pending_commands: pending,
            last_pushed_at: None,
            last_pulled_sequence: 0,
            rejected: vec![],
            unsynced_orders: vec![],
            hub_url: "http://hub/".into(),
            label: "A".into(),
            revoked: false,
        }
    }

    #[test]
    fn says_offline_with_what_waits_and_nothing_when_synced() {
        assert_eq!(headline(&status(false, 1)).as_deref(), Some("Offline — 1 waiting to sync"));
        assert_eq!(headline(&status(true, 3)).as_deref(), Some("Syncing — 3 waiting"));
        assert_eq!(headline(&status(true, 0)), None);
    }
}
