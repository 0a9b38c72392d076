//! Every route × every role (and no session): the answer is what the shop's rules say.
//! Routes are taken from the OpenAPI document, so a new route without a row here fails.

use crate::helpers::{sign_in, spawn_app, BARISTA_PIN, CASHIER_PIN, MANAGER_PIN};
use crema_server::http::access;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Public,
    AnySignedIn,
    Roles(&'static [&'static str]),
}

use Expect::*;

const CASHIER: &[&str] = &["cashier", "manager"];
const BARISTA: &[&str] = &["barista", "manager"];
const MANAGER: &[&str] = &["manager"];
const ANY_ROLE: &[&str] = &["cashier", "barista", "manager"];

fn expectations() -> BTreeMap<&'static str, Expect> {
    BTreeMap::from([
        ("GET /healthz", Public),
        ("GET /readyz", Public),
        ("GET /metrics", Public),
        ("GET /api/v1/menu", Public),
        ("GET /api/v1/menu/categories", Public),
        ("GET /api/v1/menu/categories/{id}", Public),
        ("GET /api/v1/menu/items", Public),
        ("GET /api/v1/menu/items/{id}", Public),
        ("GET /api/v1/menu/modifier-groups", Public),
        ("GET /api/v1/menu/modifier-groups/{id}", Public),
        ("GET /api/v1/menu/options", Public),
        ("GET /api/v1/menu/options/{id}", Public),
        ("POST /api/v1/menu/categories", Roles(MANAGER)),
        ("PATCH /api/v1/menu/categories/{id}", Roles(MANAGER)),
        ("DELETE /api/v1/menu/categories/{id}", Roles(MANAGER)),
        ("POST /api/v1/menu/items", Roles(MANAGER)),
        ("PATCH /api/v1/menu/items/{id}", Roles(MANAGER)),
        ("DELETE /api/v1/menu/items/{id}", Roles(MANAGER)),
        ("PUT /api/v1/menu/items/{id}/availability", Roles(MANAGER)),
        ("PUT /api/v1/menu/items/{id}/stock", Roles(MANAGER)),
        ("PUT /api/v1/menu/options/{id}/stock", Roles(MANAGER)),
        ("POST /api/v1/menu/modifier-groups", Roles(MANAGER)),
        ("PATCH /api/v1/menu/modifier-groups/{id}", Roles(MANAGER)),
        ("DELETE /api/v1/menu/modifier-groups/{id}", Roles(MANAGER)),
        ("POST /api/v1/menu/options", Roles(MANAGER)),
        ("PATCH /api/v1/menu/options/{id}", Roles(MANAGER)),
        ("DELETE /api/v1/menu/options/{id}", Roles(MANAGER)),
        ("PUT /api/v1/menu/options/{id}/availability", Roles(MANAGER)),
        ("GET /api/v1/orders", Roles(ANY_ROLE)),
        ("GET /api/v1/orders/{id}", Roles(ANY_ROLE)),
        ("POST /api/v1/orders", Roles(CASHIER)),
        ("POST /api/v1/orders/{id}/payment", Roles(CASHIER)),
        ("POST /api/v1/orders/{id}/cancel", Roles(CASHIER)),
        ("POST /api/v1/orders/{id}/refunds", Roles(MANAGER)),
        ("POST /api/v1/orders/{id}/accept", Roles(BARISTA)),
        ("POST /api/v1/orders/{id}/lines/{line_id}/start", Roles(BARISTA)),
        ("POST /api/v1/orders/{id}/lines/{line_id}/done", Roles(BARISTA)),
        ("POST /api/v1/orders/{id}/complete", Roles(BARISTA)),
        ("GET /api/v1/events", Roles(ANY_ROLE)),
        ("GET /api/v1/board", Public),
        ("GET /api/v1/board/stream", Public),
        ("GET /api/v1/kitchen", Roles(ANY_ROLE)),
        ("GET /api/v1/settings", AnySignedIn),
        ("PATCH /api/v1/settings", Roles(MANAGER)),
        ("GET /api/v1/reports/day", Roles(MANAGER)),
        ("GET /api/v1/reports/orders.csv", Roles(MANAGER)),
        ("POST /api/v1/sessions", Public),
        ("GET /api/v1/sessions/current", AnySignedIn),
        ("DELETE /api/v1/sessions/current", AnySignedIn),
        ("GET /api/v1/staff", Roles(MANAGER)),
        ("POST /api/v1/staff", Roles(MANAGER)),
        ("GET /api/v1/staff/{id}", Roles(MANAGER)),
        ("PATCH /api/v1/staff/{id}", Roles(MANAGER)),
        ("PUT /api/v1/staff/{id}/pin", Roles(MANAGER)),
        ("GET /api/v1/audit", Roles(MANAGER)),
        ("GET /api/v1/jobs", Roles(MANAGER)),
        ("POST /api/v1/jobs/{id}/retry", Roles(MANAGER)),
        ("GET /api/v1/sinks", Roles(MANAGER)),
        ("POST /api/v1/sinks", Roles(MANAGER)),
        ("GET /api/v1/sinks/{id}", Roles(MANAGER)),
        ("PATCH /api/v1/sinks/{id}", Roles(MANAGER)),
        ("DELETE /api/v1/sinks/{id}", Roles(MANAGER)),
        ("GET /api/v1/sinks/{id}/dead-letters", Roles(MANAGER)),
        ("POST /api/v1/sinks/{id}/dead-letters/{dead_letter_id}/replay", Roles(MANAGER)),
        ("POST /api/v1/sinks/{id}/replay", Roles(MANAGER)),
        ("GET /api/v1/terminals", Roles(MANAGER)),
        ("POST /api/v1/terminals", Roles(MANAGER)),
        ("GET /api/v1/terminals/{id}", Roles(MANAGER)),
        ("PATCH /api/v1/terminals/{id}", Roles(MANAGER)),
        ("DELETE /api/v1/terminals/{id}", Roles(MANAGER)),
        ("POST /api/v1/terminals/{id}/code", Roles(MANAGER)),
        ("POST /api/v1/terminals/pair", Public),
        ("GET /api/v1/terminals/current", Public),
    ])
}

/// Every method a client can send. `HEAD` is authorized as `GET`; a method with no row is
/// refused (405) to everyone before any handler runs.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Screens and API docs: public pages that are not API operations.
fn pages() -> BTreeMap<&'static str, Expect> {
    BTreeMap::from([
        ("GET /api/v1/openapi.json", Public),
        ("GET /api/v1/docs", Public),
        ("GET /api/v1/docs/", Public),
        ("GET /api/v1/docs/{*rest}", Public),
        ("GET /", Public),
        ("GET /sign-in", Public),
        ("GET /pos", Public),
        ("GET /kds", Public),
        ("GET /board", Public),
        ("GET /manage", Public),
        ("GET /assets/{file}", Public),
    ])
}

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
    let mut table = expectations();
    for route in &documented {
        assert!(table.contains_key(route.as_str()), "route {route} has no row in the access test");
    }
    assert_eq!(documented.len(), table.len(), "the access test lists routes the API does not have");
    table.extend(pages());
    // The server's own table has exactly these rows, so no route is served without a rule.
    let served: Vec<String> = access::RULES.iter().map(|(m, p, _)| format!("{m} {p}")).collect();
    for route in &served {
        assert!(table.contains_key(route.as_str()), "the server has a rule for {route} the test does not expect");
    }
    assert_eq!(served.len(), table.len(), "the test expects routes the server has no rule for");

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
                    (Public, _) => true,
                    (AnySignedIn, "nobody") | (Roles(_), "nobody") => false,
                    (AnySignedIn, _) => true,
                    (Roles(roles), role) => roles.contains(&role),
                };
                if allowed {
                    assert!(status != 401 && status != 403 && status != 405, "{key}: expected access, got {status}");
                } else if *role == "nobody" {
                    assert_eq!(status, 401, "{key} without a session");
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
