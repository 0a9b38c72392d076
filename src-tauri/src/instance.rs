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

/// Asks a running instance to show `screen`. `true` if one answered.
pub fn hand_over(data_dir: &Path, screen: &str) -> bool {
    let Ok(mut stream) = UnixStream::connect(socket_path(data_dir)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if writeln!(stream, "open {screen}").is_err() {
        return false;
    }
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer).is_ok() && answer.trim() == "ok"
}

/// Becomes the instance for `data_dir`: every screen another start asks for goes to
/// `on_open`. A socket left by a crashed instance (nobody answers on it) is replaced.
pub fn listen(data_dir: &Path, on_open: impl Fn(String) + Send + 'static) -> std::io::Result<()> {
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
                on_open(screen.to_string());
                let _ = (&stream).write_all(b"ok\n");
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
        assert!(!hand_over(dir.path(), "kds"), "nobody listens yet");
        let (tx, rx) = mpsc::channel();
        listen(dir.path(), move |screen| {
            let _ = tx.send(screen);
        })
        .expect("listens");
        assert!(hand_over(dir.path(), "kds"));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).expect("asked"), "kds");
    }

    #[test]
    fn a_socket_left_by_a_crash_is_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        drop(UnixListener::bind(socket_path(dir.path())).expect("stale socket"));
        assert!(!hand_over(dir.path(), "pos"));
        listen(dir.path(), |_| {}).expect("listens over the stale socket");
        assert!(hand_over(dir.path(), "pos"));
    }
}
