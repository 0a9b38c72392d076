//! Facing the shop's network: host names (DNS rebinding), HTTPS and a trusted proxy, slow and
//! idle clients, the connection limit, capped live streams and one board read per change.

use crate::helpers::{sign_in, spawn_app, spawn_app_with, test_config, SseReader, CASHIER_PIN};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn a_request_for_another_host_name_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.server_names = vec!["crema.shop.lan".into()];
    let app = spawn_app_with(config, dir).await;
    let plain = reqwest::Client::new();
    let rebinding = plain.get(app.url("/api/v1/menu")).header("host", "evil.example").send().await.expect("sent");
    assert_eq!(rebinding.status(), 421);
    assert_eq!(rebinding.json::<Value>().await.expect("problem")["type"], "/problems/misdirected");
    let sign_in =
        plain.post(app.url("/api/v1/sessions")).header("host", "evil.example:8080").json(&json!({"pin": "9999"}));
    assert_eq!(sign_in.send().await.expect("sent").status(), 421);
    for host in ["crema.shop.lan:8080", "localhost", "192.168.1.10:8080"] {
        let ok = plain.get(app.url("/api/v1/menu")).header("host", host).send().await.expect("sent");
        assert_eq!(ok.status(), 200, "{host}");
    }
    app.stop().await;
}

#[tokio::test]
async fn https_serves_the_screens_and_api_with_secure_cookies() {
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = crema_server::tls::self_signed(&["localhost".to_string()]).expect("cert");
    std::fs::write(dir.path().join("cert.pem"), &cert).expect("cert");
    std::fs::write(dir.path().join("key.pem"), &key).expect("key");
    let mut config = test_config(dir.path().join("crema.db"));
    config.tls_cert = Some(dir.path().join("cert.pem"));
    config.tls_key = Some(dir.path().join("key.pem"));
    let server = crema_server::Server::bind(&config).await.expect("binds with TLS");
    assert!(server.tls());
    let port = server.local_addr().expect("addr").port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.as_bytes()).expect("root"))
        .build()
        .expect("client");
    let base = format!("https://localhost:{port}");
    let signed_in = client.post(format!("{base}/api/v1/sessions")).json(&json!({"pin": CASHIER_PIN})).send().await;
    let signed_in = signed_in.expect("HTTPS answers");
    assert_eq!(signed_in.status(), 201);
    let cookie = signed_in.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_string();
    assert!(cookie.contains("; Secure"), "{cookie}");
    // Clear text on the TLS port gets no answer.
    let clear = reqwest::Client::new().get(format!("http://localhost:{port}/healthz")).send().await;
    assert!(clear.is_err() || clear.is_ok_and(|r| !r.status().is_success()));
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
}

#[tokio::test]
async fn a_trusted_proxy_is_believed_about_the_client_and_nobody_else_is() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    let app = spawn_app_with(config, dir).await;
    let via = |client_ip: &'static str, pin: &'static str| {
        reqwest::Client::new()
            .post(app.url("/api/v1/sessions"))
            .header("x-forwarded-for", format!("6.6.6.6, {client_ip}"))
            .header("x-forwarded-proto", "https")
            .json(&json!({"pin": pin}))
            .send()
    };
    // Tablet A guesses; tablet B behind the same proxy is not locked out.
    for _ in 0..5 {
        assert_eq!(via("192.168.1.21", "4321").await.expect("sent").status(), 401);
    }
    assert_eq!(via("192.168.1.21", CASHIER_PIN).await.expect("sent").status(), 429);
    let b = via("192.168.1.22", CASHIER_PIN).await.expect("sent");
    assert_eq!(b.status(), 201);
    let cookie = b.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_string();
    assert!(cookie.contains("; Secure"), "the proxy said HTTPS: {cookie}");
    app.stop().await;

    // Without the setting, the same headers are the client's own claims: ignored.
    let dir = tempfile::tempdir().expect("dir");
    let app = spawn_app_with(test_config(dir.path().join("crema.db")), dir).await;
    let mut statuses = Vec::new();
    for n in 1..=8 {
        let claim = reqwest::Client::new()
            .post(app.url("/api/v1/sessions"))
            .header("x-forwarded-for", format!("10.0.0.{n}"))
            .header("x-forwarded-proto", "https")
            .json(&json!({"pin": "4321"}))
            .send();
        statuses.push(claim.await.expect("sent").status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429], "a forged X-Forwarded-For gets no fresh tries");
    app.stop().await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.header_timeout_secs = 1;
    let app = spawn_app_with(config, dir).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut slow = TcpStream::connect(&addr).await.expect("connect");
    slow.write_all(b"GET /api/v1/menu HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").await.expect("partial");
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the server closed the connection");
    // An idle keep-alive connection is closed the same way.
    let mut idle = TcpStream::connect(&addr).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.expect("request");
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), idle.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "idle keep-alive closed");
    assert!(String::from_utf8_lossy(&buffer).starts_with("HTTP/1.1 200"));
    app.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.max_connections = 8;
    config.header_timeout_secs = 300;
    let app = spawn_app_with(config, dir).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    // The test's own client holds no connection now; eight silent ones take every slot.
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await; // let the server accept them
    let waiting = tokio::spawn({
        let url = app.url("/healthz");
        async move { reqwest::Client::new().get(url).send().await.map(|r| r.status().as_u16()) }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "a ninth connection is not served while eight are held");
    drop(held.pop());
    let status = tokio::time::timeout(Duration::from_secs(10), waiting).await.expect("served").expect("task");
    assert_eq!(status.expect("answer"), 200);
    app.stop().await;
}

#[tokio::test]
async fn live_streams_are_capped_with_a_clear_503() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path().join("crema.db"));
    config.max_board_streams = 3;
    config.max_event_streams = 2;
    let app = spawn_app_with(config, dir).await;
    let plain = reqwest::Client::new();
    let mut boards = Vec::new();
    for _ in 0..3 {
        boards.push(SseReader::connect(&plain, &app.url("/api/v1/board/stream"), None).await);
    }
    let over = plain.get(app.url("/api/v1/board/stream")).send().await.expect("sent");
    assert_eq!(over.status(), 503);
    assert!(over.headers().contains_key("retry-after"));
    assert_eq!(over.json::<Value>().await.expect("problem")["type"], "/problems/busy");
    drop(boards.pop());
    // The slot comes back once the server notices the closed stream.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let again = plain.get(app.url("/api/v1/board/stream")).send().await.expect("sent");
        if again.status() == 200 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the slot never came back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = sign_in(&app.base, CASHIER_PIN).await;
    let cashier = crate::helpers::client_with(&token);
    let _a = SseReader::connect(&cashier, &app.url("/api/v1/events"), None).await;
    let _b = SseReader::connect(&cashier, &app.url("/api/v1/events"), None).await;
    assert_eq!(cashier.get(app.url("/api/v1/events")).send().await.expect("sent").status(), 503);
    app.stop().await;
}

#[tokio::test]
async fn the_board_is_read_once_per_change_however_many_screens_watch() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let plain = reqwest::Client::new();
    let mut streams = Vec::new();
    for _ in 0..40 {
        streams.push(SseReader::connect(&plain, &app.url("/api/v1/board/stream"), None).await);
    }
    for stream in &mut streams {
        stream.next(Duration::from_secs(10)).await.expect("the current board");
    }
    let before = app.state.board.reads();
    for i in 0..5 {
        app.place(&demo.espresso(&format!("Guest {i}"))).await;
        for stream in &mut streams {
            let message = stream.next(Duration::from_secs(10)).await.expect("the new board");
            assert!(message.data.contains("\"name\":\"Guest\""), "{}", message.data);
        }
    }
    let reads = app.state.board.reads() - before;
    assert!(reads <= 10, "5 changes watched by 40 screens read the board {reads} times");
    app.stop().await;
}
