//! Logging: `tracing` to standard output (or a file), filtered by `CREMA_LOG`.

use std::path::Path;

/// Installs the global subscriber once; later calls are ignored (tests start many servers).
pub fn init(filter: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(env_filter(filter))
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .try_init();
}

/// Like [`init`], but appending to `path` (an app started from a menu has no terminal).
/// Falls back to standard output when the file cannot be opened.
pub fn init_to_file(filter: &str, path: &Path) {
    // The log names staff and orders: readable by its owner only.
    match crate::keys::files::open_private_append(path) {
        Ok(file) => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(env_filter(filter))
                .with_target(false)
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .try_init();
        }
        Err(_) => init(filter),
    }
}

fn env_filter(filter: &str) -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
}
