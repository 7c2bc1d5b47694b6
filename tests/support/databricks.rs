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

use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::paths::repo_root;
use crate::python_standin::{self, PythonStandIn};

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
pub struct DatabricksStandIn(PythonStandIn);

impl DatabricksStandIn {
    /// Serves `catalog` (the stand-in's catalog JSON: `{"catalogs": {…}}`).
    pub fn start(catalog: &Value, settings: Settings) -> DatabricksStandIn {
        let mut args = vec![
            "--page-size".to_string(),
            settings.page_size.to_string(),
            "--latency-ms".to_string(),
            settings.latency.as_millis().to_string(),
            "--flaky-every".to_string(),
            settings.flaky_every.to_string(),
        ];
        if let Some(token) = &settings.token {
            args.extend(["--token".to_string(), token.clone()]);
        }
        DatabricksStandIn(PythonStandIn::start(
            "Databricks",
            "databricks",
            catalog,
            &args,
        ))
    }

    /// `127.0.0.1:PORT`.
    pub fn host_port(&self) -> String {
        self.0.host_port()
    }

    /// `http://127.0.0.1:PORT`: the workspace URL, OpenMetadata's `hostPort` for it.
    pub fn url(&self) -> String {
        self.0.url()
    }

    /// Every request answered so far, as the stand-in logged it: `method`, `path` (decoded),
    /// `query` (name → value), `authorization` (the scheme only), `status`, `error_code`.
    pub fn requests(&self) -> Vec<Value> {
        self.0.requests()
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

/// `scripts/databricks-standin.sh selftest`: Databricks' official Python client (PyPI
/// `databricks-sdk`, installed once into a cached virtualenv) against the stand-in.
pub fn selftest() -> Output {
    python_standin::script("databricks", &["selftest"])
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
    let (_dir, path) =
        python_standin::client_pythonpath("databricks", "databricks/sdk", &["databricks"]);
    let source = format!(
        "source:\n  type: unitycatalog\n  serviceName: {service}\n  serviceConnection:\n    config:\n      \
         type: UnityCatalog\n      hostPort: {}\n      authType:\n        token: {token}\n  \
         sourceConfig:\n    config:\n      type: DatabaseMetadata\n",
        uc.url(),
    );
    let patches = repo_root().join("tests/support/databricks/om_patches.py");
    crate::om_ingest::run_connector("Unity Catalog", &source, om, &path, Some(&patches))
}
