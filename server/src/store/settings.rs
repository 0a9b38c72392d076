//! The shop's settings row: name, currency, tax policy, ticket-age thresholds and the menu
//! version.
//!
//! The menu version lives here because pricing depends on both the menu and the tax
//! setting: anything that changes a price (a menu edit, a tax change) bumps it, and the
//! priced-menu cache is keyed by it.

use super::db::{exec, fetch_optional, fetch_value, Db};
use super::StoreError;
use crema_shared::kitchen_ticket::KitchenPrinter;
use crema_shared::printer::PrinterAddress;
use crema_shared::settings::{CounterSettings, ReceiptSettings, ShopSettings};
use crema_shared::tax::{TaxMode, TaxPolicy, TaxRate};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSettings {
    pub shop: ShopSettings,
    pub menu_version: i64,
}

pub async fn load(db: &mut Db<'_>) -> Result<Option<StoredSettings>, StoreError> {
    let row = fetch_optional!(
        db,
        sqlx::query(
            "SELECT name, currency, tax_rate_bps, tax_mode, ticket_warn_seconds, ticket_late_seconds, menu_version,
           receipt_header, receipt_footer, receipt_printer, kitchen_before_paid, tip_adjust_limit_bps, kitchen_printers
         FROM shop_settings WHERE id = 1",
        )
    )?;
    row.map(|r| {
        let currency: String = r.try_get("currency")?;
        let bps: i64 = r.try_get("tax_rate_bps")?;
        let mode: String = r.try_get("tax_mode")?;
        // A small count (seconds, basis points) stored as an integer.
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
                receipt: ReceiptSettings {
                    header: r.try_get("receipt_header")?,
                    footer: r.try_get("receipt_footer")?,
                    printer: r
                        .try_get::<Option<String>, _>("receipt_printer")?
                        .map(|p| p.parse::<PrinterAddress>())
                        .transpose()
                        .map_err(|_| StoreError::corrupt("receipt printer"))?,
                },
                counter: CounterSettings {
                    kitchen_before_paid: r.try_get("kitchen_before_paid")?,
                    tip_adjust_limit_bps: seconds("tip_adjust_limit_bps")?,
                },
                kitchen_printers: r.json("kitchen_printers")?,
            },
            menu_version: r.try_get("menu_version")?,
        })
    })
    .transpose()
}

/// Binds the editable settings, in the column order both writes list them: name, currency,
/// tax rate, tax mode, ticket warn and late seconds, receipt header, footer and printer, whether
/// tabs go to the kitchen before paid, the card tip-adjust limit, the kitchen's station printers.
macro_rules! bind_shop {
    ($query:expr, $shop:expr) => {
        $query
            .bind(&$shop.name)
            .bind($shop.currency.as_str())
            .bind(i64::from($shop.tax.rate.basis_points()))
            .bind($shop.tax.mode.as_str())
            .bind(i64::from($shop.ticket_warn_seconds))
            .bind(i64::from($shop.ticket_late_seconds))
            .bind(&$shop.receipt.header)
            .bind(&$shop.receipt.footer)
            .bind($shop.receipt.printer.as_ref().map(ToString::to_string))
            .bind($shop.counter.kitchen_before_paid)
            .bind(i64::from($shop.counter.tip_adjust_limit_bps))
            .bind(sqlx::types::Json(&$shop.kitchen_printers))
    };
}

/// Writes the settings row the first time (no-op when it exists). Returns whether it wrote.
pub async fn insert_if_missing(conn: &mut Db<'_>, settings: &StoredSettings) -> Result<bool, StoreError> {
    let shop = &settings.shop;
    let done = exec!(
        conn,
        bind_shop!(
            sqlx::query(
                "INSERT INTO shop_settings (id, name, currency, tax_rate_bps, tax_mode, ticket_warn_seconds,
           ticket_late_seconds, receipt_header, receipt_footer, receipt_printer, kitchen_before_paid,
           tip_adjust_limit_bps, kitchen_printers, menu_version)
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
            ),
            shop
        )
        .bind(settings.menu_version)
    )?;
    Ok(done == 1)
}

/// Replaces the editable settings (the menu version is left alone).
pub async fn update(conn: &mut Db<'_>, shop: &ShopSettings) -> Result<(), StoreError> {
    let done = exec!(
        conn,
        bind_shop!(sqlx::query(
        "UPDATE shop_settings SET name = $1, currency = $2, tax_rate_bps = $3, tax_mode = $4, ticket_warn_seconds = $5,
           ticket_late_seconds = $6, receipt_header = $7, receipt_footer = $8, receipt_printer = $9,
           kitchen_before_paid = $10, tip_adjust_limit_bps = $11, kitchen_printers = $12 WHERE id = 1",
    ), shop)
    )?;
    if done == 1 {
        Ok(())
    } else {
        Err(StoreError::corrupt("no shop settings row"))
    }
}

pub async fn menu_version(db: &mut Db<'_>) -> Result<i64, StoreError> {
    fetch_value!(db, sqlx::query_scalar("SELECT menu_version FROM shop_settings WHERE id = 1"), fetch_optional)?
        .ok_or_else(|| StoreError::corrupt("no shop settings row"))
}

/// Increments and returns the menu version.
pub async fn bump_menu_version(conn: &mut Db<'_>) -> Result<i64, StoreError> {
    fetch_value!(
        conn,
        sqlx::query_scalar(
            "UPDATE shop_settings SET menu_version = menu_version + 1 WHERE id = 1 RETURNING menu_version"
        ),
        fetch_optional
    )?
    .ok_or_else(|| StoreError::corrupt("no shop settings row"))
}

/// The receipt printer a manager set, if any.
/// The kitchen's station printers alone (followed by every instance, like the receipt printer).
pub async fn kitchen_printers(db: &mut Db<'_>) -> Result<Vec<KitchenPrinter>, StoreError> {
    let row = fetch_optional!(db, sqlx::query("SELECT kitchen_printers FROM shop_settings WHERE id = 1"))?;
    row.map(|r| r.json("kitchen_printers")).transpose().map(Option::unwrap_or_default)
}

pub async fn receipt_printer(db: &mut Db<'_>) -> Result<Option<PrinterAddress>, StoreError> {
    let printer: Option<Option<String>> =
        fetch_value!(db, sqlx::query_scalar("SELECT receipt_printer FROM shop_settings WHERE id = 1"), fetch_optional)?;
    printer.flatten().map(|p| p.parse().map_err(|_| StoreError::corrupt("receipt printer"))).transpose()
}
