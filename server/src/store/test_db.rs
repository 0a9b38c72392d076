//! For the store's own tests: a database file in a directory of its own, every SQLite
//! migration applied, on one plain connection.

use sqlx::{Connection, SqliteConnection};

/// The directory (removed when dropped) and the connection.
pub(crate) async fn migrated_file() -> (tempfile::TempDir, SqliteConnection) {
    let dir = tempfile::tempdir().expect("dir");
    let url = dir.path().join("crema.db");
    let options =
        super::connect_options(url.to_str().expect("utf-8"), std::time::Duration::from_secs(5)).expect("options");
    let mut conn = SqliteConnection::connect_with(&options).await.expect("db");
    sqlx::migrate!("../migrations/sqlite").run(&mut conn).await.expect("migrations");
    (dir, conn)
}
