//! The hub's side of sync, at the router: only paired terminals push and pull; each command
//! is applied once by its id; a sale is checked and recorded as the fact it is; a move
//! another terminal made impossible is rejected with the hub's copy; the log is served after
//! a cursor and held open until something happens; staff verifiers are sealed per terminal.

use crate::helpers::{pair_terminal, spawn_app, FetchJson, TestApp};
use chrono::Utc;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

const HEADER: &str = "x-crema-terminal";

struct Till {
    credential: String,
    label: String,
}

async fn till(app: &TestApp, name: &str) -> Till {
    let credential = pair_terminal(app, name).await;
    let current: Value =
        reqwest::Client::new().get(app.url("/api/v1/terminals/current")).header(HEADER, &credential).fetch_json().await;
    Till { credential, label: current["label"].as_str().expect("label").to_string() }
}

/// A cash sale of one `item` at `price`, as terminal `label` would push it.
fn sale(label: &str, number: i64, item: Uuid, price: i64) -> Value {
    let now = Utc::now();
    json!({
        "id": Uuid::now_v7(), "ticket_number": number, "ticket": format!("{label}-{number}"), "ticket_prefix": label,
        "business_date": now.format("%Y-%m-%d").to_string(), "customer_name": "Ana Lima", "customer_email": null,
        "status": "placed", "payment_status": "captured", "currency": "USD",
        "lines": [{ "id": Uuid::now_v7(), "item_id": item, "name": "Croissant", "quantity": 1, "unit_price_cents": price,
            "options": [], "note": null, "status": "queued", "line_total_cents": price }],
        "subtotal_cents": price, "discount_cents": 0, "tax_cents": 0, "tip_cents": 0, "total_cents": price,
        "payment_method": "cash", "payment_reference": null, "refunded_cents": 0,
        "tendered_cents": 2000, "change_due_cents": 2000 - price, "version": 1,
        "created_at": now, "updated_at": now, "placed_by": null
    })
}

fn place(order: &Value) -> Value {
    json!({ "id": Uuid::now_v7(), "at": Utc::now(), "staff_id": null, "command": { "kind": "place", "order": order } })
}

fn moved(order_id: &Value, actions: Value) -> Value {
    json!({ "id": Uuid::now_v7(), "at": Utc::now(), "staff_id": null,
        "command": { "kind": "move", "order_id": order_id, "actions": actions } })
}

async fn push(app: &TestApp, credential: &str, commands: &[Value]) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/v1/sync/commands"))
        .header(HEADER, credential)
        .json(&json!({ "commands": commands }))
        .send()
        .await
        .expect("sent")
}

async fn outcomes(app: &TestApp, credential: &str, commands: &[Value]) -> Vec<Value> {
    let response = push(app, credential, commands).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    body["outcomes"].as_array().expect("outcomes").clone()
}

#[tokio::test]
async fn only_a_paired_terminal_syncs_and_a_revoked_one_stops() {
    let app = spawn_app().await;
    let a = till(&app, "Till A").await;
    assert_eq!(push(&app, "", &[]).await.status(), 401);
    // A person's session is not a terminal.
    let response = app.client.post(app.url("/api/v1/sync/commands")).json(&json!({ "commands": [] })).send().await;
    assert_eq!(response.expect("sent").status(), 401);
    assert_eq!(push(&app, &a.credential, &[]).await.status(), 200);
    let id = a.credential.split('.').next().expect("id");
    assert_eq!(
        app.client.delete(app.url(&format!("/api/v1/terminals/{id}"))).send().await.expect("revoke").status(),
        200
    );
    assert_eq!(push(&app, &a.credential, &[]).await.status(), 401);
    let pull = reqwest::Client::new().get(app.url("/api/v1/sync/events?after=0")).header(HEADER, &a.credential);
    assert_eq!(pull.send().await.expect("sent").status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn a_sale_is_applied_once_however_often_it_is_pushed() {
    let app = spawn_app().await;
    let a = till(&app, "Till A").await;
    let demo = app.demo().await;
    let croissant = demo.item("Croissant");
    let order = sale(&a.label, 1, croissant, 325);
    let command = place(&order);
    let first = outcomes(&app, &a.credential, std::slice::from_ref(&command)).await;
    assert_eq!(first[0]["outcome"]["result"], "accepted", "{first:?}");
    // The reply was lost; the terminal sends it again, twice.
    let again = outcomes(&app, &a.credential, &[command.clone(), command]).await;
    assert_eq!(again[0], first[0]);
    assert_eq!(again[1], first[0]);
    let orders: Value = app.get("/api/v1/orders").await.json().await.expect("json");
    assert_eq!(orders["orders"].as_array().expect("orders").len(), 1);
    assert_eq!(orders["orders"][0]["ticket"], format!("{}-1", a.label));
    let placed = app.events().await.into_iter().filter(|e| e.event_type == "order.placed").count();
    assert_eq!(placed, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_sale_that_does_not_add_up_or_borrows_a_label_is_rejected_by_field() {
    let app = spawn_app().await;
    let (a, b) = (till(&app, "Till A").await, till(&app, "Till B").await);
    let croissant = app.demo().await.item("Croissant");
    let mut wrong = sale(&a.label, 1, croissant, 325);
    wrong["total_cents"] = json!(1);
    let borrowed = sale(&a.label, 2, croissant, 325);
    let answers = outcomes(&app, &b.credential, &[place(&wrong), place(&borrowed)]).await;
    for answer in &answers {
        assert_eq!(answer["outcome"]["result"], "rejected", "{answer}");
        assert_eq!(answer["outcome"]["reason"], "invalid");
    }
    let detail = answers[1]["outcome"]["detail"].as_str().expect("detail");
    assert!(detail.contains("order.ticket_prefix"), "{detail}");
    let orders: Value = app.get("/api/v1/orders").await.json().await.expect("json");
    assert!(orders["orders"].as_array().expect("orders").is_empty());
    // Too many commands at once: the whole push is refused, naming the field.
    let many: Vec<Value> = (0..201).map(|n| place(&sale(&b.label, n + 1, croissant, 325))).collect();
    let response = push(&app, &b.credential, &many).await;
    assert_eq!(response.status(), 422);
    assert_eq!(response.json::<Value>().await.expect("json")["errors"][0]["field"], "commands");
    app.stop().await;
}

#[tokio::test]
async fn the_first_move_to_reach_the_hub_wins_and_the_other_gets_the_hubs_copy() {
    let app = spawn_app().await;
    let (a, b) = (till(&app, "Till A").await, till(&app, "Till B").await);
    let croissant = app.demo().await.item("Croissant");
    let order = sale(&a.label, 1, croissant, 325);
    let id = order["id"].clone();
    assert_eq!(outcomes(&app, &a.credential, &[place(&order)]).await[0]["outcome"]["result"], "accepted");
    // Till B completed it (offline) after the kitchen finished; Till A cancelled it meanwhile.
    let line = order["lines"][0]["id"].clone();
    let actions = json!([{ "action": "accept" }, { "action": "start_line", "line_id": line },
        { "action": "finish_line", "line_id": line }, { "action": "complete" }]);
    assert_eq!(outcomes(&app, &b.credential, &[moved(&id, actions)]).await[0]["outcome"]["result"], "accepted");
    let cancel = moved(&id, json!([{ "action": "cancel", "reason": "customer left" }]));
    let answer = &outcomes(&app, &a.credential, &[cancel]).await[0]["outcome"];
    assert_eq!(answer["result"], "rejected", "{answer}");
    assert_eq!(answer["reason"], "conflict");
    assert_eq!(answer["order"]["status"], "completed");
    let detail = answer["detail"].as_str().expect("detail");
    assert!(detail.starts_with(&format!("Order {}-1:", a.label)) && detail.contains("completed"), "{detail}");
    let now: Value = app.get(&format!("/api/v1/orders/{}", id.as_str().expect("id"))).await.json().await.expect("json");
    assert_eq!(now["status"], "completed");
    // A rejected move changes nothing, not even its first steps: accepting is fine, but this
    // order cannot be completed before it is ready.
    let other = sale(&a.label, 2, croissant, 325);
    assert_eq!(outcomes(&app, &a.credential, &[place(&other)]).await[0]["outcome"]["result"], "accepted");
    let partly = moved(&other["id"], json!([{ "action": "accept" }, { "action": "complete" }]));
    assert_eq!(outcomes(&app, &b.credential, &[partly]).await[0]["outcome"]["result"], "rejected");
    let path = format!("/api/v1/orders/{}", other["id"].as_str().expect("id"));
    let untouched: Value = app.get(&path).await.json().await.expect("json");
    assert_eq!((untouched["status"].as_str(), untouched["version"].as_i64()), (Some("placed"), Some(1)));
    app.stop().await;
}

#[tokio::test]
async fn a_line_voided_on_a_terminal_is_priced_again_by_the_hub() {
    let app = spawn_app().await;
    let a = till(&app, "Till A").await;
    let croissant = app.demo().await.item("Croissant");
    // An unpaid sale of two croissants on two lines (a tab taken offline).
    let mut tab = sale(&a.label, 1, croissant, 325);
    let mut second = tab["lines"][0].clone();
    second["id"] = json!(Uuid::now_v7());
    tab["lines"].as_array_mut().expect("lines").push(second);
    for (field, value) in [("subtotal_cents", 650), ("total_cents", 650)] {
        tab[field] = json!(value);
    }
    tab["payment_status"] = json!("unpaid");
    for field in ["payment_method", "tendered_cents", "change_due_cents"] {
        tab[field] = Value::Null;
    }
    assert_eq!(outcomes(&app, &a.credential, &[place(&tab)]).await[0]["outcome"]["result"], "accepted");
    let line = tab["lines"][1]["id"].clone();
    let void = moved(&tab["id"], json!([{ "action": "void_line", "line_id": line, "reason": "wrong key" }]));
    let answer = &outcomes(&app, &a.credential, &[void]).await[0]["outcome"];
    assert_eq!(answer["result"], "accepted", "{answer}");
    let path = format!("/api/v1/orders/{}", tab["id"].as_str().expect("id"));
    let now: Value = app.get(&path).await.json().await.expect("json");
    assert_eq!(now["lines"][1]["status"], "voided");
    assert_eq!(now["subtotal_cents"], 325, "priced again by the hub: {now}");
    assert!(now["total_cents"].as_i64().is_some_and(|t| t < 650 + 100), "{now}");
    // The same void again (another terminal's copy): rejected, the hub's copy sent back.
    let again = moved(&tab["id"], json!([{ "action": "void_line", "line_id": line, "reason": "again" }]));
    let answer = &outcomes(&app, &a.credential, &[again]).await[0]["outcome"];
    assert_eq!(answer["result"], "rejected", "{answer}");
    assert_eq!(answer["order"]["lines"][1]["status"], "voided");
    app.stop().await;
}

#[tokio::test]
async fn an_offline_sale_past_the_stock_count_stands_and_raises_a_conflict() {
    let app = spawn_app().await;
    let a = till(&app, "Till A").await;
    let croissant = app.demo().await.item("Croissant");
    let counted =
        app.client.put(app.url(&format!("/api/v1/menu/items/{croissant}/stock"))).json(&json!({ "stock": 1 }));
    assert_eq!(counted.send().await.expect("sent").status(), 200);
    let first = sale(&a.label, 1, croissant, 325);
    let second = sale(&a.label, 2, croissant, 325);
    let answers = outcomes(&app, &a.credential, &[place(&first), place(&second)]).await;
    assert!(answers.iter().all(|a| a["outcome"]["result"] == "accepted"), "{answers:?}");
    let item: Value = app.get(&format!("/api/v1/menu/items/{croissant}")).await.json().await.expect("json");
    assert_eq!(item["stock"], 0);
    let conflicts: Vec<_> = app.events().await.into_iter().filter(|e| e.event_type == "stock.conflict").collect();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].data["wanted"], 1);
    assert_eq!(conflicts[0].data["left"], 0);
    app.stop().await;
}

#[tokio::test]
async fn the_log_is_served_after_a_cursor_with_copies_and_a_pull_waits_for_news() {
    let app = spawn_app().await;
    let a = till(&app, "Till A").await;
    let client = reqwest::Client::new();
    let pull = |after: i64, wait: u64| {
        client
            .get(app.url(&format!("/api/v1/sync/events?after={after}&wait={wait}")))
            .header(HEADER, a.credential.clone())
            .send()
    };
    let now: Value = pull(0, 0).await.expect("sent").json().await.expect("json");
    let latest = now["latest_sequence"].as_i64().expect("latest");
    // Nothing new: the pull is held until an order is placed on the hub.
    let waiting = tokio::spawn(pull(latest, 10));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "a pull with nothing new returned at once");
    let demo = app.demo().await;
    let placed = app.place(&demo.espresso("Ana Lima")).await;
    let answer: Value = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the pull answered when the order was placed")
        .expect("task")
        .expect("sent")
        .json()
        .await
        .expect("json");
    let event = &answer["events"][0];
    assert_eq!(event["type"], "order.placed");
    assert_eq!(event["order"]["id"], placed.id.to_string());
    // Terminals are the shop's own: the copy carries the whole customer record.
    assert_eq!(event["order"]["customer_name"], "Ana Lima");
    for bad in ["after=-1", "after=0&limit=0", "after=0&wait=26", "after=x"] {
        let response =
            client.get(app.url(&format!("/api/v1/sync/events?{bad}"))).header(HEADER, &a.credential).send().await;
        let status = response.expect("sent").status();
        assert!(status == 422 || status == 400, "{bad}: {status}");
    }
    app.stop().await;
}

#[tokio::test]
async fn staff_verifiers_are_sealed_for_each_terminal_alone() {
    let app = spawn_app().await;
    let (a, b) = (till(&app, "Till A").await, till(&app, "Till B").await);
    let client = reqwest::Client::new();
    let snapshot: Value = client.get(app.url("/api/v1/sync/snapshot")).header(HEADER, &a.credential).fetch_json().await;
    let sealed = snapshot["staff"].as_str().expect("sealed staff");
    assert!(sealed.starts_with("sealed:v1:"));
    assert!(!sealed.contains("argon2"), "PIN hashes travel only sealed");
    assert!(snapshot["items"].as_array().is_some_and(|i| !i.is_empty()));
    let open = |credential: &str, id: &str| {
        let (_, secret) = credential.split_once('.').expect("credential");
        let key = crema_server::service::sync::snapshot_key(&crema_server::service::staff::auth::token_hash(secret));
        crema_server::keys::seal::Sealer::new(&key)
            .open(sealed, &crema_server::service::sync::feed::staff_context(id.parse().expect("uuid")))
    };
    let a_id = a.credential.split('.').next().expect("id");
    let opened = open(&a.credential, a_id).expect("Till A opens its own snapshot");
    let staff: Value = serde_json::from_str(&opened).expect("json");
    assert_eq!(staff["members"].as_array().expect("members").len(), 3);
    assert!(open(&b.credential, a_id).is_err(), "Till B opened Till A's staff");
    app.stop().await;
}
