//! The Trino stand-in (`tests/support/trino/standin.py`): a Trino coordinator's client protocol
//! over a catalog the test writes, run as a `python3` process (standard library only) on a free
//! port, with its request log in a file the test reads. What it implements, and how the official
//! Python client checks it (`scripts/trino-standin.sh selftest`), is said in the script.
//!
//! ```text
//! let trino = TrinoStandIn::start(&catalog_json, Settings::default());
//! trino.host_port();      // "127.0.0.1:PORT", OpenMetadata's Trino hostPort
//! trino.statements();     // the SQL of every POST /v1/statement, in order
//! ```

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::paths::repo_root;

/// How the stand-in behaves; the default is an open Trino answering at once, 100 rows a page.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `(user, password)`: basic authentication required on every request.
    pub password: Option<(String, String)>,
    /// A bearer token required on every request.
    pub jwt: Option<String>,
    /// Added to every request.
    pub latency: Duration,
    pub page_rows: usize,
    /// Every Nth request is answered 503 once.
    pub flaky_every: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            password: None,
            jwt: None,
            latency: Duration::ZERO,
            page_rows: 100,
            flaky_every: 0,
        }
    }
}

/// A running stand-in; stopped when dropped.
pub struct TrinoStandIn {
    child: Child,
    /// Held open: the stand-in stops when its standard input closes.
    stdin: Option<ChildStdin>,
    host_port: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// The script.
pub fn standin_script() -> PathBuf {
    repo_root().join("tests/support/trino/standin.py")
}

impl TrinoStandIn {
    /// Serves `catalog` (the stand-in's catalog JSON: `{"catalogs": {…}}`).
    pub fn start(catalog: &Value, settings: Settings) -> TrinoStandIn {
        let dir = tempfile::tempdir().expect("temporary directory");
        let spec = dir.path().join("catalog.json");
        std::fs::write(&spec, serde_json::to_vec_pretty(catalog).unwrap()).unwrap();
        let log = dir.path().join("requests.jsonl");
        let mut cmd = Command::new("python3");
        cmd.arg(standin_script())
            .arg("serve")
            .arg("--catalog")
            .arg(&spec)
            .arg("--log")
            .arg(&log)
            .arg("--page-rows")
            .arg(settings.page_rows.to_string())
            .arg("--latency-ms")
            .arg(settings.latency.as_millis().to_string())
            .arg("--flaky-every")
            .arg(settings.flaky_every.to_string());
        if let Some((user, password)) = &settings.password {
            cmd.arg("--password").arg(format!("{user}:{password}"));
        }
        if let Some(jwt) = &settings.jwt {
            cmd.arg("--jwt").arg(jwt);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start the Trino stand-in (python3 {}): {e}",
                    standin_script().display()
                )
            });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .expect("the stand-in's address");
        let host_port = first.trim().to_string();
        assert!(
            host_port.starts_with("127.0.0.1:"),
            "the Trino stand-in did not start (it printed {first:?}); see its stderr above"
        );
        TrinoStandIn {
            stdin: child.stdin.take(),
            child,
            host_port,
            log,
            _dir: dir,
        }
    }

    /// `127.0.0.1:PORT`: OpenMetadata's Trino `hostPort` (no scheme).
    pub fn host_port(&self) -> String {
        self.host_port.clone()
    }

    /// Every request answered so far, as the stand-in logged it: `method`, `path`, `user`,
    /// `catalog`, `schema`, `source`, `authorization` (the scheme only), `status`, `sql` (POST),
    /// `query`, `rows`, `error`, `auth_failure`.
    pub fn requests(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line in the stand-in's log"))
            .collect()
    }

    /// The SQL of every `POST /v1/statement`, in order.
    pub fn statements(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| r["method"] == "POST")
            .filter_map(|r| r["sql"].as_str().map(str::to_owned))
            .collect()
    }
}

impl Drop for TrinoStandIn {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `scripts/trino-standin.sh selftest`: the official Trino Python client (PyPI `trino`, installed
/// once into a cached virtualenv) against the stand-in.
pub fn selftest() -> Output {
    Command::new("bash")
        .arg(repo_root().join("scripts/trino-standin.sh"))
        .arg("selftest")
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/trino-standin.sh selftest")
}

/// What OpenMetadata's own Trino connector sends for `trino` (its `metadata ingest` workflow,
/// PyPI openmetadata-ingestion 2.0.7.0 with `trino` 0.340.0, through
/// `tests/support/om_connector.py`): every Create request its sink is handed, in order, as
/// `{"kind", "request"}`, writing into the OpenMetadata stand-in `om`. Panics with its log unless
/// it succeeds.
///
/// The openmetadata-ingestion virtualenv (scripts/om-ingest.py) has no Trino extra: the `trino`
/// package (and `tzlocal`, which it imports) come from the stand-in's own virtualenv
/// (scripts/trino-standin.sh), linked alone into a folder on `PYTHONPATH`, so that nothing else of
/// that virtualenv (its SQLAlchemy) shadows openmetadata-ingestion's.
pub fn openmetadata_ingest(
    trino: &TrinoStandIn,
    om: &crate::openmetadata::StandIn,
    service: &str,
    user: &str,
) -> Vec<Value> {
    let venv = Command::new("bash")
        .arg(repo_root().join("scripts/trino-standin.sh"))
        .arg("venv")
        .stdin(Stdio::null())
        .output()
        .expect("scripts/trino-standin.sh venv");
    assert!(
        venv.status.success(),
        "scripts/trino-standin.sh venv failed"
    );
    let venv = PathBuf::from(String::from_utf8_lossy(&venv.stdout).trim());
    let site = std::fs::read_dir(venv.join("lib"))
        .expect("the trino virtualenv's lib")
        .filter_map(Result::ok)
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.join("trino").is_dir())
        .expect("trino in the trino virtualenv");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("pythonpath");
    std::fs::create_dir(&path).unwrap();
    for package in ["trino", "tzlocal"] {
        std::os::unix::fs::symlink(site.join(package), path.join(package)).unwrap();
    }
    let source = format!(
        "source:\n  type: trino\n  serviceName: {service}\n  serviceConnection:\n    config:\n      \
         type: Trino\n      hostPort: {}\n      username: {user}\n  sourceConfig:\n    config:\n      \
         type: DatabaseMetadata\n",
        trino.host_port(),
    );
    crate::om_ingest::run_connector("Trino", &source, om, path.as_os_str(), None)
}
