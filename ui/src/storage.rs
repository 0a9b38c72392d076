//! Small per-device preferences in `localStorage` (sound on the kitchen display, which
//! tickets this display has bumped): a device's own choices, not the shop's data.

use serde::de::DeserializeOwned;
use serde::Serialize;

fn store() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let raw = store()?.get_item(key).ok().flatten()?;
    serde_json::from_str(&raw).ok()
}

pub fn save<T: Serialize>(key: &str, value: &T) {
    if let (Some(store), Ok(raw)) = (store(), serde_json::to_string(value)) {
        let _ = store.set_item(key, &raw);
    }
}
