//! Cold start of the desktop app to its first window, for docs/performance.md.
//!
//! Each run starts `crema-desktop` (release) as a new process under Xvfb and times:
//! - **first window**: until X shows a visible window titled "Crema — Till" (the splash page
//!   is up; the screen follows as soon as the server answers);
//! - **server up**: until the embedded server has written `running.json` (database open,
//!   migrated, listening), after which the window loads the till.
//!
//! The first run creates and seeds the database; the rest reopen it, as a terminal does
//! every morning. Each run ends with SIGTERM and checks the exit status.
//!
//! `cargo bench -p crema-desktop --bench startup -- --runs 9`

use crema_e2e::display;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize =
        args.iter().position(|a| a == "--runs").and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(9);
    let display = display::Display::start();
    let data = tempfile::tempdir()?;
    let (mut windows, mut servers) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_crema-desktop"))
            .args(["--screen", "pos", "--windowed", "--data-dir"])
            .arg(data.path())
            .env("DISPLAY", &display.name)
            .env("CREMA_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let (mut window, mut server) = (None, None);
        while window.is_none() || server.is_none() {
            if started.elapsed() > Duration::from_secs(60) {
                return Err("the app did not start within a minute".into());
            }
            if window.is_none() && display.windows().iter().any(|w| w == "Crema — Till") {
                window = Some(started.elapsed().as_secs_f64() * 1000.0);
            }
            if server.is_none() && data.path().join("running.json").exists() {
                server = Some(started.elapsed().as_secs_f64() * 1000.0);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let (window, server) = (window.unwrap_or_default(), server.unwrap_or_default());
        eprintln!("run {run}: first window {window:.0} ms, server up {server:.0} ms");
        windows.push(window);
        servers.push(server);
        Command::new("kill").args(["-TERM", &child.id().to_string()]).status()?;
        let status = child.wait()?;
        if !status.success() {
            return Err(format!("run {run}: exit status {status}").into());
        }
    }
    eprintln!(
        "cold start over {runs} runs: first window median {:.0} ms (first run, new database: {:.0} ms); server up median {:.0} ms",
        median(windows.clone()),
        windows[0],
        median(servers)
    );
    Ok(())
}
