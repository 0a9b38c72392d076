//! A TCP proxy on loopback that a test controls, standing for the shop's Wi-Fi between a
//! terminal and its hub: it passes traffic, loses the hub's replies (the request arrives,
//! the answer never does: the case that duplicates orders in other systems), or refuses
//! connections outright. Changing the mode cuts the connections already open.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Bytes flow both ways.
    Pass,
    /// Requests reach the hub; its replies are dropped and the connection closed soon after.
    LoseReplies,
    /// Every connection is closed as soon as it opens.
    Refuse,
}

pub struct Proxy {
    pub base: String,
    mode: watch::Sender<Mode>,
    stats: Arc<Mutex<Stats>>,
}

/// What the proxy did, so a test can check its partition really happened.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub connections: u64,
    pub refused: u64,
    pub replies_lost: u64,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `target` (`127.0.0.1:port`).
    pub async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy binds");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (mode, watching) = watch::channel(Mode::Pass);
        let stats = Arc::new(Mutex::new(Stats::default()));
        let counted = stats.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mode = watching.clone();
                let target = target.clone();
                let stats = counted.clone();
                tokio::spawn(async move { carry(client, target, mode, stats).await });
            }
        });
        Proxy { base, mode, stats }
    }

    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }

    pub fn stats(&self) -> Stats {
        *self.stats.lock().expect("stats")
    }
}

async fn carry(mut client: TcpStream, target: String, mut mode: watch::Receiver<Mode>, stats: Arc<Mutex<Stats>>) {
    let now = *mode.borrow_and_update();
    stats.lock().expect("stats").connections += 1;
    if now == Mode::Refuse {
        stats.lock().expect("stats").refused += 1;
        return;
    }
    let Ok(mut hub) = TcpStream::connect(&target).await else { return };
    let (mut client_in, mut client_out) = client.split();
    let (mut hub_in, mut hub_out) = hub.split();
    let lose = now == Mode::LoseReplies;
    let upstream = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match client_in.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if hub_out.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    let downstream = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match hub_in.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if lose {
                stats.lock().expect("stats").replies_lost += 1;
                // The hub has answered (so it applied the request); the terminal never hears it.
                tokio::time::sleep(Duration::from_millis(200)).await;
                return;
            }
            if client_out.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    tokio::select! {
        _ = upstream => {}
        _ = downstream => {}
        _ = mode.changed() => {}
    }
}
