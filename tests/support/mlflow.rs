//! A real MLflow tracking server (PyPI `mlflow` 3.17.2, from the virtualenv
//! `scripts/server-venv.sh mlflow` makes) for the MLflow connector's tests, with a SQLite backend
//! store and its artifact store served over HTTP (`--serve-artifacts`, `--artifacts-destination`),
//! in a temporary folder on a free port. MLflow's own Python client registers the test models
//! (`tests/support/mlflow/seed.py`, whose docstring lists them).
//!
//! [`shared`] starts one server per test binary (about 20 s, and 40 s to register the models),
//! which every test reads and none writes to. The server runs in its own process group under a
//! `sh` that kills the group (MLflow's uvicorn workers included) when the test binary's end closes
//! its standard input.

use crate::net::{free_port, http_status};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::paths::repo_root;

/// The `bulk-NNN` models seed.py registers besides its named ones: with them the registry's
/// listing takes two pages of 100.
pub const BULK: usize = 100;

/// No usage reports sent (MLflow 3.x sends them by default; the tests have no internet) and no
/// progress bars in the logs.
pub const QUIET: [(&str, &str); 3] = [
    ("MLFLOW_DISABLE_TELEMETRY", "true"),
    ("DO_NOT_TRACK", "true"),
    ("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false"),
];

/// The virtualenv holding MLflow (`paths::server_venv`).
pub fn venv() -> PathBuf {
    crate::paths::server_venv("mlflow")
}

/// A running MLflow tracking server.
pub struct Mlflow {
    url: String,
    dir: tempfile::TempDir,
    _child: Child,
    /// Held open: the `sh` above MLflow kills its process group once it closes.
    _stdin: ChildStdin,
}

impl Mlflow {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its log (the server's output).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mlflow.log")).unwrap_or_default()
    }

    /// The folder of the experiment whose artifacts are in a local folder, not served.
    pub fn local_artifacts(&self) -> PathBuf {
        self.dir.path().join("local-artifacts")
    }

    /// Starts an empty server.
    pub fn start() -> Mlflow {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir(dir.path().join("local-artifacts")).unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("mlflow.log")).unwrap();
        let backend = format!("sqlite:///{}", dir.path().join("mlflow.db").display());
        let artifacts = dir.path().join("artifacts");
        let mut child = Command::new("sh")
            .arg("-c")
            // MLflow in the background; when our stdin closes (the test binary ended, however),
            // the whole process group goes.
            .arg("\"$@\" & cat >/dev/null; kill -TERM 0")
            .arg("sh")
            .arg(venv().join("bin/mlflow"))
            .args([
                "server",
                "--backend-store-uri",
                &backend,
                "--serve-artifacts",
            ])
            .arg("--artifacts-destination")
            .arg(&artifacts)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--workers", "1"])
            .envs(QUIET)
            .current_dir(dir.path())
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start MLflow: {e}"));
        let stdin = child.stdin.take().unwrap();
        let server = Mlflow {
            url: format!("http://127.0.0.1:{port}"),
            dir,
            _child: child,
            _stdin: stdin,
        };
        let started = Instant::now();
        while http_status(port, "/health") != Some(200) {
            assert!(
                started.elapsed() < Duration::from_secs(180),
                "MLflow did not answer /health within 180 s:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        server
    }
}

/// The shared server with seed.py's models, and what seed.py made.
pub struct Seeded {
    pub server: Mlflow,
    /// seed.py's output: `models` (name → `version`, `run_id`, `artifact_uri`, `params`,
    /// `features` as `[name, type]`, `description`) and `cannot_describe` (names).
    pub seed: Value,
}

impl Seeded {
    /// What seed.py recorded of model `name`.
    pub fn model(&self, name: &str) -> &Value {
        let m = &self.seed["models"][name];
        assert!(m.is_object(), "seed.py made no model {name}");
        m
    }

    /// Every model seed.py registered that has a version with a run: what can be described.
    pub fn described(&self) -> Vec<String> {
        self.seed["models"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    /// The models that cannot be described (no version, or a version without a run).
    pub fn cannot_describe(&self) -> Vec<String> {
        self.seed["cannot_describe"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect()
    }
}

/// The shared server, started and seeded on first use (within a minute or two).
pub fn shared() -> &'static Seeded {
    static SHARED: OnceLock<Seeded> = OnceLock::new();
    SHARED.get_or_init(|| {
        let server = Mlflow::start();
        let seed = seed(&server);
        Seeded { server, seed }
    })
}

/// Runs seed.py against `server`.
fn seed(server: &Mlflow) -> Value {
    let script = repo_root().join("tests/support/mlflow/seed.py");
    let out = server.dir.path().join("seed.json");
    let run = Command::new(venv().join("bin/python"))
        .arg(&script)
        .arg(server.url())
        .arg(server.local_artifacts())
        .arg(BULK.to_string())
        .arg(&out)
        .envs(QUIET)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", script.display()));
    assert!(
        run.status.success(),
        "seed.py failed:\n{}\n{}\nMLflow's log:\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
        server.log()
    );
    let text = std::fs::read_to_string(&out).expect("seed.py's output");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("seed.py's output: {e}\n{text}"))
}

/// An http URL on loopback where nothing listens.
pub fn nothing_listening() -> String {
    format!("http://127.0.0.1:{}", free_port())
}

/// What OpenMetadata's own MLflow connector (openmetadata-ingestion 2.0.7.0 with its `mlflow`
/// extra, through `tests/support/om_connector.py`) sends for the shared server as `service`, with
/// `source_config` (the lines under `sourceConfig.config`, indented by six), writing into the
/// OpenMetadata stand-in `om`: every Create request its sink is handed, in order, as `{"kind",
/// "request"}`. Panics with its log unless it succeeds.
pub fn openmetadata_ingest(
    om: &crate::openmetadata::StandIn,
    service: &str,
    source_config: &str,
) -> Vec<Value> {
    let seeded = shared();
    let url = seeded.server.url();
    let source = format!(
        "source:\n  type: mlflow\n  serviceName: {service}\n  serviceConnection:\n    config:\n      \
         type: Mlflow\n      trackingUri: {url}\n      registryUri: {url}\n  sourceConfig:\n    \
         config:\n      type: MlModelMetadata\n{source_config}"
    );
    let patches = repo_root().join("tests/support/mlflow/om_patches.py");
    crate::om_ingest::run_connector(
        "MLflow",
        &source,
        om,
        std::ffi::OsStr::new(""),
        Some(&patches),
    )
}
