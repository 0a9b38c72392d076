//! One server per database: a serving process holds an exclusive lock on `<database>.lock`
//! for as long as it runs (the operating system drops it when the process ends, even on
//! `kill -9`). A second server on the same file, or a restore over a live database, is
//! refused instead of corrupting what the first one is writing.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The held lock; dropping it releases the database.
#[derive(Debug)]
pub struct ServerLock {
    _file: File,
    path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another Crema server is running on {0} (it holds {0}.lock)")]
    Held(PathBuf),
    #[error("cannot open the lock file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// `<database>.lock`.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

impl ServerLock {
    /// Takes the lock of `database`, or says who has it.
    pub fn acquire(database: &Path) -> Result<ServerLock, LockError> {
        let path = lock_path(database);
        let io = |source| LockError::Io { path: path.clone(), source };
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(ServerLock { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(LockError::Held(database.to_path_buf())),
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("crema.db");
        let first = ServerLock::acquire(&db).expect("first");
        assert!(matches!(ServerLock::acquire(&db), Err(LockError::Held(_))));
        drop(first);
        ServerLock::acquire(&db).expect("free again");
    }
}
