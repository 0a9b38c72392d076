//! Who may call which route: one table, enforced by one middleware ([`super::auth`]) and
//! copied into the OpenAPI document's `security` (see [`super::openapi`]). A route that is
//! not in the table is refused to everyone, and [`coverage`] against the route list
//! ([`super::routes::served`]) fails its test.

use axum::http::Method;
use crema_shared::staff::Permission;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No sign-in needed.
    Public,
    /// Any signed-in member of staff.
    SignedIn,
    /// Signed in with a role that has this permission.
    Needs(Permission),
    /// A paired terminal, by its credential (`X-Crema-Terminal`), not a person.
    Terminal,
    /// A metrics scraper: from loopback, or anywhere with the scrape token
    /// (`CREMA_METRICS_TOKEN`, sent as `Authorization: Bearer …`).
    Scraper,
}

use Access::*;
use Permission::*;

/// `(method, route pattern, access)`.
pub const RULES: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Public),
    ("GET", "/readyz", Public),
    ("GET", "/metrics", Scraper),
    ("GET", "/api/v1/openapi.json", Public),
    ("GET", "/api/v1/docs", Public),
    ("GET", "/api/v1/docs/", Public),
    ("GET", "/api/v1/docs/{*rest}", Public),
    // Reading the menu is public; editing it is the manager's.
    ("GET", "/api/v1/menu", Public),
    ("GET", "/api/v1/menu/categories", Public),
    ("GET", "/api/v1/menu/categories/{id}", Public),
    ("GET", "/api/v1/menu/items", Public),
    ("GET", "/api/v1/menu/items/{id}", Public),
    ("GET", "/api/v1/menu/modifier-groups", Public),
    ("GET", "/api/v1/menu/modifier-groups/{id}", Public),
    ("GET", "/api/v1/menu/options", Public),
    ("GET", "/api/v1/menu/options/{id}", Public),
    ("POST", "/api/v1/menu/categories", Needs(EditMenu)),
    ("PATCH", "/api/v1/menu/categories/{id}", Needs(EditMenu)),
    ("DELETE", "/api/v1/menu/categories/{id}", Needs(EditMenu)),
    ("POST", "/api/v1/menu/items", Needs(EditMenu)),
    ("PATCH", "/api/v1/menu/items/{id}", Needs(EditMenu)),
    ("DELETE", "/api/v1/menu/items/{id}", Needs(EditMenu)),
    ("PUT", "/api/v1/menu/items/{id}/availability", Needs(EditMenu)),
    ("PUT", "/api/v1/menu/items/{id}/stock", Needs(EditMenu)),
    ("PUT", "/api/v1/menu/options/{id}/stock", Needs(EditMenu)),
    ("POST", "/api/v1/menu/modifier-groups", Needs(EditMenu)),
    ("PATCH", "/api/v1/menu/modifier-groups/{id}", Needs(EditMenu)),
    ("DELETE", "/api/v1/menu/modifier-groups/{id}", Needs(EditMenu)),
    ("POST", "/api/v1/menu/options", Needs(EditMenu)),
    ("PATCH", "/api/v1/menu/options/{id}", Needs(EditMenu)),
    ("DELETE", "/api/v1/menu/options/{id}", Needs(EditMenu)),
    ("PUT", "/api/v1/menu/options/{id}/availability", Needs(EditMenu)),
    // Orders.
    ("GET", "/api/v1/orders", Needs(ReadOrders)),
    ("GET", "/api/v1/orders/{id}", Needs(ReadOrders)),
    ("POST", "/api/v1/orders", Needs(PlaceOrder)),
    ("POST", "/api/v1/orders/{id}/payment", Needs(TakePayment)),
    ("POST", "/api/v1/orders/{id}/tip", Needs(TakePayment)),
    ("POST", "/api/v1/orders/{id}/cancel", Needs(CancelOrder)),
    // A cashier refunds with a manager's PIN (`approval_pin`), checked by the service.
    ("POST", "/api/v1/orders/{id}/refunds", Needs(TakePayment)),
    ("POST", "/api/v1/orders/{id}/refunds/{refund_id}/resolve", Needs(Refund)),
    ("GET", "/api/v1/orders/{id}/receipt", Needs(ReadOrders)),
    ("POST", "/api/v1/orders/{id}/receipt/print", Needs(TakePayment)),
    ("POST", "/api/v1/orders/{id}/accept", Needs(WorkOrders)),
    ("POST", "/api/v1/orders/{id}/lines/{line_id}/start", Needs(WorkOrders)),
    ("POST", "/api/v1/orders/{id}/lines/{line_id}/done", Needs(WorkOrders)),
    // A cashier voids with a manager's PIN (`approval_pin`), checked by the service.
    ("POST", "/api/v1/orders/{id}/lines/{line_id}/void", Needs(TakePayment)),
    ("POST", "/api/v1/orders/{id}/complete", Needs(WorkOrders)),
    ("GET", "/api/v1/events", Needs(ReadEvents)),
    // The pickup board faces customers: ticket numbers and first names only.
    ("GET", "/api/v1/board", Public),
    ("GET", "/api/v1/board/stream", Public),
    ("GET", "/api/v1/kitchen", Needs(ReadOrders)),
    // Settings: every screen reads them; managers change them.
    ("GET", "/api/v1/settings", SignedIn),
    ("PATCH", "/api/v1/settings", Needs(ManageSettings)),
    ("GET", "/api/v1/reports/day", Needs(ReadReports)),
    ("GET", "/api/v1/reports/orders.csv", Needs(ReadReports)),
    ("GET", "/api/v1/reports/x", Needs(ReadReports)),
    ("GET", "/api/v1/reports/z", Needs(ReadReports)),
    ("POST", "/api/v1/reports/x/print", Needs(ReadReports)),
    ("POST", "/api/v1/reports/z/print", Needs(ReadReports)),
    ("GET", "/api/v1/discount-reasons", Needs(PlaceOrder)),
    ("POST", "/api/v1/discount-reasons", Needs(ManageSettings)),
    ("PATCH", "/api/v1/discount-reasons/{id}", Needs(ManageSettings)),
    ("GET", "/api/v1/drawer", Needs(TakePayment)),
    ("POST", "/api/v1/drawer", Needs(TakePayment)),
    ("POST", "/api/v1/drawer/movements", Needs(TakePayment)),
    ("POST", "/api/v1/drawer/close", Needs(TakePayment)),
    // The screens themselves (they sign in through the API).
    ("GET", "/", Public),
    ("GET", "/sign-in", Public),
    ("GET", "/pos", Public),
    ("GET", "/kds", Public),
    ("GET", "/board", Public),
    ("GET", "/manage", Public),
    ("GET", "/assets/{file}", Public),
    // Staff, sessions, audit.
    ("POST", "/api/v1/sessions", Public),
    ("GET", "/api/v1/sessions/current", SignedIn),
    ("DELETE", "/api/v1/sessions/current", SignedIn),
    ("GET", "/api/v1/staff", Needs(ManageStaff)),
    ("POST", "/api/v1/staff", Needs(ManageStaff)),
    ("GET", "/api/v1/staff/{id}", Needs(ManageStaff)),
    ("PATCH", "/api/v1/staff/{id}", Needs(ManageStaff)),
    ("PUT", "/api/v1/staff/{id}/pin", Needs(ManageStaff)),
    ("GET", "/api/v1/audit", Needs(ReadAudit)),
    ("GET", "/api/v1/jobs", Needs(ManageJobs)),
    ("POST", "/api/v1/jobs/{id}/retry", Needs(ManageJobs)),
    ("GET", "/api/v1/sinks", Needs(ManageSinks)),
    ("POST", "/api/v1/sinks", Needs(ManageSinks)),
    ("GET", "/api/v1/sinks/{id}", Needs(ManageSinks)),
    ("PATCH", "/api/v1/sinks/{id}", Needs(ManageSinks)),
    ("DELETE", "/api/v1/sinks/{id}", Needs(ManageSinks)),
    ("GET", "/api/v1/sinks/{id}/dead-letters", Needs(ManageSinks)),
    ("POST", "/api/v1/sinks/{id}/dead-letters/{dead_letter_id}/replay", Needs(ManageSinks)),
    ("POST", "/api/v1/sinks/{id}/replay", Needs(ManageSinks)),
    // Terminals: managers enrol and revoke them; a device pairs itself with its one-time code.
    ("GET", "/api/v1/terminals", Needs(ManageTerminals)),
    ("POST", "/api/v1/terminals", Needs(ManageTerminals)),
    ("GET", "/api/v1/terminals/{id}", Needs(ManageTerminals)),
    ("PATCH", "/api/v1/terminals/{id}", Needs(ManageTerminals)),
    ("DELETE", "/api/v1/terminals/{id}", Needs(ManageTerminals)),
    ("POST", "/api/v1/terminals/{id}/code", Needs(ManageTerminals)),
    ("POST", "/api/v1/terminals/pair", Public),
    ("GET", "/api/v1/terminals/current", Public),
    // Sync: terminals push and pull with their credential; people read a terminal's status.
    ("POST", "/api/v1/sync/commands", Terminal),
    ("GET", "/api/v1/sync/events", Terminal),
    ("GET", "/api/v1/sync/snapshot", Terminal),
    ("GET", "/api/v1/sync/status", SignedIn),
    ("POST", "/api/v1/sync/rejections/{id}/acknowledge", SignedIn),
];

/// The rule for a request, by method and matched route pattern. `HEAD` has the rule of `GET`
/// (axum answers it with the GET handler); any other method without a row has none.
pub fn rule(method: &Method, path: &str) -> Option<Access> {
    let method = if method == Method::HEAD { &Method::GET } else { method };
    RULES.iter().find(|(m, p, _)| *p == path && *m == method.as_str()).map(|(_, _, access)| *access)
}

/// Compares the table with what the app serves (see [`super::routes::served`]): the routes
/// served without a rule, and the rules for routes nobody serves.
pub fn coverage(served: &[(String, String)]) -> (Vec<String>, Vec<String>) {
    let unruled = served
        .iter()
        .filter(|(m, p)| !RULES.iter().any(|(rm, rp, _)| rm == m && rp == p))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    let unserved = RULES
        .iter()
        .filter(|(rm, rp, _)| !served.iter().any(|(m, p)| rm == m && rp == p))
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    (unruled, unserved)
}

/// Whether the pattern has a rule for some method (so another method is a 405, not a hole).
pub fn known_path(path: &str) -> bool {
    RULES.iter().any(|(_, p, _)| *p == path)
}
