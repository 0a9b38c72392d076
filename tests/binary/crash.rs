//! An order the API acknowledged survives `kill -9` of the process.

use crema_e2e::http::FetchJson;
use crema_e2e::http::SseReader;
use serde_json::{json, Value};
use std::time::Duration;

use crema_e2e::binary::{start, start_with};

#[tokio::test]
async fn acknowledged_orders_and_their_events_survive_kill_9() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let mut first = start(&db);
    let client =
        crema_e2e::http::client_with(&crema_e2e::http::sign_in(&first.base, crema_e2e::http::MANAGER_PIN).await);
    let menu: Value =
        client.get(format!("{}/api/v1/menu", first.base)).send().await.expect("menu").json().await.expect("json");
    let espresso = menu["categories"][0]["items"][0]["id"].clone();
    assert_eq!(menu["categories"][0]["items"][0]["name"], "Espresso");

    // 40 orders from 8 concurrent tills; every 201 is a promise.
    let mut tasks = Vec::new();
    for till in 0..8 {
        let client = client.clone();
        let base = first.base.clone();
        let espresso = espresso.clone();
        tasks.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in 0..5 {
                let body = json!({"customer_name": format!("Till {till} #{n}"), "lines": [{"item_id": espresso, "quantity": 1}],
                    "payment": {"method": "cash", "tendered_cents": 500}});
                let response = client.post(format!("{base}/api/v1/orders")).json(&body).send().await.expect("sent");
                assert_eq!(response.status(), 201);
                let order: Value = response.json().await.expect("json");
                acknowledged.push(order["id"].as_str().expect("id").to_string());
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.expect("till"));
    }
    // Right after the last 201: SIGKILL, no chance to flush anything.
    first.child.kill().expect("kill -9");
    first.child.wait().expect("reaped");

    let mut second = start(&db);
    // Sessions are durable too: the token from before the crash still works.
    let mut seconds = std::collections::HashSet::new();
    for id in &acknowledged {
        let response = client.get(format!("{}/api/v1/orders/{id}", second.base)).send().await.expect("sent");
        assert_eq!(response.status(), 200, "acknowledged order {id} was lost");
        let order: Value = response.json().await.expect("json");
        assert_eq!(order["payment_status"], "captured");
        seconds.insert(second_of(&order["created_at"]));
    }
    // Their events are in the log too, in order, each once.
    let mut stream = SseReader::connect(&client, &format!("{}/api/v1/events?after=0", second.base), None).await;
    let mut placed = std::collections::HashSet::new();
    let mut last = 0i64;
    for _ in 0..acknowledged.len() * 2 {
        let message = stream.next(Duration::from_secs(10)).await.expect("event after restart");
        let sequence: i64 = message.id.as_deref().and_then(|s| s.parse().ok()).expect("sequence");
        assert!(sequence > last, "events out of order");
        last = sequence;
        let event: Value = serde_json::from_str(&message.data).expect("json");
        if event["type"] == "order.placed" {
            assert!(placed.insert(event["subject"].as_str().unwrap_or_default().to_string()), "duplicate event");
        }
    }
    let expected: std::collections::HashSet<String> = acknowledged.into_iter().collect();
    assert_eq!(placed, expected);
    // Each order's follow-up job (the ticket-age check of the second it was placed in) was
    // written with it, and survived too.
    let checks: Value =
        client.get(format!("{}/api/v1/jobs?kind=order.sla_check&limit=200", second.base)).fetch_json().await;
    let scheduled: std::collections::HashSet<i64> =
        checks["jobs"].as_array().expect("jobs").iter().map(|j| second_of(&j["payload"]["from"])).collect();
    assert_eq!(scheduled, seconds);
    // Ticket numbers went on from where they were, not from 1.
    let next: Value = client
        .post(format!("{}/api/v1/orders", second.base))
        .json(&json!({"customer_name": "After", "lines": [{"item_id": espresso, "quantity": 1}]}))
        .fetch_json()
        .await;
    assert_eq!(next["ticket_number"], 41);
    second.child.kill().expect("kill");
    second.child.wait().expect("reaped");
}

#[tokio::test]
async fn deliveries_and_emails_pending_at_kill_9_complete_after_restart_each_email_once() {
    use crema_e2e::smtp::SmtpServer;
    use crema_e2e::webhook::Receiver;
    use std::collections::HashSet;
    use std::sync::atomic::Ordering;

    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    // The webhook endpoint is down and no mail server listens yet.
    let receiver = Receiver::default();
    receiver.failures_left.store(u32::MAX, Ordering::SeqCst);
    let url = receiver.clone().start().await;
    let smtp_port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let secret = crema_server::sinks::signing::WebhookSecret::generate();
    let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    let env = [
        ("CREMA_WEBHOOK_URL", url.as_str()),
        ("CREMA_WEBHOOK_SECRET", secret.as_str()),
        ("CREMA_WEBHOOK_RETRY_BASE_MS", "50"),
        ("CREMA_WEBHOOK_BREAKER_OPEN_SECS", "1"),
        ("CREMA_SMTP_URL", smtp_url.as_str()),
    ];

    let mut first = start_with(&db, &env);
    let client =
        crema_e2e::http::client_with(&crema_e2e::http::sign_in(&first.base, crema_e2e::http::MANAGER_PIN).await);
    let menu: Value =
        client.get(format!("{}/api/v1/menu", first.base)).send().await.expect("menu").json().await.expect("json");
    let espresso = menu["categories"][0]["items"][0]["id"].clone();
    let mut orders = Vec::new();
    for n in 0..3 {
        let body = json!({"customer_name": format!("Guest {n}"), "customer_email": format!("guest{n}@example.com"),
            "lines": [{"item_id": espresso, "quantity": 1}]});
        let order: Value = client.post(format!("{}/api/v1/orders", first.base)).json(&body).fetch_json().await;
        let (id, line) = (
            order["id"].as_str().expect("id").to_string(),
            order["lines"][0]["id"].as_str().expect("line").to_string(),
        );
        for step in ["accept".to_string(), format!("lines/{line}/start"), format!("lines/{line}/done")] {
            let response = client.post(format!("{}/api/v1/orders/{id}/{step}", first.base)).send().await.expect("sent");
            assert_eq!(response.status(), 200);
        }
        orders.push(id);
    }
    // Every email job is pending (the mail server is down); the webhook holds its backlog.
    first.child.kill().expect("kill -9");
    first.child.wait().expect("reaped");

    let smtp = SmtpServer::start_on(smtp_port).await;
    receiver.failures_left.store(0, Ordering::SeqCst);
    let mut second = start_with(&db, &env);
    let client =
        crema_e2e::http::client_with(&crema_e2e::http::sign_in(&second.base, crema_e2e::http::MANAGER_PIN).await);

    // Every event of before the crash reaches the webhook (repeats allowed, same ids).
    let mut stream = SseReader::connect(&client, &format!("{}/api/v1/events?after=0", second.base), None).await;
    let mut ids = HashSet::new();
    // placed, accepted, line started, line done, ready: five per order.
    for _ in 0..(3 * 5) {
        let message = stream.next(Duration::from_secs(10)).await.expect("event");
        let event: Value = serde_json::from_str(&message.data).expect("json");
        ids.insert(event["id"].as_str().expect("id").to_string());
    }
    receiver.wait_for(&ids, Duration::from_secs(30)).await;

    // Each customer gets exactly one email, however often the job was tried.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    while smtp.messages().len() < 3 {
        assert!(tokio::time::Instant::now() < deadline, "only {} of 3 emails after restart", smtp.messages().len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let jobs: Value =
        client.get(format!("{}/api/v1/jobs?kind=notification.order_ready", second.base)).fetch_json().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut jobs = jobs;
    while !jobs["jobs"].as_array().is_some_and(|j| j.iter().all(|j| j["state"] == "succeeded")) {
        assert!(tokio::time::Instant::now() < deadline, "email jobs not finished: {jobs}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        jobs = client.get(format!("{}/api/v1/jobs?kind=notification.order_ready", second.base)).fetch_json().await;
    }
    // Every email job has succeeded: each recorded its send after the mail server took it, so
    // nothing more can arrive. The count is final.
    let messages = smtp.messages();
    assert_eq!(messages.len(), 3, "an email was sent twice");
    for n in 0..3 {
        assert_eq!(messages.iter().filter(|m| m.contains(&format!("To: guest{n}@example.com"))).count(), 1);
    }
    second.child.kill().expect("kill");
    second.child.wait().expect("reaped");
}

#[tokio::test]
async fn a_card_capture_pending_at_kill_9_completes_exactly_once_after_restart() {
    use crema_e2e::gateway::Gateway;
    use std::sync::atomic::Ordering;

    let gateway = Gateway::default();
    gateway.limit.store(100_000, Ordering::SeqCst);
    let url = gateway.clone().start().await;
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let env = [("CREMA_PAYMENT_GATEWAY_URL", url.as_str())];

    let mut first = start_with(&db, &env);
    let client =
        crema_e2e::http::client_with(&crema_e2e::http::sign_in(&first.base, crema_e2e::http::MANAGER_PIN).await);
    let menu: Value =
        client.get(format!("{}/api/v1/menu", first.base)).send().await.expect("menu").json().await.expect("json");
    let espresso = menu["categories"][0]["items"][0]["id"].clone();
    let body =
        json!({"customer_name": "Ana", "lines": [{"item_id": espresso, "quantity": 1}], "payment": {"method": "card"}});
    let order: Value = client
        .post(format!("{}/api/v1/orders", first.base))
        .json(&body)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let (id, line) =
        (order["id"].as_str().expect("id").to_string(), order["lines"][0]["id"].as_str().expect("line").to_string());
    let status = |base: String, client: reqwest::Client, id: String| async move {
        let order: Value =
            client.get(format!("{base}/api/v1/orders/{id}")).send().await.expect("sent").json().await.expect("json");
        order["payment_status"].as_str().unwrap_or_default().to_string()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while status(first.base.clone(), client.clone(), id.clone()).await != "authorized" {
        assert!(tokio::time::Instant::now() < deadline, "never authorized");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The gateway goes down; the order completes, so its capture is pending when we crash.
    gateway.failures_left.store(u32::MAX, Ordering::SeqCst);
    for step in
        ["accept".to_string(), format!("lines/{line}/start"), format!("lines/{line}/done"), "complete".to_string()]
    {
        let response = client.post(format!("{}/api/v1/orders/{id}/{step}", first.base)).send().await.expect("sent");
        assert_eq!(response.status(), 200);
    }
    first.child.kill().expect("kill -9");
    first.child.wait().expect("reaped");

    gateway.failures_left.store(0, Ordering::SeqCst);
    let mut second = start_with(&db, &env);
    let client =
        crema_e2e::http::client_with(&crema_e2e::http::sign_in(&second.base, crema_e2e::http::MANAGER_PIN).await);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while status(second.base.clone(), client.clone(), id.clone()).await != "captured" {
        assert!(tokio::time::Instant::now() < deadline, "the capture never finished after the restart");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(gateway.operations("capture").len(), 1, "captured exactly once");
    second.child.kill().expect("kill");
    second.child.wait().expect("reaped");
}

/// The whole second (Unix time) an RFC 3339 timestamp falls in.
fn second_of(at: &Value) -> i64 {
    let text = at.as_str().unwrap_or_default();
    chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text:?}: {e}")).timestamp()
}
