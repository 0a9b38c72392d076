//! `crema-server audit export`: the audit log leaves the box whole, with its chain.

use crema_e2e::binary;
use crema_e2e::http::{client_with, menu_item, sign_in, FetchJson, CASHIER_PIN};
use serde_json::{json, Value};

#[tokio::test]
async fn the_audit_log_is_exported_with_its_chain() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("crema.db");
    let server = binary::start(&db);
    let cashier = client_with(&sign_in(&server.base, CASHIER_PIN).await);
    let menu: Value = cashier.get(format!("{}/api/v1/menu", server.base)).fetch_json().await;
    let espresso = menu_item(&menu, "Espresso").expect("an espresso");
    let order = json!({"customer_name": "Ana", "lines": [{"item_id": espresso["id"], "quantity": 1}],
                       "payment": {"method": "cash", "tendered_cents": 1000}});
    let placed = cashier.post(format!("{}/api/v1/orders", server.base)).json(&order).send().await.expect("sent");
    assert_eq!(placed.status(), 201);
    server.kill();
    let out = dir.path().join("audit.jsonl");
    let status = std::process::Command::new(binary::path("crema-server"))
        .args(["audit", "export", "--out"])
        .arg(&out)
        .env("CREMA_DATABASE_URL", &db)
        .env("CREMA_LOG", "warn")
        .status()
        .expect("runs");
    assert!(status.success());
    let text = std::fs::read_to_string(&out).expect("export");
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert!(lines.len() >= 2, "a sign-in and a sale at least: {text}");
    for pair in lines.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"], "each row links to the one before");
        assert!(pair[1]["id"].as_i64() > pair[0]["id"].as_i64(), "oldest first");
    }
    let sale = lines.iter().find(|l| l["action"] == "order.placed").expect("the sale is exported");
    assert_eq!(sale["detail"]["tender"], "cash");
}
