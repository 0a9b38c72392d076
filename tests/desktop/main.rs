//! The desktop app for real: built, launched under Xvfb with a temporary data directory,
//! driven through WebDriver (tauri-driver + WebKitWebDriver, the engine of the Tauri window
//! on Linux) to sign in and place an order, checked through the API, closed, and its database
//! checked. Screenshots land in `target/screenshots/desktop-*.png`.

#[path = "../screens/flow.rs"]
#[allow(dead_code)]
mod flow;
#[path = "../../server/benches/support/mod.rs"]
mod support;
mod synced;

use crema_e2e::browser::{self, Browser};
use crema_e2e::display;
use crema_shared::api::MenuView;
use display::{Display, TauriDriver};
use fantoccini::ClientBuilder;
use serde_json::{json, Value};
use sqlx::{Connection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The desktop app as the workspace built it.
pub(crate) fn desktop_app() -> std::path::PathBuf {
    crema_e2e::binary::path("crema-desktop")
}

/// One desktop test at a time: each runs an X server, a WebKit window and often a WebDriver;
/// side by side on a 2-core machine, GTK sometimes failed to open its freshly started display.
pub(crate) static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The embedded server's address, once the app has written `running.json`.
pub(crate) async fn running(data: &Path) -> (u32, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(running) = running_now(data) {
            return running;
        }
        assert!(Instant::now() < deadline, "the app never started its server");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What `running.json` says now, if it is there and whole.
fn running_now(data: &Path) -> Option<(u32, String)> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(data.join("running.json")).ok()?).ok()?;
    Some((u32::try_from(v["pid"].as_u64()?).ok()?, v["url"].as_str()?.to_string()))
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && std::fs::read_to_string(format!("/proc/{pid}/stat")).map(|s| !s.contains(") Z ")).unwrap_or(false)
}

pub(crate) async fn wait_gone(pid: u32, data: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while alive(pid) {
        if Instant::now() >= deadline {
            let log = std::fs::read_to_string(data.join("crema-desktop.log")).unwrap_or_default();
            panic!("the app did not exit; its log:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn integrity(db: &Path) -> (String, i64) {
    let url = format!("sqlite://{}", db.display());
    let mut conn = SqliteConnection::connect(&url).await.expect("the database opens");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut conn).await.expect("checked");
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&mut conn).await.expect("counted");
    (check, orders)
}

#[tokio::test]
async fn the_desktop_app_takes_an_order_and_closes_cleanly() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().expect("data dir");
    let display = Display::start();
    let driver = TauriDriver::start(&display).await;
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": desktop_app(), "args": ["--data-dir", data.path(), "--screen", "pos"] }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session on the app's window");
    let (pid, base) = running(data.path()).await;
    let till = Browser::with_client(client, &base);

    // The window shows the till's sign-in; sign in and ring up a croissant, paid cash.
    let ticket = sell_a_croissant(&till, "Dana").await;
    till.screenshot("desktop-webview").await;
    display.screenshot("desktop-window");
    assert!(display.windows().iter().any(|w| w == "Crema — Till"), "{:?}", display.windows());

    // The order is in the app's server, as the API tells.
    let order = flow::only_order(&base).await;
    assert_eq!(order.ticket_number.to_string(), ticket.trim());
    assert_eq!(order.customer_name, "Dana");

    // The window is an enrolled terminal of the app's server, and the cashier signed in as it,
    // so wrong PINs typed in another window (all come from 127.0.0.1) never lock this one out.
    let terminals: Vec<crema_shared::api::TerminalDto> = flow::get(&base, "/api/v1/terminals").await;
    let window = terminals
        .iter()
        .find(|t| t.name == "This computer · Till")
        .unwrap_or_else(|| panic!("no terminal for the till window: {terminals:?}"));
    assert_eq!(window.status, "paired");
    let audit: Value = flow::get(&base, "/api/v1/audit?action=sign_in.succeeded").await;
    let source = format!("terminal {}", window.id);
    assert!(
        audit["entries"].as_array().is_some_and(|e| e.iter().any(|e| e["detail"]["source"] == source.as_str())),
        "the cashier signed in as the window's terminal: {audit}"
    );
    // The log and the key file are the owner's alone.
    for file in ["crema-desktop.log", "crema.db", "crema.db.key"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.path().join(file)).expect(file).permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file}");
    }

    // Closing the window ends the app: the server stops gracefully and the database is whole.
    display.close_window("Crema — Till");
    wait_gone(pid, data.path()).await;
    let _ = till.client.close().await;
    let log = std::fs::read_to_string(data.path().join("crema-desktop.log")).unwrap_or_default();
    assert!(!data.path().join("running.json").exists(), "a clean exit removes running.json; log:\n{log}");
    assert!(log.contains("database closed") && log.contains("crema-desktop exited cleanly"), "{log}");
    let settings: Value =
        serde_json::from_str(&std::fs::read_to_string(data.path().join("settings.json")).expect("settings"))
            .expect("json");
    assert!(settings["windows"]["pos"]["width"].as_f64().is_some(), "the window size is remembered: {settings}");
    let (check, count) = integrity(&data.path().join("crema.db")).await;
    assert_eq!((check.as_str(), count), ("ok", 1));
}

/// Signs the cashier in on the till window and sells `customer` a croissant, paid cash;
/// returns the ticket the till shows.
pub(crate) async fn sell_a_croissant(till: &Browser, customer: &str) -> String {
    till.wait_for(".pinpad").await;
    for digit in "1111".chars() {
        till.click(&format!(".pinpad [data-key='{digit}']")).await;
    }
    till.click(".pinpad [data-key='enter']").await;
    till.wait_for("[data-item='Latte']").await;
    till.click("[data-category='Pastries']").await;
    till.click("[data-item='Croissant']").await;
    till.type_into("input[name='customer_name']", customer).await;
    till.type_into("input[name='tendered']", "10").await;
    till.click("[data-test='pay']").await;
    till.text("[data-test='ticket-number']").await
}

struct Launched {
    child: Child,
    display: String,
    data: PathBuf,
    screen: String,
    relaunched: u32,
}

/// Where a launched app's standard error goes (GTK and WebKit say there why a window failed).
const STDERR: &str = "app-stderr.log";

impl Launched {
    fn start(display: &Display, data: &Path, screen: &str) -> Launched {
        let (display, data, screen) = (display.name.clone(), data.to_path_buf(), screen.to_string());
        let child = Launched::spawn(&display, &data, &screen);
        Launched { child, display, data, screen, relaunched: 0 }
    }

    fn spawn(display: &str, data: &Path, screen: &str) -> Child {
        Command::new(desktop_app())
            .args(["--screen", screen, "--windowed", "--data-dir"])
            .arg(data)
            .env("DISPLAY", display)
            .env("CREMA_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(data.join(STDERR)).map(Stdio::from).unwrap_or_else(|_| Stdio::null()))
            .spawn()
            .expect("the app starts")
    }

    /// On a loaded 2-core machine GTK now and then cannot open an Xvfb display that other
    /// clients already reach: the app then exits at once, saying "Failed to initialize GTK".
    /// That is the test display's fault, not the app's: start it again (three times at most).
    /// Any other exit stays as it is, for the test to find.
    fn relaunch_if_gtk_failed(&mut self) {
        if self.relaunched >= 3 || !matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let said = std::fs::read_to_string(self.data.join(STDERR)).unwrap_or_default();
        if said.contains("Failed to initialize GTK") {
            self.relaunched += 1;
            self.child = Launched::spawn(&self.display, &self.data, &self.screen);
        }
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a launched app in `data` printed on its standard error and wrote to its log, for a
/// failure's message.
fn app_said(data: &Path) -> String {
    let said = std::fs::read_to_string(data.join(STDERR)).unwrap_or_default();
    let log = std::fs::read_to_string(data.join("crema-desktop.log")).unwrap_or_default();
    format!("the app's standard error:\n{said}\nits log:\n{log}")
}

/// Waits for the window `title`; `app`, when this test launched it, is started again should
/// GTK have failed to open the display.
async fn wait_window(display: &Display, data: &Path, mut app: Option<&mut Launched>, title: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !display.windows().iter().any(|w| w == title) {
        if let Some(app) = app.as_deref_mut() {
            app.relaunch_if_gtk_failed();
        }
        if Instant::now() >= deadline {
            panic!("no window {title:?}: {:?}\n{}", display.windows(), app_said(data));
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

#[tokio::test]
async fn one_app_per_data_directory_one_window_per_screen_and_a_crash_loses_nothing_acknowledged() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let data = tempfile::tempdir().expect("data dir");
    let display = Display::start();
    let mut first = Launched::start(&display, data.path(), "pos");
    wait_window(&display, data.path(), Some(&mut first), "Crema — Till").await;
    let (pid, _) = running(data.path()).await;
    assert_eq!(pid, first.child.id());

    // A second start for the kitchen hands over to the first and exits; the first opens it.
    let second = Command::new(desktop_app())
        .args(["--screen", "kds", "--data-dir"])
        .arg(data.path())
        .env("DISPLAY", &display.name)
        .status()
        .expect("second start");
    assert!(second.success());
    wait_window(&display, data.path(), None, "Crema — Kitchen").await;
    let again = Command::new(desktop_app())
        .args(["--screen", "kds", "--data-dir"])
        .arg(data.path())
        .env("DISPLAY", &display.name)
        .status();
    assert!(again.expect("third start").success());
    // The third start returns once the running app has shown the screen, and logs what it did.
    let log = std::fs::read_to_string(data.path().join("crema-desktop.log")).expect("the app's log");
    let handed: Vec<&str> = log.lines().filter(|l| l.contains("already running here")).collect();
    assert_eq!(handed.len(), 2, "two starts handed over: {handed:?}");
    assert!(handed[0].contains("opened") && handed[1].contains("brought forward"), "{handed:?}");
    let kitchens = display.windows().iter().filter(|w| *w == "Crema — Kitchen").count();
    assert_eq!(kitchens, 1, "one window per screen");
    display.screenshot("desktop-two-screens");

    // SIGTERM closes it like the window's close button: exit status 0, database closed.
    Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
    let status = first.child.wait().expect("exits");
    assert!(status.success(), "clean exit: {status:?}");
    assert!(!data.path().join("running.json").exists());

    // A crash (kill -9) while a till is placing orders: every acknowledged order is there.
    let mut crashed = Launched::start(&display, data.path(), "pos");
    let (pid2, base2) = running_fresh(&mut crashed, pid).await;
    let client = flow::manager(&base2).await;
    let menu: MenuView = flow::get(&base2, "/api/v1/menu").await;
    let croissant = menu.categories.iter().flat_map(|c| &c.items).find(|i| i.name == "Croissant").expect("croissant");
    let mut acknowledged = 0;
    for i in 0..20 {
        let body =
            json!({ "customer_name": format!("Guest {i}"), "lines": [{ "item_id": croissant.id, "quantity": 1 }] });
        let r = client.post(format!("{base2}/api/v1/orders")).json(&body).send().await.expect("sent");
        assert_eq!(r.status(), 201);
        acknowledged += 1;
    }
    crashed.child.kill().expect("kill -9");
    let _ = crashed.child.wait();
    let (check, count) = integrity(&data.path().join("crema.db")).await;
    assert_eq!(check, "ok");
    assert_eq!(count, acknowledged);

    // And it starts again on the same data after the crash (stale socket, stale running.json).
    let mut restarted = Launched::start(&display, data.path(), "pos");
    let (_, base3) = running_fresh(&mut restarted, pid2).await;
    let health = reqwest::get(format!("{base3}/readyz")).await.expect("ready");
    assert_eq!(health.status(), 200);
}

/// `running.json` written by a new process (not the one a crash left behind). Told apart by
/// its process (a new server could be given the port the old one had).
async fn running_fresh(app: &mut Launched, stale_pid: u32) -> (u32, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        app.relaunch_if_gtk_failed();
        let now = running_now(&app.data);
        if let Some((pid, url)) = now.clone().filter(|(pid, _)| *pid != stale_pid && alive(*pid)) {
            return (pid, url);
        }
        if Instant::now() >= deadline {
            panic!("the app never restarted its server (running.json: {now:?})\n{}", app_said(&app.data));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn pointed_at_the_shops_server_it_runs_no_server_of_its_own_and_remembers_that() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // The app starts before the shop's server is up: it waits on its splash page.
    let port = browser::free_port();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let data = tempfile::tempdir().expect("data dir");
    let display = Display::start();
    let mut app = Command::new(desktop_app())
        .args(["--screen", "board", "--windowed", "--server-url", &format!("http://{addr}/"), "--data-dir"])
        .arg(data.path())
        .env("DISPLAY", &display.name)
        .stdout(Stdio::null())
        .spawn()
        .expect("the app starts");
    wait_window(&display, data.path(), None, "Crema — Pickup board").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    display.screenshot("desktop-remote-waiting");

    // The shop's server comes up (in this process).
    let shop_dir = tempfile::tempdir().expect("shop dir");
    let mut config = crema_server::Config::for_database(shop_dir.path().join("shop.db"));
    config.bind = addr;
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shop = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let server = crema_server::Server::bind(&config).await.expect("shop server");
            let _ = tx.send(server.state().metrics.clone());
            server
                .run(async move {
                    let _ = stopped.await;
                })
                .await
        })
    });
    let metrics = rx.recv_timeout(Duration::from_secs(30)).expect("shop server up");
    let answered = move || metrics.answers();
    let deadline = Instant::now() + Duration::from_secs(20);
    while answered() < 3 {
        assert!(Instant::now() < deadline, "the window never loaded the board from the shop's server");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    display.screenshot("desktop-remote-board");
    assert!(!data.path().join("crema.db").exists(), "no database of its own");
    assert!(!data.path().join("running.json").exists(), "no server of its own");
    let settings: Value =
        serde_json::from_str(&std::fs::read_to_string(data.path().join("settings.json")).expect("settings"))
            .expect("json");
    assert_eq!(settings["server"], json!({ "mode": "remote", "url": format!("http://{addr}") }));
    Command::new("kill").args(["-TERM", &app.id().to_string()]).status().expect("kill runs");
    assert!(app.wait().expect("exits").success());

    // `--local` switches back to a server of its own, and that is remembered too.
    let mut local = Command::new(desktop_app())
        .args(["--local", "--windowed", "--screen", "board", "--data-dir"])
        .arg(data.path())
        .env("DISPLAY", &display.name)
        .stdout(Stdio::null())
        .spawn()
        .expect("the app starts");
    let (pid, _) = running(data.path()).await;
    assert_eq!(pid, local.id());
    Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
    assert!(local.wait().expect("exits").success());
    let settings: Value =
        serde_json::from_str(&std::fs::read_to_string(data.path().join("settings.json")).expect("settings"))
            .expect("json");
    assert_eq!(settings["server"], json!({ "mode": "embedded" }));
    let _ = stop.send(());
    let _ = shop.join();
}
