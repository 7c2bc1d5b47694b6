//! The Databricks Unity Catalog stand-in (`tests/support/databricks/standin.py`): a workspace's
//! Unity Catalog REST API 2.1 over a catalog the test writes, run as a `python3` process (standard
//! library only) on a free port, with its request log in a file the test reads. What it
//! implements, and how Databricks' official Python client checks it
//! (`scripts/databricks-standin.sh selftest`), is said in the script.
//!
//! ```text
//! let uc = DatabricksStandIn::start(&catalog_json, Settings::with_token("dapi…"));
//! uc.url();           // "http://127.0.0.1:PORT", the workspace (OpenMetadata's hostPort)
//! uc.requests();      // every request answered, in order
//! ```

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::paths::repo_root;

/// How the stand-in behaves; the default takes any request, answers at once, 50 items a page.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The personal access token every request must carry as `Authorization: Bearer`.
    pub token: Option<String>,
    /// Added to every request.
    pub latency: Duration,
    /// The server's page size (what `max_results=0` gets).
    pub page_size: usize,
    /// Every Nth request is answered 503 once.
    pub flaky_every: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            token: None,
            latency: Duration::ZERO,
            page_size: 50,
            flaky_every: 0,
        }
    }
}

impl Settings {
    /// The default, requiring `token`.
    pub fn with_token(token: &str) -> Settings {
        Settings {
            token: Some(token.to_string()),
            ..Settings::default()
        }
    }
}

/// A running stand-in; stopped when dropped.
pub struct DatabricksStandIn {
    child: Child,
    /// Held open: the stand-in stops when its standard input closes.
    stdin: Option<ChildStdin>,
    host_port: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// The script.
pub fn standin_script() -> PathBuf {
    repo_root().join("tests/support/databricks/standin.py")
}

impl DatabricksStandIn {
    /// Serves `catalog` (the stand-in's catalog JSON: `{"catalogs": {…}}`).
    pub fn start(catalog: &Value, settings: Settings) -> DatabricksStandIn {
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
            .arg("--page-size")
            .arg(settings.page_size.to_string())
            .arg("--latency-ms")
            .arg(settings.latency.as_millis().to_string())
            .arg("--flaky-every")
            .arg(settings.flaky_every.to_string());
        if let Some(token) = &settings.token {
            cmd.arg("--token").arg(token);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start the Databricks stand-in (python3 {}): {e}",
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
            "the Databricks stand-in did not start (it printed {first:?}); see its stderr above"
        );
        DatabricksStandIn {
            stdin: child.stdin.take(),
            child,
            host_port,
            log,
            _dir: dir,
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn host_port(&self) -> String {
        self.host_port.clone()
    }

    /// `http://127.0.0.1:PORT`: the workspace URL, OpenMetadata's `hostPort` for it.
    pub fn url(&self) -> String {
        format!("http://{}", self.host_port)
    }

    /// Every request answered so far, as the stand-in logged it: `method`, `path` (decoded),
    /// `query` (name → value), `authorization` (the scheme only), `status`, `error_code`.
    pub fn requests(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line in the stand-in's log"))
            .collect()
    }

    /// The paths of the requests so far under `/api/2.1/unity-catalog`, without that prefix,
    /// e.g. `/tables/main.sales.orders`.
    pub fn api_paths(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter_map(|r| r["path"].as_str())
            .filter_map(|p| p.strip_prefix("/api/2.1/unity-catalog"))
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for DatabricksStandIn {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `scripts/databricks-standin.sh selftest`: Databricks' official Python client (PyPI
/// `databricks-sdk`, installed once into a cached virtualenv) against the stand-in.
pub fn selftest() -> Output {
    Command::new("bash")
        .arg(repo_root().join("scripts/databricks-standin.sh"))
        .arg("selftest")
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/databricks-standin.sh selftest")
}

/// What OpenMetadata's own Unity Catalog connector sends for the workspace `uc` (its `metadata
/// ingest` workflow, PyPI openmetadata-ingestion 2.0.7.0 with `databricks-sdk`, through
/// `tests/support/om_connector.py` and `tests/support/databricks/om_patches.py`, which says what
/// it steps around): every Create request its sink is handed, in order, as `{"kind", "request"}`,
/// writing into the OpenMetadata stand-in `om`. Panics with its log unless it succeeds.
///
/// The openmetadata-ingestion virtualenv (scripts/om-ingest.py) has no Databricks extra: the
/// `databricks` package (the SDK alone) comes from the stand-in's own virtualenv
/// (scripts/databricks-standin.sh), linked into a folder on `PYTHONPATH`, so that nothing else of
/// that virtualenv shadows openmetadata-ingestion's packages.
pub fn openmetadata_ingest(
    uc: &DatabricksStandIn,
    om: &crate::openmetadata::StandIn,
    service: &str,
    token: &str,
) -> Vec<Value> {
    let venv = Command::new("bash")
        .arg(repo_root().join("scripts/databricks-standin.sh"))
        .arg("venv")
        .stdin(Stdio::null())
        .output()
        .expect("scripts/databricks-standin.sh venv");
    assert!(
        venv.status.success(),
        "scripts/databricks-standin.sh venv failed:\n{}",
        String::from_utf8_lossy(&venv.stderr)
    );
    let venv = PathBuf::from(String::from_utf8_lossy(&venv.stdout).trim());
    let site = std::fs::read_dir(venv.join("lib"))
        .expect("the databricks virtualenv's lib")
        .filter_map(Result::ok)
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.join("databricks/sdk").is_dir())
        .expect("databricks-sdk in the databricks virtualenv");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("pythonpath");
    std::fs::create_dir(&path).unwrap();
    std::os::unix::fs::symlink(site.join("databricks"), path.join("databricks")).unwrap();
    let source = format!(
        "source:\n  type: unitycatalog\n  serviceName: {service}\n  serviceConnection:\n    config:\n      \
         type: UnityCatalog\n      hostPort: {}\n      authType:\n        token: {token}\n  \
         sourceConfig:\n    config:\n      type: DatabaseMetadata\n",
        uc.url(),
    );
    let patches = repo_root().join("tests/support/databricks/om_patches.py");
    crate::om_ingest::run_connector(
        "Unity Catalog",
        &source,
        om,
        path.as_os_str(),
        Some(&patches),
    )
}
