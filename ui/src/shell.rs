//! The frame every screen sits in: who is signed in, which screen is showing (from the URL
//! path, so a tablet or the desktop app can open `/kds` directly), and whether the server
//! can be reached (a banner says so plainly while it cannot, and clears by itself).

use crate::api::{self, ApiError};
use crema_shared::api::SessionDto;
use crema_shared::staff::{Permission, Role};
use leptos::prelude::*;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    SignIn,
    Pos,
    Kitchen,
    Board,
    Manage,
}

impl Screen {
    pub fn path(self) -> &'static str {
        match self {
            Screen::SignIn => "/sign-in",
            Screen::Pos => "/pos",
            Screen::Kitchen => "/kds",
            Screen::Board => "/board",
            Screen::Manage => "/manage",
        }
    }

    pub fn from_path(path: &str) -> Option<Screen> {
        [Screen::SignIn, Screen::Pos, Screen::Kitchen, Screen::Board, Screen::Manage]
            .into_iter()
            .find(|s| s.path() == path.trim_end_matches('/'))
    }

    pub fn title(self) -> &'static str {
        match self {
            Screen::SignIn => "Sign in",
            Screen::Pos => "Till",
            Screen::Kitchen => "Kitchen",
            Screen::Board => "Pickup board",
            Screen::Manage => "Manage",
        }
    }

    /// Whether `role` may use this screen (the board needs no sign-in at all).
    pub fn allowed(self, role: Role) -> bool {
        match self {
            Screen::SignIn | Screen::Board => true,
            Screen::Pos => role.may(Permission::PlaceOrder),
            Screen::Kitchen => role.may(Permission::WorkOrders),
            Screen::Manage => role.may(Permission::EditMenu),
        }
    }

    /// Where a member of staff lands after signing in.
    pub fn home(role: Role) -> Screen {
        match role {
            Role::Cashier => Screen::Pos,
            Role::Barista => Screen::Kitchen,
            Role::Manager => Screen::Manage,
        }
    }

    pub fn offered(role: Role) -> Vec<Screen> {
        [Screen::Pos, Screen::Kitchen, Screen::Board, Screen::Manage].into_iter().filter(|s| s.allowed(role)).collect()
    }
}

/// Shared by every screen through Leptos context.
#[derive(Clone, Copy)]
pub struct Shell {
    pub session: RwSignal<Option<SessionDto>>,
    /// `false` while the server cannot be reached.
    pub online: RwSignal<bool>,
    pub screen: RwSignal<Screen>,
    /// Whether the first session check has answered (no sign-in flash before it).
    pub checked: RwSignal<bool>,
    /// On a synced terminal: orders whose changes have not reached the hub yet.
    pub unsynced: RwSignal<Vec<uuid::Uuid>>,
}

impl Shell {
    pub fn new() -> Shell {
        let path = window().location().pathname().unwrap_or_default();
        let screen = Screen::from_path(&path).unwrap_or(Screen::SignIn);
        Shell {
            session: RwSignal::new(None),
            online: RwSignal::new(true),
            screen: RwSignal::new(screen),
            checked: RwSignal::new(false),
            unsynced: RwSignal::new(Vec::new()),
        }
    }

    /// Whether `order` has changes this terminal has not synced yet.
    pub fn unsynced(&self, order: uuid::Uuid) -> bool {
        self.unsynced.with(|u| u.contains(&order))
    }

    pub fn role(&self) -> Option<Role> {
        self.session.with(|s| s.as_ref().map(|s| s.staff.role))
    }

    /// Shows `screen` and puts its path in the address bar.
    pub fn go(&self, screen: Screen) {
        if let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(screen.path()));
        }
        self.screen.set(screen);
    }

    /// Notes what an API failure says about the connection or the session.
    pub fn saw(&self, error: &ApiError) {
        match error {
            ApiError::Unreachable => self.online.set(false),
            ApiError::SignedOut => {
                self.session.set(None);
                if self.screen.get_untracked() != Screen::Board {
                    self.screen.set(Screen::SignIn);
                }
            }
            ApiError::Refused(_) => self.online.set(true),
        }
    }

    pub fn saw_ok(&self) {
        if !self.online.get_untracked() {
            self.online.set(true);
        }
    }
}

impl Default for Shell {
    fn default() -> Self {
        Shell::new()
    }
}

pub fn use_shell() -> Shell {
    expect_context::<Shell>()
}

/// While offline, asks `/healthz` every two seconds and flips back online when it answers.
pub fn watch_connection(shell: Shell) {
    let handle = set_interval_with_handle(
        move || {
            if shell.online.get_untracked() {
                return;
            }
            leptos::task::spawn_local(async move {
                if api::get::<serde_json::Value>("/healthz").await.is_ok() {
                    shell.online.set(true);
                }
            });
        },
        Duration::from_secs(2),
    );
    if let Ok(handle) = handle {
        on_cleanup(move || handle.clear());
    }
}

/// Reads the current session once at start (the cookie survives a reload).
pub fn check_session(shell: Shell) {
    leptos::task::spawn_local(async move {
        match api::get::<SessionDto>("/api/v1/sessions/current").await {
            Ok(session) => {
                let role = session.staff.role;
                shell.session.set(Some(session));
                let screen = shell.screen.get_untracked();
                if screen == Screen::SignIn || !screen.allowed(role) {
                    shell.go(Screen::home(role));
                }
            }
            Err(error) => shell.saw(&error),
        }
        shell.checked.set(true);
    });
}
