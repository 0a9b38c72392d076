//! `crema-desktop`: the shop's terminal. A Tauri window per screen over the same screens a
//! browser gets, with the Crema server running in this process (or the shop's server, by
//! URL). See docs/desktop.md.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod embedded;
mod instance;
mod pairing;
mod remote;
mod screen;
mod settings;
mod windows;

use clap::Parser;
use embedded::Embedded;
use screen::Screen;
use settings::{parse_server_url, DesktopSettings, ServerMode};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;
use tauri::{Manager, RunEvent};

/// Crema's terminal app: the till, kitchen display, pickup board or manager screen.
#[derive(Debug, Parser)]
#[command(name = "crema-desktop", version)]
struct Args {
    /// The screen to open (another start with a different screen opens it in this app).
    #[arg(long, value_enum, default_value_t = Screen::Pos)]
    screen: Screen,
    /// Where the database, settings and logs live (default: the platform's app-data
    /// directory, ~/.local/share/app.crema.desktop on Linux).
    #[arg(long, env = "CREMA_DESKTOP_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Use the shop's server at this address from now on (remembered).
    #[arg(long, conflicts_with_all = ["local", "hub_url"])]
    server_url: Option<String>,
    /// Run the Crema server in this app again (remembered; the default).
    #[arg(long, conflicts_with = "hub_url")]
    local: bool,
    /// Run the Crema server in this app as a terminal of the shop's hub at this address: it
    /// keeps working offline and syncs when it can (remembered).
    #[arg(long)]
    hub_url: Option<String>,
    /// The one-time code a manager made on the hub, for the first start with --hub-url.
    #[arg(long, env = "CREMA_PAIRING_CODE", hide_env_values = true)]
    pairing_code: Option<secrecy::SecretString>,
    /// Open the kitchen display and pickup board in a window instead of fullscreen.
    #[arg(long)]
    windowed: bool,
    /// Log filter (the log is `crema-desktop.log` in the data directory).
    #[arg(long, env = "CREMA_LOG", default_value = "info")]
    log: String,
}

/// What the app's windows share.
pub struct Desktop {
    data_dir: PathBuf,
    settings: Mutex<DesktopSettings>,
    base_url: Mutex<Option<String>>,
    embedded: Mutex<Option<Embedded>>,
    /// The hub this computer is waiting to be paired with (the start page asks for a code).
    awaiting_pairing: Mutex<Option<String>>,
    /// Kitchen display and board fullscreen unless `--windowed`.
    kiosk_default: bool,
}

impl Desktop {
    pub fn base_url(&self) -> Option<String> {
        self.base_url.lock().ok().and_then(|b| b.clone())
    }

    pub fn server_label(&self) -> String {
        match self.settings.lock().map(|s| s.server.clone()) {
            Ok(ServerMode::Remote { url }) => format!("Server: {url}"),
            Ok(ServerMode::Synced { hub_url }) => format!("Server: this computer, synced with {hub_url}"),
            _ => "Server: this computer".to_string(),
        }
    }

    /// Changes the settings and saves them.
    pub fn update(&self, change: impl FnOnce(&mut DesktopSettings)) {
        if let Ok(mut settings) = self.settings.lock() {
            change(&mut settings);
            if let Err(e) = settings.save(&self.data_dir) {
                tracing::error!(error = %e, "cannot save the desktop settings");
            }
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let data_dir = match args.data_dir.clone().map(Ok).unwrap_or_else(default_data_dir) {
        Ok(dir) => dir,
        Err(e) => {
            crema_server::telemetry::init(&args.log);
            tracing::error!(error = %e, "no data directory");
            return ExitCode::FAILURE;
        }
    };
    // The database, its key file and the log live here: the folder is the owner's alone (0700).
    if let Err(e) = crema_server::keys::files::ensure_private_dir(&data_dir) {
        crema_server::telemetry::init(&args.log);
        tracing::error!(error = %e, dir = %data_dir.display(), "cannot create the data directory");
        return ExitCode::FAILURE;
    }
    // A terminal app is started from a menu or a shortcut: its log is a file beside its data.
    crema_server::telemetry::init_to_file(&args.log, &data_dir.join("crema-desktop.log"));
    if let Some(done) = instance::hand_over(&data_dir, args.screen.name()) {
        tracing::info!(screen = args.screen.name(), done, "Crema is already running here; it showed the screen");
        return ExitCode::SUCCESS;
    }
    let mut settings = DesktopSettings::load(&data_dir);
    if let Some(raw) = &args.server_url {
        match parse_server_url(raw) {
            Ok(url) => settings.server = ServerMode::Remote { url },
            Err(e) => {
                tracing::error!(error = %e, "--server-url");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(raw) = &args.hub_url {
        match parse_server_url(raw) {
            Ok(hub_url) => settings.server = ServerMode::Synced { hub_url },
            Err(e) => {
                tracing::error!(error = %e, "--hub-url");
                return ExitCode::FAILURE;
            }
        }
    }
    if args.local {
        settings.server = ServerMode::Embedded;
    }
    if let Err(e) = settings.save(&data_dir) {
        tracing::warn!(error = %e, "cannot save the desktop settings");
    }
    match run(args, data_dir, settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the desktop app failed");
            ExitCode::FAILURE
        }
    }
}

/// `$XDG_DATA_HOME/app.crema.desktop` (or `~/.local/share/…`): where Tauri's app-data
/// directory is on Linux, known before Tauri starts so a second start can hand over at once.
fn default_data_dir() -> Result<PathBuf, String> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or("neither XDG_DATA_HOME nor HOME is set")?;
    Ok(base.join("app.crema.desktop"))
}

fn run(args: Args, data_dir: PathBuf, settings: DesktopSettings) -> tauri::Result<()> {
    let signals = tauri::async_runtime::block_on(async {
        use tokio::signal::unix::{signal, SignalKind};
        (signal(SignalKind::terminate()).ok(), signal(SignalKind::interrupt()).ok())
    });
    let server = settings.server.clone();
    let desktop = Desktop {
        data_dir: data_dir.clone(),
        settings: Mutex::new(settings),
        // Known once the server answers (the windows wait on the splash page until then).
        base_url: Mutex::new(None),
        embedded: Mutex::new(None),
        awaiting_pairing: Mutex::new(None),
        kiosk_default: !args.windowed,
    };
    let first = args.screen;
    let app = tauri::Builder::default()
        .manage(desktop)
        .invoke_handler(tauri::generate_handler![pairing::pairing_needed, pairing::pair])
        .build(tauri::generate_context!())?;
    let handle = app.handle().clone();
    windows::show(&handle, first)?;
    let opener = handle.clone();
    if let Err(e) = instance::listen(&data_dir, move |name| {
        let app = opener.clone();
        let (done, shown) = std::sync::mpsc::channel();
        let _ = opener.run_on_main_thread(move || {
            let outcome = match Screen::parse(&name) {
                Some(screen) => {
                    let existed = app.get_webview_window(screen.name()).is_some();
                    match windows::show(&app, screen) {
                        Ok(_) if existed => "brought forward",
                        Ok(_) => "opened",
                        Err(e) => {
                            tracing::error!(error = %e, "cannot open the window");
                            "failed"
                        }
                    }
                }
                None => {
                    tracing::warn!(name, "asked for an unknown screen");
                    "unknown screen"
                }
            };
            let _ = done.send(outcome);
        });
        // Answered once the window is there (or after a while, if the main thread is busy).
        shown.recv_timeout(std::time::Duration::from_secs(5)).unwrap_or("pending").to_string()
    }) {
        tracing::warn!(error = %e, "cannot listen for other starts; each start will be its own app");
    }
    if let ServerMode::Remote { url } = &server {
        tauri::async_runtime::spawn(remote::wait_for(handle.clone(), url.clone()));
    }
    let hub = match &server {
        ServerMode::Synced { hub_url } => Some((hub_url.clone(), args.pairing_code.clone())),
        _ => None,
    };
    match hub {
        // Not paired yet and no code given: the start page asks for one.
        Some((hub_url, None)) if pairing::needed(&data_dir) => {
            tracing::info!(hub = %hub_url, "not paired with the shop's hub yet: asking for a pairing code");
            if let Ok(mut awaiting) = handle.state::<Desktop>().awaiting_pairing.lock() {
                *awaiting = Some(hub_url);
            }
        }
        Some(hub) => drop(embedded::launch(handle.clone(), Some(hub))),
        None if server == ServerMode::Embedded => drop(embedded::launch(handle.clone(), None)),
        None => {}
    }
    // SIGTERM (shutdown, a service manager) and SIGINT (Ctrl-C) close the app the way the
    // window's close button does: the server stops gracefully. (The handlers were installed
    // before anything started, so no signal can find the process without them.)
    let quitter = handle.clone();
    tauri::async_runtime::spawn(async move {
        let (Some(mut term), Some(mut int)) = signals else { return };
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: closing"),
            _ = int.recv() => tracing::info!("SIGINT: closing"),
        }
        quitter.exit(0);
    });
    app.run(move |app, event| {
        if let RunEvent::ExitRequested { .. } = event {
            windows::remember_all(app);
        }
        if let RunEvent::Exit = event {
            let desktop = app.state::<Desktop>();
            let embedded = desktop.embedded.lock().ok().and_then(|mut e| e.take());
            if let Some(mut embedded) = embedded {
                tauri::async_runtime::block_on(embedded.stop(Duration::from_secs(10)));
            }
            let _ = std::fs::remove_file(instance::socket_path(&desktop.data_dir));
            let _ = std::fs::remove_file(running_path(&desktop.data_dir));
            tracing::info!("crema-desktop exited cleanly");
        }
    });
    Ok(())
}

/// `running.json`: this process and its server's address, for tools and tests (removed on a
/// clean exit).
fn running_path(data_dir: &Path) -> PathBuf {
    data_dir.join("running.json")
}

pub fn write_running(data_dir: &Path, url: &str) {
    let body = serde_json::json!({ "pid": std::process::id(), "url": url });
    if let Err(e) = std::fs::write(running_path(data_dir), body.to_string()) {
        tracing::warn!(error = %e, "cannot write running.json");
    }
}
