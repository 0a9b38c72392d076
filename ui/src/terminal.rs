//! This screen's terminal credential: what makes it its own sign-in source, so wrong PINs
//! typed on another screen (even one on the same address) never lock this one out.
//!
//! A screen is enrolled with a one-time code a manager made: typed on the sign-in screen, or
//! handed over in the address (`/pos#enrol=ABCD-EFGH`, which the desktop app does for each
//! window it opens; `&window` keeps the credential to that window). The credential is kept
//! in `localStorage` (or `sessionStorage` for one window) and sent as `X-Crema-Terminal` when
//! signing in. It grants nothing by itself: it only names the terminal.

use crate::api::{self, ApiError};
use crema_shared::api::{PairRequest, PairedTerminalDto};

const KEY: &str = "crema.terminal";

fn local() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// The credential this window signs in with, if it is enrolled.
pub fn credential() -> Option<String> {
    let read = |store: Option<web_sys::Storage>| store.and_then(|s| s.get_item(KEY).ok().flatten());
    read(session()).or_else(|| read(local())).filter(|c| !c.is_empty())
}

/// The header to send with a sign-in.
pub fn header() -> Option<(&'static str, String)> {
    credential().map(|c| ("x-crema-terminal", c))
}

/// Pairs this screen with `code`; `this_window_only` keeps the credential to this window.
pub async fn pair(code: &str, this_window_only: bool) -> Result<PairedTerminalDto, ApiError> {
    let body = PairRequest { code: code.to_string() };
    let paired = api::send::<_, PairedTerminalDto>("POST", "/api/v1/terminals/pair", Some(&body), &[]).await?;
    if let Some(credential) = &paired.credential {
        let store = if this_window_only { session() } else { local() };
        if let Some(store) = store {
            let _ = store.set_item(KEY, credential);
        }
    }
    Ok(paired)
}

/// A code handed over in the address (`#enrol=CODE`, optionally `&window`), removed from the
/// address at once so it is not bookmarked or shared.
pub fn code_in_address() -> Option<(String, bool)> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let params = hash.strip_prefix('#')?;
    let mut code = None;
    let mut this_window_only = false;
    for part in params.split('&') {
        match part.split_once('=') {
            Some(("enrol", value)) => code = Some(value.to_string()),
            None if part == "window" => this_window_only = true,
            _ => {}
        }
    }
    let code = code?;
    let path = window.location().pathname().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    Some((code, this_window_only))
}
