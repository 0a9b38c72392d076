//! The shop's settings: read by every screen, changed by managers.
//!
//! A change is one transaction: the row, an audit entry, `settings.updated` (kitchen
//! displays recolour their tickets from it) and, when currency or tax changed, a menu
//! version bump with `menu.updated` so tills re-read prices.

use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::{audit, outbox, settings, Done, StoreError};
use crema_shared::api::{SettingsDto, SettingsInput};
use crema_shared::events::{types, MenuUpdatedData};
use crema_shared::kitchen_ticket::KitchenPrinterDto;
use crema_shared::settings::{apply_on_menu, ShopSettings};
use uuid::Uuid;

pub async fn get(state: &AppState) -> Result<SettingsDto, ServiceError> {
    let stored = settings::load(&mut state.store.read().await?).await?.ok_or_else(no_row)?;
    Ok(dto(state, &stored.shop))
}

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    input: &SettingsInput,
) -> Result<SettingsDto, ServiceError> {
    let (clock, menus) = (state.clock.clone(), state.menu.clone());
    let (ctx, input) = (ctx.clone(), input.clone());
    let shop = state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let before = settings::load(&mut *conn).await?.ok_or_else(no_row)?.shop;
                let menu = menus.current(&mut *conn).await?;
                let after = apply_on_menu(&before, &input, |id| menu.catalog.has_category(id))
                    .map_err(ServiceError::Validation)?;
                settings::update(conn, &after).await?;
                let now = clock.now();
                let mut events = vec![ctx.event(types::SETTINGS_UPDATED, None, now, event_data(&after))];
                if after.placing_differs(&before) {
                    let version = settings::bump_menu_version(conn).await?;
                    let data = MenuUpdatedData { version, change: "settings".into(), id: Uuid::nil() };
                    events.push(ctx.event(
                        types::MENU_UPDATED,
                        None,
                        now,
                        serde_json::to_value(data).unwrap_or_default(),
                    ));
                }
                let last = outbox::append(conn, &events).await?;
                let detail = serde_json::json!({ "before": event_data(&before), "after": event_data(&after) });
                audit::append(conn, &ctx.audit("settings.updated", None, detail)).await?;
                tracing::info!(shop = %after.name, "settings changed");
                Ok(Done::new(after, last))
            })
        })
        .await?;
    state.receipt_printer.set_managed(shop.receipt.printer.clone());
    state.receipt_printer.set_stations(&shop.kitchen_printers);
    Ok(dto(state, &shop))
}

fn event_data(shop: &ShopSettings) -> serde_json::Value {
    serde_json::json!({
        "shop_name": shop.name,
        "currency": shop.currency.as_str(),
        "tax_rate_bps": shop.tax.rate.basis_points(),
        "tax_mode": shop.tax.mode.as_str(),
        "ticket_warn_seconds": shop.ticket_warn_seconds,
        "ticket_late_seconds": shop.ticket_late_seconds,
        "receipt_header": shop.receipt.header,
        "receipt_footer": shop.receipt.footer,
        "receipt_printer": shop.receipt.printer.as_ref().map(ToString::to_string),
        "kitchen_before_paid": shop.counter.kitchen_before_paid,
        "tip_adjust_limit_bps": shop.counter.tip_adjust_limit_bps,
        "kitchen_printers": shop.kitchen_printers.iter().map(KitchenPrinterDto::from).collect::<Vec<_>>(),
    })
}

fn dto(state: &AppState, shop: &ShopSettings) -> SettingsDto {
    SettingsDto {
        shop_name: shop.name.clone(),
        currency: shop.currency.as_str().to_string(),
        tax_rate_bps: shop.tax.rate.basis_points(),
        tax_mode: shop.tax.mode.as_str().to_string(),
        ticket_warn_seconds: shop.ticket_warn_seconds,
        ticket_late_seconds: shop.ticket_late_seconds,
        smtp_configured: state.mailer.is_some(),
        mail_from: state.mailer.as_ref().map(|m| m.from().to_string()).unwrap_or_default(),
        receipt_header: shop.receipt.header.clone(),
        receipt_footer: shop.receipt.footer.clone(),
        receipt_printer: shop.receipt.printer.as_ref().map(ToString::to_string),
        receipt_printer_in_use: state.receipt_printer.in_use().map(|p| p.to_string()),
        kitchen_before_paid: shop.counter.kitchen_before_paid,
        tip_adjust_limit_bps: shop.counter.tip_adjust_limit_bps,
        kitchen_printers: shop.kitchen_printers.iter().map(KitchenPrinterDto::from).collect(),
    }
}

fn no_row() -> StoreError {
    StoreError::corrupt("no shop settings row")
}
