//! WAL checkpoints beside the writer, so that the writer's own find little left to copy.
//!
//! SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL past 1,000 pages:
//! on the writer's connection, so every few hundred orders one batch waits while the WAL is
//! copied into the database file and that file is synced (≈ 3 % of the server's CPU under
//! load, all of it on the writer's serial path). A connection of its own here copies the WAL
//! after commits — at most every [`INTERVAL`], only while there are writes — in `PASSIVE`
//! mode: it never waits for or blocks the writer or a reader.
//!
//! The writer keeps its automatic checkpoint all the same: only a checkpoint that copies the
//! *whole* WAL lets the next write start the WAL over from its beginning, and under steady
//! load the writer appends while this one copies, so this one alone never quite finishes —
//! the WAL grew by ≈ 150 MB a second in the placement benchmark when the writer's was turned
//! off. With this one beside it, the writer's checkpoint has only the last few frames left.
//! Durability does not depend on either: a committed transaction is on disk in the WAL.

use super::StoreError;
use sqlx::{Connection, SqliteConnection};
use std::time::Duration;
use tokio::sync::mpsc;

/// The least time between two checkpoints.
pub const INTERVAL: Duration = Duration::from_millis(250);

/// Wakes the checkpointer; cheap to clone. When every handle is gone the checkpointer closes
/// its connection and ends.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    wake: mpsc::Sender<()>,
}

impl Checkpoints {
    /// Starts the checkpointer on `conn` (a connection of its own to the database file).
    pub fn spawn(conn: SqliteConnection) -> Checkpoints {
        let (wake, woken) = mpsc::channel(1);
        tokio::spawn(run(conn, woken));
        Checkpoints { wake }
    }

    /// Says that something was committed: a checkpoint follows (at once, or when the last
    /// one is [`INTERVAL`] old). Never waits.
    pub fn committed(&self) {
        // Full means a checkpoint is already due: nothing is lost by not queueing another.
        let _ = self.wake.try_send(());
    }
}

async fn run(mut conn: SqliteConnection, mut woken: mpsc::Receiver<()>) {
    while woken.recv().await.is_some() {
        match checkpoint(&mut conn).await {
            Ok((busy, pages, copied)) => tracing::trace!(busy, pages, copied, "WAL checkpoint"),
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; the next commit tries again"),
        }
        tokio::time::sleep(INTERVAL).await;
    }
    if let Err(e) = conn.close().await {
        tracing::warn!(error = %e, "closing the checkpoint connection failed");
    }
}

/// One `PASSIVE` checkpoint: whether it was kept from finishing, the WAL's frames, and how
/// many of them are now in the database file.
pub async fn checkpoint(conn: &mut SqliteConnection) -> Result<(i64, i64, i64), StoreError> {
    let row: (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut *conn).await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn commits_are_copied_into_the_database_file_beside_a_writer_that_never_checkpoints() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("c.db");
        let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let options =
            super::super::connect_options(file.to_str().expect("utf-8"), Duration::from_secs(5)).expect("options");
        let mut writer = SqliteConnection::connect_with(&options).await.expect("writer");
        // A writer that never checkpoints, to see this one at work alone.
        sqlx::query("PRAGMA wal_autocheckpoint = 0").execute(&mut writer).await.expect("pragma");
        sqlx::query("CREATE TABLE t (v BLOB)").execute(&mut writer).await.expect("table");
        let checkpoints = Checkpoints::spawn(SqliteConnection::connect_with(&options).await.expect("checkpointer"));
        // ≈ 1,200 pages: past the 1,000 at which SQLite would have checkpointed in a COMMIT.
        for _ in 0..300 {
            let mut tx = writer.begin().await.expect("begin");
            for _ in 0..4 {
                sqlx::query("INSERT INTO t (v) VALUES (zeroblob(4000))").execute(&mut *tx).await.expect("insert");
            }
            tx.commit().await.expect("commit");
        }
        assert!(size() < 100_000, "the writer copied nothing into the file: {} bytes", size());
        checkpoints.committed();
        let mut waited = 0;
        while size() < 4_000_000 && waited < 200 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += 1;
        }
        assert!(size() >= 4_000_000, "the checkpointer copied the WAL into the file: {} bytes", size());
    }

    #[tokio::test]
    async fn under_steady_writes_the_wal_starts_over_instead_of_growing() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("s.db");
        let wal = dir.path().join("s.db-wal");
        let options =
            super::super::connect_options(file.to_str().expect("utf-8"), Duration::from_secs(5)).expect("options");
        let mut writer = SqliteConnection::connect_with(&options).await.expect("writer");
        sqlx::query("CREATE TABLE t (v BLOB)").execute(&mut writer).await.expect("table");
        let checkpoints = Checkpoints::spawn(SqliteConnection::connect_with(&options).await.expect("checkpointer"));
        let mut largest = 0;
        // ≈ 24 MB of pages, committed one after another as a busy writer does.
        for _ in 0..1_500 {
            let mut tx = writer.begin().await.expect("begin");
            for _ in 0..4 {
                sqlx::query("INSERT INTO t (v) VALUES (zeroblob(4000))").execute(&mut *tx).await.expect("insert");
            }
            tx.commit().await.expect("commit");
            checkpoints.committed();
            largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        }
        assert!(largest < 10_000_000, "the WAL grew to {largest} bytes");
    }
}
