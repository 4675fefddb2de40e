//! Loopback networking for tests and benchmarks: free ports, and a latency proxy that
//! makes a loopback connection behave like a slow link. Stands alone (no `super::`), since
//! `benches/remote_latency.rs` includes it with `#[path]`.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Reads a started server's stderr until a line contains `marker` (it listens: `Ok`) or the
/// stream ends first (it failed: `Err` with what it said). Every line also goes to
/// `log_path`, which keeps filling after the server is up, for a failing test to show.
pub fn wait_for_log_line(
    child: &mut Child,
    log_path: &Path,
    marker: &str,
    timeout: Duration,
) -> Result<(), String> {
    let stderr = child.stderr.take().expect("piped stderr");
    let mut log_file = std::fs::File::create(log_path).expect("log file");
    let (tx, rx) = std::sync::mpsc::channel();
    let wanted = marker.to_string();
    std::thread::spawn(move || {
        let mut seen = String::new();
        let mut ready_sent = false;
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = writeln!(log_file, "{line}");
            seen.push_str(&line);
            seen.push('\n');
            if !ready_sent && line.contains(&wanted) {
                ready_sent = true;
                let _ = tx.send(Ok(()));
            }
        }
        if !ready_sent {
            let _ = tx.send(Err(seen));
        }
    });
    rx.recv_timeout(timeout)
        .unwrap_or_else(|_| Err(format!("no '{marker}' line in time")))
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// Where the proxy forwards.
#[derive(Debug, Clone)]
pub enum Upstream {
    Unix(PathBuf),
    Tcp(u16),
}

/// A TCP proxy on 127.0.0.1 that delays every byte by `one_way` in each direction, and a
/// new connection by a full round trip (as a TCP handshake over such a link would: the
/// client's first bytes wait in the kernel until the proxy starts relaying). Stops when
/// dropped.
pub struct LatencyProxy {
    port: u16,
    accepting: JoinHandle<()>,
}

impl LatencyProxy {
    pub async fn start(upstream: Upstream, one_way: Duration) -> LatencyProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepting = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let _ = client.set_nodelay(true);
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(one_way * 2).await;
                    let (client_read, client_write) = client.into_split();
                    match upstream {
                        Upstream::Unix(path) => {
                            let Ok(server) = tokio::net::UnixStream::connect(&path).await else {
                                return;
                            };
                            let (server_read, server_write) = server.into_split();
                            relay(
                                client_read,
                                client_write,
                                server_read,
                                server_write,
                                one_way,
                            )
                            .await;
                        }
                        Upstream::Tcp(port) => {
                            let Ok(server) =
                                tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                            else {
                                return;
                            };
                            let _ = server.set_nodelay(true);
                            let (server_read, server_write) = server.into_split();
                            relay(
                                client_read,
                                client_write,
                                server_read,
                                server_write,
                                one_way,
                            )
                            .await;
                        }
                    }
                });
            }
        });
        LatencyProxy { port, accepting }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for LatencyProxy {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

async fn relay(
    client_read: impl AsyncRead + Unpin + Send + 'static,
    client_write: impl AsyncWrite + Unpin + Send + 'static,
    server_read: impl AsyncRead + Unpin + Send + 'static,
    server_write: impl AsyncWrite + Unpin + Send + 'static,
    one_way: Duration,
) {
    let up = tokio::spawn(delay_line(client_read, server_write, one_way));
    let down = tokio::spawn(delay_line(server_read, client_write, one_way));
    let _ = tokio::join!(up, down);
}

/// Copies `from` to `to`, each chunk delivered `delay` after it was read, in order; reading
/// never waits for the delivery (the link is slow, not narrow).
async fn delay_line(
    mut from: impl AsyncRead + Unpin + Send + 'static,
    mut to: impl AsyncWrite + Unpin + Send + 'static,
    delay: Duration,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = tokio::spawn(async move {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx
                        .send((Instant::now() + delay, buffer[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    while let Some((due, bytes)) = rx.recv().await {
        tokio::time::sleep_until(due).await;
        if to.write_all(&bytes).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
    reader.abort();
}
