//! The till's keyboard: type to search, Enter adds the first match, F8 (or Ctrl+Enter) pays,
//! F2 starts a new order, Escape closes the sheet or clears the search.

use super::till::Till;
use leptos::prelude::*;

/// Listens for the till's keys until the returned handle is removed.
pub fn listen(till: Till) -> WindowListenerHandle {
    window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        let typing = document()
            .active_element()
            .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
            .unwrap_or(false);
        if till.placed.with_untracked(Option::is_some) {
            if matches!(key.as_str(), "Enter" | "Escape" | "F2") {
                ev.prevent_default();
                till.clear();
            }
            return;
        }
        if till.sheet.with_untracked(Option::is_some) {
            match key.as_str() {
                "Enter" => till.commit_sheet(),
                "Escape" => till.sheet.set(None),
                _ => {}
            }
            return;
        }
        match key.as_str() {
            "F8" => {
                ev.prevent_default();
                till.pay();
            }
            "Enter" if ev.ctrl_key() => till.pay(),
            "F2" => {
                ev.prevent_default();
                till.clear();
            }
            _ if typing => {}
            "Escape" => till.search.set(String::new()),
            "Backspace" => till.search.update(|s| {
                s.pop();
            }),
            "Enter" => {
                if let Some(item) = till.visible_items().into_iter().find(|i| i.available) {
                    till.tap_item(item);
                }
            }
            k if k.chars().count() == 1 && !ev.ctrl_key() && !ev.meta_key() => {
                till.search.update(|s| s.push_str(k));
            }
            _ => {}
        }
    })
}
