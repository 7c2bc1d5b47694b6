//! Workflow configs (OpenMetadata's YAML shape) written into a per-test temporary directory.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A name no other test of this run uses for a server-wide object (a database, a schema prefix):
/// `omrun_<label>_<pid>_<n>`, the label lowercased, non-alphanumerics as `_`, at most `max_label`
/// characters of it.
pub fn unique_name(label: &str, max_label: usize) -> String {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(max_label)
        .collect();
    format!("omrun_{label}_{}_{n}", std::process::id())
}

/// A temporary directory for one test: configs, sink output, reports. Removed on drop unless
/// `OMRUN_TEST_KEEP=1` (then its path is printed, for a post-mortem).
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Default for Workdir {
    fn default() -> Self {
        Self::new()
    }
}

impl Workdir {
    pub fn new() -> Workdir {
        let keep = std::env::var("OMRUN_TEST_KEEP").is_ok_and(|v| v == "1");
        let dir = tempfile::Builder::new()
            .prefix("omrun-test-")
            .disable_cleanup(keep)
            .tempdir()
            .expect("create a temporary directory");
        if keep {
            eprintln!("keeping {}", dir.path().display());
        }
        Workdir { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `content` to `name` in the directory and returns its path.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent directory");
        }
        std::fs::write(&p, content).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        p
    }
}

/// `includes` / `excludes` regular expressions of an OpenMetadata filter pattern.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub includes: Vec<String>,
    pub excludes: Vec<String>,
}

impl Filter {
    pub fn include(patterns: &[&str]) -> Filter {
        Filter {
            includes: patterns.iter().map(|s| s.to_string()).collect(),
            excludes: vec![],
        }
    }
    pub fn exclude(patterns: &[&str]) -> Filter {
        Filter {
            includes: vec![],
            excludes: patterns.iter().map(|s| s.to_string()).collect(),
        }
    }
    fn is_empty(&self) -> bool {
        self.includes.is_empty() && self.excludes.is_empty()
    }
    pub(crate) fn write_yaml(&self, out: &mut String, key: &str, indent: &str) {
        if self.is_empty() {
            return;
        }
        let list = |v: &[String]| v.iter().map(|s| yaml_str(s)).collect::<Vec<_>>().join(", ");
        writeln!(out, "{indent}{key}:").unwrap();
        if !self.includes.is_empty() {
            writeln!(out, "{indent}  includes: [{}]", list(&self.includes)).unwrap();
        }
        if !self.excludes.is_empty() {
            writeln!(out, "{indent}  excludes: [{}]", list(&self.excludes)).unwrap();
        }
    }
}

/// A YAML single-quoted scalar.
pub fn yaml_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The parts of a workflow config shared by every source.
#[derive(Clone, Debug)]
pub struct Common {
    pub service: String,
    pub include_views: bool,
    pub include_tables: bool,
    pub schema_filter: Filter,
    pub table_filter: Filter,
    /// The file sink's `filename`, written literally into the YAML.
    pub output: PathBuf,
    pub orchestrator: String,
    pub parallelism: u32,
    pub logger_level: String,
    /// Write to this OpenMetadata API (`hostPort`) instead of the file; the token comes from
    /// `${OM_JWT_TOKEN}`, like a real config.
    pub openmetadata: Option<String>,
    /// Extra `sink.config` entries, `key: value` as YAML.
    pub sink_settings: Vec<(String, String)>,
    /// `retryPolicy.maxAttempts` and `backoffSeconds`.
    pub retry: (u32, f64),
    /// `distributedExecution.batchSize` (tables per plugin call); unset by default.
    pub batch_size: Option<u32>,
    /// Extra `sourceConfig.config` entries, `key: value` as YAML.
    pub source_settings: Vec<(String, String)>,
}

impl Common {
    fn new(service: &str, output: &Path) -> Common {
        Common {
            service: service.to_string(),
            include_views: true,
            include_tables: true,
            schema_filter: Filter::default(),
            table_filter: Filter::default(),
            output: output.to_path_buf(),
            orchestrator: "local".into(),
            parallelism: 4,
            logger_level: "INFO".into(),
            openmetadata: None,
            sink_settings: Vec::new(),
            retry: (3, 1.0),
            batch_size: None,
            source_settings: Vec::new(),
        }
    }

    fn source_config(&self, out: &mut String) {
        out.push_str("  sourceConfig:\n    config:\n      type: DatabaseMetadata\n");
        writeln!(out, "      includeViews: {}", self.include_views).unwrap();
        writeln!(out, "      includeTables: {}", self.include_tables).unwrap();
        self.schema_filter
            .write_yaml(out, "schemaFilterPattern", "      ");
        self.table_filter
            .write_yaml(out, "tableFilterPattern", "      ");
        for (key, value) in &self.source_settings {
            writeln!(out, "      {key}: {value}").unwrap();
        }
    }

    fn sink_and_workflow(&self, out: &mut String) {
        match &self.openmetadata {
            None => writeln!(
                out,
                "sink:\n  type: file\n  config:\n    filename: {}",
                yaml_str(&self.output.to_string_lossy())
            )
            .unwrap(),
            Some(_) => {
                out.push_str("sink:\n  type: metadata-rest\n  config:\n");
                for (key, value) in &self.sink_settings {
                    writeln!(out, "    {key}: {value}").unwrap();
                }
            }
        }
        writeln!(out, "workflowConfig:\n  loggerLevel: {}", self.logger_level).unwrap();
        if let Some(host_port) = &self.openmetadata {
            writeln!(
                out,
                "  openMetadataServerConfig:\n    hostPort: {}",
                yaml_str(host_port)
            )
            .unwrap();
            out.push_str("    authProvider: openmetadata\n    securityConfig:\n      jwtToken: ${OM_JWT_TOKEN}\n");
        }
        out.push_str("  distributedExecution:\n    enabled: true\n");
        writeln!(out, "    orchestrator: {}", self.orchestrator).unwrap();
        writeln!(out, "    parallelism: {}", self.parallelism).unwrap();
        if let Some(n) = self.batch_size {
            writeln!(out, "    batchSize: {n}").unwrap();
        }
        let (attempts, backoff) = self.retry;
        writeln!(
            out,
            "    retryPolicy:\n      maxAttempts: {attempts}\n      backoffSeconds: {backoff}\n      backoffFactor: 2\n      maxBackoffSeconds: 30"
        )
        .unwrap();
    }
}

/// A source's workflow config builder, whatever the source: what a scenario run needs to point
/// its sink output somewhere and write the YAML.
/// The setters of what every source's config shares come with it.
pub trait Workflow: Sized {
    fn common_mut(&mut self) -> &mut Common;
    fn yaml(&self) -> String;

    fn include_views(mut self, yes: bool) -> Self {
        self.common_mut().include_views = yes;
        self
    }
    fn schema_filter(mut self, f: Filter) -> Self {
        self.common_mut().schema_filter = f;
        self
    }
    fn table_filter(mut self, f: Filter) -> Self {
        self.common_mut().table_filter = f;
        self
    }
    fn orchestrator(mut self, o: &str, parallelism: u32) -> Self {
        let common = self.common_mut();
        common.orchestrator = o.into();
        common.parallelism = parallelism;
        self
    }
    fn logger_level(mut self, level: &str) -> Self {
        self.common_mut().logger_level = level.into();
        self
    }
    /// Sink `metadata-rest` to the OpenMetadata API at `host_port` (token from `${OM_JWT_TOKEN}`).
    fn openmetadata(mut self, host_port: &str) -> Self {
        self.common_mut().openmetadata = Some(host_port.into());
        self
    }
    /// A `sink.config` entry, e.g. `("timeoutSeconds", "1")`.
    fn sink_setting(mut self, key: &str, value: &str) -> Self {
        self.common_mut()
            .sink_settings
            .push((key.into(), value.into()));
        self
    }
    fn retry(mut self, max_attempts: u32, backoff_seconds: f64) -> Self {
        self.common_mut().retry = (max_attempts, backoff_seconds);
        self
    }
    /// `distributedExecution.batchSize`: tables per plugin call.
    fn batch_size(mut self, n: u32) -> Self {
        self.common_mut().batch_size = Some(n);
        self
    }
    /// A `sourceConfig.config` entry, e.g. `("markDeletedSchemas", "true")`.
    fn source_setting(mut self, key: &str, value: &str) -> Self {
        self.common_mut()
            .source_settings
            .push((key.into(), value.into()));
        self
    }
}

macro_rules! workflow {
    ($($t:ty),*) => {$(
        impl Workflow for $t {
            fn common_mut(&mut self) -> &mut Common {
                &mut self.common
            }
            fn yaml(&self) -> String {
                <$t>::yaml(self)
            }
        }
    )*};
}
workflow!(PgConfig, SqliteConfig, RedshiftConfig, MysqlConfig);

/// A PostgreSQL workflow config. Credentials and address are `${POSTGRES_*}` references (set them
/// with [`crate::Omrun::postgres_env`]), like a real config.
#[derive(Clone, Debug)]
pub struct PgConfig {
    pub common: Common,
}

impl PgConfig {
    pub fn new(service: &str, output: &Path) -> PgConfig {
        PgConfig {
            common: Common::new(service, output),
        }
    }

    pub fn yaml(&self) -> String {
        let c = &self.common;
        let mut out = String::from("# omrun end-to-end test config (PostgreSQL)\n");
        out.push_str("source:\n  type: postgres\n");
        writeln!(out, "  serviceName: {}", yaml_str(&c.service)).unwrap();
        out.push_str(concat!(
            "  serviceConnection:\n",
            "    config:\n",
            "      type: Postgres\n",
            "      username: ${POSTGRES_USER}\n",
            "      authType:\n",
            "        password: ${POSTGRES_PASSWORD}\n",
            "      hostPort: ${POSTGRES_HOST:-localhost}:${POSTGRES_PORT:-5432}\n",
            "      database: ${POSTGRES_DATABASE}\n",
            "      ingestAllDatabases: false\n",
        ));
        c.source_config(&mut out);
        c.sink_and_workflow(&mut out);
        out
    }
}

/// A SQLite workflow config for the database file `path`.
#[derive(Clone, Debug)]
pub struct SqliteConfig {
    pub common: Common,
    pub database_file: PathBuf,
}

impl SqliteConfig {
    pub fn new(service: &str, database_file: &Path, output: &Path) -> SqliteConfig {
        SqliteConfig {
            common: Common::new(service, output),
            database_file: database_file.into(),
        }
    }

    pub fn yaml(&self) -> String {
        let c = &self.common;
        let mut out = String::from("# omrun end-to-end test config (SQLite)\n");
        out.push_str("source:\n  type: sqlite\n");
        writeln!(out, "  serviceName: {}", yaml_str(&c.service)).unwrap();
        out.push_str("  serviceConnection:\n    config:\n      type: SQLite\n");
        writeln!(
            out,
            "      databaseMode: {}",
            yaml_str(&self.database_file.to_string_lossy())
        )
        .unwrap();
        c.source_config(&mut out);
        c.sink_and_workflow(&mut out);
        out
    }
}

/// 1-based (line, column) of the value of the first `key:` entry in `yaml` (the column of the
/// value's first character), for checking `file:line:col` error messages.
pub fn value_position(yaml: &str, key: &str) -> (usize, usize) {
    let prefix = format!("{key}:");
    for (i, line) in yaml.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(&prefix) {
            let key_col = line.len() - trimmed.len();
            let value_off = rest.len() - rest.trim_start().len();
            return (i + 1, key_col + prefix.len() + value_off + 1);
        }
    }
    panic!("no `{key}:` in\n{yaml}");
}

/// A Redshift workflow config (OpenMetadata's `RedshiftConnection`: top-level `password`).
/// Credentials and address are `${REDSHIFT_*}` references, like the example config; the tests
/// point them at the test PostgreSQL server.
#[derive(Clone, Debug)]
pub struct RedshiftConfig {
    pub common: Common,
    pub ingest_all_databases: bool,
    /// `databaseFilterPattern` (used with `ingestAllDatabases`).
    pub database_filter: Filter,
}

impl RedshiftConfig {
    pub fn new(service: &str, output: &Path) -> RedshiftConfig {
        RedshiftConfig {
            common: Common::new(service, output),
            ingest_all_databases: false,
            database_filter: Filter::default(),
        }
    }
    pub fn ingest_all_databases(mut self, database_filter: Filter) -> Self {
        self.ingest_all_databases = true;
        self.database_filter = database_filter;
        self
    }

    pub fn yaml(&self) -> String {
        let c = &self.common;
        let mut out = String::from("# omrun end-to-end test config (Redshift)\n");
        out.push_str("source:\n  type: redshift\n");
        writeln!(out, "  serviceName: {}", yaml_str(&c.service)).unwrap();
        out.push_str(concat!(
            "  serviceConnection:\n",
            "    config:\n",
            "      type: Redshift\n",
            "      username: ${REDSHIFT_USER}\n",
            "      authType:\n",
            "        password: ${REDSHIFT_PASSWORD}\n",
            "      hostPort: ${REDSHIFT_HOST}:${REDSHIFT_PORT:-5439}\n",
            "      database: ${REDSHIFT_DATABASE}\n",
        ));
        writeln!(
            out,
            "      ingestAllDatabases: {}",
            self.ingest_all_databases
        )
        .unwrap();
        c.source_config(&mut out);
        self.database_filter
            .write_yaml(&mut out, "databaseFilterPattern", "      ");
        c.sink_and_workflow(&mut out);
        out
    }
}

/// A MySQL (or MariaDB, with `service_type("MariaDB")`) workflow config. Credentials and address
/// are `${MYSQL_*}` references (set them with [`crate::Omrun::mysql_env`]), like a real config.
#[derive(Clone, Debug)]
pub struct MysqlConfig {
    pub common: Common,
    /// `serviceConnection.config.type`: `Mysql` or `MariaDB`.
    pub service_type: String,
    /// `databaseName`: OpenMetadata's name for the one database (`default` when absent).
    pub database_name: Option<String>,
}

impl MysqlConfig {
    pub fn new(service: &str, output: &Path) -> MysqlConfig {
        MysqlConfig {
            common: Common::new(service, output),
            service_type: "Mysql".into(),
            database_name: None,
        }
    }
    pub fn service_type(mut self, t: &str) -> Self {
        self.service_type = t.into();
        self
    }
    pub fn database_name(mut self, name: &str) -> Self {
        self.database_name = Some(name.into());
        self
    }

    pub fn yaml(&self) -> String {
        let c = &self.common;
        let mut out = String::from("# omrun end-to-end test config (MySQL/MariaDB)\n");
        writeln!(out, "source:\n  type: {}", self.service_type.to_lowercase()).unwrap();
        writeln!(out, "  serviceName: {}", yaml_str(&c.service)).unwrap();
        out.push_str("  serviceConnection:\n    config:\n");
        writeln!(out, "      type: {}", self.service_type).unwrap();
        out.push_str("      username: ${MYSQL_USER}\n");
        // OpenMetadata 2.0.7's MySQL connection takes the password in `authType`, its MariaDB
        // connection at the top level; each refuses the other's spelling.
        if self.service_type == "MariaDB" {
            out.push_str("      password: ${MYSQL_PASSWORD}\n");
        } else {
            out.push_str("      authType:\n        password: ${MYSQL_PASSWORD}\n");
        }
        out.push_str("      hostPort: ${MYSQL_HOST}:${MYSQL_PORT}\n");
        if let Some(name) = &self.database_name {
            writeln!(out, "      databaseName: {}", yaml_str(name)).unwrap();
        }
        c.source_config(&mut out);
        c.sink_and_workflow(&mut out);
        out
    }
}
