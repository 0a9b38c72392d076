//! A private X display (Xvfb) for the app's windows, and what runs on it: tauri-driver
//! (WebDriver for the app's webview, through Debian's WebKitWebDriver), screenshots of the
//! whole screen, and the windows that are showing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Display {
    child: Child,
    pub name: String,
}

impl Display {
    /// Starts Xvfb on a display number it picks itself (`-displayfd`: race-free when tests
    /// run in parallel), and waits until it is ready.
    pub fn start() -> Display {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts (scripts/test installs xvfb)");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).expect("Xvfb says its display");
        let n: u32 = line.trim().parse().expect("a display number");
        let display = Display { child, name: format!(":{n}") };
        display.wait_until_it_answers();
        display
    }

    /// Waits until a client can open the display (on a loaded 2-core machine GTK sometimes
    /// failed to open one Xvfb had just announced).
    fn wait_until_it_answers(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let answered = Command::new("xdotool")
                .arg("getdisplaygeometry")
                .env("DISPLAY", &self.name)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if answered {
                return;
            }
            assert!(Instant::now() < deadline, "Xvfb on {} never took a client", self.name);
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The whole screen as a PNG, under `target/screenshots/`.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        let status = Command::new("import")
            .args(["-display", &self.name, "-window", "root"])
            .arg(&path)
            .status()
            .expect("import (imagemagick) runs");
        assert!(status.success(), "screenshot of {}", self.name);
        path
    }

    /// Names of the visible top-level windows.
    pub fn windows(&self) -> Vec<String> {
        let output = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", "Crema", "getwindowname", "%@"])
            .env("DISPLAY", &self.name)
            .output();
        output.map(|o| String::from_utf8_lossy(&o.stdout).lines().map(str::to_string).collect()).unwrap_or_default()
    }
}

impl Display {
    /// Asks the window titled `title` to close, as a window manager's close button does
    /// (a `WM_DELETE_WINDOW` client message): the app sees an ordinary close request.
    pub fn close_window(&self, title: &str) {
        use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt, EventMask};
        let output = Command::new("xdotool")
            .args(["search", "--name", &format!("^{title}$")])
            .env("DISPLAY", &self.name)
            .output()
            .expect("xdotool runs");
        let ids: Vec<u32> =
            String::from_utf8_lossy(&output.stdout).lines().filter_map(|l| l.trim().parse().ok()).collect();
        assert!(!ids.is_empty(), "no window {title:?} to close");
        let (conn, _) = x11rb::connect(Some(&self.name)).expect("X connection");
        let atom = |name: &[u8]| conn.intern_atom(false, name).expect("atom").reply().expect("atom reply").atom;
        let (protocols, delete) = (atom(b"WM_PROTOCOLS"), atom(b"WM_DELETE_WINDOW"));
        // Each request is checked (a round trip) before the connection is dropped: a request
        // still unread when its client disconnects may be discarded by the X server, which
        // on a loaded machine lost the close request now and then.
        for id in ids {
            let event = ClientMessageEvent::new(32, id, protocols, [delete, 0, 0, 0, 0]);
            conn.send_event(false, id, EventMask::NO_EVENT, event)
                .expect("sent")
                .check()
                .expect("the X server took the close request");
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tauri-driver on a free port, for `display`.
pub struct TauriDriver {
    child: Child,
    pub url: String,
}

impl TauriDriver {
    pub async fn start(display: &Display) -> TauriDriver {
        let (port, native) = (crate::browser::free_port(), crate::browser::free_port());
        // The app's own log goes where tauri-driver's does: target/desktop-driver-<port>.log.
        let log_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../target/desktop-driver-{port}.log"));
        let log = std::fs::File::create(&log_path).expect("driver log");
        let child = Command::new(tauri_driver())
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("DISPLAY", &display.name)
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("tauri-driver starts (scripts/test installs it with cargo, and webkit2gtk-driver)");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(r) = reqwest::get(format!("{url}/status")).await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "tauri-driver did not come up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        TauriDriver { child, url }
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tauri_driver() -> String {
    std::env::var("TAURI_DRIVER").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        let installed = format!("{home}/.cargo/bin/tauri-driver");
        if Path::new(&installed).exists() {
            installed
        } else {
            "tauri-driver".into()
        }
    })
}
