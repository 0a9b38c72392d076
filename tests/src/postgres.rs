//! A private PostgreSQL for the tests: Debian's `postgresql` binaries, `initdb` into a
//! temporary directory (as the `postgres` user when the tests run as root: `initdb` refuses
//! root), listening on 127.0.0.1 and a free port only, trust authentication for the one local
//! user `crema`, `synchronous_commit` and `fsync` on.
//!
//! The postmaster is this process's child and is told to shut down (SIGQUIT, "immediate")
//! when this process ends, however it ends; [`Postgres`] also stops it and removes its files
//! on drop. [`shared`] is one server for a whole test binary (each test makes its own
//! database, dropped when the test's thread ends: a suite of a hundred tests once filled a CI
//! disk with 2 GB of databases and WAL, and PostgreSQL stopped in recovery mode);
//! [`selected`] says whether the suites run on PostgreSQL (`CREMA_TEST_STORE`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    as_postgres: bool,
    postmaster: Mutex<Option<Child>>,
    _dir: tempfile::TempDir,
}

/// Whether the store and API suites run on PostgreSQL this time (`CREMA_TEST_STORE=postgres`).
pub fn selected() -> bool {
    std::env::var("CREMA_TEST_STORE").is_ok_and(|v| v == "postgres")
}

/// One server for this test binary, started on first use.
pub fn shared() -> &'static Postgres {
    static SHARED: OnceLock<Postgres> = OnceLock::new();
    SHARED.get_or_init(Postgres::start)
}

/// A fresh database on [`shared`], for one test: its URL. It is dropped when the thread that
/// asked for it ends (the test harness runs each test on its own thread), so a suite's disk
/// use stays that of the tests running at once, not of every test it ran.
pub fn fresh_database() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let url = shared().create_database(&name);
    THREAD_DATABASES.with(|databases| databases.0.borrow_mut().push(name));
    url
}

/// The databases this thread made on [`shared`]; dropped (closing any connection left) as the
/// thread ends. Failing to drop one is not an error: the server goes with the process anyway.
struct ThreadDatabases(std::cell::RefCell<Vec<String>>);

thread_local! {
    static THREAD_DATABASES: ThreadDatabases = const { ThreadDatabases(std::cell::RefCell::new(Vec::new())) };
}

impl Drop for ThreadDatabases {
    fn drop(&mut self) {
        let server = shared();
        for name in self.0.take() {
            let _ = server.command("dropdb").args(server.client_args()).args(["--force", &name]).output();
        }
    }
}

/// The newest installed `/usr/lib/postgresql/<version>/bin`, or `CREMA_PG_BIN`.
fn binaries() -> PathBuf {
    if let Some(bin) = std::env::var_os("CREMA_PG_BIN") {
        return PathBuf::from(bin);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (apt package postgresql; scripts/test installs it)")
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok().map(|v| (v, e.path().join("bin"))))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).expect("a PostgreSQL version under /usr/lib/postgresql")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Postgres {
    pub fn start() -> Postgres {
        let bin = binaries();
        sweep_stale();
        let dir = tempfile::Builder::new().prefix(PREFIX).tempdir().expect("dir");
        let as_postgres = is_root();
        if as_postgres {
            let status = Command::new("chown").arg("postgres").arg(dir.path()).status().expect("chown runs");
            assert!(status.success(), "cannot hand the data directory to the postgres user");
        }
        let data = dir.path().join("data");
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let server = Postgres { bin, data, port, as_postgres, postmaster: Mutex::new(None), _dir: dir };
        server.run("initdb", &["-D", &server.data_str(), "--auth=trust", "-U", "crema", "-E", "UTF8", "--no-sync"]);
        let log = std::fs::File::create(server.log_str()).expect("log file");
        // `setpriv` runs it as `postgres` (when we are root) and sets its parent-death signal
        // after that change of user (which would clear it): it shuts down with this process.
        let mut command = Command::new("setpriv");
        if as_postgres {
            command.args(["--reuid", "postgres", "--regid", "postgres", "--init-groups"]);
        }
        command
            .args(["--pdeathsig", "QUIT", "--"])
            .arg(server.bin.join("postgres"))
            .args(["-D", &server.data_str(), "-p", &port.to_string(), "-k", &server.socket_dir().to_string_lossy()])
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "synchronous_commit=on", "-c", "fsync=on"])
            .args(["-c", "max_connections=300"])
            // Every `createdb` writes its template (≈8 MB) to the WAL: checkpoint often enough
            // that the WAL a suite leaves stays a few hundred megabytes, not gigabytes.
            .args(["-c", "max_wal_size=256MB", "-c", "min_wal_size=64MB"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        // The signal goes when the *thread* that started it ends: start it from one that
        // lives as long as this process.
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(command.spawn());
            loop {
                std::thread::park();
            }
        });
        let child = receiver.recv().expect("starter thread").expect("postgres starts");
        *server.postmaster.lock().expect("postmaster") = Some(child);
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "crema", "-d", "postgres"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return;
            }
            let exited = self.postmaster.lock().expect("postmaster").as_mut().and_then(|c| c.try_wait().ok().flatten());
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "PostgreSQL did not start: {}",
                std::fs::read_to_string(self.log_str()).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One of PostgreSQL's programs (`pgbench`, `psql`…) of the version this server runs.
    pub fn binary(&self, name: &str) -> PathBuf {
        self.bin.join(name)
    }

    /// `postgres://crema@127.0.0.1:<port>/<database>`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://crema@127.0.0.1:{}/{database}", self.port)
    }

    /// A fresh database for one test. While the server is restarting after a crash of one of
    /// its processes ("in recovery mode") it waits, up to a minute; a failure says what the
    /// server logged and how much disk was left.
    pub fn create_database(&self, name: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let output = self.command("createdb").args(self.client_args()).arg(name).output().expect("createdb runs");
            if output.status.success() {
                return self.url(name);
            }
            let said = String::from_utf8_lossy(&output.stderr).into_owned();
            let passing = ["in recovery mode", "starting up", "not yet accepting connections"];
            if Instant::now() < deadline && passing.iter().any(|p| said.contains(p)) {
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
            panic!("createdb failed: {said}\n{}", self.diagnosis());
        }
    }

    /// `-h 127.0.0.1 -p <port> -U crema`: how a client program reaches this server.
    fn client_args(&self) -> [String; 6] {
        ["-h".into(), "127.0.0.1".into(), "-p".into(), self.port.to_string(), "-U".into(), "crema".into()]
    }

    /// The end of the server's log and the free space where its files are.
    fn diagnosis(&self) -> String {
        let log = std::fs::read_to_string(self.log_str()).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        let disk = Command::new("df")
            .arg("-h")
            .arg(self.socket_dir())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        format!("the server's log ends:\n{}\ndisk:\n{disk}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
    }

    fn socket_dir(&self) -> &Path {
        self.data.parent().unwrap_or(Path::new("/tmp"))
    }

    fn data_str(&self) -> String {
        self.data.to_string_lossy().into_owned()
    }

    fn log_str(&self) -> String {
        self.socket_dir().join("postgres.log").to_string_lossy().into_owned()
    }

    /// One of the server's programs, run as the user that owns its files.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        command.stdin(Stdio::null());
        command
    }

    fn run(&self, program: &str, args: &[&str]) {
        let output = self.command(program).args(args).output().expect("PostgreSQL tool runs");
        assert!(
            output.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// What the data directories are called (in the system's temporary directory).
const PREFIX: &str = "crema-pg-";

/// Removes the files of test servers whose process is gone (a [`shared`] server's directory
/// outlives its process: statics are not dropped), leaving any younger than ten minutes.
fn sweep_stale() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.filter_map(Result::ok) {
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|a| a > Duration::from_secs(600)));
        let pid = std::fs::read_to_string(entry.path().join("data/postmaster.pid"))
            .ok()
            .and_then(|text| text.lines().next().and_then(|l| l.trim().parse::<u32>().ok()));
        let alive = pid.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if old && !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(mut child) = self.postmaster.lock().ok().and_then(|mut c| c.take()) {
            // SIGQUIT: PostgreSQL's immediate shutdown.
            let _ = Command::new("kill").args(["-QUIT", &child.id().to_string()]).status();
            let _ = child.wait();
        }
    }
}
