//! `--display-first`: the server and the load yield the two cores to the kitchen display, as
//! they would if the display were a device of its own. Niceness is set per thread (Linux), by
//! `renice`, since the workspace forbids the `unsafe` a direct `setpriority` call needs.

/// The niceness `--display-first` gives the server and the load (the display keeps 0).
pub const YIELDING_NICE: &str = "10";

/// The load's runtime, let go without waiting when the run ends (a runtime may not be
/// dropped, blocking, inside the bench's own).
pub struct Yielding(pub Option<tokio::runtime::Runtime>);

impl Drop for Yielding {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// A runtime for the background tills and baristas whose threads run at [`YIELDING_NICE`].
pub fn lower_priority_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(|| {
            // `/proc/thread-self` is `<pid>/task/<tid>`: a thread's own niceness is set by its id.
            if let Some(tid) =
                std::fs::read_link("/proc/thread-self").ok().and_then(|p| p.file_name().map(|t| t.to_owned()))
            {
                renice(&tid);
            }
        })
        .build()
}

/// Every thread of process `pid` at [`YIELDING_NICE`] (threads it starts later inherit it).
pub fn lower_priority_of_process(pid: u32) {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten();
    for task in tasks {
        renice(&task.file_name());
    }
}

fn renice(tid: &std::ffi::OsStr) {
    let set = std::process::Command::new("renice")
        .args(["-n", YIELDING_NICE, "-p"])
        .arg(tid)
        .stdout(std::process::Stdio::null())
        .status();
    if !set.is_ok_and(|s| s.success()) {
        eprintln!("could not lower the priority of thread {}", tid.to_string_lossy());
    }
}
