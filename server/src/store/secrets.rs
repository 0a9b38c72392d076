//! Secrets an older Crema kept in the database. The PIN pepper now lives in the key file
//! (see [`crate::keys`]); a database that still has it hands it over once and forgets it.

use super::db::{exec, fetch_value, Db};
use super::StoreError;

/// The value of secret `name`, if the database still has it.
pub async fn get(conn: &mut Db<'_>, name: &str) -> Result<Option<String>, StoreError> {
    Ok(fetch_value!(conn, sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1").bind(name), fetch_optional)?)
}

/// Forgets secret `name`.
pub async fn delete(conn: &mut Db<'_>, name: &str) -> Result<(), StoreError> {
    exec!(conn, sqlx::query("DELETE FROM secrets WHERE name = $1").bind(name))?;
    Ok(())
}

/// Whether any member of staff exists (their PINs need the pepper the key file holds).
pub async fn has_staff(conn: &mut Db<'_>) -> Result<bool, StoreError> {
    Ok(fetch_value!(conn, sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM staff"), fetch_one)? > 0)
}
