//! `crema-server migrate-store` moves a shop from its SQLite file to PostgreSQL with its
//! whole history: afterwards the server on PostgreSQL answers every order exactly as the
//! SQLite one did, serves the same events under the same sequence numbers, keeps the sink's
//! cursor (nothing is sent again), still knows the sessions and PINs (same key file), and
//! numbers the next event after the last one.

use crema_e2e::binary::{path, start_on};
use crema_e2e::http::{client_with, sign_in, SseReader, BARISTA_PIN, MANAGER_PIN};
use crema_e2e::postgres::Postgres;
use crema_e2e::webhook::Receiver;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Every event after 0, as (sequence, the event), read until `head`.
async fn events(client: &reqwest::Client, base: &str, head: i64) -> Vec<(i64, Value)> {
    let mut stream = SseReader::connect(client, &format!("{base}/api/v1/events?after=0"), None).await;
    let mut out = Vec::new();
    while out.last().map_or(0, |(s, _)| *s) < head {
        let message = stream.next(Duration::from_secs(10)).await.expect("an event");
        let sequence = message.id.as_deref().and_then(|s| s.parse().ok()).expect("sequence");
        out.push((sequence, serde_json::from_str(&message.data).expect("event")));
    }
    out
}

async fn all_orders(client: &reqwest::Client, base: &str) -> Value {
    client.get(format!("{base}/api/v1/orders?limit=200")).send().await.expect("list").json().await.expect("json")
}

#[tokio::test]
async fn a_shop_moves_from_sqlite_to_postgres_with_its_history() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let hook = Receiver::default();
    let hook_url = hook.clone().start().await;
    let env = [("CREMA_WEBHOOK_URL", hook_url.as_str()), ("CREMA_WEBHOOK_SECRET", SECRET)];
    let sqlite = start_on(&db, 0, &env);
    let manager = client_with(&sign_in(&sqlite.base, MANAGER_PIN).await);
    let barista_token = sign_in(&sqlite.base, BARISTA_PIN).await;
    let menu: Value =
        manager.get(format!("{}/api/v1/menu", sqlite.base)).send().await.expect("menu").json().await.expect("json");
    let espresso = menu["categories"][0]["items"][0]["id"].clone();
    // Some placed under a key: their answers (kept on SQLite in their order.placed events) are
    // replayed, the very same bytes, after the move.
    let mut answers = Vec::new();
    for n in 0..30 {
        let body = json!({"customer_name": format!("Gäst \"{n}\" ☕"), "lines": [{"item_id": espresso, "quantity": 1,
            "note": "extra hot / no foam"}], "payment": {"method": "cash", "tendered_cents": 500}});
        let mut request = manager.post(format!("{}/api/v1/orders", sqlite.base)).json(&body);
        if n % 5 == 0 {
            request = request.header("Idempotency-Key", format!("move-{n}"));
        }
        let placed = request.send().await.expect("order");
        assert_eq!(placed.status(), 201);
        let text = placed.text().await.expect("answer");
        if n % 5 == 0 {
            answers.push((format!("move-{n}"), body.clone(), text.clone()));
        }
        if n % 3 == 0 {
            let order: Value = serde_json::from_str(&text).expect("json");
            let url = format!("{}/api/v1/orders/{}/accept", sqlite.base, order["id"].as_str().expect("id"));
            assert_eq!(manager.post(url).send().await.expect("accept").status(), 200);
        }
    }
    let head: i64 = manager
        .get(format!("{}/api/v1/kitchen", sqlite.base))
        .send()
        .await
        .expect("kitchen")
        .json::<Value>()
        .await
        .expect("json")["after"]
        .as_i64()
        .expect("after");
    // The sink has everything: its cursor is at the head.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let sinks_before = loop {
        let sinks: Value = manager
            .get(format!("{}/api/v1/sinks", sqlite.base))
            .send()
            .await
            .expect("sinks")
            .json()
            .await
            .expect("json");
        if sinks[0]["cursor"] == head {
            break sinks;
        }
        assert!(tokio::time::Instant::now() < deadline, "the sink never caught up: {sinks}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let orders_before = all_orders(&manager, &sqlite.base).await;
    let events_before = events(&manager, &sqlite.base, head).await;
    let delivered_before = hook.all().len();
    sqlite.kill();

    let postgres = Postgres::start();
    let url = postgres.create_database("shop");
    let output = std::process::Command::new(path("crema-server"))
        .args(["migrate-store", "--from", db.to_str().expect("path"), "--to", &url])
        .output()
        .expect("migrate-store runs");
    assert!(output.status.success(), "migrate-store failed: {}", String::from_utf8_lossy(&output.stderr));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("30 orders"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    let key = dir.path().join("crema.db.key");
    let mut on_pg_env = env.to_vec();
    on_pg_env.push(("CREMA_KEY_FILE", key.to_str().expect("path")));
    let moved = start_on(Path::new(&url), 0, &on_pg_env);
    // The same answers, the same events under the same numbers, the same sink cursor.
    assert_eq!(all_orders(&manager, &moved.base).await, orders_before);
    assert_eq!(events(&manager, &moved.base, head).await, events_before);
    let sinks_after: Value =
        manager.get(format!("{}/api/v1/sinks", moved.base)).send().await.expect("sinks").json().await.expect("json");
    assert_eq!(sinks_after[0]["cursor"], sinks_before[0]["cursor"]);
    for (key, body, first) in &answers {
        let again = manager
            .post(format!("{}/api/v1/orders", moved.base))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("retry");
        assert_eq!(again.status(), 201);
        assert_eq!(&again.text().await.expect("answer"), first, "the answer under {key} after the move");
    }
    // Sessions and PINs carried over (the key file with them).
    let barista = client_with(&barista_token);
    assert_eq!(barista.get(format!("{}/api/v1/kitchen", moved.base)).send().await.expect("kitchen").status(), 200);
    sign_in(&moved.base, BARISTA_PIN).await;
    // The next event is numbered after the last; the sink gets it and nothing again.
    let body = json!({"customer_name": "After the move", "lines": [{"item_id": espresso, "quantity": 1}]});
    let placed: Value = manager
        .post(format!("{}/api/v1/orders", moved.base))
        .json(&body)
        .send()
        .await
        .expect("order")
        .json()
        .await
        .expect("json");
    let next = events(&manager, &moved.base, head + 1).await;
    let (sequence, event) = next.last().expect("the new event");
    assert_eq!(*sequence, head + 1);
    assert_eq!(event["subject"], placed["id"]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while hook.all().len() < delivered_before + 1 {
        assert!(tokio::time::Instant::now() < deadline, "the sink did not get the new event");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hook.all().len(), delivered_before + 1, "events were sent again after the move");
    // A second copy into the same database is refused.
    let again = std::process::Command::new(path("crema-server"))
        .args(["migrate-store", "--from", db.to_str().expect("path"), "--to", &url])
        .output()
        .expect("migrate-store runs");
    assert!(!again.status.success(), "copied a shop over another");
    moved.kill();
}
