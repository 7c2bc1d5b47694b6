//! The Metabase stand-in (`tests/support/metabase/standin.py`): Metabase's REST API — session
//! login or API key, collections, dashboards with their dashcards, cards (questions and models,
//! query-builder and native SQL), databases, tables, users — over a catalog that
//! `tests/support/metabase/catalog.py` generates, run as a `python3` process (standard library
//! only). What it answers and refuses, and where each shape comes from, is said in the script.
//! OpenMetadata's own Metabase connector is run against it by the tests
//! (`tests/tests/connectors/metabase.rs`), which is how the stand-in is checked.
//!
//! ```text
//! let mb = MetabaseStandIn::start(Settings::new(20, "pw"));
//! mb.url();        // "http://127.0.0.1:PORT", the connector's hostPort
//! mb.catalog();    // what it serves (users, databases, tables, collections, cards, dashboards)
//! mb.requests();   // every request answered, in order
//! ```

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::paths::repo_root;
use crate::python_standin::PythonStandIn;

/// How the stand-in behaves; [`Settings::new`] gives a fast, unlimited Metabase.
#[derive(Clone, Debug)]
pub struct Settings {
    pub dashboards: usize,
    /// The one user that can log in (`admin@example.com`).
    pub username: String,
    pub password: String,
    /// An API key Metabase takes (`X-API-KEY`); none: API keys are refused.
    pub api_key: Option<String>,
    /// How long a session is honoured.
    pub session_ttl: Option<Duration>,
    /// Added to every call.
    pub latency: Duration,
    /// At most this many calls per window; more get 429 with `Retry-After`.
    pub rate_limit: Option<(usize, Duration)>,
}

impl Settings {
    pub fn new(dashboards: usize, password: &str) -> Self {
        Settings {
            dashboards,
            username: "admin@example.com".into(),
            password: password.into(),
            api_key: None,
            session_ttl: None,
            latency: Duration::ZERO,
            rate_limit: None,
        }
    }

    /// The spec catalog.py generates the catalog from.
    pub fn spec(&self) -> Value {
        json!({
            "dashboards": self.dashboards,
            "username": self.username,
            "password": self.password,
            "api_key": self.api_key,
        })
    }
}

/// The catalog of `spec` (`catalog.py SPEC.json`).
pub fn generate(spec: &Value) -> Value {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("spec.json");
    std::fs::write(&path, spec.to_string()).unwrap();
    let script = repo_root().join("tests/support/metabase/catalog.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("python3 {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the catalog as JSON")
}

/// A running stand-in; stopped when dropped.
pub struct MetabaseStandIn {
    inner: PythonStandIn,
    catalog: Value,
}

impl MetabaseStandIn {
    pub fn start(settings: Settings) -> MetabaseStandIn {
        let catalog = generate(&settings.spec());
        let mut args: Vec<String> = Vec::new();
        if let Some(ttl) = settings.session_ttl {
            args.extend(["--session-ttl-s".into(), ttl.as_secs_f64().to_string()]);
        }
        if !settings.latency.is_zero() {
            args.extend([
                "--latency-ms".into(),
                settings.latency.as_millis().to_string(),
            ]);
        }
        if let Some((calls, window)) = settings.rate_limit {
            args.extend([
                "--rate-limit".into(),
                format!("{calls}/{}", window.as_secs_f64()),
            ]);
        }
        let inner = PythonStandIn::start("Metabase", "metabase", &catalog, &args);
        MetabaseStandIn { inner, catalog }
    }

    /// `http://127.0.0.1:PORT`: OpenMetadata's Metabase `hostPort`.
    pub fn url(&self) -> String {
        self.inner.url()
    }

    pub fn catalog(&self) -> &Value {
        &self.catalog
    }

    /// Every request answered so far: `method`, `path`, `query`, `auth`, `session`, `status`
    /// (and `username`, `issued` for a login).
    pub fn requests(&self) -> Vec<Value> {
        self.inner.requests()
    }

    /// Answers to `method path` (exact, trailing `/` ignored) with `status`.
    pub fn count(&self, method: &str, path: &str, status: u16) -> usize {
        self.requests()
            .iter()
            .filter(|r| {
                r["method"] == method
                    && r["path"].as_str().map(|p| p.trim_end_matches('/')) == Some(path)
                    && r["status"] == status
            })
            .count()
    }

    /// Answers with `status`, any path.
    pub fn count_status(&self, status: u16) -> usize {
        self.requests()
            .iter()
            .filter(|r| r["status"] == status)
            .count()
    }

    /// Calls under `prefix` (e.g. `/api/user/`), answered with any status.
    pub fn calls(&self, prefix: &str) -> Vec<String> {
        self.requests()
            .iter()
            .filter_map(|r| r["path"].as_str())
            .filter(|p| p.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    }
}
