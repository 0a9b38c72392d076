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
    // 3.2: the event streams are described with `itemSchema` (see the streams test below).
    assert_eq!(doc["openapi"], "3.2.0");
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
    let before = metrics(&app).await;
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
        .is_some_and(|c| c.starts_with("application/openmetrics-text")));
    let text = response.text().await.expect("text");
    assert!(text.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    let value = |text: &str, name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing in\n{text}"))
    };
    assert!(value(&text, "crema_http_responses_total{class=\"2xx\"}") >= 3.0);
    assert!(value(&text, "crema_http_responses_total{class=\"4xx\"}") >= 1.0);
    let placed = "crema_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/orders\",status=\"201\"}";
    assert_eq!(value(&text, placed), 1.0, "the order's request, by its route");
    let unmatched = "crema_http_request_duration_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"}";
    assert_eq!(value(&text, unmatched), 1.0, "an unknown path is not a label of its own");
    assert!(!text.contains("/api/v1/nothing"));
    assert_eq!(value(&text, "crema_orders_placed_total") - value(&before, "crema_orders_placed_total"), 1.0);
    assert!(value(&text, "crema_writer_batch_size_count") > value(&before, "crema_writer_batch_size_count"));
    assert!(value(&text, "crema_writer_commit_seconds_count") >= 1.0);
    assert_eq!(value(&text, "crema_open_tickets{status=\"placed\"}"), 1.0);
    assert_eq!(value(&text, "crema_tickets_late"), 0.0);
    assert_eq!(value(&text, "crema_outbox_sequence"), 1.0);
    assert_eq!(value(&text, "crema_sink_backlog_events{sink=\"down\",kind=\"webhook\"}"), 1.0);
    assert!(value(&text, "crema_sink_lag_seconds{sink=\"down\",kind=\"webhook\"}") >= 0.0);
    assert_eq!(value(&text, "crema_jobs{state=\"pending\"}"), 1.0, "the order's SLA check");
    assert!(value(&text, "crema_pin_checks_total") >= 1.0, "the manager's sign-in");
    assert_eq!(value(&text, "crema_signin_alert"), 0.0);
    assert_eq!(value(&text, "crema_board_streams"), 0.0);
    assert_eq!(value(&text, "crema_event_streams"), 0.0);
    app.stop().await;
}

async fn metrics(app: &crate::helpers::TestApp) -> String {
    app.get("/metrics").await.text().await.expect("text")
}

/// Off loopback (here: a trusted proxy on loopback forwarding a shop-network client),
/// `/metrics` needs the scrape token; without one configured it is not served at all.
#[tokio::test]
async fn metrics_off_loopback_need_the_scrape_token() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crate::helpers::test_config(dir.path().join("crema.db"));
    config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    let closed = crate::helpers::spawn_app_with(config.clone(), dir).await;
    let plain = reqwest::Client::new();
    let from_lan = |base: &str, token: Option<&str>| {
        let mut request = plain.get(format!("{base}/metrics")).header("x-forwarded-for", "192.168.1.20");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(from_lan(&closed.base, None).await.expect("sent").status(), 403);
    assert_eq!(from_lan(&closed.base, Some("guess")).await.expect("sent").status(), 403);
    assert_eq!(plain.get(format!("{}/metrics", closed.base)).send().await.expect("sent").status(), 200);
    closed.stop().await;

    let dir = tempfile::tempdir().expect("dir");
    let mut config = crate::helpers::test_config(dir.path().join("crema.db"));
    config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    config.metrics_token = Some(secrecy::SecretString::from("s3cret-scrape"));
    let open = crate::helpers::spawn_app_with(config, dir).await;
    assert_eq!(from_lan(&open.base, None).await.expect("sent").status(), 401);
    assert_eq!(from_lan(&open.base, Some("guess")).await.expect("sent").status(), 401);
    let scraped = from_lan(&open.base, Some("s3cret-scrape")).await.expect("sent");
    assert_eq!(scraped.status(), 200);
    assert!(scraped.text().await.expect("text").contains("crema_orders_placed_total"));
    open.stop().await;
}

#[tokio::test]
async fn the_document_describes_streams_errors_and_limits_as_the_server_has_them() {
    let t = router_app().await;
    let (_, _, doc) = t.get("/api/v1/openapi.json").await;
    // Each event of a stream: `data` is JSON of the event's schema.
    for (path, schema) in [("/api/v1/events", "CloudEvent"), ("/api/v1/board/stream", "BoardDto")] {
        let item = &doc["paths"][path]["get"]["responses"]["200"]["content"]["text/event-stream"]["itemSchema"];
        assert_eq!(item["properties"]["data"]["contentMediaType"], "application/json", "{path}");
        assert_eq!(item["properties"]["data"]["contentSchema"]["$ref"], format!("#/components/schemas/{schema}"));
    }
    // Errors are problem+json, and an operation with a body lists 422.
    let place = &doc["paths"]["/api/v1/orders"]["post"]["responses"];
    assert!(place["422"]["content"]["application/problem+json"].is_object(), "{place}");
    assert!(place["default"]["content"]["application/problem+json"].is_object());
    assert!(place["403"].is_object() && place["401"].is_object());
    // The limits are the ones the server enforces: at the limit accepted, past it refused.
    let schemas = &doc["components"]["schemas"];
    let name_max =
        schemas["PlaceOrderRequest"]["properties"]["customer_name"]["maxLength"].as_u64().expect("maxLength");
    let quantity_max = schemas["LineRequest"]["properties"]["quantity"]["maximum"].as_i64().expect("maximum");
    let lines_max = schemas["PlaceOrderRequest"]["properties"]["lines"]["maxItems"].as_u64().expect("maxItems");
    let app = crate::helpers::spawn_app().await;
    let demo = app.demo().await;
    let order = |name: String, quantity: i64, lines: usize| {
        let line = serde_json::json!({"item_id": demo.item("Croissant"), "quantity": quantity});
        serde_json::json!({"customer_name": name, "lines": vec![line; lines]})
    };
    let cases = [
        (order("a".repeat(name_max as usize), 1, 1), true, "customer_name"),
        (order("a".repeat(name_max as usize + 1), 1, 1), false, "customer_name"),
        (order("Ana".into(), quantity_max, 1), true, "quantity"),
        (order("Ana".into(), quantity_max + 1, 1), false, "lines[0].quantity"),
        (order("Ana".into(), 1, lines_max as usize), true, "lines"),
        (order("Ana".into(), 1, lines_max as usize + 1), false, "lines"),
    ];
    for (body, accepted, field) in cases {
        let response = app.post("/api/v1/orders", &body).await;
        let status = response.status().as_u16();
        let problem: serde_json::Value = response.json().await.unwrap_or_default();
        if accepted {
            assert_ne!(status, 422, "{field} at the documented limit was refused: {problem}");
        } else {
            assert_eq!(status, 422, "{field} past the documented limit was taken");
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        }
    }
    app.stop().await;
}
