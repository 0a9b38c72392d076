//! Secrets the server makes for itself, kept in the database so every process that opens
//! the file agrees on them.

use super::StoreError;
use sqlx::SqliteConnection;

/// The value of secret `name`, creating it with `make` the first time.
pub async fn get_or_create(
    conn: &mut SqliteConnection,
    name: &str,
    make: impl FnOnce() -> String,
) -> Result<String, StoreError> {
    if let Some(value) =
        sqlx::query_scalar("SELECT value FROM secrets WHERE name = ?").bind(name).fetch_optional(&mut *conn).await?
    {
        return Ok(value);
    }
    let value = make();
    sqlx::query("INSERT INTO secrets (name, value) VALUES (?, ?)").bind(name).bind(&value).execute(&mut *conn).await?;
    Ok(value)
}
