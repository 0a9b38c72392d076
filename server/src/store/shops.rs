//! The shop a PostgreSQL store serves. One database may hold several shops: every row names
//! its shop and row-level security holds each connection to the shop it names (see
//! `migrations/postgres/20261204000012_shops.sql`). At start the shop gets its own outbox
//! head (its events are numbered on their own), and Crema warns when its role is not held
//! by the policies (a superuser or a role with BYPASSRLS would see every shop's rows).

use super::StoreError;
use sqlx::PgConnection;

/// Makes the shop's outbox head if it has none; warns if the policies do not hold this role.
pub async fn prepare(conn: &mut PgConnection, shop: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO outbox_head (id, sequence) VALUES (1, 0) ON CONFLICT DO NOTHING")
        .execute(&mut *conn)
        .await?;
    let unbounded: bool =
        sqlx::query_scalar("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut *conn)
            .await?;
    if unbounded {
        tracing::warn!(
            shop,
            "the database role is a superuser or bypasses row-level security: the shops in this database are \
             not kept apart; connect as an ordinary role (docs/deployment.md)"
        );
    }
    Ok(())
}
