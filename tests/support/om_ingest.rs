//! OpenMetadata's own ingestion, `metadata ingest` (PyPI openmetadata-ingestion 2.0.7.0), run as the
//! oracle of what a client writes: against the test PostgreSQL or MariaDB and the OpenMetadata
//! stand-in, from a workflow YAML in OpenMetadata's own format.
//!
//! The package lives in a cached virtualenv that `scripts/om-ingest.py` sets up (scripts/test.sh
//! runs it and exports its path as `OMRUN_OM_INGEST_VENV`). Without it the test fails, saying
//! how to install it; it is never skipped.
//!
//! ```text
//! let om = StandIn::start("token");
//! let wf = OmWorkflow::postgres("pg_oracle", &db);
//! let run = metadata_ingest(&workdir, &wf.yaml(&om), &wf.env()).assert_success();
//! om.create_requests(Collection::Tables); // what it sent
//! om.stored(Collection::Tables);          // what the server holds after it
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::config::{Filter, Workdir, yaml_str};
use crate::mariadb::MariaSchemas;
use crate::openmetadata::StandIn;
use crate::pg::TestDb;

/// The virtualenv holding openmetadata-ingestion: `$OMRUN_OM_INGEST_VENV`, else
/// `~/.cache/omrun/om-ingest-venv` when `scripts/om-ingest.py` has finished installing it there
/// (it writes `.omrun-installed` last). Panics, saying how to install it, when there is none.
pub fn venv() -> PathBuf {
    let configured = std::env::var_os("OMRUN_OM_INGEST_VENV").filter(|v| !v.is_empty());
    let dir = configured.clone().map(PathBuf::from).or_else(|| {
        let home = PathBuf::from(std::env::var_os("HOME")?);
        let d = home.join(".cache/omrun/om-ingest-venv");
        d.join(".omrun-installed").is_file().then_some(d)
    });
    match dir {
        Some(d) if d.join("bin/metadata").is_file() => d,
        _ => panic!(
            "OpenMetadata's ingestion package (openmetadata-ingestion 2.0.7.0, `metadata ingest`) is \
             not installed{}: run the tests with scripts/test.sh, which installs it once, or run \
             `python3 scripts/om-ingest.py` (about 2-3 minutes and 640 MB, into \
             ~/.cache/omrun/om-ingest-venv) and set OMRUN_OM_INGEST_VENV to the path it prints",
            configured
                .map(|c| format!(" in OMRUN_OM_INGEST_VENV={}", c.to_string_lossy()))
                .unwrap_or_default()
        ),
    }
}

/// Where `metadata ingest` reads from: the connection part of the workflow, and the variables its
/// `${…}` references need (OpenMetadata expands them with `os.path.expandvars`), so no password is
/// written into the YAML.
#[derive(Clone, Debug)]
enum Source {
    Postgres { database: String },
    Mysql,
}

/// A workflow in OpenMetadata's format: source postgres or mysql, sink metadata-rest, the server
/// the stand-in. Every option is written explicitly (OpenMetadata's default in brackets).
#[derive(Clone, Debug)]
pub struct OmWorkflow {
    pub service: String,
    source: Source,
    env: Vec<(String, String)>,
    /// [true]
    pub include_tables: bool,
    /// [true]
    pub include_views: bool,
    /// [true]
    pub include_stored_procedures: bool,
    /// [true]
    pub mark_deleted_tables: bool,
    /// [true]
    pub mark_deleted_stored_procedures: bool,
    /// [false]
    pub mark_deleted_schemas: bool,
    /// [false]
    pub mark_deleted_databases: bool,
    pub schema_filter: Filter,
    pub table_filter: Filter,
    /// [INFO]; DEBUG puts every request the client builds into the log.
    pub logger_level: String,
}

impl OmWorkflow {
    fn new(service: &str, source: Source, env: Vec<(String, String)>) -> OmWorkflow {
        OmWorkflow {
            service: service.into(),
            source,
            env,
            include_tables: true,
            include_views: true,
            include_stored_procedures: true,
            mark_deleted_tables: true,
            mark_deleted_stored_procedures: true,
            mark_deleted_schemas: false,
            mark_deleted_databases: false,
            schema_filter: Filter::default(),
            table_filter: Filter::default(),
            logger_level: "INFO".into(),
        }
    }

    /// The test database `db` on the test PostgreSQL server. OpenMetadata reads
    /// `information_schema` as a schema of its own, which omrun does not: it is filtered out.
    pub fn postgres(service: &str, db: &TestDb) -> OmWorkflow {
        let s = &db.server;
        let mut wf = OmWorkflow::new(
            service,
            Source::Postgres {
                database: db.name.clone(),
            },
            vec![
                ("OM_SOURCE_USER".into(), s.user.clone()),
                ("OM_SOURCE_PASSWORD".into(), s.password.clone()),
                (
                    "OM_SOURCE_HOST_PORT".into(),
                    format!("{}:{}", s.host, s.port),
                ),
            ],
        );
        wf.schema_filter = Filter::exclude(&["^information_schema$"]);
        wf
    }

    /// The test's schemas on the test MariaDB server (a schema filter keeps exactly those).
    pub fn mysql(service: &str, schemas: &MariaSchemas) -> OmWorkflow {
        let s = &schemas.server;
        let mut wf = OmWorkflow::new(
            service,
            Source::Mysql,
            vec![
                ("OM_SOURCE_USER".into(), s.user.clone()),
                ("OM_SOURCE_PASSWORD".into(), s.password.clone()),
                (
                    "OM_SOURCE_HOST_PORT".into(),
                    format!("{}:{}", s.host, s.port),
                ),
            ],
        );
        wf.schema_filter = Filter::include(&[&schemas.schema_pattern()]);
        wf
    }

    /// The variables the YAML references (credentials and address of the source).
    pub fn env(&self) -> Vec<(String, String)> {
        self.env.clone()
    }

    /// The workflow YAML, writing into `om` with its token.
    pub fn yaml(&self, om: &StandIn) -> String {
        let mut out = String::from("# OpenMetadata `metadata ingest` workflow (omrun tests)\n");
        let (kind, ty) = match self.source {
            Source::Postgres { .. } => ("postgres", "Postgres"),
            Source::Mysql => ("mysql", "Mysql"),
        };
        writeln!(out, "source:\n  type: {kind}").unwrap();
        writeln!(out, "  serviceName: {}", yaml_str(&self.service)).unwrap();
        writeln!(out, "  serviceConnection:\n    config:\n      type: {ty}").unwrap();
        out.push_str(concat!(
            "      username: ${OM_SOURCE_USER}\n",
            "      authType:\n",
            "        password: ${OM_SOURCE_PASSWORD}\n",
            "      hostPort: ${OM_SOURCE_HOST_PORT}\n",
        ));
        if let Source::Postgres { database } = &self.source {
            writeln!(out, "      database: {}", yaml_str(database)).unwrap();
        }
        out.push_str("  sourceConfig:\n    config:\n      type: DatabaseMetadata\n");
        for (key, on) in [
            ("includeTables", self.include_tables),
            ("includeViews", self.include_views),
            ("includeStoredProcedures", self.include_stored_procedures),
            ("markDeletedTables", self.mark_deleted_tables),
            (
                "markDeletedStoredProcedures",
                self.mark_deleted_stored_procedures,
            ),
            ("markDeletedSchemas", self.mark_deleted_schemas),
            ("markDeletedDatabases", self.mark_deleted_databases),
        ] {
            writeln!(out, "      {key}: {on}").unwrap();
        }
        self.schema_filter
            .write_yaml(&mut out, "schemaFilterPattern", "      ");
        self.table_filter
            .write_yaml(&mut out, "tableFilterPattern", "      ");
        out.push_str("sink:\n  type: metadata-rest\n  config: {}\n");
        writeln!(out, "workflowConfig:\n  loggerLevel: {}", self.logger_level).unwrap();
        writeln!(
            out,
            "  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    \
             securityConfig:\n      jwtToken: {}",
            yaml_str(&om.host_port()),
            yaml_str(om.token())
        )
        .unwrap();
        out
    }
}

/// What one `metadata ingest` did.
pub struct IngestOutput {
    pub command: String,
    /// Exit code; `None` if killed by a signal (the hang guard panics before that is returned).
    pub code: Option<i32>,
    /// Its standard output and error, interleaved as written.
    pub log: String,
}

impl IngestOutput {
    /// Panics with the whole log unless it exited 0.
    pub fn assert_success(&self) -> &Self {
        assert_eq!(
            self.code,
            Some(0),
            "{} failed (exit {:?}):\n{}",
            self.command,
            self.code,
            self.log
        );
        self
    }

    /// The values after `label` on the lines of its summaries (one per step: the source's, the
    /// sink's), e.g. `summary_values("Errors:")`.
    pub fn summary_values(&self, label: &str) -> Vec<String> {
        self.log
            .lines()
            .filter_map(|l| {
                let at = l.find(label)?;
                let value: String = l[at + label.len()..]
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect();
                (!value.is_empty()).then_some(value)
            })
            .collect()
    }
}

/// Runs `metadata ingest -c <workflow.yaml>` in `workdir` with the variables `env` (and nothing of
/// the caller's that a config could reference), killing it after the hang guard
/// (`OMRUN_TEST_TIMEOUT_SECS`, default 600 s), which fails the test with its log.
pub fn metadata_ingest(workdir: &Workdir, yaml: &str, env: &[(String, String)]) -> IngestOutput {
    let bin = venv().join("bin/metadata");
    let config = workdir.write("om-workflow.yaml", yaml);
    let log_path = workdir.join("om-ingest.log");
    let log = std::fs::File::create(&log_path)
        .unwrap_or_else(|e| panic!("create {}: {e}", log_path.display()));
    let mut cmd = Command::new(&bin);
    cmd.arg("ingest")
        .arg("-c")
        .arg(&config)
        .current_dir(workdir.path())
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file handle"))
        .stderr(log);
    // Only what this run sets: never the harness's own server variables.
    for (k, _) in std::env::vars() {
        if k.starts_with("OM_SOURCE_")
            || k.starts_with("OMRUN_TEST_")
            || k.starts_with("PG")
            || k.starts_with("MYSQL")
        {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    let command = format!(
        "(cd {} && {} ingest -c {})",
        workdir.path().display(),
        bin.display(),
        config.display()
    );
    let timeout = Duration::from_secs(
        std::env::var("OMRUN_TEST_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(600),
    );
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let started = Instant::now();
    let status = loop {
        match child.try_wait().expect("wait for metadata ingest") {
            Some(status) => break status,
            None if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "hang guard: {command} still running after {timeout:?}, killed.\n{}",
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    IngestOutput {
        command,
        code: status.code(),
        log: std::fs::read_to_string(&log_path)
            .unwrap_or_else(|e| panic!("read {}: {e}", log_path.display())),
    }
}

/// Runs one of OpenMetadata's own database connectors (`what` names it in a failure) on
/// `source`, a workflow's `source:` section, writing into the stand-in `om`, through
/// `tests/support/om_connector.py` with `pythonpath` (where the connector's client package is,
/// which this virtualenv lacks) and `patches` (a file run first, stepping around what a
/// stand-in lacks). Returns every Create request its sink is handed, in order, as
/// `{"kind", "request"}`; panics with its log unless it succeeds.
pub fn run_connector(
    what: &str,
    source: &str,
    om: &StandIn,
    pythonpath: &std::ffi::OsStr,
    patches: Option<&std::path::Path>,
) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let workflow = dir.path().join("workflow.yaml");
    let yaml = format!(
        "{source}sink:\n  type: metadata-rest\n  config: {{}}\nworkflowConfig:\n  loggerLevel: \
         INFO\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    \
         securityConfig:\n      jwtToken: {}\n",
        om.host_port(),
        om.token()
    );
    std::fs::write(&workflow, yaml).unwrap();
    let out = dir.path().join("requests.jsonl");
    let mut command = Command::new(venv().join("bin/python"));
    command
        .arg(crate::repo_root().join("tests/support/om_connector.py"))
        .arg(&workflow)
        .arg(&out)
        .env("PYTHONPATH", pythonpath)
        .stdin(Stdio::null());
    if let Some(patches) = patches {
        command.env("OMRUN_OM_PATCHES", patches);
    }
    let run = command
        .output()
        .unwrap_or_else(|e| panic!("run OpenMetadata's {what} connector: {e}"));
    assert!(
        run.status.success(),
        "OpenMetadata's {what} connector failed:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(&out)
        .expect("the recorded requests")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a recorded request"))
        .collect()
}
