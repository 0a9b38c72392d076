//! Headless Debian Chromium through chromedriver (WebDriver), with the waits a live UI
//! needs: every action retries until the element is there and takes the action (the
//! screens re-render as events arrive, so an element found a moment ago may be gone).

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(40);

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// A chromedriver on a free port, stopped on drop.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub async fn start() -> Driver {
        let port = free_port();
        let child = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (scripts/test installs chromium-driver)");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(r) = reqwest::get(format!("{url}/status")).await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not come up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Driver { child, url }
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// A DevTools command, carried by chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}

/// One browser (its own profile, so its own session cookie): one person at the counter.
pub struct Browser {
    pub client: Client,
    base: String,
}

impl Browser {
    pub async fn open(driver: &Driver, base: &str) -> Browser {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,800", "--autoplay-policy=no-user-gesture-required",
                ]
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("a browser session");
        Browser { client, base: base.to_string() }
    }

    /// A browser some other WebDriver server made (the desktop app's webview, say).
    pub fn with_client(client: Client, base: &str) -> Browser {
        Browser { client, base: base.to_string() }
    }

    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.expect("navigates");
    }

    /// Opens `path` and signs in on the PIN pad (by tapping its keys).
    pub async fn sign_in_at(&self, path: &str, pin: &str) {
        self.goto(path).await;
        self.wait_for(".pinpad").await;
        for digit in pin.chars() {
            self.click(&format!(".pinpad [data-key='{digit}']")).await;
        }
        self.click(".pinpad [data-key='enter']").await;
        self.wait_for("[data-test='who']").await;
    }

    /// Sends a Chrome DevTools Protocol command (chromedriver's `goog/cdp/execute`) and
    /// returns its result: the renderer's own figures (`Performance.getMetrics`), say.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> serde_json::Value {
        let answer = self
            .client
            .issue_cmd(Cdp { cmd: cmd.to_string(), params })
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"));
        answer.get("value").cloned().unwrap_or(answer)
    }

    pub async fn find(&self, locator: Locator<'_>) -> Option<fantoccini::elements::Element> {
        self.client.find(locator).await.ok()
    }

    pub async fn wait_for(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        while self.find(Locator::Css(css)).await.is_none() {
            if Instant::now() >= deadline {
                self.fail(format!("{css} did not appear")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        while self.find(Locator::Css(css)).await.is_some() {
            if Instant::now() >= deadline {
                self.fail(format!("{css} did not go away")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until `css` exists and its text contains `text`.
    pub async fn wait_for_text(&self, css: &str, text: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let mut seen = String::new();
            if let Ok(elements) = self.client.find_all(Locator::Css(css)).await {
                for e in elements {
                    seen.push_str(&e.text().await.unwrap_or_default());
                    seen.push('|');
                }
            }
            if seen.contains(text) {
                return;
            }
            if Instant::now() >= deadline {
                self.fail(format!("{css} never said {text:?} (last: {seen:?})")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Does `act` on the first `css` element until it succeeds; fails the test saying `what`.
    async fn act_on(&self, css: &str, what: String, act: impl AsyncFn(Element) -> bool) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(e) = self.find(Locator::Css(css)).await {
                if act(e).await {
                    return;
                }
            }
            if Instant::now() >= deadline {
                self.fail(what).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.act_on(css, format!("could not click {css}"), async |e| e.click().await.is_ok()).await;
    }

    /// Clicks the first `css` element whose text is `text`.
    pub async fn click_text(&self, css: &str, text: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(elements) = self.client.find_all(Locator::Css(css)).await {
                for e in elements {
                    if e.text().await.unwrap_or_default().trim() == text && e.click().await.is_ok() {
                        return;
                    }
                }
            }
            if Instant::now() >= deadline {
                self.fail(format!("no {css} saying {text:?} to click")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Chooses the option labelled `label` in the `css` select.
    pub async fn select(&self, css: &str, label: &str) {
        self.act_on(css, format!("could not choose {label:?} in {css}"), async |e| {
            e.select_by_label(label).await.is_ok()
        })
        .await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.act_on(css, format!("could not type into {css}"), async |e| e.send_keys(text).await.is_ok()).await;
    }

    /// Types on the page itself (what a keyboard does with no input focused).
    pub async fn keys(&self, text: &str) {
        self.act_on("body", format!("could not type {text:?}"), async |body| body.send_keys(text).await.is_ok()).await;
    }

    pub async fn clear_and_type(&self, css: &str, text: &str) {
        self.act_on(css, format!("could not type into {css}"), async |e| {
            e.clear().await.is_ok() && e.send_keys(text).await.is_ok()
        })
        .await;
    }

    /// The element's text once it has some.
    pub async fn text(&self, css: &str) -> String {
        self.text_within(css, WAIT).await
    }

    pub async fn text_within(&self, css: &str, wait: Duration) -> String {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(e) = self.find(Locator::Css(css)).await {
                // Not yet laid out reads as empty in some engines (WebKit): wait for the text.
                let shown = e.text().await.map(|t| t.trim().to_string()).unwrap_or_default();
                let text = if shown.is_empty() {
                    e.prop("textContent").await.ok().flatten().map(|t| t.trim().to_string()).unwrap_or_default()
                } else {
                    shown
                };
                if !text.is_empty() {
                    return text;
                }
            }
            if Instant::now() >= deadline {
                self.fail(format!("{css} did not appear")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The attribute `name` of the element at `css`, as written in the page.
    pub async fn attribute(&self, css: &str, name: &str) -> String {
        self.wait_for(css).await;
        let e = self.find(Locator::Css(css)).await.unwrap_or_else(|| panic!("{css} is there"));
        e.attr(name).await.ok().flatten().unwrap_or_else(|| panic!("{css} has no {name}"))
    }

    pub async fn value(&self, css: &str) -> String {
        let e = self.find(Locator::Css(css)).await.unwrap_or_else(|| panic!("{css} is there"));
        e.prop("value").await.ok().flatten().unwrap_or_default()
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    /// Saves a PNG under `target/screenshots/`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("screenshot written");
    }

    /// Saves what the page looked like, then fails the test with `what`.
    async fn fail(&self, what: String) -> ! {
        let name: String = what.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(60).collect();
        self.screenshot(&format!("failed-{name}")).await;
        panic!("{what}\n{}", self.what_shows().await);
    }

    /// What the page shows, for a failure's message: its visible text (errors included) and
    /// what each field holds — a screenshot does not reach a CI log, and the markup's first
    /// few thousand characters are mostly menus.
    async fn what_shows(&self) -> String {
        let script = "const fields = [...document.querySelectorAll('input, select, textarea')]
              .filter(f => f.value && f.type !== 'password')
              .map(f => (f.name || f.className || f.tagName.toLowerCase()) + '=' + JSON.stringify(f.value));
            return document.body.innerText + '\\n-- fields: ' + fields.join(', ');";
        match self.client.execute(script, Vec::new()).await {
            Ok(Value::String(text)) => format!("page shows:\n{}", text.chars().take(6000).collect::<String>()),
            _ => {
                let body = self.client.source().await.unwrap_or_default();
                format!("page: {}", body.chars().take(6000).collect::<String>())
            }
        }
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

pub fn screenshots_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots")
}
