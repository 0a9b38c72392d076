//! The real `crema-server` binary (release, as `cargo bench` builds it) on 127.0.0.1 and a
//! free port, on a fresh SQLite file or a fresh PostgreSQL database, with the configuration a
//! shop runs (default logging, drained from its standard output as a service manager would),
//! and the CPU time it has used so far.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

type Failure = Box<dyn std::error::Error>;

pub struct Serving {
    child: Child,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server on `database` (a PostgreSQL URL) or, with `None`, a new SQLite file.
pub fn start(database: Option<&str>) -> Result<Serving, Failure> {
    let dir = tempfile::tempdir()?;
    // `CREMA_BENCH_SERVER` runs another build (an older commit's, for before/after figures).
    let binary = std::env::var_os("CREMA_BENCH_SERVER").unwrap_or_else(|| env!("CARGO_BIN_EXE_crema-server").into());
    let mut command = Command::new(binary);
    command.args(["--bind", "127.0.0.1:0", "--database-url"]);
    match database {
        Some(url) => command.arg(url).env("CREMA_KEY_FILE", dir.path().join("crema.key")),
        None => command.arg(dir.path().join("bench.db")),
    };
    command
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .env_remove("CREMA_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let child = command.spawn()?;
    let mut serving = Serving { child, base: String::new(), _dir: dir };
    let addr = crate::support::listening_address(&mut serving.child, Duration::from_secs(60))?;
    serving.base = format!("http://{addr}");
    Ok(serving)
}

impl Serving {
    /// User + system CPU the server process has used, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64, Failure> {
        cpu_seconds(self.child.id())
    }
}

/// User + system CPU of process `pid` so far (all its threads), in seconds.
pub fn cpu_seconds(pid: u32) -> Result<f64, Failure> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    let rest = stat.rsplit_once(')').map(|(_, rest)| rest).ok_or("odd /proc stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<f64>().ok()).ok_or("odd /proc stat field");
    Ok((ticks(14)? + ticks(15)?) / clock_ticks())
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}
