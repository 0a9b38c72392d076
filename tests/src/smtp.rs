//! A real SMTP server for the tests: Debian's aiosmtpd on a free loopback port, delivering
//! into a maildir the test reads back.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// An aiosmtpd server delivering into a maildir; stopped on drop.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        SmtpServer::start_on(port).await
    }

    /// On a given port (one a server was told about before this one ran).
    pub async fn start_on(port: u16) -> SmtpServer {
        let dir = tempfile::tempdir().expect("dir");
        let maildir = dir.path().join("mail");
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd runs (apt package python3-aiosmtpd; scripts/test installs it)");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(tokio::time::Instant::now() < deadline, "aiosmtpd did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        SmtpServer { child, port, maildir, _dir: dir }
    }

    pub fn messages(&self) -> Vec<String> {
        read_dir(&self.maildir.join("new"))
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn read_dir(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect())
        .unwrap_or_default()
}
