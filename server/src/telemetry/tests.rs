use super::log_output;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An output that remembers what it was given and in how many writes, each taking a
/// moment, as a pipe to a busy service manager may.
#[derive(Clone, Default)]
struct Slow {
    seen: Arc<Mutex<(Vec<u8>, usize)>>,
}

impl Write for Slow {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::thread::sleep(Duration::from_millis(2));
        let mut seen = self.seen.lock().map_err(|_| std::io::Error::other("poisoned"))?;
        seen.0.extend_from_slice(buf);
        seen.1 += 1;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Slow {
    fn text(&self) -> String {
        self.seen.lock().map(|s| String::from_utf8_lossy(&s.0).into_owned()).unwrap_or_default()
    }

    fn writes(&self) -> usize {
        self.seen.lock().map(|s| s.1).unwrap_or_default()
    }
}

#[test]
fn lines_queued_while_the_output_is_busy_go_out_together_and_all_of_them() {
    let out = Slow::default();
    let (mut log, guard) = log_output(out.clone());
    for n in 0..1_000 {
        log.write_all(format!("line {n}\n").as_bytes()).expect("queued");
    }
    drop(guard); // waits for the queue to be written
    let text = out.text();
    let expected: String = (0..1_000).map(|n| format!("line {n}\n")).collect();
    assert_eq!(text, expected, "every line, whole and in order");
    assert!(out.writes() < 100, "1,000 lines in {} writes", out.writes());
}

#[test]
fn a_line_alone_is_written_without_waiting_for_more() {
    let out = Slow::default();
    let (mut log, _guard) = log_output(out.clone());
    log.write_all(b"order placed\n").expect("queued");
    let started = Instant::now();
    while out.text().is_empty() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(out.text(), "order placed\n");
}
