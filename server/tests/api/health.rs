//! Health, readiness and the API's own description.

use crate::helpers::{router_app, spawn_app};
use std::collections::BTreeSet;

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let t = router_app().await;
    let (status, _, body) = t.get("/healthz").await;
    assert_eq!((status.as_u16(), body["status"].as_str()), (200, Some("ok")));
    let (status, _, body) = t.get("/readyz").await;
    assert_eq!((status.as_u16(), body["status"].as_str()), (200, Some("ready")));
    // Once the database is gone, the server is not ready (and says so as a problem).
    t.state.store.close().await;
    let (status, headers, body) = t.get("/readyz").await;
    crate::helpers::assert_problem(status, &headers, &body, 503, None);
}

#[tokio::test]
async fn readyz_is_not_ready_once_the_writer_is_gone() {
    let t = router_app().await;
    // Only the writer stops: the readers still answer, but no write could be taken.
    t.state.store.writer().stop().await;
    let (status, headers, body) = t.get("/readyz").await;
    crate::helpers::assert_problem(status, &headers, &body, 503, None);
}

#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    let t = router_app().await;
    let (status, _, doc) = t.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            routes.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    // Exactly the API operations of the route list (the screens and the docs are not operations).
    let expected: BTreeSet<String> = crema_server::http::routes::served()
        .into_iter()
        .filter(|(_, path)| {
            path.starts_with("/api/") && !path.starts_with("/api/v1/docs") && !path.ends_with("openapi.json")
                || ["/healthz", "/readyz", "/metrics"].contains(&path.as_str())
        })
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(expected.len() > 70, "the route list is read back ({} routes)", expected.len());
    assert_eq!(routes, expected);
    // Each operation says who may call it, from the same table the server enforces.
    assert_eq!(doc["paths"]["/api/v1/menu"]["get"]["security"], serde_json::json!([{}]));
    assert_eq!(
        doc["paths"]["/api/v1/orders"]["post"]["security"],
        serde_json::json!([{"bearer": ["cashier", "manager"]}, {"cookie": ["cashier", "manager"]}])
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    for schema in ["PlaceOrderRequest", "OrderDto", "MenuView", "Problem", "CloudEvent", "SessionDto", "StaffDto"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema} missing");
    }
}

#[tokio::test]
async fn the_docs_page_is_served() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/docs/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(html.contains("swagger"), "not the Swagger UI page");
    app.stop().await;
}

#[tokio::test]
async fn metrics_show_answers_the_log_head_sink_backlogs_and_jobs() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    app.place(&demo.espresso("Ana")).await;
    assert_eq!(app.get("/api/v1/nothing").await.status(), 404);
    // A webhook sink nobody answers: its backlog shows.
    let sink = app
        .post("/api/v1/sinks", &serde_json::json!({"name": "down", "url": "http://127.0.0.1:9/hook", "start_after": 0}))
        .await;
    assert_eq!(sink.status(), 201);
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/plain")));
    let text = response.text().await.expect("text");
    let value = |name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing in\n{text}"))
    };
    assert!(value("crema_http_responses_total{class=\"2xx\"}") >= 3.0);
    assert!(value("crema_http_responses_total{class=\"4xx\"}") >= 1.0);
    assert_eq!(value("crema_outbox_sequence"), 1.0);
    assert_eq!(value("crema_sink_backlog_events{sink=\"down\",kind=\"webhook\"}"), 1.0);
    assert_eq!(value("crema_jobs{state=\"pending\"}"), 1.0, "the order's SLA check");
    assert!(value("crema_pin_checks_total") >= 1.0, "the manager's sign-in");
    assert_eq!(value("crema_signin_alert"), 0.0);
    assert_eq!(value("crema_board_streams"), 0.0);
    app.stop().await;
}
