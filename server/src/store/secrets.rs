//! Secrets an older Crema kept in the database. The PIN pepper now lives in the key file
//! (see [`crate::keys`]); a database that still has it hands it over once and forgets it.

use super::StoreError;
use sqlx::SqliteConnection;

/// The value of secret `name`, if the database still has it.
pub async fn get(conn: &mut SqliteConnection, name: &str) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT value FROM secrets WHERE name = ?").bind(name).fetch_optional(&mut *conn).await?)
}

/// Forgets secret `name`.
pub async fn delete(conn: &mut SqliteConnection, name: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM secrets WHERE name = ?").bind(name).execute(&mut *conn).await?;
    Ok(())
}

/// Whether any member of staff exists (their PINs need the pepper the key file holds).
pub async fn has_staff(conn: &mut SqliteConnection) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM staff").fetch_one(&mut *conn).await? > 0)
}
