//! The OpenAPI 3.1 document, generated from the route annotations, and the app's router.
//!
//! Every route is registered through `utoipa_axum::routes!`, which adds it to the router
//! and to the document in one step, so the document cannot miss a route.

use super::{events, health, menu, orders, request_context, ApiError};
use crate::state::AppState;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
pub const DOCS_PATH: &str = "/api/v1/docs";

#[derive(OpenApi)]
#[openapi(
    info(title = "Crema API", description = "In-shop ordering for coffee shops: menu, orders, live events."),
    tags(
        (name = "menu", description = "The menu read model and its editing resources"),
        (name = "orders", description = "Placing orders and moving them through their lifecycle"),
        (name = "events", description = "The shop's event log, live"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

/// The routes and their document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(menu::get_menu))
        .routes(routes!(menu::list_categories, menu::create_category))
        .routes(routes!(menu::get_category, menu::update_category, menu::delete_category))
        .routes(routes!(menu::list_items, menu::create_item))
        .routes(routes!(menu::get_item, menu::update_item, menu::delete_item))
        .routes(routes!(menu::set_item_availability))
        .routes(routes!(menu::list_groups, menu::create_group))
        .routes(routes!(menu::get_group, menu::update_group, menu::delete_group))
        .routes(routes!(menu::list_options, menu::create_option))
        .routes(routes!(menu::get_option, menu::update_option, menu::delete_option))
        .routes(routes!(menu::set_option_availability))
        .routes(routes!(orders::place_order, orders::list_orders))
        .routes(routes!(orders::get_order))
        .routes(routes!(orders::accept))
        .routes(routes!(orders::complete))
        .routes(routes!(orders::cancel))
        .routes(routes!(orders::pay))
        .routes(routes!(orders::start_line))
        .routes(routes!(orders::finish_line))
        .routes(routes!(events::stream))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .split_for_parts()
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (router, document) = routes();
    router
        .merge(SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, document))
        .fallback(|| async { ApiError::NotFound("route".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::from_fn(request_context::middleware))
        .with_state(state)
}
