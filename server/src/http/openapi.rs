//! The OpenAPI 3.1 document: generated from the route annotations as [`super::routes`]
//! registers them (so it cannot miss a route), with each operation's `security` copied from
//! the access table.

use super::access::{self, Access};
use super::auth;
use crema_shared::staff::Role;
use utoipa::OpenApi;

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
        (name = "reports", description = "The day's numbers, the X and Z reports, and the CSV export of orders"),
        (name = "discounts", description = "Discount reasons: who may give each alone, and how much"),
        (name = "drawer", description = "The day's cash drawer: float, paid in and out, the count at close"),
        (name = "terminals", description = "Enrolled terminals: pairing codes, credentials, revocation"),
        (name = "sync", description = "Offline terminals and the hub: pushed commands, the log they follow, their status"),
    )
)]
pub(super) struct ApiDoc;

/// Security schemes, and each operation's `security` from the access table.
pub(super) fn document_security(doc: &mut utoipa::openapi::OpenApi) {
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
    components.add_security_scheme(
        "terminal",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-Crema-Terminal",
            "A paired terminal's credential (`<id>.<secret>`)",
        ))),
    );
    components.add_security_scheme(
        "scrape",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("The scrape token (CREMA_METRICS_TOKEN); not needed from loopback"))
                .build(),
        ),
    );
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
                Some(Access::Terminal) => vec![SecurityRequirement::new("terminal", Vec::<String>::new())],
                Some(Access::Scraper) => vec![SecurityRequirement::new("scrape", Vec::<String>::new())],
                None => continue,
            };
            operation.security = Some(requirements);
        }
    }
}
