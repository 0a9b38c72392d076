//! Every route × every role (and no session): the answer is what the shop's rules say.
//! Routes come from the server's one route list (`http::routes::served`) and each route's
//! permission from its access table; who holds each permission is stated here.

use crate::helpers::{sign_in, spawn_app, BARISTA_PIN, CASHIER_PIN, MANAGER_PIN};
use crema_server::http::access::{self, Access};
use crema_server::http::routes;
use crema_shared::staff::Permission;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Public,
    AnySignedIn,
    Roles(&'static [&'static str]),
    /// A paired terminal's credential, which no person's session is.
    PairedTerminal,
    /// Metrics: anyone on loopback (where this test runs); elsewhere the scrape token.
    Loopback,
}

use Expect::*;

const CASHIER: &[&str] = &["cashier", "manager"];
const BARISTA: &[&str] = &["barista", "manager"];
const MANAGER: &[&str] = &["manager"];
const ANY_ROLE: &[&str] = &["cashier", "barista", "manager"];

/// The shop's policy, as this test states it: which roles hold each permission. (The route
/// list and each route's permission come from the server; a new permission fails to compile
/// here until someone says who holds it.)
fn roles_holding(permission: Permission) -> &'static [&'static str] {
    use Permission::*;
    match permission {
        ReadOrders | ReadEvents => ANY_ROLE,
        PlaceOrder | TakePayment | CancelOrder => CASHIER,
        WorkOrders => BARISTA,
        EditMenu | ManageStaff | ReadAudit | ManageJobs | ManageSinks | Refund | ManageSettings | ReadReports
        | ManageTerminals => MANAGER,
    }
}

/// Every served route with what the test expects of it.
fn expectations() -> BTreeMap<String, Expect> {
    let served = routes::served();
    let mut table = BTreeMap::new();
    for (method, path) in &served {
        let rule = access::rule(&method.parse().expect("method"), path);
        let expect = match rule {
            None => panic!("{method} {path} is served without an access rule"),
            Some(Access::Public) => Public,
            Some(Access::SignedIn) => AnySignedIn,
            Some(Access::Needs(permission)) => Roles(roles_holding(permission)),
            Some(Access::Terminal) => PairedTerminal,
            Some(Access::Scraper) => Loopback,
        };
        table.insert(format!("{method} {path}"), expect);
    }
    table
}

/// Every method a client can send. `HEAD` is authorized as `GET`; a method with no row is
/// refused (405) to everyone before any handler runs.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

#[tokio::test]
async fn every_route_and_method_answers_every_role_as_the_rules_say() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.expect("doc");
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    let table = expectations();
    // The document lists every API operation the router serves, and nothing else.
    for route in &documented {
        assert!(table.contains_key(route.as_str()), "documented but not served: {route}");
    }
    let (unruled, unserved) = access::coverage(&routes::served());
    assert!(unruled.is_empty() && unserved.is_empty(), "{unruled:?} {unserved:?}");
    let paths: std::collections::BTreeSet<&str> =
        table.keys().filter_map(|k| k.split_once(' ')).map(|(_, p)| p).collect();
    let roles = [("cashier", CASHIER_PIN), ("barista", BARISTA_PIN), ("manager", MANAGER_PIN)];
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let mut checked = 0;
    for path in paths {
        let who: Vec<(&str, Option<String>)> = std::iter::once(("nobody", None))
            .chain(fresh_tokens(&app.base, &roles).await.into_iter().map(|(r, t)| (r, Some(t))))
            .collect();
        let uri = path
            .replace("{id}", &uuid::Uuid::now_v7().to_string())
            .replace("{line_id}", &uuid::Uuid::now_v7().to_string())
            .replace("{dead_letter_id}", &uuid::Uuid::now_v7().to_string())
            .replace("{file}", "app.js")
            .replace("{*rest}", "index.html");
        for method in METHODS {
            let ruled_as = if *method == "HEAD" { "GET" } else { method };
            let expect = table.get(format!("{ruled_as} {path}").as_str()).copied();
            for (role, token) in &who {
                let mut request = plain.request(method.parse().expect("method"), app.url(&uri));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                if matches!(*method, "POST" | "PUT" | "PATCH") {
                    request = request.json(&serde_json::json!({}));
                }
                let response = request.send().await.expect("sent");
                let status = response.status().as_u16();
                checked += 1;
                let key = format!("{method} {path} as {role}");
                if *method == "OPTIONS" {
                    // A CORS preflight: answered by the CORS layer with headers only, never a handler.
                    let body = response.bytes().await.expect("body");
                    assert!(status == 405 || (status == 200 && body.is_empty()), "{key}: {status}");
                    continue;
                }
                let Some(expect) = expect else {
                    assert_eq!(status, 405, "{key}: a method without a rule must be refused");
                    continue;
                };
                let allowed = match (expect, *role) {
                    (Public, _) | (Loopback, _) => true,
                    (AnySignedIn, "nobody") | (Roles(_), "nobody") => false,
                    (AnySignedIn, _) => true,
                    (Roles(roles), role) => roles.contains(&role),
                    (PairedTerminal, _) => false,
                };
                if allowed {
                    assert!(status != 401 && status != 403 && status != 405, "{key}: expected access, got {status}");
                } else if *role == "nobody" || expect == PairedTerminal {
                    assert_eq!(status, 401, "{key} without a session or a terminal credential");
                } else {
                    assert_eq!(status, 403, "{key}");
                }
            }
        }
    }
    assert!(checked > 1_500, "only {checked} requests were checked");
    app.stop().await;
}

/// The reproduction from the security review: `curl -I /api/v1/audit` with no session.
#[tokio::test]
async fn head_needs_the_same_session_and_role_as_get() {
    let app = spawn_app().await;
    let plain = reqwest::Client::new();
    for path in [
        "/api/v1/audit",
        "/api/v1/staff",
        "/api/v1/jobs",
        "/api/v1/sinks",
        "/api/v1/orders",
        "/api/v1/reports/orders.csv?from=2020-01-01&to=2030-01-01",
    ] {
        let response = plain.head(app.url(path)).send().await.expect("sent");
        assert_eq!(response.status(), 401, "HEAD {path} without a session");
    }
    let cashier = sign_in(&app.base, CASHIER_PIN).await;
    let response = plain.head(app.url("/api/v1/audit")).bearer_auth(&cashier).send().await.expect("sent");
    assert_eq!(response.status(), 403, "HEAD /api/v1/audit as a cashier");
    let response = app.client.head(app.url("/api/v1/audit")).send().await.expect("sent");
    assert_eq!(response.status(), 200, "HEAD /api/v1/audit as a manager");
    app.stop().await;
}

/// Fresh sessions for each role (a sign-out route may end one).
async fn fresh_tokens(base: &str, roles: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut tokens = Vec::new();
    for (role, pin) in roles {
        tokens.push((*role, sign_in(base, pin).await));
    }
    tokens
}
