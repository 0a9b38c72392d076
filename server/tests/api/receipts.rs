//! Receipts: the receipt page, and ESC/POS to a network printer (a listener this test runs,
//! which reads the bytes back with a decoder of its own) as a durable job that a printer
//! being off holds and a retry never prints twice.

use crate::helpers::{assert_problem, spawn_app, TestApp, CASHIER_PIN};
use crema_e2e::printer::{decode, Paper, Printer};
use crema_shared::api::{JobPage, OrderDto, SettingsDto};
use crema_shared::Money;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

async fn set_printer(app: &TestApp, address: &str) -> SettingsDto {
    let body = json!({
        "receipt_printer": address,
        "receipt_header": "12 Bean Street\nOpen 7-19",
        "receipt_footer": "Thank you, see you tomorrow!",
    });
    let response = app.client.patch(app.url("/api/v1/settings")).json(&body).send().await.expect("sent");
    assert_eq!(response.status(), 200);
    response.json().await.expect("settings")
}

/// A latte and a croissant for `name`, paid in cash with a 20.
async fn paid(app: &TestApp, name: &str, print: Option<bool>) -> Value {
    let mut body = app.demo().await.latte_and_croissant(name);
    body["payment"] = json!({ "method": "cash", "tendered_cents": 2000 });
    if let Some(print) = print {
        body["payment"]["print_receipt"] = json!(print);
    }
    body
}

async fn receipt_jobs(app: &TestApp) -> Vec<crema_shared::api::JobDto> {
    let page: JobPage = app.get("/api/v1/jobs?kind=print.receipt").await.json().await.expect("jobs");
    page.jobs
}

/// Sets the shop's printer to a port nothing listens on (a printer that is off); its port.
async fn printer_switched_off(app: &TestApp) -> u16 {
    let off = Printer::start().await;
    let port = off.port;
    off.stop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    set_printer(app, &format!("tcp://127.0.0.1:{port}")).await;
    port
}

/// The printer on `port` is back; the jobs' next attempts run now (not after their backoff).
async fn switched_back_on(app: &TestApp, port: u16) -> Printer {
    let printer = Printer::start_on(port).await;
    let later = app.state.clock.now() + chrono::Duration::seconds(120);
    crema_server::service::jobs::drain_at(&app.state, later).await.expect("drain");
    printer
}

fn paper(bytes: &[u8]) -> Paper {
    decode(bytes).unwrap_or_else(|e| panic!("not ESC/POS a printer reads: {e}"))
}

/// What the receipt of `order` must say, on paper or on the page.
fn assert_reads_as(paper: &Paper, order: &OrderDto) {
    assert!(paper.reset && paper.cut, "reset before and cut after: {paper:?}");
    let ticket = paper.line(&format!("Ticket {}", order.ticket)).expect("the ticket line");
    assert!(ticket.large && ticket.bold && ticket.centered);
    let texts = paper.texts();
    assert!(texts.contains(&"12 Bean Street") && texts.contains(&"Open 7-19"), "{texts:?}");
    assert!(texts.contains(&"Thank you, see you tomorrow!"), "{texts:?}");
    let total = paper.line("TOTAL").expect("a total line");
    assert!(total.bold && total.text.ends_with(&format!("USD {}", Money::from_minor(order.total_cents))), "{total:?}");
    assert!(paper.line("Cash").is_some_and(|l| l.text.ends_with("20.00")), "{texts:?}");
    let change = Money::from_minor(order.change_due_cents.expect("change")).to_string();
    assert!(paper.line("Change").is_some_and(|l| l.text.ends_with(&change)), "{texts:?}");
    assert!(paper.lines.iter().all(|l| l.text.chars().count() <= if l.large { 24 } else { 48 }), "{texts:?}");
}

#[tokio::test]
async fn a_paid_order_prints_its_receipt_once_on_the_shops_printer() {
    let app = spawn_app().await;
    let printer = Printer::start().await;
    let settings = set_printer(&app, &printer.address()).await;
    assert_eq!(settings.receipt_printer_in_use.as_deref(), Some(printer.address().as_str()));
    let order = app.place(&paid(&app, "Ada", None).await).await;
    let prints = printer.wait_for(1, WAIT).await;
    assert_eq!(prints.len(), 1, "one receipt");
    let paper = paper(&prints[0]);
    assert_reads_as(&paper, &order);
    assert!(paper.texts().iter().any(|l| l.starts_with("Ada ")), "{:?}", paper.texts());
    for line in &order.lines {
        let printed = paper.line(&format!("{} x {}", line.quantity, line.name)).expect("each line");
        assert!(printed.text.ends_with(&Money::from_minor(line.line_total_cents).to_string()), "{printed:?}");
    }
    // The job is done, and nothing prints a second time.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let jobs = receipt_jobs(&app).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].state, "succeeded");
    assert_eq!(printer.prints().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_till_that_says_no_gets_no_paper_and_a_tab_prints_when_it_is_paid() {
    let app = spawn_app().await;
    let printer = Printer::start().await;
    set_printer(&app, &printer.address()).await;
    app.place(&paid(&app, "No paper", Some(false)).await).await;
    let unpaid = app.place(&app.demo().await.latte_and_croissant("Later")).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(receipt_jobs(&app).await.is_empty(), "neither a declined receipt nor an unpaid order prints");
    assert!(printer.prints().is_empty());
    let payment = json!({ "method": "cash", "tendered_cents": 2000 });
    let response = app.post(&format!("/api/v1/orders/{}/payment", unpaid.id), &payment).await;
    assert_eq!(response.status(), 200);
    let paid: OrderDto = response.json().await.expect("order");
    let prints = printer.wait_for(1, WAIT).await;
    assert_eq!(prints.len(), 1);
    assert_reads_as(&paper(&prints[0]), &paid);
    app.stop().await;
}

#[tokio::test]
async fn a_printer_that_is_off_holds_the_receipt_until_it_is_back() {
    let app = spawn_app().await;
    let port = printer_switched_off(&app).await;
    let order = app.place(&paid(&app, "Patient", None).await).await;
    let mut waited = Duration::ZERO;
    let job = loop {
        let jobs = receipt_jobs(&app).await;
        if let Some(job) = jobs.into_iter().find(|j| j.attempts >= 1 && j.last_error.is_some()) {
            break job;
        }
        assert!(waited < WAIT, "the print job never tried");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    };
    assert_eq!(job.state, "pending", "held, not given up: {job:?}");
    assert!(job.last_error.as_deref().is_some_and(|e| e.contains("did not answer")), "{job:?}");
    // The printer comes back; the job's next attempt prints it (without waiting out the backoff).
    let printer = switched_back_on(&app, port).await;
    let prints = printer.wait_for(1, WAIT).await;
    assert_eq!(prints.len(), 1);
    assert_reads_as(&paper(&prints[0]), &order);
    app.stop().await;
}

#[tokio::test]
async fn a_print_that_was_cut_off_is_never_printed_again() {
    let app = spawn_app().await;
    let port = printer_switched_off(&app).await;
    let order = app.place(&paid(&app, "Once", None).await).await;
    // The runner's first attempt, against the printer that is off, is over (it never got as far
    // as recording a print): the row below then stands for a later attempt that was cut off.
    let mut waited = Duration::ZERO;
    let job = loop {
        let jobs = receipt_jobs(&app).await;
        if let Some(job) = jobs.into_iter().find(|j| j.attempts >= 1 && j.last_error.is_some()) {
            break job;
        }
        assert!(waited < WAIT, "the print job never tried");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    };
    // What a process killed mid-print leaves behind: the attempt recorded, its end not.
    let (shop_column, shop) = match crate::helpers::on_postgres() {
        true => (", shop_id", format!(", '{}'", app.config.shop_id)),
        false => ("", String::new()),
    };
    app.on_database(&format!(
        "INSERT INTO printouts (job_id, order_id, printer, state, started_at{shop_column})
         VALUES ('{}', '{}', 'tcp://127.0.0.1:{port}', 'sending', '2026-12-04T09:00:00.000000Z'{shop})",
        job.id, order.id
    ))
    .await;
    let printer = switched_back_on(&app, port).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(printer.prints().is_empty(), "printed a second time");
    let job = receipt_jobs(&app).await.into_iter().find(|j| j.id == job.id).expect("the job");
    assert_eq!(job.state, "dead", "{job:?}");
    assert!(job.last_error.as_deref().is_some_and(|e| e.contains("may already have printed")), "{job:?}");
    // Staff who see no paper print it again on purpose.
    let response = app.post_empty(&format!("/api/v1/orders/{}/receipt/print", order.id)).await;
    assert_eq!(response.status(), 202);
    let prints = printer.wait_for(1, WAIT).await;
    assert_eq!(prints.len(), 1);
    assert_reads_as(&paper(&prints[0]), &order);
    app.stop().await;
}

#[tokio::test]
async fn the_receipt_page_shows_the_same_receipt_escaped() {
    let app = spawn_app().await;
    set_printer(&app, "").await;
    let mut body = paid(&app, "<b>Bo</b> & \"Co\"", None).await;
    body["lines"][1]["note"] = json!("<script>alert(1)</script>");
    let order = app.place(&body).await;
    let cashier = app.client_as(CASHIER_PIN).await;
    let response = cashier.get(app.url(&format!("/api/v1/orders/{}/receipt", order.id))).send().await.expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
    let html = response.text().await.expect("page");
    assert!(html.contains("@page { size: 80mm auto;"), "print CSS for an 80 mm roll");
    assert!(html.contains(&format!(">Ticket {}</div>", order.ticket)));
    assert!(html.contains("&lt;b&gt;Bo&lt;/b&gt; &amp; &quot;Co&quot;"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>"));
    assert!(html.contains(&format!("USD {}</div>", Money::from_minor(order.total_cents))));
    assert!(html.contains(">12 Bean Street</div>") && html.contains(">Thank you, see you tomorrow!</div>"));
    // Unknown and malformed ids are problems; no printer set means no reprint.
    let missing = app.get(&format!("/api/v1/orders/{}/receipt", uuid::Uuid::now_v7())).await;
    assert_eq!(missing.status(), 404);
    let (status, headers) = (missing.status(), missing.headers().clone());
    let problem: Value = missing.json().await.expect("problem");
    assert_problem(axum::http::StatusCode::from_u16(status.as_u16()).expect("status"), &headers, &problem, 404, None);
    assert_eq!(app.get("/api/v1/orders/not-a-uuid/receipt").await.status(), 400);
    let reprint = app.post_empty(&format!("/api/v1/orders/{}/receipt/print", order.id)).await;
    assert_eq!(reprint.status(), 409);
    assert!(receipt_jobs(&app).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_bad_printer_or_receipt_text_is_refused_by_name_and_changes_nothing() {
    let app = spawn_app().await;
    let before: SettingsDto = app.get("/api/v1/settings").await.json().await.expect("settings");
    let body = json!({
        "receipt_printer": "http://printer.local",
        "receipt_header": "a\u{1b}@b",
        "receipt_footer": "x".repeat(401),
        "shop_name": "Renamed",
    });
    let response = app.client.patch(app.url("/api/v1/settings")).json(&body).send().await.expect("sent");
    let (status, headers) = (response.status(), response.headers().clone());
    let problem: Value = response.json().await.expect("problem");
    for field in ["receipt_printer", "receipt_header", "receipt_footer"] {
        assert_problem(
            axum::http::StatusCode::from_u16(status.as_u16()).expect("status"),
            &headers,
            &problem,
            422,
            Some(field),
        );
    }
    let after: SettingsDto = app.get("/api/v1/settings").await.json().await.expect("settings");
    assert_eq!(after, before);
    app.stop().await;
}

#[tokio::test]
async fn a_customer_who_left_an_email_gets_the_receipt_by_mail_once() {
    let smtp = crema_e2e::smtp::SmtpServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut config = crate::helpers::test_config(dir.path().join("crema.db"));
    config.smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port).into());
    let app = crate::helpers::spawn_app_with(config, dir).await;
    set_printer(&app, "").await;
    let mut body = paid(&app, "Ana Lima", Some(false)).await;
    body["customer_email"] = json!("ana@example.com");
    let order = app.place(&body).await;
    // Paying does not mail a customer who left no address.
    app.place(&paid(&app, "Ben", None).await).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while smtp.messages().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no receipt arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "one receipt, to the customer who left an address");
    let message = &messages[0];
    assert!(message.contains("To: ana@example.com"), "{message}");
    assert!(message.contains("text/plain") && message.contains("text/html"), "{message}");
    assert!(message.contains(&format!("Ticket {}", order.ticket)), "{message}");
    let total = format!("USD {}", Money::from_minor(order.total_cents));
    assert!(message.lines().any(|l| l.starts_with("TOTAL") && l.ends_with(&total)), "{message}");
    let sent = loop {
        let sent: Vec<_> = app.events().await.into_iter().filter(|e| e.event_type == "notification.sent").collect();
        if !sent.is_empty() {
            break sent;
        }
        assert!(tokio::time::Instant::now() < deadline, "no notification.sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(sent[0].data["message"], "receipt");
    assert_eq!(sent[0].subject.as_deref(), Some(order.id.to_string().as_str()));
    app.stop().await;
}

#[tokio::test]
async fn the_x_and_z_reports_print_on_the_receipt_printer() {
    let app = spawn_app().await;
    let x_print = |app: &TestApp| app.client.post(app.url("/api/v1/reports/x/print")).send();
    assert_eq!(x_print(&app).await.expect("sent").status(), 409, "no printer set yet");
    let printer = Printer::start().await;
    set_printer(&app, &printer.address()).await;
    let till = app.client_as(CASHIER_PIN).await;
    assert_eq!(till.post(app.url("/api/v1/reports/x/print")).send().await.expect("sent").status(), 403);
    let order = app.place(&paid(&app, "Ada", Some(false)).await).await;
    let opened = till.post(app.url("/api/v1/drawer")).json(&json!({"float_cents": 5_000})).send().await.expect("sent");
    assert_eq!(opened.status(), 201);

    let response = x_print(&app).await.expect("sent");
    assert_eq!(response.status(), 202);
    let prints = printer.wait_for(1, WAIT).await;
    let x = paper(&prints[0]);
    assert!(x.line("X report").is_some_and(|l| l.large), "{:?}", x.texts());
    let collected = x.line("Collected").expect("collected").text.clone();
    assert!(collected.ends_with(&Money::from_minor(order.total_cents).to_string()), "{collected}");

    // No Z report before the close; after it, the Z report prints as it was kept.
    let z_print = |date: Option<&str>| {
        let path = date.map_or("/api/v1/reports/z/print".to_string(), |d| format!("/api/v1/reports/z/print?date={d}"));
        app.client.post(app.url(&path)).send()
    };
    assert_eq!(z_print(None).await.expect("sent").status(), 409);
    assert_eq!(z_print(Some("yesterday")).await.expect("sent").status(), 422);
    let expected = 5_000 + order.total_cents;
    let closed = till.post(app.url("/api/v1/drawer/close")).json(&json!({"counted_cents": expected})).send().await;
    assert_eq!(closed.expect("sent").status(), 200);
    assert_eq!(z_print(Some(&order.business_date)).await.expect("sent").status(), 202);
    let prints = printer.wait_for(2, WAIT).await;
    let z = paper(&prints[1]);
    assert!(z.line("Z report").is_some(), "{:?}", z.texts());
    assert!(z.line("Over").or(z.line("Short")).is_some_and(|l| l.text.ends_with("0.00")), "{:?}", z.texts());
    let audit: crema_shared::api::AuditPage = app.get("/api/v1/audit?limit=200").await.json().await.expect("audit");
    assert_eq!(audit.entries.iter().filter(|e| e.action == "report.print_requested").count(), 2);
    app.stop().await;
}
