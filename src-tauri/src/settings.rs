//! What a terminal remembers between starts, in `settings.json` in its data directory:
//! which server it uses (the one it runs itself, or the shop's by URL) and, per screen, the
//! window's size and whether it was fullscreen.
//!
//! One setting decides the server: [`ServerMode`] — this computer's own, this computer's own
//! synced with the shop's hub (offline first), or the shop's server by URL.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ServerMode {
    /// Run the Crema server in this process, with its database in the data directory.
    #[default]
    Embedded,
    /// Use the shop's server at this address (`http://…` or `https://…`).
    Remote { url: String },
    /// Run the Crema server in this process as a terminal of the shop's hub: every order is
    /// taken here first and synced whenever the hub can be reached (docs/sync.md).
    Synced { hub_url: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowPrefs {
    /// Logical pixels.
    pub width: f64,
    pub height: f64,
    pub fullscreen: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct DesktopSettings {
    #[serde(default)]
    pub server: ServerMode,
    /// By screen name (`pos`, `kds`, `board`, `manage`).
    #[serde(default)]
    pub windows: BTreeMap<String, WindowPrefs>,
    /// The embedded server's enrolled terminal of each screen's window, by screen name.
    #[serde(default)]
    pub terminals: BTreeMap<String, uuid::Uuid>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read or write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0} is not an http:// or https:// address")]
    BadUrl(String),
}

impl DesktopSettings {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("settings.json")
    }

    /// The saved settings; defaults when there are none (or they cannot be read: a terminal
    /// must start even with a damaged file, which the next save replaces).
    pub fn load(data_dir: &Path) -> DesktopSettings {
        let path = Self::path(data_dir);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "settings unreadable; using defaults");
                DesktopSettings::default()
            }),
            Err(_) => DesktopSettings::default(),
        }
    }

    /// Writes atomically (a temporary file, owner-only, renamed over the old one).
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        use std::io::Write;
        let path = Self::path(data_dir);
        let tmp = path.with_extension("json.tmp");
        let io = |source| SettingsError::Io { path: path.clone(), source };
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        let _ = std::fs::remove_file(&tmp);
        let mut file = crema_server::keys::files::create_private(&tmp).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }

    pub fn window(&self, screen: &str) -> Option<WindowPrefs> {
        self.windows.get(screen).copied()
    }
}

/// Checks a shop server address as typed (`http://192.168.1.10:8080/`), without the slash.
pub fn parse_server_url(raw: &str) -> Result<String, SettingsError> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(url.to_string()),
        _ => Err(SettingsError::BadUrl(raw.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_default_to_the_embedded_server() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(DesktopSettings::load(dir.path()), DesktopSettings::default());
        let mut s =
            DesktopSettings { server: ServerMode::Remote { url: "http://10.0.0.2:8080".into() }, ..Default::default() };
        s.windows.insert("kds".into(), WindowPrefs { width: 1280.0, height: 720.0, fullscreen: true });
        s.save(dir.path()).expect("saved");
        assert_eq!(DesktopSettings::load(dir.path()), s);
    }

    #[test]
    fn the_synced_mode_is_remembered_with_its_hub() {
        let dir = tempfile::tempdir().expect("dir");
        let s = DesktopSettings {
            server: ServerMode::Synced { hub_url: "http://10.0.0.2:8080".into() },
            ..Default::default()
        };
        s.save(dir.path()).expect("saved");
        let text = std::fs::read_to_string(DesktopSettings::path(dir.path())).expect("read");
        assert!(text.contains("\"mode\": \"synced\""), "{text}");
        assert_eq!(DesktopSettings::load(dir.path()), s);
    }

    #[test]
    fn a_damaged_file_starts_with_defaults() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(DesktopSettings::path(dir.path()), "{not json").expect("written");
        assert_eq!(DesktopSettings::load(dir.path()), DesktopSettings::default());
    }

    #[test]
    fn server_addresses_are_checked() {
        assert_eq!(parse_server_url(" http://10.0.0.2:8080/ ").expect("ok"), "http://10.0.0.2:8080");
        assert!(parse_server_url("https://crema.shop").is_ok());
        for bad in ["", "10.0.0.2:8080", "ftp://x", "http://", "http://a b"] {
            assert!(parse_server_url(bad).is_err(), "{bad}");
        }
    }
}
