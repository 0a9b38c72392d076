//! Menu routes: the nested read model with `ETag`, and flat editing resources.

use super::extract::{ApiJson, ApiPath, IfMatch};
use super::ApiError;
use crate::service::{self, RequestContext};
use crate::state::AppState;
use crate::store::menu::MenuTable;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crema_shared::api::{
    AvailabilityInput, CategoryDto, CategoryInput, ItemDto, ItemInput, MenuView, ModifierGroupDto, ModifierGroupInput,
    OptionDto, OptionInput, Problem, StockInput,
};
use uuid::Uuid;

/// The whole menu, nested for the screens.
#[utoipa::path(get, path = "/api/v1/menu", tag = "menu",
    params(("If-None-Match" = Option<String>, Header, description = "A previous ETag: answers 304 if unchanged")),
    responses(
        (status = 200, body = MenuView, description = "The menu", headers(("ETag" = String, description = "The menu version, quoted"), ("Cache-Control" = String, description = "no-store: another database at this address counts its versions from 1 too"))),
        (status = 304, description = "Unchanged since the ETag sent"),
    ))]
pub async fn get_menu(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let view = service::menu::view(&state).await?;
    let etag_value = super::etag::etag(view.version);
    // The tag is a version number, which another database at this address (a server set up
    // again, a backup restored) also reaches with another menu: a browser must not keep the
    // menu and ask later whether it is still current. A client that holds the tag itself
    // knows which server it asks.
    let headers_out =
        [(header::ETAG, etag_value.clone()), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    if super::etag::unchanged(&headers, &etag_value) {
        return Ok((StatusCode::NOT_MODIFIED, headers_out).into_response());
    }
    Ok((headers_out, Json(view)).into_response())
}

// ------------------------------------------------------------------ categories

#[utoipa::path(get, path = "/api/v1/menu/categories", tag = "menu",
    responses((status = 200, body = [CategoryDto])))]
pub async fn list_categories(State(state): State<AppState>) -> Result<Json<Vec<CategoryDto>>, ApiError> {
    Ok(Json(service::menu::list_categories(&state).await?))
}

#[utoipa::path(post, path = "/api/v1/menu/categories", tag = "menu", request_body = CategoryInput,
    params(("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 201, body = CategoryDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_category(
    State(state): State<AppState>,
    ctx: RequestContext,
    IfMatch(if_match): IfMatch,
    input: ApiJson<CategoryInput>,
) -> Result<(StatusCode, Json<CategoryDto>), ApiError> {
    let created = service::menu::save_category(&state, &ctx, None, &input.value, if_match).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/menu/categories/{id}", tag = "menu", params(("id" = Uuid, Path)),
    responses((status = 200, body = CategoryDto), (status = 404, body = Problem)))]
pub async fn get_category(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<CategoryDto>, ApiError> {
    Ok(Json(service::menu::get_category(&state, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/menu/categories/{id}", tag = "menu", request_body = CategoryInput,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 200, body = CategoryDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_category(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    input: ApiJson<CategoryInput>,
) -> Result<Json<CategoryDto>, ApiError> {
    Ok(Json(service::menu::save_category(&state, &ctx, Some(id), &input.value, if_match).await?))
}

#[utoipa::path(delete, path = "/api/v1/menu/categories/{id}", tag = "menu",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem), (status = 409, body = Problem, description = "Still holds items")))]
pub async fn delete_category(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
) -> Result<StatusCode, ApiError> {
    service::menu::delete(&state, &ctx, MenuTable::Categories, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------------ items

#[utoipa::path(get, path = "/api/v1/menu/items", tag = "menu", responses((status = 200, body = [ItemDto])))]
pub async fn list_items(State(state): State<AppState>) -> Result<Json<Vec<ItemDto>>, ApiError> {
    Ok(Json(service::menu::list_items(&state).await?))
}

#[utoipa::path(post, path = "/api/v1/menu/items", tag = "menu", request_body = ItemInput,
    params(("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 201, body = ItemDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    IfMatch(if_match): IfMatch,
    input: ApiJson<ItemInput>,
) -> Result<(StatusCode, Json<ItemDto>), ApiError> {
    let created = service::menu::save_item(&state, &ctx, None, &input.value, if_match).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/menu/items/{id}", tag = "menu", params(("id" = Uuid, Path)),
    responses((status = 200, body = ItemDto), (status = 404, body = Problem)))]
pub async fn get_item(State(state): State<AppState>, ApiPath(id): ApiPath<Uuid>) -> Result<Json<ItemDto>, ApiError> {
    Ok(Json(service::menu::get_item(&state, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/menu/items/{id}", tag = "menu", request_body = ItemInput,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 200, body = ItemDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    input: ApiJson<ItemInput>,
) -> Result<Json<ItemDto>, ApiError> {
    Ok(Json(service::menu::save_item(&state, &ctx, Some(id), &input.value, if_match).await?))
}

#[utoipa::path(delete, path = "/api/v1/menu/items/{id}", tag = "menu",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_item(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
) -> Result<StatusCode, ApiError> {
    service::menu::delete(&state, &ctx, MenuTable::Items, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 86 an item (`available: false`) or bring it back.
#[utoipa::path(put, path = "/api/v1/menu/items/{id}/availability", tag = "menu", request_body = AvailabilityInput,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 200, body = ItemDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_item_availability(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    input: ApiJson<AvailabilityInput>,
) -> Result<Json<ItemDto>, ApiError> {
    Ok(Json(service::menu::set_item_availability(&state, &ctx, id, input.value.available, if_match).await?))
}

// ------------------------------------------------------------------ modifier groups

#[utoipa::path(get, path = "/api/v1/menu/modifier-groups", tag = "menu", responses((status = 200, body = [ModifierGroupDto])))]
pub async fn list_groups(State(state): State<AppState>) -> Result<Json<Vec<ModifierGroupDto>>, ApiError> {
    Ok(Json(service::menu::list_groups(&state).await?))
}

#[utoipa::path(post, path = "/api/v1/menu/modifier-groups", tag = "menu", request_body = ModifierGroupInput,
    params(("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 201, body = ModifierGroupDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_group(
    State(state): State<AppState>,
    ctx: RequestContext,
    IfMatch(if_match): IfMatch,
    input: ApiJson<ModifierGroupInput>,
) -> Result<(StatusCode, Json<ModifierGroupDto>), ApiError> {
    let created = service::menu::save_group(&state, &ctx, None, &input.value, if_match).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/menu/modifier-groups/{id}", tag = "menu", params(("id" = Uuid, Path)),
    responses((status = 200, body = ModifierGroupDto), (status = 404, body = Problem)))]
pub async fn get_group(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ModifierGroupDto>, ApiError> {
    Ok(Json(service::menu::get_group(&state, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/menu/modifier-groups/{id}", tag = "menu", request_body = ModifierGroupInput,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 200, body = ModifierGroupDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_group(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    input: ApiJson<ModifierGroupInput>,
) -> Result<Json<ModifierGroupDto>, ApiError> {
    Ok(Json(service::menu::save_group(&state, &ctx, Some(id), &input.value, if_match).await?))
}

#[utoipa::path(delete, path = "/api/v1/menu/modifier-groups/{id}", tag = "menu",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 204, description = "Deleted with its options and item links"), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_group(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
) -> Result<StatusCode, ApiError> {
    service::menu::delete(&state, &ctx, MenuTable::ModifierGroups, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------------ options

#[utoipa::path(get, path = "/api/v1/menu/options", tag = "menu", responses((status = 200, body = [OptionDto])))]
pub async fn list_options(State(state): State<AppState>) -> Result<Json<Vec<OptionDto>>, ApiError> {
    Ok(Json(service::menu::list_options(&state).await?))
}

#[utoipa::path(post, path = "/api/v1/menu/options", tag = "menu", request_body = OptionInput,
    params(("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 201, body = OptionDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_option(
    State(state): State<AppState>,
    ctx: RequestContext,
    IfMatch(if_match): IfMatch,
    input: ApiJson<OptionInput>,
) -> Result<(StatusCode, Json<OptionDto>), ApiError> {
    let created = service::menu::save_option(&state, &ctx, None, &input.value, if_match).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v1/menu/options/{id}", tag = "menu", params(("id" = Uuid, Path)),
    responses((status = 200, body = OptionDto), (status = 404, body = Problem)))]
pub async fn get_option(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<OptionDto>, ApiError> {
    Ok(Json(service::menu::get_option(&state, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/menu/options/{id}", tag = "menu", request_body = OptionInput,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 200, body = OptionDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_option(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    input: ApiJson<OptionInput>,
) -> Result<Json<OptionDto>, ApiError> {
    Ok(Json(service::menu::save_option(&state, &ctx, Some(id), &input.value, if_match).await?))
}

#[utoipa::path(delete, path = "/api/v1/menu/options/{id}", tag = "menu",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_option(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
) -> Result<StatusCode, ApiError> {
    service::menu::delete(&state, &ctx, MenuTable::ModifierOptions, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 86 an option (say, oat milk) or bring it back.
#[utoipa::path(put, path = "/api/v1/menu/options/{id}/availability", tag = "menu", request_body = AvailabilityInput,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 200, body = OptionDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_option_availability(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    input: ApiJson<AvailabilityInput>,
) -> Result<Json<OptionDto>, ApiError> {
    Ok(Json(service::menu::set_option_availability(&state, &ctx, id, input.value.available, if_match).await?))
}

/// Sets how many are left (`{"stock": null}` stops counting); zero sells the item out.
#[utoipa::path(put, path = "/api/v1/menu/items/{id}/stock", tag = "menu", request_body = StockInput,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 200, body = ItemDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_item_stock(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    input: ApiJson<StockInput>,
) -> Result<Json<ItemDto>, ApiError> {
    let stock = stock_count(&input.value)?;
    Ok(Json(service::menu::set_item_stock(&state, &ctx, id, stock, if_match).await?))
}

/// Sets how many of an option are left (oat milk cartons); zero sells it out.
#[utoipa::path(put, path = "/api/v1/menu/options/{id}/stock", tag = "menu", request_body = StockInput,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Expected menu version")),
    responses((status = 200, body = OptionDto), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_option_stock(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(if_match): IfMatch,
    input: ApiJson<StockInput>,
) -> Result<Json<OptionDto>, ApiError> {
    let stock = stock_count(&input.value)?;
    Ok(Json(service::menu::set_option_stock(&state, &ctx, id, stock, if_match).await?))
}

/// A count of 0 to 100 000, or none.
/// The most units a counted item or option may have.
pub const MAX_STOCK: i64 = 100_000;

fn stock_count(input: &StockInput) -> Result<Option<u32>, ApiError> {
    match input.stock {
        None => Ok(None),
        Some(n) if (0..=MAX_STOCK).contains(&n) => Ok(Some(n as u32)),
        Some(_) => {
            Err(ApiError::field("stock", format!("must be between 0 and {MAX_STOCK}, or null to stop counting")))
        }
    }
}
