//! Two `crema-server` instances on one PostgreSQL database. Tills alternate between them for
//! 1,000 orders; the instance that started first (and so relays the webhook sink) is killed
//! with SIGKILL half-way and the tills carry on with the other (resending, with the same
//! idempotency key, whatever was not answered). Afterwards: exactly 1,000 orders, each
//! acknowledged one there, with distinct ticket numbers; a live event stream on the survivor
//! saw every order placed exactly once in sequence order (including those the other instance
//! committed); the survivor took the sink over and it got every event, in sequence order,
//! with at most one rewind (the events the dead relay sent but had not recorded); every 20th
//! order leaves an email and is made ready at once, through either instance, so both job
//! runners compete for the ready-email jobs: each customer gets one email.

use crema_e2e::binary::{start_on, Running};
use crema_e2e::http::{client_with, sign_in, SseReader, MANAGER_PIN};
use crema_e2e::postgres::Postgres;
use crema_e2e::smtp::SmtpServer;
use crema_e2e::webhook::Receiver;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const ORDERS: usize = 1_000;
const TILLS: usize = 8;
/// Every this-many-th order leaves an email and is made ready (a ready-email job each).
const EMAIL_EVERY: usize = 20;

fn instance(url: &str, key_file: &Path, env: &[(&str, &str)]) -> Running {
    let mut all = vec![("CREMA_KEY_FILE", key_file.to_str().expect("path"))];
    all.extend_from_slice(env);
    start_on(Path::new(url), 0, &all)
}

/// Accepts the order and finishes its lines through `bases[target]` (the survivor once the
/// first is gone), doing only the steps the order still needs: a step whose answer was lost
/// with the dead instance may have been made already.
async fn make_ready(
    client: &reqwest::Client,
    bases: &[String; 2],
    first_alive: &std::sync::atomic::AtomicBool,
    mut target: usize,
    order: &Value,
) {
    let id = order["id"].as_str().expect("id");
    loop {
        if target == 1 && !first_alive.load(Ordering::SeqCst) {
            target = 0;
        }
        let base = format!("{}/api/v1/orders/{id}", bases[target]);
        let step = async {
            let now: Value = client.get(&base).send().await?.json().await?;
            if now["status"] == "ready" {
                return Ok::<_, reqwest::Error>(true);
            }
            let path = if now["status"] == "placed" {
                format!("{base}/accept")
            } else {
                let line =
                    now["lines"].as_array().expect("lines").iter().find(|l| l["status"] != "done").expect("a line");
                let verb = if line["status"] == "queued" { "start" } else { "done" };
                format!("{base}/lines/{}/{verb}", line["id"].as_str().expect("line id"))
            };
            let answer = client.post(path).send().await?;
            assert_eq!(answer.status(), 200, "moving order {id}");
            Ok(false)
        };
        match step.await {
            Ok(true) => return,
            Ok(false) => {}
            Err(_) if target == 1 => target = 0,
            Err(e) => panic!("order {id} on the surviving instance: {e}"),
        }
    }
}

#[tokio::test]
async fn two_instances_share_one_database_and_a_kill_9_loses_or_doubles_nothing() {
    let postgres = Postgres::start();
    let url = postgres.create_database("shop");
    let dir = tempfile::tempdir().expect("dir");
    let key_file = dir.path().join("crema.key");
    let hook = Receiver::default();
    let hook_url = hook.clone().start().await;
    let smtp = SmtpServer::start().await;
    let smtp_url = format!("smtp://127.0.0.1:{}", smtp.port);
    let env = [
        ("CREMA_WEBHOOK_URL", hook_url.as_str()),
        ("CREMA_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("CREMA_WEBHOOK_RETRY_BASE_MS", "50"),
        ("CREMA_SMTP_URL", smtp_url.as_str()),
    ];
    // The first migrates, seeds and takes the sink's relay; the second finds it all there.
    let first = instance(&url, &key_file, &env);
    let survivor = instance(&url, &key_file, &env);
    let token = sign_in(&first.base, MANAGER_PIN).await;
    let client = client_with(&token);
    let menu: Value =
        client.get(format!("{}/api/v1/menu", survivor.base)).send().await.expect("menu").json().await.expect("json");
    let espresso = menu["categories"][0]["items"][0]["id"].clone();
    assert_eq!(menu["categories"][0]["items"][0]["name"], "Espresso");

    // The kitchen's stream, on the instance that survives.
    let mut stream = SseReader::connect(&client, &format!("{}/api/v1/events?after=0", survivor.base), None).await;

    let bases = Arc::new([survivor.base.clone(), first.base.clone()]);
    let first_alive = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let placed = Arc::new(AtomicUsize::new(0));
    let mut tills = Vec::new();
    for till in 0..TILLS {
        let (client, bases, first_alive, placed, espresso) =
            (client.clone(), bases.clone(), first_alive.clone(), placed.clone(), espresso.clone());
        tills.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in (till..ORDERS).step_by(TILLS) {
                let mut body = json!({"customer_name": format!("Guest {n}"), "lines": [{"item_id": espresso, "quantity": 1}],
                    "payment": {"method": "cash", "tendered_cents": 500}});
                if n % EMAIL_EVERY == 0 {
                    body["customer_email"] = json!(format!("guest{n}@example.com"));
                }
                let key = format!("order-{n}");
                // Alternate; once the first is gone (or dies mid-request), send the same request
                // to the survivor (`bases[0]`).
                let mut target = n % 2;
                let order: Value = loop {
                    if target == 1 && !first_alive.load(Ordering::SeqCst) {
                        target = 0;
                    }
                    let sent = client
                        .post(format!("{}/api/v1/orders", bases[target]))
                        .header("Idempotency-Key", &key)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(response) if response.status() == 201 => break response.json().await.expect("order"),
                        Ok(response) => panic!("order {n}: {} {:?}", response.status(), response.text().await),
                        Err(_) if target == 1 => target = 0,
                        Err(e) => panic!("order {n} to the surviving instance: {e}"),
                    }
                };
                if n % EMAIL_EVERY == 0 {
                    make_ready(&client, &bases, &first_alive, n % 2, &order).await;
                }
                placed.fetch_add(1, Ordering::SeqCst);
                acknowledged.push((n, order));
            }
            acknowledged
        }));
    }
    // Half-way: SIGKILL the first instance, requests in flight and all.
    while placed.load(Ordering::SeqCst) < ORDERS / 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first_alive.store(false, Ordering::SeqCst);
    first.kill();
    let mut acknowledged = Vec::new();
    for till in tills {
        acknowledged.extend(till.await.expect("till"));
    }
    assert_eq!(acknowledged.len(), ORDERS);

    // Exactly the acknowledged orders, each once.
    let ids: BTreeSet<String> = acknowledged.iter().map(|(_, o)| o["id"].as_str().expect("id").to_string()).collect();
    assert_eq!(ids.len(), ORDERS, "two answers named the same order");
    let mut stored = BTreeSet::new();
    let mut offset = 0;
    loop {
        let page: Value = client
            .get(format!("{}/api/v1/orders?limit=200&offset={offset}", survivor.base))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let orders = page["orders"].as_array().expect("orders").clone();
        for order in &orders {
            assert!(stored.insert(order["id"].as_str().expect("id").to_string()), "an order listed twice");
        }
        match page["next_offset"].as_i64() {
            Some(next) => offset = next,
            None => break,
        }
    }
    assert_eq!(stored, ids, "stored orders are not exactly the acknowledged ones");
    let tickets: HashSet<i64> =
        acknowledged.iter().map(|(_, o)| o["ticket_number"].as_i64().expect("ticket")).collect();
    assert_eq!(tickets.len(), ORDERS, "two orders got the same ticket number");

    let emailed: Vec<&Value> = acknowledged.iter().filter(|(n, _)| n % EMAIL_EVERY == 0).map(|(_, o)| o).collect();

    // The survivor's stream saw every order placed once, in sequence order, the other's too.
    let mut seen = HashSet::new();
    let mut last = 0i64;
    while seen.len() < ORDERS {
        let message = stream.next(Duration::from_secs(30)).await.expect("the stream ended or stalled");
        let sequence: i64 = message.id.as_deref().and_then(|s| s.parse().ok()).expect("sequence");
        assert!(sequence > last, "events out of sequence order");
        last = sequence;
        let event: Value = serde_json::from_str(&message.data).expect("event");
        if event["type"] == "order.placed" {
            assert!(seen.insert(event["subject"].as_str().expect("subject").to_string()), "an order placed twice");
        }
    }
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), ids);

    // The webhook sink got every placed order, the whole log in sequence order.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let delivered = loop {
        let all = hook.all();
        let placed: HashSet<String> = all
            .iter()
            .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
            .filter(|e| e["type"] == "order.placed")
            .filter_map(|e| e["subject"].as_str().map(str::to_string))
            .collect();
        if placed.len() == ORDERS {
            break all;
        }
        assert!(tokio::time::Instant::now() < deadline, "the webhook got {} of {ORDERS} orders", placed.len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let sequences: Vec<i64> = delivered
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .map(|e| e["sequence"].as_str().and_then(|s| s.parse().ok()).expect("sequence"))
        .collect();
    // In order, at least once: the survivor resends what the dead relay delivered but had
    // not recorded (one step back, at the takeover), and nothing else comes twice.
    let rewinds = sequences.windows(2).filter(|pair| pair[1] <= pair[0]).count();
    assert!(rewinds <= 1, "the sink got events out of order {rewinds} times (two relays at once?)");
    let highest = sequences.iter().copied().max().unwrap_or(0);
    let distinct: BTreeSet<i64> = sequences.iter().copied().collect();
    assert_eq!(distinct.len() as i64, highest, "the webhook missed events: {} of {highest}", distinct.len());

    // Two emails per order with an address — its receipt when paid, "ready" when made — each
    // job run once, whichever instance ran it: one message per job id (the Message-ID).
    let expected = 2 * emailed.len();
    // An email job the killed instance had claimed is taken again only when its lease ends (the
    // mail kinds' 60 s timeout plus the margin), so waiting less than that races the kill.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    while smtp.messages().len() < expected {
        assert!(tokio::time::Instant::now() < deadline, "{} of {expected} emails", smtp.messages().len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let messages = smtp.messages();
    let ids: BTreeSet<&str> =
        messages.iter().filter_map(|m| m.lines().find(|l| l.to_ascii_lowercase().starts_with("message-id:"))).collect();
    assert_eq!(ids.len(), messages.len(), "a job's email was sent twice");
    assert_eq!(messages.len(), expected, "an email was sent twice (or one that should not be)");
    survivor.kill();
}

/// A commit on one instance wakes the live streams of another at once (LISTEN/NOTIFY), not
/// only when the listening instance happens to commit something itself.
#[tokio::test]
async fn a_commit_on_one_instance_reaches_the_streams_of_another() {
    let postgres = Postgres::start();
    let url = postgres.create_database("shop");
    let dir = tempfile::tempdir().expect("dir");
    let key_file = dir.path().join("crema.key");
    let kitchen = instance(&url, &key_file, &[]);
    let till = instance(&url, &key_file, &[]);
    let client = client_with(&sign_in(&till.base, MANAGER_PIN).await);
    let menu: Value =
        client.get(format!("{}/api/v1/menu", till.base)).send().await.expect("menu").json().await.expect("json");
    let espresso = menu["categories"][0]["items"][0]["id"].clone();
    let head: Value = client
        .get(format!("{}/api/v1/kitchen", kitchen.base))
        .send()
        .await
        .expect("kitchen")
        .json()
        .await
        .expect("json");
    let after = head["after"].as_i64().expect("after");
    let mut stream = SseReader::connect(&client, &format!("{}/api/v1/events?after={after}", kitchen.base), None).await;
    let body = json!({"customer_name": "Ana", "lines": [{"item_id": espresso, "quantity": 1}]});
    let placed: Value = client
        .post(format!("{}/api/v1/orders", till.base))
        .json(&body)
        .send()
        .await
        .expect("order")
        .json()
        .await
        .expect("json");
    // Well within the stream's own periodic look (every 5 s): only a notice from the other instance wakes it this soon.
    let message = stream.next(Duration::from_secs(2)).await.expect("the kitchen's stream heard nothing");
    let event: Value = serde_json::from_str(&message.data).expect("event");
    assert_eq!(event["type"], "order.placed");
    assert_eq!(event["subject"], placed["id"]);
    kitchen.kill();
    till.kill();
}
