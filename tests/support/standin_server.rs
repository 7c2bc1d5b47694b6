//! What the in-process HTTP stand-ins ([`crate::openmetadata`], [`crate::argo`]) share: the server
//! on its own thread and Tokio runtime (so a test drives it from blocking code and runs `omrun`
//! against it), stopped when dropped; the entry of their request logs and how their front doors
//! make it; random UUIDs.

use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::response::Response;

/// One request as a stand-in received and answered it. No header is kept: the bearer token never
/// reaches a log.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub method: String,
    /// The path as sent (still percent-encoded), e.g. `/api/v1/tables/bulk`.
    pub path: String,
    /// The raw query string, e.g. `async=false&overrideMetadata=false`.
    pub query: Option<String>,
    pub status: u16,
    /// When it arrived, from the stand-in's start.
    pub at: Duration,
    /// From arrival to answer (latency and stalls included; for a stream, to its first byte).
    pub elapsed: Duration,
    pub body: String,
    /// False for a call the stand-in does not implement (answered 404, or 401 without a token).
    pub routed: bool,
}

/// Marks the answer of a stand-in's fallback route, so its log can tell unexpected calls apart.
#[derive(Clone, Copy)]
pub struct Unrouted;

/// A request as it arrived at a stand-in's front door, body read: what its log entry keeps of it
/// until the answer is known.
pub struct Arrival {
    pub method: String,
    pub path: String,
    query: Option<String>,
    at: Duration,
    body: String,
    body_bytes: usize,
}

impl Arrival {
    /// Reads the body of `req`, arriving now on a stand-in started at `started`; gives back the
    /// request, body restored, to pass on.
    /// The body's length in bytes.
    pub fn body_len(&self) -> usize {
        self.body_bytes
    }

    /// The path with its query, as the client sent it (`/api/v1/tables?databaseSchema=…`).
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    pub async fn read(started: Instant, req: Request) -> (Arrival, Request) {
        let at = started.elapsed();
        let method = req.method().to_string();
        let path = req.uri().path().to_string();
        let query = req.uri().query().map(str::to_string);
        let (parts, body) = req.into_parts();
        let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let arrival = Arrival {
            method,
            path,
            query,
            at,
            body: text,
            body_bytes: bytes.len(),
        };
        (arrival, Request::from_parts(parts, Body::from(bytes)))
    }

    /// The log entry, now that `resp` answers it (unrouted if the fallback marked it [`Unrouted`]).
    pub fn answered(self, started: Instant, resp: &Response) -> LoggedRequest {
        LoggedRequest {
            method: self.method,
            path: self.path,
            query: self.query,
            status: resp.status().as_u16(),
            at: self.at,
            elapsed: started.elapsed() - self.at,
            body: self.body,
            routed: resp.extensions().get::<Unrouted>().is_none(),
        }
    }
}

/// An axum server on 127.0.0.1, an ephemeral port, its own thread. Stops when dropped: whatever
/// is still running (a stalled request, an open watch stream) is abandoned, not waited for.
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(thread_name: &str, app: axum::Router) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("listener address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        // The socket is bound before the thread starts: a client connecting at once just waits in
        // the accept queue.
        let thread = std::thread::Builder::new()
            .name(thread_name.into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("stand-in runtime");
                rt.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let serve = std::future::IntoFuture::into_future(axum::serve(listener, app));
                    tokio::select! {
                        r = serve => r.expect("stand-in server failed"),
                        _ = stopped => {}
                    }
                });
                rt.shutdown_background();
            })
            .expect("spawn the stand-in thread");
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            // A panic in the server thread has already been printed; do not panic in drop.
            let _ = t.join();
        }
    }
}

/// A random (version 4) UUID, the form of OpenMetadata's entity ids and Kubernetes' uids.
pub fn random_uuid() -> String {
    let mut b: [u8; 16] = std::array::from_fn(|_| fastrand::u8(..));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
