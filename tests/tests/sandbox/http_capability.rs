//! Outgoing HTTP for plugins (wasi:http), granted per host by the config. tests/plugins/http-probe
//! GETs the URLs its sourceConfig lists from inside the sandbox and reports each outcome as a
//! database name (`<index>-ok-<status>`, `<index>-denied`, `<index>-error-<code>`); a local server
//! on 127.0.0.1 stands in for Looker's API and records what reaches it.

use std::collections::BTreeSet;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use omrun_tests::{Omrun, RunOutput, Workdir, fqn, test_plugin, yaml_str};
use serde_json::{Value, json};

const SERVICE: &str = "http_probe";
/// Characters a URL must encode and a header carries as is.
const SECRET: &str = "s3cr&t/+ü =";

/// What a server saw: one line per request, the path and whether the secret arrived.
type Hits = Arc<Mutex<Vec<String>>>;

/// An axum server on 127.0.0.1, an ephemeral port, its own thread and runtime; stops when dropped.
struct Server {
    addr: SocketAddr,
    hits: Hits,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// `/granted` answers 200 only when the secret came in both the `Authorization` header and
    /// the `token` query parameter; `/big` streams a body over the 64 MiB limit, without a length.
    fn start() -> Server {
        let hits = Hits::default();
        let app = Router::new()
            .route("/granted", get(granted))
            .route("/big", get(big))
            .fallback(
                |State(hits): State<Hits>, uri: axum::http::Uri| async move {
                    hits.lock().unwrap().push(uri.path().to_string());
                    StatusCode::NOT_FOUND
                },
            )
            .with_state(hits.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                tokio::select! {
                    r = axum::serve(listener, app).into_future() => r.unwrap(),
                    _ = stopped => {}
                }
            });
        });
        Server {
            addr,
            hits,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.take().map(|s| s.send(()));
        let _ = self.thread.take().map(JoinHandle::join);
    }
}

async fn granted(
    State(hits): State<Hits>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> StatusCode {
    let header = headers.get("authorization").map(|v| v.as_bytes().to_vec());
    let header_ok = header == Some(format!("Bearer {SECRET}").into_bytes());
    let query_ok = query.contains(&("token".to_string(), SECRET.to_string()));
    hits.lock().unwrap().push(format!(
        "/granted header_ok={header_ok} query_ok={query_ok}"
    ));
    if header_ok && query_ok {
        StatusCode::OK
    } else {
        StatusCode::UNAUTHORIZED
    }
}

async fn big(State(hits): State<Hits>) -> Body {
    hits.lock().unwrap().push("/big".into());
    // 65 chunks of 1 MiB.
    let chunk = Bytes::from(vec![b'x'; 1 << 20]);
    Body::from_stream(futures_util::stream::iter(
        (0..65).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
    ))
}

/// Runs the probe with `hostPort` and the probes `[{url, headers}]`, the secret in
/// `clientSecret` (from the environment, as real configs do); omrun's every output is checked
/// for it.
fn probe(work: &Workdir, host_port: &str, probes: Value) -> RunOutput {
    let output = work.join("out.jsonl");
    let config = format!(
        "source:
  type: http-probe
  serviceName: {SERVICE}
  serviceConnection:
    config:
      type: CustomDatabase
      hostPort: {host_port}
      clientId: probe
      clientSecret: ${{PROBE_SECRET}}
      probes: {probes}
  sourceConfig:
    config:
      type: DatabaseMetadata
sink:
  type: file
  config:
    filename: {output}
workflowConfig:
  loggerLevel: INFO
",
        host_port = yaml_str(host_port),
        output = yaml_str(&output.to_string_lossy()),
    );
    work.write("config.yaml", config);
    Omrun::ingest(work.path(), "config.yaml")
        .plugin(test_plugin("http_probe"))
        .mode("sequential", None)
        // The probe lists nothing: it only makes requests.
        .arg("--allow-empty")
        .env("PROBE_SECRET", SECRET)
        .secret(SECRET)
        .output(&output)
        .run()
}

fn databases(out: &RunOutput) -> BTreeSet<String> {
    out.records().database_fqns()
}

fn names(outcomes: &[&str]) -> BTreeSet<String> {
    outcomes.iter().map(|o| fqn(&[SERVICE, o])).collect()
}

#[test]
fn only_the_granted_host_is_reached_and_secrets_are_filled_in_there() {
    let server = Server::start();
    let other = Server::start();
    let port = server.addr.port();
    let auth = |key: &str| json!({"Authorization": format!("Bearer __OMRUN_SECRET_{key}__")});
    let probes = json!([
        {"url": server.url("/granted?token=__OMRUN_SECRET_clientSecret__"),
         "headers": auth("clientSecret")},
        {"url": other.url("/granted?token=__OMRUN_SECRET_clientSecret__"),
         "headers": auth("clientSecret")},
        {"url": "http://169.254.169.254/latest/meta-data/iam/security-credentials/"},
        {"url": format!("http://localhost:{port}/granted")},
        {"url": "https://looker.example/api/4.0/login"},
        {"url": server.url("/granted?token=__OMRUN_SECRET_clientSecret__"),
         "headers": auth("apiKey")},
        {"url": server.url("/big")},
    ]);
    let work = Workdir::new();
    let out = probe(&work, &format!("http://127.0.0.1:{port}"), probes);
    out.assert_success();

    assert_eq!(
        databases(&out),
        names(&[
            "0-ok-200",
            "1-denied",
            "2-denied",
            "3-denied",
            "4-denied",
            "5-denied",
            // wasmtime-wasi-http 48 hands a body's error to the guest as a bare failed read,
            // without an error code: the reason is in omrun's log (below).
            "6-error-read",
        ]),
        "{}",
        out.describe()
    );
    // The secret arrived, percent-encoded in the query and raw in the header, at the granted
    // server only; the request naming an unknown secret never left omrun.
    assert_eq!(
        server.hits(),
        ["/granted header_ok=true query_ok=true", "/big"],
        "{}",
        out.describe()
    );
    assert_eq!(other.hits(), Vec::<String>::new());

    // Every refusal is explained on omrun's side, naming the destination.
    for line in [
        format!(
            "http-probe: denied HTTP request to {}: not granted by the config",
            other.addr
        ),
        "http-probe: denied HTTP request to 169.254.169.254: not granted by the config".into(),
        format!("http-probe: denied HTTP request to localhost:{port}: not granted by the config"),
        "http-probe: denied HTTP request to looker.example: not granted by the config".into(),
        format!(
            "http-probe: denied HTTP request to 127.0.0.1:{port}: header `authorization`: \
             placeholder __OMRUN_SECRET_apiKey__ names no secret of source.serviceConnection.config"
        ),
        format!("http-probe: HTTP response body from 127.0.0.1:{port} exceeds the 64 MiB limit"),
    ] {
        out.assert_stderr_line(&line);
    }
    // Paths and queries stay out of the log: they may carry secrets.
    for never in ["meta-data", "token=", "/api/4.0/login"] {
        assert!(
            !out.stderr.contains(never),
            "{never:?} logged:\n{}",
            out.describe()
        );
    }
    // The plugin's own view of its connection: no secret, not even its key.
    let seen = out
        .stderr
        .lines()
        .find(|l| l.contains("serviceConnection as the plugin sees it"))
        .unwrap_or_else(|| panic!("the probe did not log its connection:\n{}", out.describe()));
    assert!(seen.contains("\"clientId\":\"probe\""), "{seen}");
    assert!(!seen.contains("clientSecret"), "{seen}");
}

#[test]
fn a_granted_name_that_resolves_to_loopback_is_refused() {
    // `127.1` is a name to the grant check but resolves to 127.0.0.1: only a grant that names the
    // address itself may reach loopback.
    let server = Server::start();
    let host_port = format!("127.1:{}", server.addr.port());
    let work = Workdir::new();
    let out = probe(
        &work,
        &format!("http://{host_port}"),
        json!([{"url": format!("http://{host_port}/granted")}]),
    );
    out.assert_success();
    assert_eq!(databases(&out), names(&["0-denied"]), "{}", out.describe());
    out.assert_stderr_line(&format!(
        "http-probe: denied HTTP request to {host_port}: it resolves to 127.0.0.1, a loopback \
         address, which only a grant naming that address literally may reach"
    ));
    assert_eq!(server.hits(), Vec::<String>::new());
}

#[test]
fn a_plugin_needing_http_is_refused_when_the_config_grants_none() {
    let work = Workdir::new();
    // No host in hostPort (a socket's path): nothing to grant. (A `host:port` would be granted to
    // a plugin that needs `source`, as a warehouse over HTTP does.)
    let out = probe(&work, "/var/run/db.sock", json!([]));
    assert_ne!(out.code, Some(0), "{}", out.describe());
    assert!(
        out.single_error()
            .contains("plugin http-probe needs http to `source` which the config does not grant"),
        "{}",
        out.describe()
    );
}
