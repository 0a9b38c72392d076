//! One process per data directory, one window per screen.
//!
//! The first `crema-desktop` listens on `instance.sock` in its data directory. A second one
//! started for the same directory (the kitchen screen's shortcut while the till is open, say)
//! hands its `--screen` to the first and exits: the first opens that screen's window, or
//! brings it forward. So the shop's database always has exactly one server process.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("instance.sock")
}

/// Asks a running instance to show `screen`; what it did (e.g. "opened", "brought forward")
/// once it has done it, or `None` if no instance answered.
pub fn hand_over(data_dir: &Path, screen: &str) -> Option<String> {
    let mut stream = UnixStream::connect(socket_path(data_dir)).ok()?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    writeln!(stream, "open {screen}").ok()?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer).ok()?;
    answer.trim().strip_prefix("ok").map(|done| done.trim().to_string())
}

/// Becomes the instance for `data_dir`: every screen another start asks for goes to
/// `on_open`, whose answer (what it did) goes back to that start once it is done. A socket
/// left by a crashed instance (nobody answers on it) is replaced.
pub fn listen(data_dir: &Path, on_open: impl Fn(String) -> String + Send + 'static) -> std::io::Result<()> {
    let path = socket_path(data_dir);
    if path.exists() {
        std::fs::remove_file(&path)?;
    }
    let listener = UnixListener::bind(&path)?;
    std::thread::Builder::new().name("crema-instance".into()).spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(&stream);
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            if let Some(screen) = line.trim().strip_prefix("open ") {
                tracing::info!(screen, "another start asked for a screen");
                let done = on_open(screen.to_string());
                let _ = (&stream).write_all(format!("ok {done}\n").as_bytes());
            }
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_second_start_hands_its_screen_to_the_first() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(hand_over(dir.path(), "kds"), None, "nobody listens yet");
        let (tx, rx) = mpsc::channel();
        listen(dir.path(), move |screen| {
            let _ = tx.send(screen);
            "brought forward".to_string()
        })
        .expect("listens");
        assert_eq!(hand_over(dir.path(), "kds").as_deref(), Some("brought forward"));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).expect("asked"), "kds");
    }

    #[test]
    fn a_socket_left_by_a_crash_is_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        drop(UnixListener::bind(socket_path(dir.path())).expect("stale socket"));
        assert_eq!(hand_over(dir.path(), "pos"), None);
        listen(dir.path(), |_| "opened".to_string()).expect("listens over the stale socket");
        assert_eq!(hand_over(dir.path(), "pos").as_deref(), Some("opened"));
    }
}
