//! A network receipt printer for the tests: listens on 127.0.0.1 like a real one on port
//! 9100 (raw TCP, no answer), keeps what each connection sent, and reads ESC/POS back into
//! lines with a decoder of its own — not Crema's encoder — so a test sees what the paper would.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// A listening printer and every print (one connection's bytes) it received.
pub struct Printer {
    pub port: u16,
    prints: Arc<Mutex<Vec<Vec<u8>>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Printer {
    /// A printer on a free port.
    pub async fn start() -> Printer {
        Printer::on(TcpListener::bind("127.0.0.1:0").await.expect("bind the printer")).await
    }

    /// A printer on `port` (one that was off and is switched on).
    pub async fn start_on(port: u16) -> Printer {
        Printer::on(TcpListener::bind(("127.0.0.1", port)).await.expect("bind the printer's port")).await
    }

    async fn on(listener: TcpListener) -> Printer {
        let port = listener.local_addr().expect("address").port();
        let prints = Arc::new(Mutex::new(Vec::new()));
        let kept = prints.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let mut bytes = Vec::new();
                    if socket.read_to_end(&mut bytes).await.is_ok() && !bytes.is_empty() {
                        kept.lock().expect("lock").push(bytes);
                    }
                });
            }
        });
        Printer { port, prints, task }
    }

    /// `tcp://127.0.0.1:<port>`, as a manager would set it.
    pub fn address(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    /// Every print so far.
    pub fn prints(&self) -> Vec<Vec<u8>> {
        self.prints.lock().expect("lock").clone()
    }

    /// Waits until `count` prints have arrived (or `within` passes) and returns them all.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + within;
        loop {
            let prints = self.prints();
            if prints.len() >= count || Instant::now() > deadline {
                return prints;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Switches the printer off (its port then refuses connections).
    pub fn stop(self) {
        self.task.abort();
    }
}

/// One printed line as the paper shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaperLine {
    pub text: String,
    pub centered: bool,
    pub bold: bool,
    pub large: bool,
}

/// What a print put on paper.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Paper {
    pub lines: Vec<PaperLine>,
    /// The printer was reset (`ESC @`) before printing.
    pub reset: bool,
    /// The paper was cut at the end (`GS V`).
    pub cut: bool,
}

impl Paper {
    pub fn texts(&self) -> Vec<&str> {
        self.lines.iter().map(|l| l.text.as_str()).collect()
    }

    /// The first line starting with `prefix`.
    pub fn line(&self, prefix: &str) -> Option<&PaperLine> {
        self.lines.iter().find(|l| l.text.starts_with(prefix))
    }
}

/// Reads ESC/POS bytes the way a printer does: commands change the style, text bytes print
/// (code page PC858 for the few non-ASCII letters tests use), LF ends a line. An unknown
/// command or a control byte in text is an error: a real printer would do something with it.
pub fn decode(bytes: &[u8]) -> Result<Paper, String> {
    let mut paper = Paper::default();
    let (mut centered, mut bold, mut large) = (false, false, false);
    let mut text = String::new();
    let mut i = 0;
    let arg = |i: usize| bytes.get(i).copied().ok_or_else(|| format!("command cut short at byte {i}"));
    while i < bytes.len() {
        match bytes[i] {
            0x1B => {
                match arg(i + 1)? {
                    b'@' => {
                        paper.reset = true;
                        i += 2;
                        continue;
                    }
                    b't' => {}
                    b'a' => centered = arg(i + 2)? == 1,
                    b'E' => bold = arg(i + 2)? == 1,
                    b'd' => {}
                    other => return Err(format!("unknown command ESC {other:#04x} at byte {i}")),
                }
                i += 3;
            }
            0x1D => match arg(i + 1)? {
                b'!' => {
                    large = arg(i + 2)? == 0x11;
                    i += 3;
                }
                b'V' => {
                    if arg(i + 2)? == 66 {
                        arg(i + 3)?;
                        i += 4;
                    } else {
                        i += 3;
                    }
                    paper.cut = true;
                }
                other => return Err(format!("unknown command GS {other:#04x} at byte {i}")),
            },
            0x0A => {
                paper.lines.push(PaperLine { text: std::mem::take(&mut text), centered, bold, large });
                i += 1;
            }
            b @ 0x20..=0x7E => {
                text.push(char::from(b));
                i += 1;
            }
            0x81 => {
                text.push('ü');
                i += 1;
            }
            0x82 => {
                text.push('é');
                i += 1;
            }
            0xD5 => {
                text.push('€');
                i += 1;
            }
            b if b >= 0x80 => {
                text.push('\u{fffd}');
                i += 1;
            }
            b => return Err(format!("control byte {b:#04x} in text at byte {i}")),
        }
    }
    if !text.is_empty() {
        return Err(format!("text after the last line feed: {text:?}"));
    }
    Ok(paper)
}
