//! The Tableau stand-in (tests/support/tableau/standin.py: Tableau Server's REST API and Metadata
//! API over a generated catalog) as the Tableau connector's tests use it: started with a catalog of
//! any size from tests/support/tableau/catalog.py, the catalog at hand for what to expect, the
//! request log for what was asked.

use std::process::Command;

use serde_json::Value;

use crate::python_standin::PythonStandIn;
use crate::repo_root;

/// The personal access token the stand-in takes.
pub const TOKEN_NAME: &str = "omrun-pat";
/// Characters a JSON body must carry escaped: the stand-in compares the decoded value.
pub const TOKEN_SECRET: &str = "tb-s3cr\"t/+ü =\\";
pub const USERNAME: &str = "omrun-admin";
pub const PASSWORD: &str = "pw-s3cr3t&\"";
/// The site's content URL (the config's `siteName`).
pub const SITE: &str = "omrun";

/// How the stand-in is started.
#[derive(Clone, Debug)]
pub struct Settings {
    pub workbooks: usize,
    pub published: usize,
    /// Seconds a token lives.
    pub token_ttl: Option<f64>,
    /// Requests a second, the rest 429.
    pub rate_limit: Option<u32>,
    pub latency_ms: u32,
    pub node_limit: Option<u32>,
}

impl Settings {
    pub fn new(workbooks: usize, published: usize) -> Self {
        Self {
            workbooks,
            published,
            token_ttl: None,
            rate_limit: None,
            latency_ms: 0,
            node_limit: None,
        }
    }
}

pub struct TableauStandIn {
    inner: PythonStandIn,
    catalog: Value,
}

/// `catalog.py generate WORKBOOKS PUBLISHED`.
pub fn generate(workbooks: usize, published: usize) -> Value {
    let out = Command::new("python3")
        .arg(repo_root().join("tests/support/tableau/catalog.py"))
        .args(["generate", &workbooks.to_string(), &published.to_string()])
        .output()
        .expect("python3 catalog.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the catalog")
}

impl TableauStandIn {
    pub fn start(s: Settings) -> Self {
        let catalog = generate(s.workbooks, s.published);
        let mut args: Vec<String> = vec![
            "--token-name".into(),
            TOKEN_NAME.into(),
            "--token-secret".into(),
            TOKEN_SECRET.into(),
            "--username".into(),
            USERNAME.into(),
            "--password".into(),
            PASSWORD.into(),
            "--latency-ms".into(),
            s.latency_ms.to_string(),
        ];
        if let Some(ttl) = s.token_ttl {
            args.extend(["--token-ttl".into(), ttl.to_string()]);
        }
        if let Some(n) = s.rate_limit {
            args.extend(["--rate-limit".into(), n.to_string()]);
        }
        if let Some(n) = s.node_limit {
            args.extend(["--node-limit".into(), n.to_string()]);
        }
        let inner = PythonStandIn::start("Tableau", "tableau", &catalog, &args);
        Self { inner, catalog }
    }

    pub fn catalog(&self) -> &Value {
        &self.catalog
    }

    /// `http://127.0.0.1:PORT`, the config's `hostPort`.
    pub fn url(&self) -> String {
        self.inner.url()
    }

    /// The request log: `method`, `path`, `query`, `auth`, `token`, `accept`, `status`, `code`,
    /// `roots` (GraphQL), `signin`.
    pub fn requests(&self) -> Vec<Value> {
        self.inner.requests()
    }

    /// How many requests `pred` holds for.
    pub fn count(&self, pred: impl Fn(&Value) -> bool) -> usize {
        self.requests().iter().filter(|r| pred(r)).count()
    }

    /// Sign-ins: (accepted, refused).
    pub fn sign_ins(&self) -> (usize, usize) {
        let signin = |status: u64| {
            self.count(|r| {
                r["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("/auth/signin"))
                    && r["status"] == status
            })
        };
        (signin(200), signin(401))
    }

    /// Answers with this status.
    pub fn count_status(&self, status: u64) -> usize {
        self.count(|r| r["status"] == status)
    }

    /// The workbooks of the catalog.
    pub fn workbooks(&self) -> &[Value] {
        self.catalog["workbooks"].as_array().unwrap()
    }

    /// Data source id → (name, published?) of every data source of the catalog.
    pub fn datasource(&self, id: &str) -> Option<(String, bool)> {
        let published = self.catalog["publishedDatasources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .map(|p| (p["name"].as_str().unwrap().to_owned(), true));
        published.or_else(|| {
            self.workbooks()
                .iter()
                .flat_map(|w| w["embeddedDatasources"].as_array().unwrap())
                .find(|e| e["id"] == id)
                .map(|e| (e["name"].as_str().unwrap().to_owned(), false))
        })
    }
}

/// What OpenMetadata's own Tableau connector sends for the stand-in (its `metadata ingest`
/// workflow, PyPI openmetadata-ingestion 2.0.7.0 with tableauserverclient 0.40, which it pins),
/// writing into the OpenMetadata stand-in `om`: every Create request its sink is handed, in order,
/// as `{"kind", "request"}`. `source_config` is `sourceConfig.config`'s YAML, indented six spaces.
///
/// The openmetadata-ingestion virtualenv has no Tableau extra: tableauserverclient (and defusedxml
/// and validators, which it and the connector import) come from the stand-in's own virtualenv
/// (scripts/tableau-standin.sh). Its test connection is skipped, as for every connector run so.
pub fn openmetadata_ingest(
    tableau: &TableauStandIn,
    om: &crate::openmetadata::StandIn,
    service: &str,
    source_config: &str,
) -> Vec<Value> {
    let (dir, path) = crate::python_standin::client_pythonpath(
        "tableau",
        "tableauserverclient",
        &["tableauserverclient", "defusedxml", "validators"],
    );
    let patches = dir.path().join("patches.py");
    std::fs::write(
        &patches,
        "from metadata.ingestion.source.dashboard.dashboard_service import DashboardServiceSource\n\
         DashboardServiceSource.test_connection = lambda self: None\n",
    )
    .unwrap();
    let source = format!(
        "source:\n  type: tableau\n  serviceName: {service}\n  serviceConnection:\n    config:\n      \
         type: Tableau\n      hostPort: {}\n      siteName: {SITE}\n      authType:\n        \
         personalAccessTokenName: {TOKEN_NAME}\n        personalAccessTokenSecret: {}\n  \
         sourceConfig:\n    config:\n      type: DashboardMetadata\n{source_config}",
        tableau.url(),
        serde_json::to_string(TOKEN_SECRET).unwrap(),
    );
    crate::om_ingest::run_connector("Tableau", &source, om, &path, Some(&patches))
}
