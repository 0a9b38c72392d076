//! Reading and editing the menu. Every edit is one transaction that checks the optional
//! expected menu version, writes the row, bumps the version and appends `menu.updated`.

pub mod availability;
pub mod cache;
pub mod demo;
mod read;
pub mod stock;

pub use availability::{set_item_availability, set_option_availability};
pub use read::*;
use read::{category_dto, group_dto, item_dto, option_dto};

use crate::service::menu::stock as stock_events;
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::menu::{self, MenuTable};
use crate::store::{audit, outbox, settings, Done, JobError};
use crema_shared::stock::StockKind;
use futures::future::BoxFuture;

use crema_shared::api::{
    CategoryDto, CategoryInput, ItemDto, ItemInput, ModifierGroupDto, ModifierGroupInput, OptionDto, OptionInput,
};
use crema_shared::events::{types, MenuUpdatedData};
use crema_shared::{menu_edit, ValidationErrors};
use uuid::Uuid;

/// Creates (`id` = `None`) or updates a category.
pub async fn save_category(
    state: &AppState,
    ctx: &RequestContext,
    id: Option<Uuid>,
    input: &CategoryInput,
    if_match: Option<i64>,
) -> Result<CategoryDto, ServiceError> {
    let input = input.clone();
    edit(state, ctx, if_match, move |conn| {
        Box::pin(async move {
            let base = match id {
                Some(id) => Some(menu::get_category(conn, id).await?.ok_or(ServiceError::NotFound("category"))?),
                None => None,
            };
            let category = menu_edit::category(id.unwrap_or_else(Uuid::now_v7), base.as_ref(), &input)?;
            menu::upsert_category(conn, &category).await?;
            Ok((category_dto(&category), change("category", base.is_none()), category.id))
        })
    })
    .await
}

/// Creates (`id` = `None`) or updates an item; its category and groups must exist.
pub async fn save_item(
    state: &AppState,
    ctx: &RequestContext,
    id: Option<Uuid>,
    input: &ItemInput,
    if_match: Option<i64>,
) -> Result<ItemDto, ServiceError> {
    let input = input.clone();
    edit(state, ctx, if_match, move |conn| {
        Box::pin(async move {
            let base = match id {
                Some(id) => Some(menu::get_item(conn, id).await?.ok_or(ServiceError::NotFound("item"))?),
                None => None,
            };
            let item = menu_edit::item(id.unwrap_or_else(Uuid::now_v7), base.as_ref(), &input)?;
            let mut errors = ValidationErrors::new();
            if menu::get_category(conn, item.category_id).await?.is_none() {
                errors.push("category_id", "no such category");
            }
            for (i, group_id) in item.group_ids.iter().enumerate() {
                if menu::get_group(conn, *group_id).await?.is_none() {
                    errors.push(format!("modifier_group_ids[{i}]"), "no such modifier group");
                }
            }
            errors.into_result(())?;
            menu::upsert_item(conn, &item).await?;
            Ok((item_dto(&item), change("item", base.is_none()), item.id))
        })
    })
    .await
}

/// Sets an item's stock count (`None` stops counting); crossing zero sells it out or brings it back.
pub async fn set_item_stock(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    stock: Option<u32>,
    if_match: Option<i64>,
) -> Result<ItemDto, ServiceError> {
    let (job_ctx, cache) = (ctx.clone(), state.menu.clone());
    edit(state, ctx, if_match, move |conn| {
        Box::pin(async move {
            let catalog = cache.current(conn).await?.catalog.clone();
            let mut item = menu::get_item(conn, id).await?.ok_or(ServiceError::NotFound("item"))?;
            let crossing = crossing(item.stock, stock);
            item.stock = stock;
            menu::upsert_item(conn, &item).await?;
            if let Some(event_type) = crossing {
                let event =
                    stock_events::event(&job_ctx, event_type, &catalog, StockKind::Item, id, stock.unwrap_or(0));
                outbox::append(conn, &[event]).await?;
            }
            Ok((item_dto(&item), "item.stock", id))
        })
    })
    .await
}

/// Sets an option's stock count (`None` stops counting); crossing zero sells it out or brings it back.
pub async fn set_option_stock(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    stock: Option<u32>,
    if_match: Option<i64>,
) -> Result<OptionDto, ServiceError> {
    let (job_ctx, cache) = (ctx.clone(), state.menu.clone());
    edit(state, ctx, if_match, move |conn| {
        Box::pin(async move {
            let catalog = cache.current(conn).await?.catalog.clone();
            let mut option = menu::get_option(conn, id).await?.ok_or(ServiceError::NotFound("option"))?;
            let crossing = crossing(option.stock, stock);
            option.stock = stock;
            menu::upsert_option(conn, &option).await?;
            if let Some(event_type) = crossing {
                let event =
                    stock_events::event(&job_ctx, event_type, &catalog, StockKind::Option, id, stock.unwrap_or(0));
                outbox::append(conn, &[event]).await?;
            }
            Ok((option_dto(&option), "option.stock", id))
        })
    })
    .await
}

/// `item.sold_out` when a count reaches zero, `item.back_in_stock` when it leaves zero
/// (or stops being counted while at zero).
fn crossing(before: Option<u32>, after: Option<u32>) -> Option<&'static str> {
    match (before, after) {
        (Some(0), Some(0)) => None,
        (_, Some(0)) => Some(types::ITEM_SOLD_OUT),
        (Some(0), _) => Some(types::ITEM_BACK_IN_STOCK),
        _ => None,
    }
}

/// Creates (`id` = `None`) or updates a modifier group.
pub async fn save_group(
    state: &AppState,
    ctx: &RequestContext,
    id: Option<Uuid>,
    input: &ModifierGroupInput,
    if_match: Option<i64>,
) -> Result<ModifierGroupDto, ServiceError> {
    let input = input.clone();
    edit(state, ctx, if_match, move |conn| {
        Box::pin(async move {
            let base = match id {
                Some(id) => Some(menu::get_group(conn, id).await?.ok_or(ServiceError::NotFound("modifier group"))?),
                None => None,
            };
            let group = menu_edit::modifier_group(id.unwrap_or_else(Uuid::now_v7), base.as_ref(), &input)?;
            menu::upsert_group(conn, &group).await?;
            Ok((group_dto(&group), change("modifier_group", base.is_none()), group.id))
        })
    })
    .await
}

/// Creates (`id` = `None`) or updates an option; its group must exist.
pub async fn save_option(
    state: &AppState,
    ctx: &RequestContext,
    id: Option<Uuid>,
    input: &OptionInput,
    if_match: Option<i64>,
) -> Result<OptionDto, ServiceError> {
    let input = input.clone();
    edit(state, ctx, if_match, move |conn| {
        Box::pin(async move {
            let base = match id {
                Some(id) => Some(menu::get_option(conn, id).await?.ok_or(ServiceError::NotFound("option"))?),
                None => None,
            };
            let option = menu_edit::option(id.unwrap_or_else(Uuid::now_v7), base.as_ref(), &input)?;
            if menu::get_group(conn, option.group_id).await?.is_none() {
                return Err(ValidationErrors::single("group_id", "no such modifier group").into());
            }
            menu::upsert_option(conn, &option).await?;
            Ok((option_dto(&option), change("option", base.is_none()), option.id))
        })
    })
    .await
}

/// Deletes a menu row. A category that still holds items is refused (409); deleting a
/// group removes its options and its links to items. Past orders keep their snapshots.
pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    table: MenuTable,
    id: Uuid,
    if_match: Option<i64>,
) -> Result<(), ServiceError> {
    let (what, change) = match table {
        MenuTable::Categories => ("category", "category.deleted"),
        MenuTable::Items => ("item", "item.deleted"),
        MenuTable::ModifierGroups => ("modifier group", "modifier_group.deleted"),
        MenuTable::ModifierOptions => ("option", "option.deleted"),
    };
    edit(state, ctx, if_match, move |conn| {
        Box::pin(async move {
            if table == MenuTable::Categories {
                let items = menu::count_items_in_category(conn, id).await?;
                if items > 0 {
                    let detail = format!("the category still holds {items} item(s); move or delete them first");
                    return Err(ServiceError::Conflict(detail).into());
                }
            }
            if !menu::delete(conn, table, id).await? {
                return Err(ServiceError::NotFound(what).into());
            }
            Ok(((), change, id))
        })
    })
    .await
}

// ------------------------------------------------------------------ helpers

/// One menu edit as a write job: check the expected version, run `work` (which returns the
/// answer, what changed and the row's id), bump the version, append `menu.updated`.
pub(super) async fn edit<T, F>(
    state: &AppState,
    ctx: &RequestContext,
    if_match: Option<i64>,
    work: F,
) -> Result<T, ServiceError>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<(T, &'static str, Uuid), JobError<ServiceError>>>
        + Send
        + 'static,
{
    let clock = state.clock.clone();
    let ctx = ctx.clone();
    state
        .store
        .writer()
        .write(move |conn| Box::pin(async move { edit_in(conn, &ctx, clock.now(), if_match, work).await }))
        .await
}

/// [`edit`] inside a write another use case opened (a terminal's 86 applied on the hub).
pub(super) async fn edit_in<T, F>(
    conn: &mut Db<'_>,
    ctx: &RequestContext,
    now: chrono::DateTime<chrono::Utc>,
    if_match: Option<i64>,
    work: F,
) -> Result<Done<T>, JobError<ServiceError>>
where
    F: for<'c> FnOnce(&'c mut Db<'_>) -> BoxFuture<'c, Result<(T, &'static str, Uuid), JobError<ServiceError>>>,
{
    if let Some(expected) = if_match {
        let current = settings::menu_version(&mut *conn).await?;
        if expected != current {
            return Err(ServiceError::Stale { expected, current }.into());
        }
    }
    let (value, change, id) = work(&mut *conn).await?;
    let version = settings::bump_menu_version(conn).await?;
    let data = MenuUpdatedData { version, change: change.to_string(), id };
    let data = serde_json::to_value(data).unwrap_or(serde_json::Value::Null);
    let event = ctx.event(types::MENU_UPDATED, Some(id.to_string()), now, data);
    let last = outbox::append(conn, &[event]).await?;
    let detail = serde_json::json!({ "version": version });
    audit::append(conn, &ctx.audit(format!("menu.{change}"), Some(id.to_string()), detail)).await?;
    tracing::info!(%id, change, version, "menu edited");
    Ok(Done::new(value, last))
}

fn change(kind: &str, created: bool) -> &'static str {
    match (kind, created) {
        ("category", true) => "category.created",
        ("category", false) => "category.updated",
        ("item", true) => "item.created",
        ("item", false) => "item.updated",
        ("modifier_group", true) => "modifier_group.created",
        ("modifier_group", false) => "modifier_group.updated",
        ("option", true) => "option.created",
        _ => "option.updated",
    }
}
