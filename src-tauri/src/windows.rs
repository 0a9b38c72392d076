//! One window per screen: opened on the splash page, sent to the screen's URL once the
//! server answers, sized as it was left, fullscreen (kiosk) where chosen, and a menu to
//! switch screens. Nothing here is a business action: the screens talk to the server's HTTP
//! API exactly as in a browser.

use crate::screen::Screen;
use crate::settings::{DesktopSettings, WindowPrefs};
use crate::Desktop;
use tauri::menu::{Menu, MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder, WindowEvent};

/// Opens the window of `screen`, or brings it forward if it is open.
pub fn show<R: Runtime>(app: &AppHandle<R>, screen: Screen) -> tauri::Result<WebviewWindow<R>> {
    if let Some(window) = app.get_webview_window(screen.name()) {
        let _ = window.unminimize();
        let _ = window.set_focus();
        return Ok(window);
    }
    let desktop = app.state::<Desktop>();
    let prefs = desktop.settings.lock().map(|s| s.window(screen.name())).unwrap_or(None);
    let (width, height) = prefs.map(|p| (p.width, p.height)).unwrap_or_else(|| screen.default_size());
    let fullscreen = prefs.map(|p| p.fullscreen).unwrap_or_else(|| screen.kiosk_by_default() && desktop.kiosk_default);
    let window = WebviewWindowBuilder::new(app, screen.name(), WebviewUrl::App("index.html".into()))
        .title(screen.title())
        .inner_size(width, height)
        .min_inner_size(800.0, 600.0)
        .fullscreen(fullscreen)
        .menu(menu(app)?)
        .build()?;
    remember_on_close(&window, screen);
    window.on_menu_event(|w, event| {
        let app = w.app_handle();
        on_menu(app, app.get_webview_window(w.label()), event.id().as_ref());
    });
    if let Some(base) = desktop.base_url() {
        go(&window, &base, screen);
    }
    tracing::info!(screen = screen.name(), fullscreen, "window opened");
    Ok(window)
}

/// Sends `window` to its screen on the server at `base` (with a pairing code for the
/// window's own terminal when the server is this app's).
pub fn go<R: Runtime>(window: &WebviewWindow<R>, base: &str, screen: Screen) {
    let enrol =
        pairing_code(window.app_handle(), screen).map(|code| format!("#enrol={code}&window")).unwrap_or_default();
    match tauri::Url::parse(&format!("{base}{}{enrol}", screen.path())) {
        Ok(url) => {
            if let Err(e) = window.navigate(url) {
                tracing::error!(error = %e, "cannot open the screen");
            }
        }
        Err(e) => tracing::error!(error = %e, base, "not a valid server address"),
    }
}

/// A pairing code for the window of `screen`, when the server runs in this app.
fn pairing_code<R: Runtime>(app: &AppHandle<R>, screen: Screen) -> Option<String> {
    let desktop = app.state::<Desktop>();
    let known = desktop.settings.lock().ok().and_then(|s| s.terminals.get(screen.name()).copied());
    let name = format!("This computer · {}", screen.title().trim_start_matches("Crema — "));
    let issued = {
        let embedded = desktop.embedded.lock().ok()?;
        let embedded = embedded.as_ref()?;
        tauri::async_runtime::block_on(embedded.pairing_code(known, &name))
    };
    match issued {
        Ok((id, code)) => {
            if known != Some(id) {
                desktop.update(|s| {
                    s.terminals.insert(screen.name().to_string(), id);
                });
            }
            Some(code)
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot enrol the window as a terminal; it signs in as this computer's address");
            None
        }
    }
}

/// Sends every open window to its screen (the server has just started).
pub fn go_all<R: Runtime>(app: &AppHandle<R>, base: &str) {
    for (label, window) in app.webview_windows() {
        if let Some(screen) = Screen::parse(&label) {
            go(&window, base, screen);
        }
    }
}

/// Shows `message` on the splash page of every window (the server could not start).
pub fn tell_all<R: Runtime>(app: &AppHandle<R>, message: &str) {
    let text = serde_json::to_string(message).unwrap_or_default();
    for window in app.webview_windows().values() {
        let _ = window.eval(format!("document.querySelector('p').textContent = {text};"));
    }
}

fn remember_on_close<R: Runtime>(window: &WebviewWindow<R>, screen: Screen) {
    let handle = window.clone();
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::CloseRequested { .. }) {
            tracing::info!(screen = screen.name(), "window closing");
            remember(&handle, screen);
        }
    });
}

/// Saves the window's size and fullscreen state for its screen's next start.
pub fn remember<R: Runtime>(window: &WebviewWindow<R>, screen: Screen) {
    let app = window.app_handle();
    let desktop = app.state::<Desktop>();
    let scale = window.scale_factor().unwrap_or(1.0);
    let fullscreen = window.is_fullscreen().unwrap_or(false);
    // A fullscreen window's size is the screen's; keep the windowed size it had.
    let previous = desktop.settings.lock().ok().and_then(|s| s.window(screen.name()));
    let (width, height) = match (fullscreen, previous, window.inner_size()) {
        (true, Some(p), _) => (p.width, p.height),
        (_, _, Ok(size)) => {
            let logical = size.to_logical::<f64>(scale);
            (logical.width, logical.height)
        }
        (_, Some(p), Err(_)) => (p.width, p.height),
        (_, None, Err(_)) => screen.default_size(),
    };
    desktop.update(|s: &mut DesktopSettings| {
        s.windows.insert(screen.name().into(), WindowPrefs { width, height, fullscreen });
    });
}

/// Remembers every open window (the app is quitting).
pub fn remember_all<R: Runtime>(app: &AppHandle<R>) {
    for (label, window) in app.webview_windows() {
        if let Some(screen) = Screen::parse(&label) {
            remember(&window, screen);
        }
    }
}

fn menu<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let desktop = app.state::<Desktop>();
    let server = SubmenuBuilder::new(app, "Crema")
        .item(&MenuItemBuilder::with_id("server", desktop.server_label()).enabled(false).build(app)?)
        .separator()
        .item(&MenuItemBuilder::with_id("quit", "Quit").accelerator("CmdOrCtrl+Q").build(app)?)
        .build()?;
    let mut screens = SubmenuBuilder::new(app, "Screen");
    for (i, screen) in Screen::ALL.into_iter().enumerate() {
        let title = screen.title().trim_start_matches("Crema — ");
        let item = MenuItemBuilder::with_id(format!("screen:{}", screen.name()), title)
            .accelerator(format!("CmdOrCtrl+{}", i + 1))
            .build(app)?;
        screens = screens.item(&item);
    }
    let view = SubmenuBuilder::new(app, "View")
        .item(&MenuItemBuilder::with_id("fullscreen", "Fullscreen (kiosk)").accelerator("F11").build(app)?)
        .item(&MenuItemBuilder::with_id("reload", "Reload").accelerator("CmdOrCtrl+R").build(app)?)
        .build()?;
    MenuBuilder::new(app).item(&server).item(&screens.build()?).item(&view).build()
}

/// What the menu items do, for the window they were chosen in.
pub fn on_menu<R: Runtime>(app: &AppHandle<R>, window: Option<WebviewWindow<R>>, id: &str) {
    match id {
        "quit" => app.exit(0),
        "fullscreen" => {
            if let Some(w) = window {
                let on = w.is_fullscreen().unwrap_or(false);
                let _ = w.set_fullscreen(!on);
            }
        }
        "reload" => {
            if let (Some(w), Some(base)) = (window, app.state::<Desktop>().base_url()) {
                if let Some(screen) = Screen::parse(w.label()) {
                    go(&w, &base, screen);
                }
            }
        }
        other => {
            if let Some(screen) = other.strip_prefix("screen:").and_then(Screen::parse) {
                if let Err(e) = show(app, screen) {
                    tracing::error!(error = %e, "cannot open the window");
                }
            }
        }
    }
}
