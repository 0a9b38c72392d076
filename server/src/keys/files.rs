//! Files and folders only their owner can read: the data directory is `0700`, the database,
//! its WAL and shared-memory files, the key file and logs are `0600`, whatever the umask.
//! Existing files with wider modes are tightened at start.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) if missing; a folder made here is `0700`.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Creates a new file that only the owner can read or write (fails if it exists).
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Opens (creating if missing) a file to append to, owner-only.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    make_private(path)?;
    Ok(file)
}

/// Makes sure the file exists (empty if new) with mode `0600`, so SQLite, which gives its
/// WAL and shared-memory files the database file's mode, makes those private too.
pub fn touch_private(path: &Path) -> io::Result<()> {
    if !path.exists() {
        match create_private(path) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    make_private(path)
}

/// Narrows an existing file's mode to `0600` (nothing if it is missing).
pub fn make_private(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if meta.permissions().mode() & 0o077 != 0 {
                    tracing::warn!(file = %path.display(), "the file was readable by others; it is now 0600");
                    set_mode(path, 0o600)?;
                }
            }
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// fsyncs the folder holding `path`, so a new file's name survives a power cut.
pub fn sync_parent(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(parent)?.sync_all()?;
    }
    let _ = path;
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    let _ = (path, mode);
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
    }

    #[test]
    fn new_folders_and_files_are_owner_only_and_old_files_are_tightened() {
        let root = tempfile::tempdir().expect("dir");
        let dir = root.path().join("data");
        ensure_private_dir(&dir).expect("dir");
        assert_eq!(mode(&dir), 0o700);
        let db = dir.join("crema.db");
        touch_private(&db).expect("file");
        assert_eq!(mode(&db), 0o600);
        let log = dir.join("old.log");
        std::fs::write(&log, "x").expect("written");
        std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        make_private(&log).expect("tightened");
        assert_eq!(mode(&log), 0o600);
    }
}
