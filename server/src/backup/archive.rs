//! The backup file: a tar archive of `manifest.json`, `crema.db` (the snapshot) and, when
//! the database has one, `crema.key` (its key file — without it the staff cannot sign in
//! and sealed secrets cannot be opened). Plain tar, so an operator can look inside with
//! `tar tvf` and take it apart by hand in an emergency.

use super::{BackupError, Manifest};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "manifest.json";
pub const DATABASE: &str = "crema.db";
pub const KEY_FILE: &str = "crema.key";

/// Writes the archive to `to` through a temporary file beside it, fsynced and renamed into
/// place, owner-only (it holds the keys): a crash leaves the old backup or the new, never half.
pub fn write(to: &Path, manifest: &Manifest, database: &Path, key: Option<&Path>) -> Result<(), BackupError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BackupError::Io { path, source }
    };
    let parent = to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let partial = tempfile::Builder::new().prefix(".crema-backup-").tempfile_in(parent).map_err(io(parent))?;
    {
        let mut tar = tar::Builder::new(partial.as_file());
        let json = serde_json::to_vec_pretty(manifest).map_err(|e| BackupError::Manifest(e.to_string()))?;
        append_bytes(&mut tar, MANIFEST, &json).map_err(io(to))?;
        let mut db = File::open(database).map_err(io(database))?;
        tar.append_file(DATABASE, &mut db).map_err(io(database))?;
        if let Some(key) = key {
            let mut file = File::open(key).map_err(io(key))?;
            tar.append_file(KEY_FILE, &mut file).map_err(io(key))?;
        }
        tar.finish().map_err(io(to))?;
    }
    partial.as_file().sync_all().map_err(io(to))?;
    partial.persist(to).map_err(|e| BackupError::Io { path: to.to_path_buf(), source: e.error })?;
    crate::keys::files::make_private(to).map_err(io(to))?;
    crate::keys::files::sync_parent(to).map_err(io(to))?;
    Ok(())
}

fn append_bytes(tar: &mut tar::Builder<&File>, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
    header.set_cksum();
    tar.append_data(&mut header, name, bytes)
}

/// What an archive unpacked into a folder holds.
#[derive(Debug)]
pub struct Unpacked {
    pub manifest: Manifest,
    pub database: PathBuf,
    pub key: Option<PathBuf>,
}

/// Unpacks the archive `from` into `into` (a private temporary folder), taking only the
/// three known members by name — never a path the archive makes up.
pub fn unpack(from: &Path, into: &Path) -> Result<Unpacked, BackupError> {
    let file = File::open(from).map_err(|source| BackupError::Io { path: from.to_path_buf(), source })?;
    let mut archive = tar::Archive::new(file);
    let entries = archive.entries().map_err(|e| BackupError::NotABackup(e.to_string()))?;
    let (mut manifest, mut database, mut key) = (None, None, None);
    for entry in entries {
        let mut entry = entry.map_err(|e| BackupError::NotABackup(e.to_string()))?;
        let name = entry.path().map_err(|e| BackupError::NotABackup(e.to_string()))?.to_string_lossy().into_owned();
        match name.as_str() {
            MANIFEST => {
                let mut text = String::new();
                entry.read_to_string(&mut text).map_err(|e| BackupError::NotABackup(e.to_string()))?;
                manifest = Some(serde_json::from_str(&text).map_err(|e| BackupError::Manifest(e.to_string()))?);
            }
            DATABASE | KEY_FILE => {
                let path = into.join(&name);
                let mut out = crate::keys::files::create_private(&path)
                    .map_err(|source| BackupError::Io { path: path.clone(), source })?;
                std::io::copy(&mut entry, &mut out).map_err(|source| BackupError::Io { path: path.clone(), source })?;
                out.flush().map_err(|source| BackupError::Io { path: path.clone(), source })?;
                if name == DATABASE {
                    database = Some(path);
                } else {
                    key = Some(path);
                }
            }
            other => return Err(BackupError::NotABackup(format!("unexpected member {other:?}"))),
        }
    }
    let manifest = manifest.ok_or_else(|| BackupError::NotABackup("no manifest.json".into()))?;
    let database = database.ok_or_else(|| BackupError::NotABackup("no crema.db".into()))?;
    Ok(Unpacked { manifest, database, key })
}
