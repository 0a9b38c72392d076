//! The audit log: who did what, append-only, readable by managers with filters.

use crate::helpers::FetchJson;
use crate::helpers::{spawn_app, CASHIER_PIN};
use serde_json::{json, Value};

#[tokio::test]
async fn sign_ins_staff_changes_menu_edits_cancellations_and_refunds_are_audited() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    // A failed and a good sign-in.
    let wrong = reqwest::Client::new()
        .post(app.url("/api/v1/sessions"))
        .json(&json!({"pin": "4444"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong.status(), 401);
    let cashier = app.client_as(CASHIER_PIN).await;
    // A staff change, a menu edit, a paid order cancelled (refund).
    assert_eq!(
        app.post("/api/v1/staff", &json!({"name": "Dana", "role": "barista", "pin": "5050"})).await.status(),
        201
    );
    let uri = format!("/api/v1/menu/items/{}/availability", demo.item("Mocha"));
    assert_eq!(
        app.client.put(app.url(&uri)).json(&json!({"available": false})).send().await.expect("sent").status(),
        200
    );
    let mut body = demo.espresso("Ana");
    body["payment"] = json!({"method": "cash", "tendered_cents": 500});
    let order: Value = cashier.post(app.url("/api/v1/orders")).json(&body).fetch_json().await;
    let id = order["id"].as_str().expect("id");
    let cancelled = cashier
        .post(app.url(&format!("/api/v1/orders/{id}/cancel")))
        .json(&json!({"reason": "left"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(cancelled.status(), 200);

    let page: Value = app.get("/api/v1/audit").await.json().await.expect("json");
    let actions: Vec<&str> =
        page["entries"].as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in [
        "sign_in.failed",
        "sign_in.succeeded",
        "staff.created",
        "menu.item.availability",
        "order.cancelled",
        "payment.refunded",
    ] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    let cancel =
        page["entries"].as_array().expect("entries").iter().find(|e| e["action"] == "order.cancelled").expect("entry");
    assert_eq!(cancel["subject"], id);
    assert_eq!(cancel["detail"]["reason"], "left");
    assert!(cancel["staff_id"].is_string() && cancel["request_id"].is_string());

    // Filters.
    let menu: Value = app.get("/api/v1/audit?action=menu.").await.json().await.expect("json");
    assert!(menu["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .all(|e| e["action"].as_str().is_some_and(|a| a.starts_with("menu."))));
    let by_cashier: Value = app
        .get(&format!("/api/v1/audit?staff_id={}", cancel["staff_id"].as_str().expect("id")))
        .await
        .json()
        .await
        .expect("json");
    assert!(by_cashier["entries"].as_array().expect("entries").iter().all(|e| e["staff_id"] == cancel["staff_id"]));
    assert_eq!(app.get("/api/v1/audit?limit=0").await.status(), 400);
    assert_eq!(app.get("/api/v1/audit?since=monday").await.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let app = spawn_app().await;
    let db = app.dir.path().join("crema.db");
    let mut conn =
        <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}", db.display())).await.expect("db");
    let count = || sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log");
    let before = count().fetch_one(&mut conn).await.expect("count");
    assert!(before >= 1, "the manager's sign-in is audited");
    assert!(sqlx::query("UPDATE audit_log SET action = 'nothing'").execute(&mut conn).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_log").execute(&mut conn).await.is_err());
    assert_eq!(count().fetch_one(&mut conn).await.expect("count"), before);
    app.stop().await;
}

/// The audit rows of `action`, newest first.
async fn audited(app: &crate::helpers::TestApp, action: &str) -> Vec<Value> {
    let page: Value = app.get(&format!("/api/v1/audit?action={action}&limit=100")).await.json().await.expect("json");
    page["entries"].as_array().cloned().unwrap_or_default()
}

async fn raw(app: &crate::helpers::TestApp) -> sqlx::SqliteConnection {
    raw_at(&app.dir.path().join("crema.db")).await
}

/// `crema-server audit verify` on `db`: whether it passed, and what it said.
fn audit_verify(db: &std::path::Path) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crema-server"))
        .arg("--database-url")
        .arg(db)
        .args(["audit", "verify"])
        .output()
        .expect("runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string())
}

async fn raw_at(db: &std::path::Path) -> sqlx::SqliteConnection {
    <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}", db.display())).await.expect("db")
}

#[tokio::test]
async fn sales_card_approvals_and_payments_are_audited_in_an_intact_chain() {
    let app = spawn_app().await;
    let demo = app.demo().await;
    let cashier = app.client_as(CASHIER_PIN).await;
    let mut card = demo.espresso("Ana");
    card["payment"] = json!({"method": "card", "approval_code": "A1B2-C3"});
    let paid: Value = cashier.post(app.url("/api/v1/orders")).json(&card).fetch_json().await;
    let unpaid: Value = cashier.post(app.url("/api/v1/orders")).json(&demo.espresso("Ben")).fetch_json().await;
    let id = unpaid["id"].as_str().expect("id");
    let pay = cashier
        .post(app.url(&format!("/api/v1/orders/{id}/payment")))
        .json(&json!({"method": "cash", "tendered_cents": 1000}));
    assert_eq!(pay.send().await.expect("sent").status(), 200);
    let placed = audited(&app, "order.placed").await;
    assert_eq!(placed.len(), 2);
    let card_sale = placed.iter().find(|e| e["subject"] == paid["id"]).expect("the card sale");
    assert_eq!(card_sale["detail"]["approval_code"], "A1B2-C3");
    assert_eq!(card_sale["detail"]["tender"], "card_terminal");
    let captured = audited(&app, "payment.captured").await;
    assert_eq!(captured.len(), 1);
    assert_eq!(captured[0]["detail"]["method"], "cash");
    assert_eq!(captured[0]["detail"]["tendered_cents"], 1000);
    match crema_server::service::shop::audit::verify(&app.state).await.expect("verified") {
        crema_server::store::audit::ChainCheck::Intact { rows, head } => {
            assert!(rows >= 5, "two sign-ins, two sales, a payment: {rows}");
            assert!(head.is_some_and(|(_, hash)| hash.len() == 64));
        }
        broken => panic!("{broken:?}"),
    }
    app.stop().await;
}

#[tokio::test]
async fn a_changed_or_removed_row_breaks_the_chain_and_verify_names_it() {
    let app = spawn_app().await;
    for name in ["Ana", "Ben", "Cy", "Di"] {
        app.place(&app.demo().await.espresso(name)).await;
    }
    let rows: Vec<i64> = crema_server::fetch_value!(
        &mut app.state.store.read().await.expect("reader"),
        sqlx::query_scalar("SELECT id FROM audit_log ORDER BY id"),
        fetch_all
    )
    .expect("ids");
    let (changed, removed) = (rows[2], rows[4]);
    // Someone holding the file drops the triggers and edits history.
    let mut conn = raw(&app).await;
    for sql in ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"] {
        sqlx::query(sql).execute(&mut conn).await.expect("dropped");
    }
    sqlx::query("UPDATE audit_log SET detail = '{\"total_cents\":1}' WHERE id = ?")
        .bind(changed)
        .execute(&mut conn)
        .await
        .expect("changed");
    drop(conn);
    let check = crema_server::service::shop::audit::verify(&app.state).await.expect("checked");
    assert!(matches!(check, crema_server::store::audit::ChainCheck::Broken { id, .. } if id == changed), "{check:?}");
    // The periodic check reports it as an event (which the sinks carry off the box).
    crema_server::service::shop::audit::publish_check(&app.state).await.expect("published");
    let broken = app.events().await.into_iter().find(|e| e.event_type == "audit.chain_broken").expect("event");
    assert_eq!(broken.data["id"], changed);
    app.stop().await;

    // A removed row breaks the link of the row after it.
    let app = spawn_app().await;
    for name in ["Ana", "Ben", "Cy"] {
        app.place(&app.demo().await.espresso(name)).await;
    }
    let db = app.dir.path().join("crema.db");
    let mut conn = raw(&app).await;
    sqlx::query("DROP TRIGGER audit_log_no_delete").execute(&mut conn).await.expect("dropped");
    sqlx::query("DELETE FROM audit_log WHERE id = ?").bind(removed.min(3)).execute(&mut conn).await.expect("removed");
    drop(conn);
    // The command line names the first broken link and fails.
    let (ok, text) = audit_verify(&db);
    assert!(!ok, "{text}");
    assert!(text.contains(&format!("BROKEN at entry #{}", removed.min(3) + 1)), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn an_intact_chain_head_leaves_the_box_as_an_event_and_verify_agrees() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let app =
        crate::helpers::spawn_app_with(crate::helpers::test_config(&db), tempfile::tempdir().expect("spare")).await;
    app.place(&app.demo().await.espresso("Ana")).await;
    let check = crema_server::service::shop::audit::publish_check(&app.state).await.expect("published");
    let crema_server::store::audit::ChainCheck::Intact { head: Some((id, hash)), .. } = check else {
        panic!("{check:?}")
    };
    let head = app.events().await.into_iter().find(|e| e.event_type == "audit.chain_head").expect("event");
    assert_eq!(head.data["head_id"], id);
    assert_eq!(head.data["head_hash"], hash);
    app.stop().await;
    let (ok, text) = audit_verify(&db);
    assert!(ok, "{text}");
    assert!(text.contains(&format!("head #{id} {hash}")), "{text}");
}

#[tokio::test]
async fn rows_written_before_the_chain_are_linked_once_at_start() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let app =
        crate::helpers::spawn_app_with(crate::helpers::test_config(&db), tempfile::tempdir().expect("spare")).await;
    app.place(&app.demo().await.espresso("Ana")).await;
    app.stop().await;
    let mut conn = raw_at(&db).await;
    // As an older Crema left them: no links.
    sqlx::query("DROP TRIGGER audit_log_no_update").execute(&mut conn).await.expect("dropped");
    sqlx::query("UPDATE audit_log SET prev_hash = NULL, hash = NULL").execute(&mut conn).await.expect("unlinked");
    sqlx::query(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN OLD.hash IS NOT NULL \
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    )
    .execute(&mut conn)
    .await
    .expect("trigger");
    drop(conn);
    let app =
        crate::helpers::spawn_app_with(crate::helpers::test_config(&db), tempfile::tempdir().expect("spare")).await;
    let check = crema_server::service::shop::audit::verify(&app.state).await.expect("checked");
    assert!(matches!(check, crema_server::store::audit::ChainCheck::Intact { .. }), "{check:?}");
    // Once linked, a row cannot be changed through Crema's schema.
    let mut conn = raw_at(&db).await;
    let refused = sqlx::query("UPDATE audit_log SET hash = 'x' WHERE id = 1").execute(&mut conn).await;
    assert!(refused.is_err());
    app.stop().await;
}
