//! Backups a shop can trust: `crema-server backup --to FILE` takes an online, consistent copy
//! while the server keeps taking orders; `verify FILE` proves a copy is whole (SQLite's
//! integrity check, foreign keys, the audit chain, the snapshot's checksum); `restore --from
//! FILE` puts one back, refusing while a server runs on the target ([`lock`]) and keeping
//! what it replaces. The nightly job ([`crate::service::shop::backups`]) uses the same
//! [`create`].

pub mod archive;
pub mod lock;

use crate::store::{audit, connect_options, maintenance, StoreError};
use sha2::{Digest, Sha256};
use sqlx::{Connection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The archive layout this build writes and reads.
pub const FORMAT: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the database {0} does not exist")]
    NoDatabase(PathBuf),
    #[error("not a Crema backup: {0}")]
    NotABackup(String),
    #[error("the backup's manifest is unreadable: {0}")]
    Manifest(String),
    #[error("the backup is damaged: {0}")]
    Damaged(String),
    #[error(transparent)]
    Locked(#[from] lock::LockError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Store(StoreError::Database(e))
    }
}

/// What a backup holds, written beside the snapshot.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    pub crema_version: String,
    /// SHA-256 of `crema.db`, hex.
    pub database_sha256: String,
    pub database_bytes: u64,
    /// Whether the key file is in the archive.
    pub key_file: bool,
    #[serde(flatten)]
    pub contents: maintenance::Contents,
}

/// What [`verify`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub manifest: Manifest,
    pub audit_entries: u64,
}

/// Writes a backup of the database at `database` (and its key file, if there is one) to
/// `to`, while a server may be serving it.
pub async fn create(database: &Path, key: Option<&Path>, to: &Path) -> Result<Manifest, BackupError> {
    if !database.is_file() {
        return Err(BackupError::NoDatabase(database.to_path_buf()));
    }
    let parent = to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let work = tempfile::Builder::new()
        .prefix(".crema-backup-")
        .tempdir_in(parent)
        .map_err(|source| BackupError::Io { path: parent.to_path_buf(), source })?;
    let snapshot = work.path().join(archive::DATABASE);
    let mut conn = open(database).await?;
    maintenance::snapshot_into(&mut conn, &snapshot).await?;
    conn.close().await?;
    let mut copy = open(&snapshot).await?;
    let contents = maintenance::contents(&mut copy).await?;
    copy.close().await?;
    let (database_sha256, database_bytes) = digest(&snapshot)?;
    let key = key.filter(|k| k.is_file());
    let manifest = Manifest {
        format: FORMAT,
        created_at: crate::store::time::to_text(crate::store::time::now()),
        crema_version: env!("CARGO_PKG_VERSION").to_string(),
        database_sha256,
        database_bytes,
        key_file: key.is_some(),
        contents,
    };
    archive::write(to, &manifest, &snapshot, key)?;
    tracing::info!(
        backup = %to.display(),
        orders = manifest.contents.orders,
        outbox_sequence = manifest.contents.outbox_sequence,
        key_file = manifest.key_file,
        "backup written"
    );
    Ok(manifest)
}

/// Checks the backup at `from`: its snapshot matches the manifest's checksum, passes
/// SQLite's integrity and foreign-key checks, and its audit chain holds.
pub async fn verify(from: &Path) -> Result<Verified, BackupError> {
    let work = tempfile::tempdir().map_err(|source| BackupError::Io { path: std::env::temp_dir(), source })?;
    check(from, work.path()).await.map(|(verified, _)| verified)
}

/// Unpacks into `into` and checks; returns what was found and where it was unpacked.
async fn check(from: &Path, into: &Path) -> Result<(Verified, archive::Unpacked), BackupError> {
    let unpacked = archive::unpack(from, into)?;
    let manifest = unpacked.manifest.clone();
    if manifest.format != FORMAT {
        return Err(BackupError::NotABackup(format!("format {} (this build reads {FORMAT})", manifest.format)));
    }
    let (sha, bytes) = digest(&unpacked.database)?;
    if sha != manifest.database_sha256 || bytes != manifest.database_bytes {
        return Err(BackupError::Damaged("the database's checksum does not match the manifest".into()));
    }
    if manifest.key_file != unpacked.key.is_some() {
        return Err(BackupError::Damaged("the key file the manifest lists is missing".into()));
    }
    if let Some(key) = &unpacked.key {
        crate::keys::Keys::read(key).map_err(|e| BackupError::Damaged(format!("the key file: {e}")))?;
    }
    let mut conn = open(&unpacked.database).await?;
    let (problems, dangling) = maintenance::integrity(&mut conn).await?;
    if problems != ["ok"] {
        return Err(BackupError::Damaged(format!("integrity check: {}", problems.join("; "))));
    }
    if dangling > 0 {
        return Err(BackupError::Damaged(format!("{dangling} rows point at rows that are not there")));
    }
    let audit_entries = match audit::verify(&mut crate::store::db::Db::sqlite(&mut conn)).await? {
        audit::ChainCheck::Intact { rows, .. } => rows,
        audit::ChainCheck::Broken { id, reason } => {
            return Err(BackupError::Damaged(format!("the audit chain is broken at entry #{id}: {reason}")));
        }
    };
    let contents = maintenance::contents(&mut conn).await?;
    conn.close().await?;
    if contents != manifest.contents {
        return Err(BackupError::Damaged("the database holds other rows than the manifest says".into()));
    }
    Ok((Verified { manifest, audit_entries }, unpacked))
}

/// Puts the backup at `from` in place of the database at `database` (and its key file at
/// `key`): refused while a server runs there; verified first; whatever it replaces is kept
/// beside it as `<name>.replaced-<time>`. Returns the restored backup's manifest.
pub async fn restore(from: &Path, database: &Path, key: &Path) -> Result<Manifest, BackupError> {
    let dir = database.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    crate::keys::files::ensure_private_dir(dir)
        .map_err(|source| BackupError::Io { path: dir.to_path_buf(), source })?;
    // Held until the files are in place: no server can start on a half-restored database.
    let _lock = lock::ServerLock::acquire(database)?;
    let work = tempfile::Builder::new()
        .prefix(".crema-restore-")
        .tempdir_in(dir)
        .map_err(|source| BackupError::Io { path: dir.to_path_buf(), source })?;
    let (verified, unpacked) = check(from, work.path()).await?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let mut replaced = Vec::new();
    for path in [with_suffix(database, ""), with_suffix(database, "-wal"), with_suffix(database, "-shm")]
        .into_iter()
        .chain(unpacked.key.is_some().then(|| key.to_path_buf()))
    {
        if path.exists() {
            let aside = with_suffix(&path, &format!(".replaced-{stamp}"));
            std::fs::rename(&path, &aside).map_err(|source| BackupError::Io { path: path.clone(), source })?;
            replaced.push(aside);
        }
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BackupError::Io { path, source }
    };
    std::fs::rename(&unpacked.database, database).map_err(io(database))?;
    if let Some(unpacked_key) = &unpacked.key {
        std::fs::copy(unpacked_key, key).map_err(io(key))?;
        crate::keys::files::make_private(key).map_err(io(key))?;
        crate::keys::files::sync_parent(key).map_err(io(key))?;
    }
    crate::keys::files::make_private(database).map_err(io(database))?;
    crate::keys::files::sync_parent(database).map_err(io(database))?;
    for aside in &replaced {
        tracing::warn!(kept = %aside.display(), "kept the file the restore replaced");
    }
    tracing::info!(
        backup = %from.display(),
        database = %database.display(),
        orders = verified.manifest.contents.orders,
        "restored"
    );
    Ok(verified.manifest)
}

async fn open(database: &Path) -> Result<SqliteConnection, BackupError> {
    let url = database.to_str().ok_or_else(|| StoreError::internal("the database path is not valid UTF-8"))?;
    let options = connect_options(url, Duration::from_secs(30))?.create_if_missing(false);
    Ok(SqliteConnection::connect_with(&options).await?)
}

fn digest(path: &Path) -> Result<(String, u64), BackupError> {
    let mut file = std::fs::File::open(path).map_err(|source| BackupError::Io { path: path.to_path_buf(), source })?;
    let mut hasher = Sha256::new();
    let bytes =
        std::io::copy(&mut file, &mut hasher).map_err(|source| BackupError::Io { path: path.to_path_buf(), source })?;
    Ok((hex::encode(hasher.finalize()), bytes))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}
