//! Secrets and files: the key file beside the database, private modes, sealed sink secrets,
//! upgrading an older database, a lost key file, secrets kept out of `Debug`, and the demo
//! PINs kept off the network.

use crate::helpers::{sign_in, spawn_app, spawn_app_with, test_config, MANAGER_PIN};
use crema_server::{Config, Server};
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

async fn raw(db: &Path) -> sqlx::SqliteConnection {
    <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}", db.display())).await.expect("db")
}

#[tokio::test]
async fn a_new_database_is_private_and_its_pepper_is_not_in_it() {
    let root = tempfile::tempdir().expect("dir");
    let data = root.path().join("shop-data");
    let db = data.join("crema.db");
    let app = spawn_app_with(test_config(&db), tempfile::tempdir().expect("spare")).await;
    app.place(&app.demo().await.espresso("Ana")).await;
    assert_eq!(mode(&data), 0o700, "the data directory");
    let key_file = data.join("crema.db.key");
    for file in [&db, &key_file, &data.join("crema.db-wal"), &data.join("crema.db-shm")] {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    let key_text = std::fs::read_to_string(&key_file).expect("key file");
    let pepper = key_text.lines().find_map(|l| l.strip_prefix("pin_pepper=")).expect("pepper line").to_string();
    let mut conn = raw(&db).await;
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM secrets").fetch_one(&mut conn).await.expect("count");
    assert_eq!(kept, 0, "no secret is kept in the database");
    drop(conn);
    app.stop().await;
    let bytes = std::fs::read(&db).expect("db bytes");
    assert!(!bytes.windows(pepper.len()).any(|w| w == pepper.as_bytes()), "the pepper is not in the database file");
}

#[tokio::test]
async fn webhook_secrets_are_sealed_in_the_database() {
    let app = spawn_app().await;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let created =
        app.post("/api/v1/sinks", &json!({"name": "hq", "url": "http://127.0.0.1:9/hook", "secret": secret})).await;
    assert_eq!(created.status(), 201);
    let stored: String = crema_server::fetch_value!(
        &mut app.state.store.read().await.expect("reader"),
        sqlx::query_scalar("SELECT secret FROM sinks WHERE name = 'hq'"),
        fetch_one
    )
    .expect("row");
    assert!(stored.starts_with("sealed:v1:") && !stored.contains("MfKQ9r8"), "{stored}");
    let listed: Value = app.get("/api/v1/sinks").await.json().await.expect("json");
    assert!(listed[0].get("secret").is_none_or(Value::is_null), "the secret is shown only when made");
    app.stop().await;
}

#[tokio::test]
async fn a_sealed_secret_that_cannot_be_opened_holds_the_backlog_and_says_why() {
    use crema_server::service::sinks::relay::{self, RelayOutcome};
    let app = spawn_app().await;
    let created: Value = app
        .post("/api/v1/sinks", &json!({"name": "hq", "url": "http://127.0.0.1:9/hook", "start_after": 0}))
        .await
        .json()
        .await
        .expect("sink");
    let id: uuid::Uuid = created["id"].as_str().and_then(|s| s.parse().ok()).expect("id");
    app.place(&app.demo().await.espresso("Ana")).await;
    // The relay, woken by the order, tries the (unreachable) endpoint once with the good
    // secret: wait for that attempt to end, or its "cannot reach" could land after this
    // test's own step and hide what the step found.
    let mut attempted = false;
    for _ in 0..200 {
        let sink: Value = app.get(&format!("/api/v1/sinks/{id}")).await.json().await.expect("sink");
        if sink["consecutive_failures"].as_i64().unwrap_or(0) >= 1 {
            attempted = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(attempted, "the relay never tried the endpoint");
    // The stored secret was sealed for another sink (or with another key): it cannot be opened.
    let mut conn = raw(&app.dir.path().join("crema.db")).await;
    let other = app.state.sealer.seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "another sink").expect("seal");
    sqlx::query("UPDATE sinks SET secret = ? WHERE id = ?")
        .bind(&other)
        .bind(id.to_string())
        .execute(&mut conn)
        .await
        .expect("tamper");
    let outcome = relay::step_at(&app.state, id, chrono::Utc::now() + chrono::Duration::hours(1)).await;
    assert!(matches!(outcome, Ok(RelayOutcome::Held { .. })), "{outcome:?}");
    let sink: Value = app.get(&format!("/api/v1/sinks/{id}")).await.json().await.expect("sink");
    assert_eq!(sink["cursor"], 0, "nothing skipped");
    assert!(sink["last_error"].as_str().is_some_and(|e| e.contains("signing secret")), "{sink}");
    app.stop().await;
}

#[tokio::test]
async fn an_older_database_hands_its_pepper_to_the_key_file_and_its_secrets_get_sealed() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let key_file = dir.path().join("crema.db.key");
    let app = spawn_app_with(test_config(&db), tempfile::tempdir().expect("spare")).await;
    let created = app
        .post("/api/v1/sinks", &json!({"name": "hq", "url": "http://127.0.0.1:9/hook", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}))
        .await;
    assert_eq!(created.status(), 201);
    app.stop().await;
    // Make it look like a database written before the key file: pepper and secret in clear.
    let pepper = std::fs::read_to_string(&key_file)
        .expect("key file")
        .lines()
        .find_map(|l| l.strip_prefix("pin_pepper=").map(str::to_string))
        .expect("pepper");
    std::fs::remove_file(&key_file).expect("removed");
    let mut conn = raw(&db).await;
    sqlx::query("INSERT INTO secrets (name, value) VALUES ('pin_pepper', ?)")
        .bind(&pepper)
        .execute(&mut conn)
        .await
        .expect("pepper");
    sqlx::query("UPDATE sinks SET secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'")
        .execute(&mut conn)
        .await
        .expect("secret");
    drop(conn);
    let app = spawn_app_with(test_config(&db), tempfile::tempdir().expect("spare")).await;
    assert_eq!(sign_in(&app.base, "1111").await.len(), 64, "the old PINs still work");
    assert!(std::fs::read_to_string(&key_file).expect("key file").contains(&pepper), "same pepper");
    assert_eq!(mode(&key_file), 0o600);
    let kept: i64 = crema_server::fetch_value!(
        &mut app.state.store.read().await.expect("reader"),
        sqlx::query_scalar("SELECT COUNT(*) FROM secrets"),
        fetch_one
    )
    .expect("count");
    assert_eq!(kept, 0, "the database forgot the pepper");
    let stored: String = crema_server::fetch_value!(
        &mut app.state.store.read().await.expect("reader"),
        sqlx::query_scalar("SELECT secret FROM sinks"),
        fetch_one
    )
    .expect("secret");
    assert!(stored.starts_with("sealed:v1:"));
    app.stop().await;
}

#[tokio::test]
async fn a_lost_key_file_stops_the_start_with_a_clear_reason() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let app = spawn_app_with(test_config(&db), tempfile::tempdir().expect("spare")).await;
    app.stop().await;
    std::fs::remove_file(dir.path().join("crema.db.key")).expect("removed");
    let refused = Server::bind(&test_config(&db)).await.err().expect("refused");
    let text = refused.to_string();
    assert!(text.contains("key file") && text.contains("missing") && text.contains("restore"), "{text}");
}

#[tokio::test]
async fn configuration_never_prints_a_secret() {
    let mut config = Config::for_database("/tmp/x.db");
    config.webhook_secret = Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_string().into());
    config.smtp_url = Some("smtp://crema:hunter2@mail.example:587".to_string().into());
    let shown = format!("{config:?}");
    assert!(!shown.contains("MfKQ9r8") && !shown.contains("hunter2"), "{shown}");
}

#[tokio::test]
async fn demo_pins_stay_off_the_network_unless_the_risk_is_accepted() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let mut config = test_config(&db);
    config.bind = "0.0.0.0:0".parse().expect("addr");
    let refused = Server::bind(&config).await.err().expect("demo staff on the network");
    let text = refused.to_string();
    assert!(text.contains("9999") && text.contains("retire-demo") && text.contains("--demo"), "{text}");
    // Accepting the risk explicitly.
    config.demo = true;
    let accepted = Server::bind(&config).await.expect("--demo binds");
    accepted.state().store.close().await;
    drop(accepted);
    // Or the real fix: a real manager, then the demo staff retired.
    let mut on_loopback = config.clone();
    on_loopback.bind = "127.0.0.1:0".parse().expect("addr");
    on_loopback.demo = false;
    let app = spawn_app_with(on_loopback, tempfile::tempdir().expect("spare")).await;
    let owner = app.post("/api/v1/staff", &json!({"name": "Jo Owner", "role": "manager", "pin": "48213"})).await;
    assert_eq!(owner.status(), 201);
    let retired =
        crema_server::service::staff::retire_demo(&app.state, &crema_server::service::RequestContext::internal())
            .await
            .expect("retired");
    assert_eq!(retired.len(), 3);
    assert_eq!(
        reqwest::Client::new()
            .post(app.url("/api/v1/sessions"))
            .json(&json!({"pin": MANAGER_PIN}))
            .send()
            .await
            .expect("sent")
            .status(),
        401
    );
    app.stop().await;
    config.demo = false;
    let bound = Server::bind(&config).await.expect("no demo staff: binds on the network");
    bound.state().store.close().await;
}
