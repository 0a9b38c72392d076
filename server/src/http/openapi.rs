//! The OpenAPI 3.1 document, generated from the route annotations, and the app's router.
//!
//! Every route is registered through `utoipa_axum::routes!`, which adds it to the router
//! and to the document in one step, so the document cannot miss a route.

use super::access::{self, Access};
use super::{
    audit, auth, board, events, health, jobs, kitchen, menu, orders, reports, request_context, security, sessions,
    settings, sinks, staff, terminals, ui, ApiError,
};
use crate::state::AppState;
use axum::Router;
use crema_shared::staff::Role;
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
        (name = "staff", description = "Signing in, staff and the audit log"),
        (name = "jobs", description = "Durable jobs: list, see errors, retry the dead"),
        (name = "sinks", description = "Webhook sinks the event log is forwarded to"),
        (name = "settings", description = "The shop's name, currency, tax and ticket-age thresholds"),
        (name = "reports", description = "The day's numbers and the CSV export of orders"),
        (name = "terminals", description = "Enrolled terminals: pairing codes, credentials, revocation"),
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
        .routes(routes!(menu::set_item_stock))
        .routes(routes!(menu::set_option_stock))
        .routes(routes!(menu::list_groups, menu::create_group))
        .routes(routes!(menu::get_group, menu::update_group, menu::delete_group))
        .routes(routes!(menu::list_options, menu::create_option))
        .routes(routes!(menu::get_option, menu::update_option, menu::delete_option))
        .routes(routes!(menu::set_option_availability))
        .routes(routes!(orders::place_order, orders::list_orders))
        .routes(routes!(orders::get_order))
        .routes(routes!(orders::board))
        .routes(routes!(board::stream))
        .routes(routes!(kitchen::tickets))
        .routes(routes!(settings::get, settings::update))
        .routes(routes!(reports::day))
        .routes(routes!(reports::orders_csv))
        .routes(routes!(orders::accept))
        .routes(routes!(orders::complete))
        .routes(routes!(orders::cancel))
        .routes(routes!(orders::pay))
        .routes(routes!(orders::refund))
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
        .split_for_parts()
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (router, mut document) = routes();
    document_security(&mut document);
    router
        .merge(SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, document))
        .merge(ui::routes())
        .fallback(|| async { ApiError::NotFound("route".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authorize))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(security::cors(state.cors_origins.clone()))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::allowed_host))
        .layer(axum::middleware::from_fn_with_state(state.clone(), request_context::middleware))
        .with_state(state)
}

/// Security schemes, and each operation's `security` from the access table.
fn document_security(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
    };
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("Token from POST /api/v1/sessions"))
                .build(),
        ),
    );
    components
        .add_security_scheme("cookie", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(auth::SESSION_COOKIE))));
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            ("GET", &mut item.get),
            ("POST", &mut item.post),
            ("PUT", &mut item.put),
            ("PATCH", &mut item.patch),
            ("DELETE", &mut item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation.as_mut() else { continue };
            let Ok(method) = method.parse::<axum::http::Method>() else { continue };
            let requirements = match access::rule(&method, path) {
                Some(Access::Public) => vec![SecurityRequirement::default()],
                Some(Access::SignedIn) => {
                    vec![
                        SecurityRequirement::new("bearer", Vec::<String>::new()),
                        SecurityRequirement::new("cookie", Vec::<String>::new()),
                    ]
                }
                Some(Access::Needs(permission)) => {
                    let roles: Vec<String> =
                        Role::ALL.iter().filter(|r| r.may(permission)).map(|r| r.as_str().to_string()).collect();
                    let note = format!("\n\nRoles: {}.", roles.join(", "));
                    operation.description =
                        Some(format!("{}{note}", operation.description.clone().unwrap_or_default()));
                    vec![SecurityRequirement::new("bearer", roles.clone()), SecurityRequirement::new("cookie", roles)]
                }
                None => continue,
            };
            operation.security = Some(requirements);
        }
    }
}
