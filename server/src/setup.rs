//! Getting a database ready to serve, beyond migrations: private files, the key file (and
//! moving an older database's pepper into it), sealing sink secrets written before sealing
//! existed, and linking audit rows written before the chain existed.

use crate::keys::files;
use crate::keys::seal::{is_sealed, Sealer};
use crate::keys::{self, Keys};
use crate::store::{audit, secrets, sinks, Done, JobError, Store, StoreError};
use std::path::{Path, PathBuf};

const LEGACY_PEPPER: &str = "pin_pepper";

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    KeyFile(#[from] keys::KeyFileError),
    #[error("cannot make {path} private: {source}")]
    Files { path: PathBuf, source: std::io::Error },
    #[error(
        "the key file {0} is missing, but this database has staff whose PINs need it: restore it from the \
         backup it was kept with (or point CREMA_KEY_FILE at it); without it no PIN can be checked"
    )]
    KeyFileLost(PathBuf),
    #[error(
        "the key file {0} does not belong to this database (its PIN pepper differs from the one the database had)"
    )]
    KeyFileMismatch(PathBuf),
}

/// The database file behind a URL (`None` for an in-memory database).
/// Where the key file is: `--key-file`, else beside the database (`None`: an in-memory database).
pub fn key_path(database: Option<&Path>, key_file: Option<&Path>) -> Option<PathBuf> {
    match (key_file, database) {
        (Some(path), _) => Some(path.to_path_buf()),
        (None, Some(db)) => Some(keys::default_path(db)),
        (None, None) => None,
    }
}

pub fn database_file(url: &str) -> Option<PathBuf> {
    if crate::store::is_postgres(url) {
        return None;
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// Before opening: the data directory exists (`0700` if made here) and the database file
/// is `0600`, so SQLite's WAL and shared-memory files are made private too.
pub fn prepare_files(database: Option<&Path>) -> Result<(), SetupError> {
    let Some(db) = database else { return Ok(()) };
    let wrap = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SetupError::Files { path, source }
    };
    if let Some(dir) = db.parent() {
        files::ensure_private_dir(dir).map_err(wrap(dir))?;
    }
    files::touch_private(db).map_err(wrap(db))?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_os_string();
        name.push(suffix);
        let path = PathBuf::from(name);
        files::make_private(&path).map_err(wrap(&path))?;
    }
    Ok(())
}

/// The database's keys: read from the key file, or made (taking over an older database's
/// pepper). Refuses a missing key file when staff exist, and a key file of another database.
pub async fn keys(store: &Store, database: Option<&Path>, key_file: Option<&Path>) -> Result<Keys, SetupError> {
    let Some(path) = key_path(database, key_file) else { return Ok(Keys::ephemeral()) };
    let mut conn = store.read().await?;
    let legacy = secrets::get(&mut conn, LEGACY_PEPPER).await?;
    let has_staff = secrets::has_staff(&mut conn).await?;
    drop(conn);
    let legacy = legacy.as_deref().and_then(keys::legacy_pepper);
    let keys = match Keys::read(&path)? {
        Some(keys) => {
            if legacy.is_some_and(|pepper| pepper.as_slice() != keys.pin_pepper()) {
                return Err(SetupError::KeyFileMismatch(path));
            }
            keys
        }
        None if legacy.is_none() && has_staff => return Err(SetupError::KeyFileLost(path)),
        None => {
            let keys = Keys::create(&path, legacy)?;
            tracing::info!(key_file = %path.display(), "made the key file (PIN pepper and data key); back it up with the database");
            keys
        }
    };
    if legacy.is_some() {
        // The key file is on disk (fsynced): the database may now forget the pepper.
        store
            .writer()
            .write(|conn| {
                Box::pin(async move {
                    secrets::delete(conn, LEGACY_PEPPER).await?;
                    Ok::<_, JobError<StoreError>>(Done::new((), None))
                })
            })
            .await?;
        tracing::info!("moved the PIN pepper out of the database into the key file");
    }
    Ok(keys)
}

/// Seals webhook secrets stored in clear by an older Crema, and links unlinked audit rows.
pub async fn upgrade_rows(store: &Store, sealer: &Sealer) -> Result<(), SetupError> {
    let mut conn = store.read().await?;
    let clear: Vec<(uuid::Uuid, String)> = sinks::list(&mut conn)
        .await?
        .into_iter()
        .filter_map(|s| match s.target {
            sinks::SinkTarget::Webhook { secret, .. } if !is_sealed(&secret) => Some((s.id, secret)),
            _ => None,
        })
        .collect();
    drop(conn);
    let mut sealed = Vec::new();
    for (id, secret) in clear {
        let stored = sealer.seal(&secret, &id.to_string()).map_err(|e| StoreError::internal(e.to_string()))?;
        sealed.push((id, stored));
    }
    let (count, linked) = store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                for (id, stored) in &sealed {
                    sinks::set_secret(conn, *id, stored).await?;
                }
                let linked = audit::link_legacy_rows(conn).await?;
                Ok::<_, JobError<StoreError>>(Done::new((sealed.len(), linked), None))
            })
        })
        .await?;
    if count > 0 {
        tracing::info!(count, "sealed webhook secrets that were stored in clear");
    }
    if linked > 0 {
        tracing::info!(linked, "linked audit rows written before the audit chain");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_name_their_file() {
        assert_eq!(database_file("./crema.db"), Some(PathBuf::from("./crema.db")));
        assert_eq!(database_file("sqlite:///tmp/x.db?mode=rwc"), Some(PathBuf::from("/tmp/x.db")));
        assert_eq!(database_file("sqlite::memory:"), None);
    }
}
