//! What the screens need beyond the core API: settings, the day's report and CSV export,
//! the kitchen display's snapshot + cursor, the live pickup board, and the screens
//! themselves served from `/`.

use crate::helpers::{spawn_app, SseReader, BARISTA_PIN, CASHIER_PIN};
use crema_shared::api::{BoardDto, DayReportDto, KitchenDto, OrderDto, SettingsDto};
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_manager_changes_settings_and_bad_fields_are_named_and_change_nothing() {
    let app = spawn_app().await;
    let before: SettingsDto = app.get("/api/v1/settings").await.json().await.expect("settings");
    assert_eq!((before.ticket_warn_seconds, before.ticket_late_seconds), (180, 360));
    assert!(!before.smtp_configured);
    let menu_version = app.menu().await.version;

    let bad = app
        .client
        .patch(app.url("/api/v1/settings"))
        .json(&json!({ "currency": "euro", "ticket_warn_seconds": 5, "shop_name": "Bean There" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.expect("problem");
    let fields: Vec<&str> =
        problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["currency", "ticket_warn_seconds"]);
    let unchanged: SettingsDto = app.get("/api/v1/settings").await.json().await.expect("settings");
    assert_eq!(unchanged, before, "a refused change changes nothing, not even the good fields");

    let changed: SettingsDto = app
        .client
        .patch(app.url("/api/v1/settings"))
        .json(&json!({ "shop_name": "Bean There", "tax_rate_bps": 1000, "ticket_warn_seconds": 120, "ticket_late_seconds": 240 }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("settings");
    assert_eq!(changed.shop_name, "Bean There");
    assert_eq!(changed.tax_rate_bps, 1000);
    assert_eq!((changed.ticket_warn_seconds, changed.ticket_late_seconds), (120, 240));
    assert!(app.menu().await.version > menu_version, "a tax change re-prices the menu");
    let types: Vec<String> = app.events().await.into_iter().map(|e| e.event_type).collect();
    assert!(types.contains(&"settings.updated".to_string()) && types.contains(&"menu.updated".to_string()));
    let audit: Value = app.get("/api/v1/audit?action=settings.updated").await.json().await.expect("audit");
    assert_eq!(audit["entries"][0]["detail"]["after"]["tax_rate_bps"], 1000);

    // Other roles read the settings but may not change them.
    let barista = app.client_as(BARISTA_PIN).await;
    assert_eq!(barista.get(app.url("/api/v1/settings")).send().await.expect("sent").status(), 200);
    let refused = barista.patch(app.url("/api/v1/settings")).json(&json!({ "shop_name": "Mine" })).send().await;
    assert_eq!(refused.expect("sent").status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn the_day_report_counts_orders_per_hour_and_best_sellers() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    for name in ["Ana", "Ben", "Cy"] {
        app.place(&demo.latte_and_croissant(name)).await;
    }
    let espresso = app.place(&demo.espresso("Dee")).await;
    let cancelled = app.post(&format!("/api/v1/orders/{}/cancel", espresso.id), &json!({ "reason": "left" })).await;
    assert_eq!(cancelled.status(), 200);

    let report: DayReportDto = app.get("/api/v1/reports/day").await.json().await.expect("report");
    assert_eq!(report.orders, 3);
    assert_eq!(report.cancelled, 1);
    assert_eq!(report.orders_per_hour.len(), 24);
    assert_eq!(report.orders_per_hour.iter().sum::<u32>(), 3);
    let hour = chrono::Utc::now().format("%H").to_string().parse::<usize>().expect("hour");
    assert!(report.orders_per_hour[hour] >= 2, "placed this hour (or just before it turned)");
    assert_eq!(report.top_items.len(), 2);
    assert_eq!(report.top_items[0].units, 3);

    let bad = app.get("/api/v1/reports/day?date=yesterday").await;
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.expect("problem");
    assert_eq!(problem["errors"][0]["field"], "date");
    app.stop().await;
}

#[tokio::test]
async fn orders_export_as_csv_by_date_range() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let order = app.place(&demo.latte_and_croissant("Zoë, \"the\" regular")).await;
    let day = order.business_date.clone();
    let response = app.get(&format!("/api/v1/reports/orders.csv?from={day}&to={day}")).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
    assert!(response.headers()["content-disposition"].to_str().expect("disposition").contains(".csv"));
    let csv = response.text().await.expect("body");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "header and one order: {csv}");
    assert!(lines[0].starts_with("business_date,ticket,placed_at,customer"));
    assert!(lines[1].contains("\"Zoë, \"\"the\"\" regular\""), "{}", lines[1]);
    assert!(lines[1].contains("1× Latte ("), "{}", lines[1]);
    assert!(lines[1].contains("1× Croissant"), "{}", lines[1]);
    let total = format!("{}.{:02}", order.total_cents / 100, order.total_cents % 100);
    assert!(lines[1].contains(&total), "{}", lines[1]);

    let backwards = app.get("/api/v1/reports/orders.csv?from=2026-11-23&to=2026-11-01").await;
    assert_eq!(backwards.status(), 422);
    let problem: Value = backwards.json().await.expect("problem");
    assert_eq!(problem["errors"][0]["field"], "to");
    let missing = app.get("/api/v1/reports/orders.csv?from=2026-11-23").await;
    assert_eq!(missing.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn the_kitchen_snapshot_and_the_stream_after_it_miss_nothing_and_repeat_nothing() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let first = app.place(&demo.latte_and_croissant("Ana")).await;
    let barista = app.client_as(BARISTA_PIN).await;
    let kitchen: KitchenDto =
        barista.get(app.url("/api/v1/kitchen")).send().await.expect("sent").json().await.expect("kitchen");
    assert_eq!(kitchen.orders.iter().map(|o| o.id).collect::<Vec<_>>(), [first.id]);
    assert_eq!((kitchen.ticket_warn_seconds, kitchen.ticket_late_seconds), (180, 360));

    // Changes after the snapshot arrive on the stream from its cursor, each once.
    let second = app.place(&demo.espresso("Ben")).await;
    let url = app.url(&format!("/api/v1/events?after={}", kitchen.after));
    let mut stream = SseReader::connect(&barista, &url, None).await;
    let message = stream.next(WAIT).await.expect("the order placed after the snapshot");
    let event: Value = serde_json::from_str(&message.data).expect("json");
    assert_eq!(event["type"], "order.placed");
    assert_eq!(event["subject"], second.id.to_string());
    assert!(stream.next(Duration::from_millis(300)).await.is_none(), "nothing from before the snapshot");

    // Completed and cancelled orders leave the kitchen; ready ones stay until picked up.
    let line = second.lines[0].id;
    for step in [
        format!("/api/v1/orders/{}/accept", second.id),
        format!("/api/v1/orders/{}/lines/{line}/start", second.id),
        format!("/api/v1/orders/{}/lines/{line}/done", second.id),
    ] {
        assert_eq!(barista.post(app.url(&step)).send().await.expect("sent").status(), 200, "{step}");
    }
    let cashier = app.client_as(CASHIER_PIN).await;
    let cancel =
        cashier.post(app.url(&format!("/api/v1/orders/{}/cancel", first.id))).json(&json!({ "reason": "left" }));
    assert_eq!(cancel.send().await.expect("sent").status(), 200);
    let kitchen: KitchenDto =
        barista.get(app.url("/api/v1/kitchen")).send().await.expect("sent").json().await.expect("kitchen");
    let open: Vec<(uuid::Uuid, String)> =
        kitchen.orders.iter().map(|o: &OrderDto| (o.id, o.status.to_string())).collect();
    assert_eq!(open, [(second.id, "ready".to_string())]);
    app.stop().await;
}

#[tokio::test]
async fn the_pickup_board_streams_without_sign_in() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let anonymous = reqwest::Client::new();
    let mut board = SseReader::connect(&anonymous, &app.url("/api/v1/board/stream"), None).await;
    let empty: BoardDto =
        serde_json::from_str(&board.next(WAIT).await.expect("the board on connect").data).expect("board");
    assert!(empty.preparing.is_empty() && empty.ready.is_empty());

    let order = app.place(&demo.espresso("Ana Lopez")).await;
    let shown: BoardDto = serde_json::from_str(&board.next(WAIT).await.expect("a change").data).expect("board");
    assert_eq!(shown.preparing.len(), 1);
    assert_eq!(shown.preparing[0].ticket_number, order.ticket_number);
    assert_eq!(shown.preparing[0].name, "Ana", "first names only");

    let line = order.lines[0].id;
    for step in ["accept".to_string(), format!("lines/{line}/start"), format!("lines/{line}/done")] {
        assert_eq!(app.post_empty(&format!("/api/v1/orders/{}/{step}", order.id)).await.status(), 200);
    }
    // Accepting and starting do not change the board; being ready does.
    let mut last = None;
    while let Some(message) = board.next(Duration::from_secs(2)).await {
        last = Some(serde_json::from_str::<BoardDto>(&message.data).expect("board"));
        if last.as_ref().is_some_and(|b| !b.ready.is_empty()) {
            break;
        }
    }
    let ready = last.expect("the board changed");
    assert!(ready.preparing.is_empty());
    assert_eq!(ready.ready[0].ticket_number, order.ticket_number);
    app.stop().await;
}

#[tokio::test]
async fn the_screens_are_served_from_the_root_with_a_strict_policy() {
    let app = spawn_app().await;
    let anonymous = reqwest::Client::new();
    for path in ["/", "/pos", "/kds", "/board", "/manage", "/sign-in"] {
        let response = anonymous.get(app.url(path)).send().await.expect("sent");
        let csp = response.headers()["content-security-policy"].to_str().expect("csp").to_string();
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
        let status = response.status().as_u16();
        let body = response.text().await.expect("body");
        if crema_server::http::ui::built() {
            assert_eq!(status, 200, "{path}");
            assert!(body.contains("/assets/boot.js"), "{path}: {body}");
        } else {
            assert_eq!(status, 503, "{path}");
            assert!(body.contains("scripts/build-ui"));
        }
    }
    let missing = anonymous.get(app.url("/assets/nope.js")).send().await.expect("sent");
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["content-type"], "application/problem+json");
    if crema_server::http::ui::built() {
        let wasm = anonymous.get(app.url("/assets/crema_ui_bg.wasm")).header("accept-encoding", "gzip").send().await;
        let wasm = wasm.expect("sent");
        assert_eq!(wasm.status(), 200);
        assert_eq!(wasm.headers()["content-type"], "application/wasm");
        assert_eq!(wasm.headers()["content-encoding"], "gzip");
        let etag = wasm.headers()["etag"].clone();
        let again = anonymous.get(app.url("/assets/crema_ui_bg.wasm")).header("if-none-match", etag).send().await;
        assert_eq!(again.expect("sent").status(), 304);
    }
    app.stop().await;
}
