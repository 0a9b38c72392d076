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
