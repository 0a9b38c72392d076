//! The nightly backup: the cron (`CREMA_CRON_BACKUP`) queues one durable `backup.nightly` job
//! per day, so it shows on the managers' jobs screen with its attempts and last error, is
//! retried when the disk was briefly full, and runs once even if the cron fires twice. The job
//! writes `crema-<time>.backup` into `CREMA_BACKUP_DIR` with [`crate::backup::create`] and
//! keeps the newest `CREMA_BACKUP_KEEP`.

use crate::service::jobs::{Handler, JobFailure, JobSpec};
use crate::state::AppState;
use crate::store::jobs::JobRecord;
use crate::store::StoreError;
use crema_shared::retry::RetryPolicy;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub const KIND: &str = "backup.nightly";
const PREFIX: &str = "crema-";
const SUFFIX: &str = ".backup";

/// Where nightly backups go and how many stay.
#[derive(Clone, Debug)]
pub struct BackupPlan {
    pub dir: PathBuf,
    pub keep: usize,
    pub database: PathBuf,
    pub key: Option<PathBuf>,
}

impl BackupPlan {
    /// The plan `CREMA_BACKUP_DIR` asks for (`None`: no nightly backup).
    pub fn from_config(config: &crate::Config, database: Option<&Path>) -> Result<Option<BackupPlan>, String> {
        let Some(dir) = &config.backup_dir else { return Ok(None) };
        if crate::store::is_postgres(&config.database_url) {
            return Err(
                "CREMA_BACKUP_DIR backs up a SQLite file; on PostgreSQL use its own backups (pg_dump, WAL archiving)"
                    .into(),
            );
        }
        let database = database.ok_or("CREMA_BACKUP_DIR needs a database file, not an in-memory database")?;
        Ok(Some(BackupPlan {
            dir: dir.clone(),
            keep: config.backup_keep as usize,
            database: database.to_path_buf(),
            key: crate::setup::key_path(Some(database), config.key_file.as_deref()),
        }))
    }
}

pub fn spec() -> JobSpec {
    JobSpec {
        policy: RetryPolicy {
            base: Duration::from_secs(60),
            factor: 2.0,
            cap: Duration::from_secs(1800),
            max_attempts: 5,
        },
        timeout: Duration::from_secs(1800),
        concurrency: 1,
    }
}

/// Queues the backup of `business_date` (once per day, however often it is asked for).
pub async fn enqueue(state: &AppState, business_date: &str) -> Result<bool, StoreError> {
    crate::service::jobs::enqueue_daily(state, KIND, business_date).await
}

pub fn handler() -> Handler {
    Arc::new(|state, job| Box::pin(async move { run(&state, &job).await }))
}

async fn run(state: &AppState, _job: &JobRecord) -> Result<(), JobFailure> {
    let plan = state.cron.backups.clone().ok_or_else(|| JobFailure::Permanent("no backup folder is set".into()))?;
    crate::keys::files::ensure_private_dir(&plan.dir)
        .map_err(|e| JobFailure::Retryable(format!("{}: {e}", plan.dir.display())))?;
    let name = format!("{PREFIX}{}{SUFFIX}", state.clock.now().format("%Y%m%dT%H%M%S%.6fZ"));
    let to = plan.dir.join(name);
    crate::backup::create(&plan.database, plan.key.as_deref(), &to)
        .await
        .map_err(|e| JobFailure::Retryable(e.to_string()))?;
    for old in beyond_keep(&plan.dir, plan.keep).map_err(|e| JobFailure::Retryable(e.to_string()))? {
        match std::fs::remove_file(&old) {
            Ok(()) => tracing::info!(removed = %old.display(), "removed a backup beyond the ones kept"),
            Err(e) => tracing::warn!(file = %old.display(), error = %e, "cannot remove an old backup"),
        }
    }
    Ok(())
}

/// Crema's backups in `dir` older than the newest `keep` (names sort by time).
fn beyond_keep(dir: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let mut ours: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    ours.sort();
    let excess = ours.len().saturating_sub(keep);
    Ok(ours.into_iter().take(excess).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_and_never_touches_other_files() {
        let dir = tempfile::tempdir().expect("dir");
        for name in [
            "crema-20261201T024500Z.backup",
            "crema-20261202T024500Z.backup",
            "crema-20261203T024500Z.backup",
            "notes.txt",
            "crema-manual.tar",
        ] {
            std::fs::write(dir.path().join(name), b"x").expect("file");
        }
        let old = beyond_keep(dir.path(), 2).expect("listed");
        assert_eq!(old, vec![dir.path().join("crema-20261201T024500Z.backup")]);
        assert!(beyond_keep(dir.path(), 5).expect("listed").is_empty());
    }
}
