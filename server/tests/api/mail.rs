//! "Your drink is ready" emails, sent to a real SMTP server (Debian's aiosmtpd) that the test
//! starts on a free port and reads back from its maildir.

use crate::helpers::{spawn_app_with, TestApp};
use crema_server::service::jobs::{self, StepOutcome};
use serde_json::{json, Value};
use std::time::Duration;

pub(crate) use crema_e2e::smtp::SmtpServer;

/// The Subject header, decoding RFC 2047 `=?utf-8?b?…?=` words.
fn subject_of(message: &str) -> String {
    use base64::Engine;
    let mut lines = message.lines().skip_while(|l| !l.starts_with("Subject:"));
    let mut raw = lines.next().unwrap_or_default().trim_start_matches("Subject:").trim().to_string();
    for more in lines.take_while(|l| l.starts_with(' ') || l.starts_with('\t')) {
        raw.push_str(more.trim());
    }
    // Adjacent encoded words join without the space between them; other words keep it.
    let mut out = String::new();
    let mut previous_encoded = false;
    for word in raw.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        let encoded = lower.starts_with("=?utf-8?b?") && word.ends_with("?=");
        let text = if encoded {
            base64::engine::general_purpose::STANDARD
                .decode(&word[10..word.len() - 2])
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_else(|| word.to_string())
        } else {
            word.to_string()
        };
        let joins_previous = encoded && previous_encoded;
        if !out.is_empty() && !joins_previous {
            out.push(' ');
        }
        out.push_str(&text);
        previous_encoded = encoded;
    }
    out
}

async fn app_with_smtp(url: &str) -> TestApp {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crate::helpers::test_config(dir.path().join("crema.db"));
    config.smtp_url = Some(url.to_string().into());
    config.mail_from = "Crema Demo Coffee <orders@crema.test>".into();
    spawn_app_with(config, dir).await
}

async fn make_ready(app: &TestApp, order: &crema_shared::api::OrderDto) {
    let base = format!("/api/v1/orders/{}", order.id);
    assert_eq!(app.post_empty(&format!("{base}/accept")).await.status(), 200);
    for line in &order.lines {
        assert_eq!(app.post_empty(&format!("{base}/lines/{}/start", line.id)).await.status(), 200);
        assert_eq!(app.post_empty(&format!("{base}/lines/{}/done", line.id)).await.status(), 200);
    }
}

#[tokio::test]
async fn a_ready_order_with_an_email_gets_one_message_and_a_sent_event() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&format!("smtp://127.0.0.1:{}", smtp.port)).await;
    let demo = app.demo().await;
    let mut body = demo.latte_and_croissant("Ana Lima");
    body["customer_email"] = json!("ana@example.com");
    let order = app.place(&body).await;
    let no_email = app.place(&demo.espresso("Ben")).await;
    make_ready(&app, &order).await;
    make_ready(&app, &no_email).await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while smtp.messages().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no email arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The event follows the send in the same job; wait for it too.
    let sent = loop {
        let sent: Vec<_> = app.events().await.into_iter().filter(|e| e.event_type == "notification.sent").collect();
        if !sent.is_empty() {
            break sent;
        }
        assert!(tokio::time::Instant::now() < deadline, "no notification.sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "only the order with an email is notified");
    let message = &messages[0];
    assert_eq!(subject_of(message), "Your Latte and 1 more are ready — ticket 1");
    assert!(message.contains("To: ana@example.com"), "{message}");
    assert!(
        message.contains("From: \"Crema Demo Coffee\" <orders@crema.test>")
            || message.contains("From: Crema Demo Coffee <orders@crema.test>"),
        "{message}"
    );
    assert!(message.contains("text/plain") && message.contains("text/html"), "plain text and HTML parts: {message}");
    assert!(message.contains("Hi Ana"), "{message}");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].subject.as_deref(), Some(order.id.to_string().as_str()));
    assert_eq!(sent[0].data["to"], "ana@example.com");
    let done: Value = app.get("/api/v1/jobs?kind=notification.order_ready").await.json().await.expect("json");
    assert_eq!(done["jobs"].as_array().map(Vec::len), Some(1));
    assert_eq!(done["jobs"][0]["state"], "succeeded");
    app.stop().await;
}

#[tokio::test]
async fn an_unreachable_mail_server_retries_then_the_job_dies_with_a_failed_event() {
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let app = app_with_smtp(&format!("smtp://127.0.0.1:{port}")).await;
    let demo = app.demo().await;
    let mut body = demo.espresso("Ana");
    body["customer_email"] = json!("ana@example.com");
    let order = app.place(&body).await;
    make_ready(&app, &order).await;

    // Step the job through its attempts at ever later clock times until it is dead (the
    // background runner may take the first attempt; it cannot take later ones, not yet due).
    let mut t = chrono::Utc::now() + chrono::Duration::hours(1);
    let mut dead = false;
    for _ in 0..20 {
        match jobs::step_at(&app.state, t).await.expect("step") {
            StepOutcome::Dead { kind, error, attempt, .. } if kind == "notification.order_ready" => {
                assert_eq!(attempt, 6);
                assert!(error.contains("sending failed"), "{error}");
                dead = true;
                break;
            }
            _ => t += chrono::Duration::hours(1),
        }
    }
    assert!(dead, "the job never died");
    let failed: Vec<_> = app.events().await.into_iter().filter(|e| e.event_type == "notification.failed").collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].data["error"].as_str().is_some_and(|e| e.contains("sending failed")));
    let dead_jobs: Value = app.get("/api/v1/jobs?state=dead").await.json().await.expect("json");
    assert_eq!(dead_jobs["jobs"][0]["kind"], "notification.order_ready");
    app.stop().await;
}

#[test]
fn the_message_names_the_drink_and_the_ticket() {
    use crema_server::store::orders::{LineRecord, OrderRecord};
    use crema_shared::status::{LineStatus, OrderStatus, PaymentStatus};
    use crema_shared::Money;
    let line = |name: &str| LineRecord {
        id: uuid::Uuid::now_v7(),
        item_id: uuid::Uuid::now_v7(),
        name: name.into(),
        quantity: 1,
        unit_price: Money::from_minor(475),
        options: vec![],
        note: None,
        status: LineStatus::Done,
        line_total: Money::from_minor(475),
    };
    let now = chrono::Utc::now();
    let mut order = OrderRecord {
        id: uuid::Uuid::now_v7(),
        business_date: "2026-11-22".into(),
        ticket_number: 42,
        ticket_prefix: String::new(),
        customer_name: "Ana <b>Lima</b>".into(),
        customer_email: Some("ana@example.com".into()),
        status: OrderStatus::Ready,
        payment_status: PaymentStatus::Unpaid,
        currency: "USD".into(),
        totals: crema_shared::totals::Totals {
            subtotal: Money::ZERO,
            discount: Money::ZERO,
            tax: Money::ZERO,
            tip: Money::ZERO,
            total: Money::ZERO,
        },
        payment: None,
        payment_reference: None,
        refunded: Money::ZERO,
        version: 5,
        created_at: now,
        updated_at: now,
        placed_by: None,
        lines: vec![line("Latte")],
        discounts: vec![],
        tenders: vec![],
        kitchen_held: false,
    };
    let (subject, text, html) = crema_server::service::notify::ready_message(&order);
    assert_eq!(subject, "Your Latte is ready — ticket 42");
    assert!(text.contains("ticket 42") && text.contains("1 × Latte"));
    assert!(html.contains("<strong>ticket 42</strong>"));
    order.customer_name = "<script>".into();
    assert!(!crema_server::service::notify::ready_message(&order).2.contains("<script>"), "names are escaped");
    order.lines.push(line("Croissant"));
    assert_eq!(crema_server::service::notify::ready_message(&order).0, "Your Latte and 1 more are ready — ticket 42");
}

#[tokio::test]
async fn managers_with_an_email_get_the_end_of_day_summary_once() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&format!("smtp://127.0.0.1:{}", smtp.port)).await;
    let me: Value = app.get("/api/v1/sessions/current").await.json().await.expect("json");
    let id = me["staff"]["id"].as_str().expect("id").to_string();
    let bad = app
        .client
        .patch(app.url(&format!("/api/v1/staff/{id}")))
        .json(&json!({"email": "boss@"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<Value>().await.expect("json")["errors"][0]["field"], "email");
    let set = app
        .client
        .patch(app.url(&format!("/api/v1/staff/{id}")))
        .json(&json!({"email": "boss@example.com"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(set.json::<Value>().await.expect("json")["email"], "boss@example.com");

    let demo = app.demo().await;
    let mut paid = demo.latte_and_croissant("Ana");
    paid["payment"] = json!({"method": "cash", "tendered_cents": 2000});
    app.place(&paid).await;
    app.place(&demo.espresso("Ben")).await;
    let gone = app.place(&demo.espresso("Cy")).await;
    assert_eq!(app.post(&format!("/api/v1/orders/{}/cancel", gone.id), &json!({"reason": "left"})).await.status(), 200);

    let today = app.state.day.date_of(chrono::Utc::now());
    assert!(crema_server::service::reports::end_of_day::enqueue(&app.state, &today).await.expect("queued"));
    assert!(
        !crema_server::service::reports::end_of_day::enqueue(&app.state, &today).await.expect("asked twice"),
        "one summary per day"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while smtp.messages().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no summary arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let message = &smtp.messages()[0];
    assert!(message.contains("To: boss@example.com"), "{message}");
    assert_eq!(subject_of(message), format!("Crema Demo Coffee — {today}: 2 orders, 11.85 USD"));
    for expected in
        ["Orders: 2", "Cancelled: 1", "Revenue (captured): 11.85 USD", "Top items:", "1  Latte", "1  Espresso"]
    {
        assert!(message.contains(expected), "{expected} missing: {message}");
    }
    // The audit chain's head leaves the box with the summary.
    let head = crema_server::store::audit::head(&mut app.state.store.read().await.expect("conn"))
        .await
        .expect("head")
        .expect("rows");
    assert!(message.contains("Audit log chain head (entry #"), "{message}");
    assert!(message.contains(&head.1[..32]), "the head hash {} is in the summary: {message}", head.1);
    app.stop().await;
}
