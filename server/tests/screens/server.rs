//! The real `crema-server` binary on a loopback port, with its own database file.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Shop {
    child: Child,
    pub base: String,
}

/// Starts the server on `port` (or any free one) and waits for it to listen.
pub fn start(db: &Path, port: Option<u16>) -> Shop {
    assert!(
        crema_server::http::ui::built(),
        "the screens are not built into this build: run scripts/build-ui (scripts/test does) and test again"
    );
    let bind = format!("127.0.0.1:{}", port.unwrap_or(0));
    let mut child = Command::new(env!("CARGO_BIN_EXE_crema-server"))
        .args(["--bind", &bind, "--database-url"])
        .arg(db)
        .env("CREMA_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or_default().to_string());
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).expect("server announces its address");
    Shop { child, base: format!("http://{addr}") }
}

impl Shop {
    /// Like a power cut: SIGKILL, no goodbye.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn stop(self) {
        self.kill();
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
