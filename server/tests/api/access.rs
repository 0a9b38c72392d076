//! Every route × every role (and no session): the answer is what the shop's rules say.
//! Routes are taken from the OpenAPI document, so a new route without a row here fails.

use crate::helpers::{sign_in, spawn_app, BARISTA_PIN, CASHIER_PIN, MANAGER_PIN};
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
    ])
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_rules_say() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.expect("doc");
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            routes.push((method.to_uppercase(), path.clone()));
        }
    }
    let table = expectations();
    let documented: Vec<String> = routes.iter().map(|(m, p)| format!("{m} {p}")).collect();
    for route in &documented {
        assert!(table.contains_key(route.as_str()), "route {route} has no row in the access test");
    }
    assert_eq!(documented.len(), table.len(), "the access test lists routes the API does not have");

    let roles = [("cashier", CASHIER_PIN), ("barista", BARISTA_PIN), ("manager", MANAGER_PIN)];
    let plain = reqwest::Client::new();
    for (method, path) in &routes {
        let key = format!("{method} {path}");
        let expect = table[key.as_str()];
        let uri = path
            .replace("{id}", &uuid::Uuid::now_v7().to_string())
            .replace("{line_id}", &uuid::Uuid::now_v7().to_string());
        let who: Vec<(&str, Option<String>)> = std::iter::once(("nobody", None))
            .chain(futures_tokens(&app.base, &roles).await.into_iter().map(|(r, t)| (r, Some(t))))
            .collect();
        for (role, token) in who {
            let mut request = plain.request(method.parse().expect("method"), app.url(&uri));
            if let Some(token) = &token {
                request = request.bearer_auth(token);
            }
            if matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
                request = request.json(&serde_json::json!({}));
            }
            let status = request.send().await.expect("sent").status().as_u16();
            let allowed = match (expect, role) {
                (Public, _) => true,
                (AnySignedIn, "nobody") | (Roles(_), "nobody") => false,
                (AnySignedIn, _) => true,
                (Roles(roles), role) => roles.contains(&role),
            };
            if allowed {
                assert!(status != 401 && status != 403, "{key} as {role}: expected access, got {status}");
            } else if role == "nobody" {
                assert_eq!(status, 401, "{key} without a session");
            } else {
                assert_eq!(status, 403, "{key} as {role}");
            }
        }
    }
    app.stop().await;
}

/// Fresh sessions for each role (a sign-out route may end one).
async fn futures_tokens(base: &str, roles: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut tokens = Vec::new();
    for (role, pin) in roles {
        tokens.push((*role, sign_in(base, pin).await));
    }
    tokens
}
