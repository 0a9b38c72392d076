//! Malformed requests get problem+json, never axum's plain-text rejections.

use crate::helpers::{assert_problem, router_app};
use axum::body::Body;
use axum::http::Request;

#[tokio::test]
async fn malformed_json_is_400() {
    let t = router_app().await;
    let (status, headers, body) = t.json("POST", "/api/v1/orders", "{not json").await;
    assert_problem(status, &headers, &body, 400, Some("body"));
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let t = router_app().await;
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/orders")
        .header("content-type", "text/plain")
        .body(Body::from("{}"))
        .expect("req");
    let (status, headers, body) = t.send(request).await;
    assert_problem(status, &headers, &body, 415, None);
}

#[tokio::test]
async fn malformed_path_parameter_is_400_naming_it() {
    let t = router_app().await;
    let (status, headers, body) = t.get("/api/v1/orders/not-a-uuid").await;
    assert_problem(status, &headers, &body, 400, Some("id"));
    let (status, headers, body) =
        t.json("POST", &format!("/api/v1/orders/{}/lines/nope/start", uuid::Uuid::now_v7()), "").await;
    assert_problem(status, &headers, &body, 400, Some("line_id"));
}

#[tokio::test]
async fn unknown_route_and_wrong_method_are_problems() {
    let t = router_app().await;
    let (status, headers, body) = t.get("/api/v1/nothing-here").await;
    assert_problem(status, &headers, &body, 404, None);
    let (status, headers, body) = t.json("DELETE", "/api/v1/menu", "").await;
    assert_problem(status, &headers, &body, 405, None);
}

#[tokio::test]
async fn bad_headers_are_400_naming_them() {
    let t = router_app().await;
    let request = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/orders/{}/accept", uuid::Uuid::now_v7()))
        .header("if-match", "yesterday")
        .body(Body::empty())
        .expect("req");
    let (status, headers, body) = t.send(request).await;
    assert_problem(status, &headers, &body, 400, Some("If-Match"));
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/orders")
        .header("content-type", "application/json")
        .header("idempotency-key", "has spaces")
        .body(Body::from("{}"))
        .expect("req");
    let (status, headers, body) = t.send(request).await;
    assert_problem(status, &headers, &body, 400, Some("Idempotency-Key"));
}

#[tokio::test]
async fn the_request_id_is_echoed_and_kept_when_sane() {
    let t = router_app().await;
    let request = Request::builder()
        .uri("/api/v1/nothing")
        .header("x-request-id", "till-7-0042")
        .body(Body::empty())
        .expect("req");
    let (_, headers, body) = t.send(request).await;
    assert_eq!(headers.get("x-request-id").and_then(|v| v.to_str().ok()), Some("till-7-0042"));
    assert_eq!(body["request_id"], "till-7-0042");
    let request = Request::builder()
        .uri("/healthz")
        .header("x-request-id", "bad id with spaces")
        .body(Body::empty())
        .expect("req");
    let (_, headers, _) = t.send(request).await;
    let id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).expect("id");
    assert!(uuid::Uuid::parse_str(id).is_ok());
}

/// Every API route with a path parameter answers a bad one with problem+json naming it (the
/// schema fuzzer found routes answering axum's plain-text rejection).
#[tokio::test]
async fn a_bad_path_parameter_on_any_route_is_a_problem_naming_it() {
    let app = crate::helpers::spawn_app().await;
    let mut checked = 0;
    for (method, path) in crema_server::http::routes::served() {
        if !path.starts_with("/api/v1/") || path.starts_with("/api/v1/docs") || !path.contains('{') {
            continue;
        }
        let uri =
            path.replace("{id}", "not-a-uuid").replace("{line_id}", "not-a-uuid").replace("{dead_letter_id}", "x");
        let mut request = app.client.request(method.parse().expect("method"), app.url(&uri));
        if matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
            request = request.json(&serde_json::json!({}));
        }
        let response = request.send().await.expect("sent");
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        assert_eq!(status, 400, "{method} {uri}: {body}");
        assert_eq!(content_type, "application/problem+json", "{method} {uri}");
        let fields: Vec<&str> =
            body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
        assert!(!fields.is_empty(), "{method} {uri} names no field: {body}");
        checked += 1;
    }
    assert!(checked > 20, "only {checked} routes with parameters");
    app.stop().await;
}
