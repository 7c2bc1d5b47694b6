//! A TCP relay in front of a real server that can go silent: while open it passes bytes both
//! ways (after a delay per chunk, to slow a run down); once silenced it keeps every connection
//! open, accepts new ones, and passes nothing — what a hung proxy, pooler or load balancer does.
//! `Relay::silent()` is silent from the start.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub struct Relay {
    pub port: u16,
    silent: Arc<AtomicBool>,
    closed: Arc<AtomicBool>,
}

impl Relay {
    /// Relays to the test PostgreSQL `server`, each chunk after `delay`.
    pub fn to(server: &crate::PgServer, delay: Duration) -> Relay {
        Relay::start(Some(format!("{}:{}", server.host, server.port)), delay)
    }

    /// Relays to `addr` (`host:port`), each chunk after `delay`.
    pub fn to_addr(addr: &str, delay: Duration) -> Relay {
        Relay::start(Some(addr.to_owned()), delay)
    }

    /// Accepts connections and never answers.
    pub fn silent() -> Relay {
        Relay::start(None, Duration::ZERO)
    }

    /// From now on nothing passes, in either direction, on any connection.
    pub fn silence(&self) {
        self.silent.store(true, Ordering::SeqCst);
    }

    fn start(target: Option<String>, delay: Duration) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        let port = listener.local_addr().unwrap().port();
        let silent = Arc::new(AtomicBool::new(target.is_none()));
        let closed = Arc::new(AtomicBool::new(false));
        let (s, c) = (silent.clone(), closed.clone());
        std::thread::spawn(move || {
            // Held open until the relay is dropped: a silent peer does not hang up.
            let mut held = Vec::new();
            for client in listener.incoming() {
                if c.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let upstream = match &target {
                    Some(t) if !s.load(Ordering::SeqCst) => TcpStream::connect(t).ok(),
                    _ => None,
                };
                if let Some(upstream) = upstream {
                    pipe(
                        client.try_clone().unwrap(),
                        upstream.try_clone().unwrap(),
                        &s,
                        delay,
                    );
                    pipe(
                        upstream.try_clone().unwrap(),
                        client.try_clone().unwrap(),
                        &s,
                        delay,
                    );
                    held.push(upstream);
                }
                held.push(client);
            }
            for stream in held {
                let _ = stream.shutdown(Shutdown::Both);
            }
        });
        Relay {
            port,
            silent,
            closed,
        }
    }
}

/// Copies `from` to `to` until either ends or the relay goes silent (then reads and drops
/// nothing more: the bytes stay unread, and the peer waits).
fn pipe(mut from: TcpStream, mut to: TcpStream, silent: &Arc<AtomicBool>, delay: Duration) {
    let silent = silent.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            if silent.load(Ordering::SeqCst) {
                return;
            }
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            std::thread::sleep(delay);
            if silent.load(Ordering::SeqCst) || to.write_all(&buf[..n]).is_err() {
                return;
            }
        }
    });
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.closed.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees `closed` and hangs up on everything it holds.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
