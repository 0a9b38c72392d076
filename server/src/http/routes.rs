//! The one list of routes: every API operation is registered here through
//! `utoipa_axum::routes!` (router and OpenAPI document in one step), beside the screens and
//! the API docs. [`served`] reads the list back, so the access table's coverage check and
//! the route tests are derived from it instead of repeating it.

use super::openapi::{document_security, ApiDoc, DOCS_PATH, OPENAPI_PATH};
use super::{
    audit, auth, board, discounts, drawer, events, health, jobs, kitchen, menu, orders, receipts, reports,
    request_context, security, sessions, settings, sinks, staff, sync, terminals, ui, ApiError,
};
use crate::state::AppState;
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

/// The API's routes and their document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(menu::get_menu))
        .routes(routes!(menu::list_categories, menu::create_category))
        .routes(routes!(menu::get_category, menu::update_category, menu::delete_category))
        .routes(routes!(menu::list_items, menu::create_item))
        .routes(routes!(menu::get_item, menu::update_item, menu::delete_item))
        .routes(routes!(menu::set_item_availability))
        .routes(routes!(menu::set_item_stock))
        .routes(routes!(menu::set_option_stock))
        .routes(routes!(menu::list_groups, menu::create_group))
        .routes(routes!(menu::get_group, menu::update_group, menu::delete_group))
        .routes(routes!(menu::list_options, menu::create_option))
        .routes(routes!(menu::get_option, menu::update_option, menu::delete_option))
        .routes(routes!(menu::set_option_availability))
        .routes(routes!(orders::place_order, orders::list_orders))
        .routes(routes!(orders::get_order))
        .routes(routes!(receipts::page))
        .routes(routes!(receipts::print))
        .routes(routes!(orders::board))
        .routes(routes!(board::stream))
        .routes(routes!(kitchen::tickets))
        .routes(routes!(settings::get, settings::update))
        .routes(routes!(reports::day))
        .routes(routes!(reports::orders_csv))
        .routes(routes!(discounts::list, discounts::create))
        .routes(routes!(discounts::update))
        .routes(routes!(drawer::current, drawer::open))
        .routes(routes!(drawer::movement))
        .routes(routes!(drawer::close_drawer))
        .routes(routes!(drawer::x_report))
        .routes(routes!(drawer::z_report))
        .routes(routes!(drawer::print_x))
        .routes(routes!(drawer::print_z))
        .routes(routes!(orders::accept))
        .routes(routes!(orders::complete))
        .routes(routes!(orders::cancel))
        .routes(routes!(orders::pay))
        .routes(routes!(orders::adjust_tip))
        .routes(routes!(orders::void_line))
        .routes(routes!(orders::refund))
        .routes(routes!(orders::resolve_refund))
        .routes(routes!(orders::start_line))
        .routes(routes!(orders::finish_line))
        .routes(routes!(events::stream))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(sessions::sign_in))
        .routes(routes!(sessions::current, sessions::sign_out))
        .routes(routes!(staff::list, staff::create))
        .routes(routes!(staff::get, staff::update))
        .routes(routes!(staff::reset_pin))
        .routes(routes!(audit::list))
        .routes(routes!(jobs::list))
        .routes(routes!(jobs::retry))
        .routes(routes!(sinks::list, sinks::create))
        .routes(routes!(sinks::get, sinks::update, sinks::delete))
        .routes(routes!(sinks::dead_letters))
        .routes(routes!(sinks::replay_dead_letter))
        .routes(routes!(sinks::replay))
        .routes(routes!(terminals::list, terminals::create))
        .routes(routes!(terminals::get, terminals::rename, terminals::revoke))
        .routes(routes!(terminals::new_code))
        .routes(routes!(terminals::pair))
        .routes(routes!(terminals::current))
        .routes(routes!(sync::push))
        .routes(routes!(sync::pull))
        .routes(routes!(sync::snapshot))
        .routes(routes!(sync::get_status))
        .routes(routes!(sync::acknowledge))
        .split_for_parts()
}

/// The whole application on one port: REST, the screens and gRPC (see [`crate::grpc`]),
/// behind the same request context and `Host` check.
pub fn app(state: AppState) -> Router {
    let rest = router_with_docs()
        .merge(ui::routes())
        .route_layer(axum::middleware::from_fn(request_context::mark_route))
        .fallback(|| async { ApiError::NotFound("route".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(state.clone(), sync::hub_only))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authorize))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(security::cors(state.cors_origins.clone()))
        .with_state(state.clone());
    crate::grpc::dispatch(rest, crate::grpc::service(state.clone()))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::allowed_host))
        .layer(axum::middleware::from_fn_with_state(state, request_context::middleware))
}

/// The API's routes with their document served at [`OPENAPI_PATH`] and Swagger UI at
/// [`DOCS_PATH`].
fn router_with_docs() -> Router<AppState> {
    let (router, document) = routes();
    router.merge(SwaggerUi::new(DOCS_PATH).external_url_unchecked(OPENAPI_PATH, document_json(document)))
}

/// The document as served: the generated one, with each operation's security from the access
/// table and what it cannot say by itself (see [`super::openapi_truth`]).
pub fn document_json(mut document: utoipa::openapi::OpenApi) -> serde_json::Value {
    document_security(&mut document);
    let mut json = serde_json::to_value(&document).unwrap_or_default();
    super::openapi_truth::tell_the_truth(&mut json);
    json
}

/// Every `(method, route pattern)` the app serves: the API operations as registered, the
/// API docs and the screens.
pub fn served() -> Vec<(String, String)> {
    let (_, document) = routes();
    let mut served = Vec::new();
    for (path, item) in &document.paths.paths {
        let operations = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        served.extend(operations.into_iter().filter(|(_, has)| *has).map(|(m, _)| (m.to_string(), path.clone())));
    }
    let docs =
        [OPENAPI_PATH.to_string(), DOCS_PATH.to_string(), format!("{DOCS_PATH}/"), format!("{DOCS_PATH}/{{*rest}}")];
    let pages = ui::SCREEN_PATHS.iter().map(|p| p.to_string()).chain([ui::ASSETS_PATH.to_string()]);
    served.extend(docs.into_iter().chain(pages).map(|p| ("GET".to_string(), p)));
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_route_has_an_access_rule_and_every_rule_a_route() {
        let (unruled, unserved) = super::super::access::coverage(&served());
        assert!(unruled.is_empty(), "served without a rule (refused to everyone): {unruled:?}");
        assert!(unserved.is_empty(), "rules for routes nobody serves: {unserved:?}");
    }
}
