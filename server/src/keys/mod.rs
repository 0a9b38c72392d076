//! Secrets at rest: the key file beside the database, and what it protects.
//!
//! The database alone must not give up the staff's PINs or the sinks' signing secrets: a
//! copied `crema.db` (a backup on a USB stick, a support ticket) would otherwise recover
//! every 4-digit PIN in seconds from its peppered lookups. So the PIN pepper and a data key
//! live in a separate key file (`<database>.key` by default, `CREMA_KEY_FILE` to move it),
//! created `0600`, and the database holds only what they protect: PIN lookups and hashes,
//! and sink secrets sealed with the data key ([`seal`]).

pub mod files;
pub mod seal;

use secrecy::{ExposeSecret, SecretBox, SecretString};
use std::io::Write;
use std::path::{Path, PathBuf};

const HEADER: &str = "# Crema key file v1: keep it with the database's backups, never with a copy you hand out";
const KEY_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read or write the key file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the key file {path} is not a Crema key file ({reason})")]
    Malformed { path: PathBuf, reason: &'static str },
}

/// The keys of one database. `Debug` never shows them.
pub struct Keys {
    pin_pepper: SecretBox<[u8; KEY_BYTES]>,
    data_key: SecretBox<[u8; KEY_BYTES]>,
    /// On a terminal paired with a hub: its credential there (`<id>.<secret>`).
    terminal_credential: Option<SecretString>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Keys {
    /// Reads the key file at `path`, tightening its mode to `0600` if it was readable by others.
    pub fn read(path: &Path) -> Result<Option<Keys>, KeyFileError> {
        let io = |source| KeyFileError::Io { path: path.to_path_buf(), source };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        files::make_private(path).map_err(io)?;
        let malformed = |reason| KeyFileError::Malformed { path: path.to_path_buf(), reason };
        let mut pepper = None;
        let mut data = None;
        let mut terminal_credential = None;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (name, value) = line.split_once('=').ok_or_else(|| malformed("a line without `=`"))?;
            if name.trim() == "terminal_credential" {
                crema_shared::terminal::parse_credential(value)
                    .ok_or_else(|| malformed("a terminal credential that is not <id>.<secret>"))?;
                terminal_credential = Some(SecretString::from(value.trim().to_string()));
                continue;
            }
            let key = decode_key(value.trim()).ok_or_else(|| malformed("a key that is not 64 hex digits"))?;
            match name.trim() {
                "pin_pepper" => pepper = Some(key),
                "data_key" => data = Some(key),
                _ => return Err(malformed("an unknown key name")),
            }
        }
        match (pepper, data) {
            (Some(pin_pepper), Some(data_key)) => {
                Ok(Some(Keys { pin_pepper, data_key, terminal_credential, path: Some(path.to_path_buf()) }))
            }
            _ => Err(malformed("pin_pepper or data_key is missing")),
        }
    }

    /// Writes a new key file (mode `0600`, durably), keeping `pepper` when an older database
    /// had one, else making every key fresh. Never overwrites an existing file.
    pub fn create(path: &Path, pepper: Option<[u8; KEY_BYTES]>) -> Result<Keys, KeyFileError> {
        let io = |source| KeyFileError::Io { path: path.to_path_buf(), source };
        let pin_pepper = pepper.unwrap_or_else(random_key);
        let data_key = random_key();
        let text = format!("{HEADER}\npin_pepper={}\ndata_key={}\n", hex::encode(pin_pepper), hex::encode(data_key));
        let mut file = files::create_private(path).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        files::sync_parent(path).map_err(io)?;
        Ok(Keys {
            pin_pepper: SecretBox::new(Box::new(pin_pepper)),
            data_key: SecretBox::new(Box::new(data_key)),
            terminal_credential: None,
            path: Some(path.to_path_buf()),
        })
    }

    /// Writes the key file of a terminal that just paired with a hub: the hub's PIN pepper
    /// (its staff's PINs are checked here against the hub's verifiers), the data key already
    /// there (or a fresh one) and the terminal's credential. Replaces the file atomically.
    pub fn write_paired(path: &Path, hub_pepper: [u8; KEY_BYTES], credential: &str) -> Result<Keys, KeyFileError> {
        let io = |source| KeyFileError::Io { path: path.to_path_buf(), source };
        let data_key = match Keys::read(path)? {
            Some(existing) => *existing.data_key.expose_secret(),
            None => random_key(),
        };
        let text = format!(
            "{HEADER}\npin_pepper={}\ndata_key={}\nterminal_credential={credential}\n",
            hex::encode(hub_pepper),
            hex::encode(data_key)
        );
        let mut temporary = path.as_os_str().to_os_string();
        temporary.push(".new");
        let temporary = PathBuf::from(temporary);
        let _ = std::fs::remove_file(&temporary);
        let mut file = files::create_private(&temporary).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&temporary, path).map_err(io)?;
        files::sync_parent(path).map_err(io)?;
        Ok(Keys {
            pin_pepper: SecretBox::new(Box::new(hub_pepper)),
            data_key: SecretBox::new(Box::new(data_key)),
            terminal_credential: Some(SecretString::from(credential.to_string())),
            path: Some(path.to_path_buf()),
        })
    }

    /// The credential of a paired terminal.
    pub fn terminal_credential(&self) -> Option<&SecretString> {
        self.terminal_credential.as_ref()
    }

    /// Keys that live only as long as this process (an in-memory database).
    pub fn ephemeral() -> Keys {
        Keys {
            pin_pepper: SecretBox::new(Box::new(random_key())),
            data_key: SecretBox::new(Box::new(random_key())),
            terminal_credential: None,
            path: None,
        }
    }

    pub fn pin_pepper(&self) -> &[u8] {
        self.pin_pepper.expose_secret()
    }

    /// The sealer for secrets kept in the database.
    pub fn sealer(&self) -> seal::Sealer {
        seal::Sealer::new(self.data_key.expose_secret())
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

/// The default key file of a database file: the same path with `.key` appended.
pub fn default_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_os_string();
    name.push(".key");
    PathBuf::from(name)
}

fn decode_key(hex_text: &str) -> Option<SecretBox<[u8; KEY_BYTES]>> {
    let bytes = hex::decode(hex_text).ok()?;
    let key: [u8; KEY_BYTES] = bytes.try_into().ok()?;
    Some(SecretBox::new(Box::new(key)))
}

/// A pepper as hex (from the hub's sealed snapshot), as key bytes.
pub fn pepper_from_hex(hex_text: &str) -> Option<[u8; KEY_BYTES]> {
    legacy_pepper(hex_text)
}

/// A legacy pepper stored in the database (hex), as key bytes.
pub fn legacy_pepper(hex_text: &str) -> Option<[u8; KEY_BYTES]> {
    hex::decode(hex_text).ok()?.try_into().ok()
}

fn random_key() -> [u8; KEY_BYTES] {
    use rand::RngCore;
    let mut key = [0u8; KEY_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_private_round_trips_and_never_prints_its_keys() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("crema.db.key");
        let made = Keys::create(&path, Some([7; 32])).expect("created");
        assert!(Keys::create(&path, None).is_err(), "an existing key file is never overwritten");
        let read = Keys::read(&path).expect("readable").expect("present");
        assert_eq!(read.pin_pepper(), made.pin_pepper());
        assert_eq!(read.pin_pepper(), &[7; 32]);
        let shown = format!("{read:?}");
        assert!(!shown.contains(&hex::encode([7u8; 32])) && !shown.contains("7, 7"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_damaged_key_file_is_refused_with_a_reason() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("k");
        std::fs::write(&path, "pin_pepper=abc\n").expect("written");
        assert!(matches!(Keys::read(&path), Err(KeyFileError::Malformed { .. })));
        assert!(Keys::read(&dir.path().join("missing")).expect("no error").is_none());
    }
}
