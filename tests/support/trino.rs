//! The Trino stand-in (`tests/support/trino/standin.py`): a Trino coordinator's client protocol
//! over a catalog the test writes, run as a `python3` process (standard library only) on a free
//! port, with its request log in a file the test reads; or, with [`Flavour::Presto`], a PrestoDB
//! coordinator's (`tests/support/trino/presto_flavour.py`). What it implements, and how the
//! official Python clients check it (`scripts/trino-standin.sh selftest`), is said in the script.
//!
//! ```text
//! let trino = TrinoStandIn::start(&catalog_json, Settings::default());
//! trino.host_port();      // "127.0.0.1:PORT", OpenMetadata's Trino hostPort
//! trino.statements();     // the SQL of every POST /v1/statement, in order
//! ```

use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::python_standin::{self, PythonStandIn};

/// Which engine the stand-in answers as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flavour {
    #[default]
    Trino,
    /// PrestoDB: `X-Presto-*` headers only (a request naming its user in `X-Trino-User` alone is
    /// refused, 400 `User must be set`), PrestoDB's errors, no `system.metadata.table_comments`.
    Presto,
}

/// How the stand-in behaves; the default is an open Trino answering at once, 100 rows a page.
#[derive(Clone, Debug)]
pub struct Settings {
    pub flavour: Flavour,
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
            flavour: Flavour::Trino,
            password: None,
            jwt: None,
            latency: Duration::ZERO,
            page_rows: 100,
            flaky_every: 0,
        }
    }
}

/// A running stand-in; stopped when dropped.
pub struct TrinoStandIn(PythonStandIn);

impl TrinoStandIn {
    /// Serves `catalog` (the stand-in's catalog JSON: `{"catalogs": {…}}`).
    pub fn start(catalog: &Value, settings: Settings) -> TrinoStandIn {
        let mut args = vec![
            "--page-rows".to_string(),
            settings.page_rows.to_string(),
            "--latency-ms".to_string(),
            settings.latency.as_millis().to_string(),
            "--flaky-every".to_string(),
            settings.flaky_every.to_string(),
        ];
        if let Some((user, password)) = &settings.password {
            args.extend(["--password".to_string(), format!("{user}:{password}")]);
        }
        if let Some(jwt) = &settings.jwt {
            args.extend(["--jwt".to_string(), jwt.clone()]);
        }
        let what = match settings.flavour {
            Flavour::Trino => "Trino",
            Flavour::Presto => {
                args.extend(["--flavour".to_string(), "presto".to_string()]);
                "Presto"
            }
        };
        TrinoStandIn(PythonStandIn::start(what, "trino", catalog, &args))
    }

    /// `127.0.0.1:PORT`: OpenMetadata's Trino `hostPort` (no scheme).
    pub fn host_port(&self) -> String {
        self.0.host_port()
    }

    /// Every request answered so far, as the stand-in logged it: `method`, `path`, `user`,
    /// `catalog`, `schema`, `source` (from the flavour's own headers), `protocol_headers` (the
    /// names of every `X-Trino-*` and `X-Presto-*` header sent, lower-cased), `authorization`
    /// (the scheme only), `status`, `sql` (POST), `query`, `rows`, `error`, `auth_failure`.
    pub fn requests(&self) -> Vec<Value> {
        self.0.requests()
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

/// `scripts/trino-standin.sh selftest`: the official Trino Python client (PyPI `trino`) against
/// the stand-in, and PrestoDB's (PyPI `presto-python-client`) against its Presto flavour, both
/// installed once into a cached virtualenv.
pub fn selftest() -> Output {
    python_standin::script("trino", &["selftest"])
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
    let (_dir, path) = python_standin::client_pythonpath("trino", "trino", &["trino", "tzlocal"]);
    let source = format!(
        "source:\n  type: trino\n  serviceName: {service}\n  serviceConnection:\n    config:\n      \
         type: Trino\n      hostPort: {}\n      username: {user}\n  sourceConfig:\n    config:\n      \
         type: DatabaseMetadata\n",
        trino.host_port(),
    );
    crate::om_ingest::run_connector("Trino", &source, om, &path, None)
}

/// What OpenMetadata's own Presto connector sends for `presto` (its `metadata ingest` workflow,
/// PyPI openmetadata-ingestion 2.0.7.0 with PyHive 0.7.0, the driver it uses), as
/// [`openmetadata_ingest`] does for Trino: every Create request its sink is handed, in order, as
/// `{"kind", "request"}`, writing into the OpenMetadata stand-in `om`. `presto` must be the Presto
/// flavour; no password (PyHive sends one over https only).
///
/// PyHive and what it imports (`future`'s `future` and `past`) come from the stand-in's
/// virtualenv, with PyHive's `.dist-info`: SQLAlchemy finds the `presto://` dialect through the
/// entry point it declares.
pub fn openmetadata_presto_ingest(
    presto: &TrinoStandIn,
    om: &crate::openmetadata::StandIn,
    service: &str,
    user: &str,
) -> Vec<Value> {
    let site = python_standin::venv("trino");
    let dist_info = std::fs::read_dir(site.join("lib"))
        .expect("the trino virtualenv's lib")
        .filter_map(Result::ok)
        .flat_map(|d| {
            std::fs::read_dir(d.path().join("site-packages"))
                .into_iter()
                .flatten()
        })
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.to_ascii_lowercase().starts_with("pyhive-") && n.ends_with(".dist-info"))
        .expect("PyHive's .dist-info in the trino virtualenv (scripts/trino-standin.sh venv)");
    let (_dir, path) = python_standin::client_pythonpath(
        "trino",
        "pyhive",
        &["pyhive", &dist_info, "future", "past"],
    );
    let source = format!(
        "source:\n  type: presto\n  serviceName: {service}\n  serviceConnection:\n    config:\n      \
         type: Presto\n      hostPort: {}\n      username: {user}\n      protocol: http\n  \
         sourceConfig:\n    config:\n      type: DatabaseMetadata\n",
        presto.host_port(),
    );
    crate::om_ingest::run_connector("Presto", &source, om, &path, None)
}
