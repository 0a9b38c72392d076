//! The shop's settings row: name, currency, tax policy, ticket-age thresholds and the menu
//! version.
//!
//! The menu version lives here because pricing depends on both the menu and the tax
//! setting: anything that changes a price (a menu edit, a tax change) bumps it, and the
//! priced-menu cache is keyed by it.

use super::StoreError;
use crema_shared::settings::ShopSettings;
use crema_shared::tax::{TaxMode, TaxPolicy, TaxRate};
use sqlx::{Row, SqliteConnection, SqliteExecutor};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSettings {
    pub shop: ShopSettings,
    pub menu_version: i64,
}

pub async fn load(db: impl SqliteExecutor<'_>) -> Result<Option<StoredSettings>, StoreError> {
    let row = sqlx::query(
        "SELECT name, currency, tax_rate_bps, tax_mode, ticket_warn_seconds, ticket_late_seconds, menu_version
         FROM shop_settings WHERE id = 1",
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let currency: String = r.try_get("currency")?;
        let bps: i64 = r.try_get("tax_rate_bps")?;
        let mode: String = r.try_get("tax_mode")?;
        let seconds = |column: &str| -> Result<u32, StoreError> {
            let value: i64 = r.try_get(column)?;
            u32::try_from(value).map_err(|_| StoreError::corrupt(column.to_string()))
        };
        Ok(StoredSettings {
            shop: ShopSettings {
                name: r.try_get("name")?,
                currency: currency.parse().map_err(|_| StoreError::corrupt("currency"))?,
                tax: TaxPolicy {
                    rate: u32::try_from(bps)
                        .ok()
                        .and_then(|b| TaxRate::try_from(b).ok())
                        .ok_or_else(|| StoreError::corrupt("tax rate"))?,
                    mode: TaxMode::parse(&mode).ok_or_else(|| StoreError::corrupt("tax mode"))?,
                },
                ticket_warn_seconds: seconds("ticket_warn_seconds")?,
                ticket_late_seconds: seconds("ticket_late_seconds")?,
            },
            menu_version: r.try_get("menu_version")?,
        })
    })
    .transpose()
}

type SqliteQuery<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds the editable settings, in the column order both writes list them: name, currency,
/// tax rate, tax mode, ticket warn and late seconds.
fn bind_shop<'q>(query: SqliteQuery<'q>, shop: &'q ShopSettings) -> SqliteQuery<'q> {
    query
        .bind(&shop.name)
        .bind(shop.currency.as_str())
        .bind(i64::from(shop.tax.rate.basis_points()))
        .bind(shop.tax.mode.as_str())
        .bind(i64::from(shop.ticket_warn_seconds))
        .bind(i64::from(shop.ticket_late_seconds))
}

/// Writes the settings row the first time (no-op when it exists). Returns whether it wrote.
pub async fn insert_if_missing(conn: &mut SqliteConnection, settings: &StoredSettings) -> Result<bool, StoreError> {
    let shop = &settings.shop;
    let insert = sqlx::query(
        "INSERT INTO shop_settings (id, name, currency, tax_rate_bps, tax_mode, ticket_warn_seconds,
           ticket_late_seconds, menu_version)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    );
    let done = bind_shop(insert, shop).bind(settings.menu_version).execute(&mut *conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the editable settings (the menu version is left alone).
pub async fn update(conn: &mut SqliteConnection, shop: &ShopSettings) -> Result<(), StoreError> {
    let update = sqlx::query(
        "UPDATE shop_settings SET name = ?, currency = ?, tax_rate_bps = ?, tax_mode = ?, ticket_warn_seconds = ?,
           ticket_late_seconds = ? WHERE id = 1",
    );
    let done = bind_shop(update, shop).execute(&mut *conn).await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::corrupt("no shop settings row"))
    }
}

pub async fn menu_version(db: impl SqliteExecutor<'_>) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT menu_version FROM shop_settings WHERE id = 1")
        .fetch_optional(db)
        .await?
        .ok_or_else(|| StoreError::corrupt("no shop settings row"))
}

/// Increments and returns the menu version.
pub async fn bump_menu_version(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    sqlx::query_scalar("UPDATE shop_settings SET menu_version = menu_version + 1 WHERE id = 1 RETURNING menu_version")
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::corrupt("no shop settings row"))
}
