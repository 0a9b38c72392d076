//! Backups taken while the shop is busy: `crema-server backup` runs beside a serving binary
//! with eight tills placing orders, `verify` passes, `restore` puts it in a new folder, and
//! the restored server starts, serves, and holds every order acknowledged before the
//! backup began. A restore over a database a server is running on is refused.

use crema_e2e::binary::{path, start, start_with};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn run(args: &[&str], db: &std::path::Path) -> (bool, String) {
    let output = Command::new(path("crema-server"))
        .arg("--database-url")
        .arg(db)
        .args(args)
        .env("CREMA_LOG", "warn")
        .output()
        .expect("the binary runs");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_every_acknowledged_order() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("shop/crema.db");
    let server = start(&db);
    let client =
        crema_e2e::http::client_with(&crema_e2e::http::sign_in(&server.base, crema_e2e::http::MANAGER_PIN).await);
    let menu: Value =
        client.get(format!("{}/api/v1/menu", server.base)).send().await.expect("menu").json().await.expect("json");
    let espresso = menu["categories"][0]["items"][0]["id"].clone();

    // Eight tills place orders until told to stop; every 201 is recorded as it arrives.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tills = Vec::new();
    for till in 0..8 {
        let (client, base, espresso) = (client.clone(), server.base.clone(), espresso.clone());
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        tills.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let body = json!({"customer_name": format!("Till {till} #{n}"),
                    "lines": [{"item_id": espresso, "quantity": 1}], "payment": {"method": "cash", "tendered_cents": 500}});
                let response = client.post(format!("{base}/api/v1/orders")).json(&body).send().await.expect("sent");
                assert_eq!(response.status(), 201);
                let order: Value = response.json().await.expect("json");
                acknowledged.lock().expect("lock").push(order["id"].as_str().expect("id").to_string());
                n += 1;
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    // Everything acknowledged before the backup begins must be in it.
    let before: Vec<String> = acknowledged.lock().expect("lock").clone();
    assert!(before.len() > 50, "the tills are busy ({} orders)", before.len());
    let backup = dir.path().join("nightly.backup");
    let (db_for_backup, backup_arg) = (db.clone(), backup.to_string_lossy().into_owned());
    let (ok, text) =
        tokio::task::spawn_blocking(move || run(&["backup", "--to", &backup_arg], &db_for_backup)).await.expect("ran");
    assert!(ok, "backup failed: {text}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    for till in tills {
        till.await.expect("till");
    }
    let total = acknowledged.lock().expect("lock").len();
    assert!(total > before.len(), "orders went on during the backup");

    let (ok, text) = run(&["verify", &backup.to_string_lossy()], &db);
    assert!(ok && text.contains("backup OK"), "verify: {text}");

    // Restoring over the live database is refused, and changes nothing.
    let (ok, text) = run(&["restore", "--from", &backup.to_string_lossy()], &db);
    assert!(!ok && text.contains("another Crema server is running"), "restore over a live server: {text}");

    // Into a new folder, as when moving to a new box.
    let restored_db = dir.path().join("new-box/crema.db");
    let (ok, text) = run(&["restore", "--from", &backup.to_string_lossy()], &restored_db);
    assert!(ok, "restore: {text}");
    let restored = start_with(&restored_db, &[]);
    // The key file came along: the same staff PINs sign in.
    let client =
        crema_e2e::http::client_with(&crema_e2e::http::sign_in(&restored.base, crema_e2e::http::MANAGER_PIN).await);
    let mut ids = HashSet::new();
    let mut offset = 0;
    loop {
        let url = format!("{}/api/v1/orders?limit=200&offset={offset}", restored.base);
        let page: Value = client.get(url).send().await.expect("sent").json().await.expect("json");
        let orders = page["orders"].as_array().expect("orders");
        ids.extend(orders.iter().map(|o| o["id"].as_str().expect("id").to_string()));
        match page["next_offset"].as_i64() {
            Some(next) => offset = next,
            None => break,
        }
    }
    let missing: Vec<&String> = before.iter().filter(|id| !ids.contains(*id)).collect();
    assert!(missing.is_empty(), "{} acknowledged orders missing from the backup: {missing:?}", missing.len());
    assert!(ids.len() <= total, "the backup holds no order that was never acknowledged");
    // The restored server serves: a new order.
    let body = json!({"customer_name": "After restore", "lines": [{"item_id": espresso, "quantity": 1}],
        "payment": {"method": "cash", "tendered_cents": 500}});
    let response = client.post(format!("{}/api/v1/orders", restored.base)).json(&body).send().await.expect("sent");
    assert_eq!(response.status(), 201);
    restored.kill();
    server.kill();
}

#[test]
fn verify_refuses_a_damaged_backup() {
    let dir = tempfile::tempdir().expect("dir");
    let not_a_backup = dir.path().join("junk.backup");
    std::fs::write(&not_a_backup, b"this is not a tar archive at all, just text").expect("write");
    let (ok, text) = run(&["verify", &not_a_backup.to_string_lossy()], &dir.path().join("crema.db"));
    assert!(!ok, "a junk file verified: {text}");
    assert!(text.contains("not a Crema backup") || text.contains("damaged"), "{text}");
}
