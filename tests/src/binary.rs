//! The real binaries (`crema-server`, `crema-desktop`) as the workspace built them, and the
//! server started on loopback with its own database file, for the suites (and the screens
//! benchmark) that kill it, restart it, or drive it from a browser.
//!
//! The binaries come from the same target directory as the test itself: `scripts/test`
//! builds them (`cargo build --workspace --bins`) before running the tests.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The path of a workspace binary next to the running test (`target/<profile>/<name>`).
pub fn path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let dir = exe.parent().and_then(Path::parent).expect("a target directory");
    let binary = dir.join(name);
    assert!(
        binary.exists(),
        "{} is not built: run `cargo build --workspace --bins` first (scripts/test does)",
        binary.display()
    );
    binary
}

/// A tool `scripts/test` installed outside the workspace (a Python virtual environment's
/// program): the path in `env`, else `~/<under_home>`; fails the test, naming `what`, if absent.
pub fn installed_tool(env: &str, under_home: &str, what: &str) -> PathBuf {
    let path = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(under_home));
    assert!(path.exists(), "{what} is not installed at {}: scripts/test installs it", path.display());
    path
}

pub struct Running {
    pub child: Child,
    pub base: String,
}

/// Starts the binary on a free port and waits for it to say where it listens.
pub fn start(db: &Path) -> Running {
    start_on(db, 0, &[])
}

/// [`start`] with extra environment.
pub fn start_with(db: &Path, env: &[(&str, &str)]) -> Running {
    start_on(db, 0, env)
}

/// [`start_with`] on `port` (0: a free one), to restart a server where clients expect it.
pub fn start_on(db: &Path, port: u16, env: &[(&str, &str)]) -> Running {
    let mut child = Command::new(path("crema-server"))
        .args(["--bind", &format!("127.0.0.1:{port}"), "--database-url"])
        .arg(db)
        .env("CREMA_LOG", "info")
        // The tests' webhook receivers listen on loopback.
        .env("CREMA_EGRESS_ALLOW", "127.0.0.0/8")
        .envs(env.iter().copied())
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
    Running { child, base: format!("http://{addr}") }
}

impl Running {
    /// Like a power cut: SIGKILL, no goodbye.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    /// A test that fails half-way leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// A free port on loopback (nothing listens on it when this returns).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// Runs the pytest suite in `suite` with `python` (a test client's virtual environment) and
/// `env`, and fails the test with pytest's report unless every test passed (and some ran).
pub async fn pytest(python: PathBuf, suite: PathBuf, env: Vec<(&'static str, String)>) {
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf"])
            .arg(&suite)
            .envs(env)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .expect("pytest runs")
    })
    .await
    .expect("joined");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the Python suite found failures:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains(" passed"), "pytest ran nothing:\n{text}");
}
