//! Reading the menu: the nested read model the screens use, and each flat resource.

use crate::service::ServiceError;
use crate::state::AppState;
use crate::store::{menu, settings};
use crema_shared::api::{CategoryDto, ItemDto, MenuView, ModifierGroupDto, OptionDto};
use crema_shared::menu::{Category, Item, ModifierGroup, ModifierOption};
use uuid::Uuid;

/// The nested read model, at the current version.
pub async fn view(state: &AppState) -> Result<MenuView, ServiceError> {
    let mut conn = state.store.read().await?;
    Ok(state.menu.current(&mut conn).await?.catalog.view())
}

/// The current menu version (the `ETag`), read cheaply.
pub async fn version(state: &AppState) -> Result<i64, ServiceError> {
    Ok(settings::menu_version(&mut state.store.read().await?).await?)
}

// ------------------------------------------------------------------ categories

pub async fn list_categories(state: &AppState) -> Result<Vec<CategoryDto>, ServiceError> {
    let mut conn = state.store.read().await?;
    Ok(menu::list_categories(&mut conn).await?.iter().map(category_dto).collect())
}

pub async fn get_category(state: &AppState, id: Uuid) -> Result<CategoryDto, ServiceError> {
    let mut conn = state.store.read().await?;
    menu::get_category(&mut conn, id).await?.map(|c| category_dto(&c)).ok_or(ServiceError::NotFound("category"))
}

pub async fn list_items(state: &AppState) -> Result<Vec<ItemDto>, ServiceError> {
    let mut conn = state.store.read().await?;
    Ok(menu::list_items(&mut conn).await?.iter().map(item_dto).collect())
}

pub async fn get_item(state: &AppState, id: Uuid) -> Result<ItemDto, ServiceError> {
    let mut conn = state.store.read().await?;
    menu::get_item(&mut conn, id).await?.map(|i| item_dto(&i)).ok_or(ServiceError::NotFound("item"))
}

pub async fn list_groups(state: &AppState) -> Result<Vec<ModifierGroupDto>, ServiceError> {
    let mut conn = state.store.read().await?;
    Ok(menu::list_groups(&mut conn).await?.iter().map(group_dto).collect())
}

pub async fn get_group(state: &AppState, id: Uuid) -> Result<ModifierGroupDto, ServiceError> {
    let mut conn = state.store.read().await?;
    menu::get_group(&mut conn, id).await?.map(|g| group_dto(&g)).ok_or(ServiceError::NotFound("modifier group"))
}

pub async fn list_options(state: &AppState) -> Result<Vec<OptionDto>, ServiceError> {
    let mut conn = state.store.read().await?;
    Ok(menu::list_options(&mut conn).await?.iter().map(option_dto).collect())
}

pub async fn get_option(state: &AppState, id: Uuid) -> Result<OptionDto, ServiceError> {
    let mut conn = state.store.read().await?;
    menu::get_option(&mut conn, id).await?.map(|o| option_dto(&o)).ok_or(ServiceError::NotFound("option"))
}

pub(super) fn category_dto(c: &Category) -> CategoryDto {
    CategoryDto { id: c.id, name: c.name.clone(), position: c.position }
}

pub(super) fn item_dto(i: &Item) -> ItemDto {
    ItemDto {
        id: i.id,
        category_id: i.category_id,
        name: i.name.clone(),
        price_cents: i.price.minor(),
        available: i.available,
        prep_seconds: i.prep_seconds,
        position: i.position,
        modifier_group_ids: i.group_ids.clone(),
        stock: i.stock,
    }
}

pub(super) fn group_dto(g: &ModifierGroup) -> ModifierGroupDto {
    ModifierGroupDto {
        id: g.id,
        name: g.name.clone(),
        min: g.min,
        max: g.max,
        required: g.required(),
        position: g.position,
    }
}

pub(super) fn option_dto(o: &ModifierOption) -> OptionDto {
    OptionDto {
        id: o.id,
        group_id: o.group_id,
        name: o.name.clone(),
        price_delta_cents: o.price_delta.minor(),
        available: o.available,
        position: o.position,
        stock: o.stock,
    }
}
