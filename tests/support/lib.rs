//! Support for omrun's end-to-end tests.
//!
//! Everything here talks to real things: the PostgreSQL server that `scripts/test.sh` starts (its
//! address in `OMRUN_TEST_PG_*`), the `omrun` binary built from `host/`, the plugins built by
//! `scripts/build-plugins.sh`, and OpenMetadata's own JSON Schemas. Nothing is mocked, and nothing
//! is skipped: a missing prerequisite fails the test with a message saying how to provide it.
//!
//! - [`pg`]: connect to the test server, create a uniquely named database per test from a fixture.
//! - [`mariadb`]: the test MariaDB server and per-test schemas (MySQL's databases).
//! - [`fixture`]: the PostgreSQL catalog fixture and the tables it holds.
//! - [`config`]: write OpenMetadata workflow YAML into a temporary directory.
//! - [`run`]: run `omrun`, with a hang guard, and check that no secret shows up anywhere.
//! - [`jsonl`]: read the file sink's JSON Lines; every line is validated against its schema and the
//!   whole file against the ordering and FQN rules.
//! - [`schema`]: the JSON Schema validator (one compiled validator per OpenMetadata request kind).
//! - [`openmetadata`]: an in-process stand-in for OpenMetadata's REST API, for the REST sink, as
//!   strict as the real server and serving every call OpenMetadata's own ingestion makes.
//! - [`om_ingest`]: OpenMetadata's own `metadata ingest` (the oracle), run against the test
//!   databases and the stand-in.
//! - [`looker`]: an in-process stand-in for Looker's API 4.0 (synthetic dashboards and explores,
//!   login, token expiry, latency, rate limits), for the Looker connector.
//! - [`python_standin`]: what the Python stand-ins ([`trino`], [`databricks`], [`bigquery`]) share:
//!   the process on a free port, its request log, its script and the vendor's client's virtualenv.
//! - [`bigquery`]: Google's OAuth token endpoint, BigQuery's REST API v2 and Data Catalog's policy
//!   tags, a Python stand-in that Google's own clients check, with a service account whose key
//!   openssl makes at run time.
//! - [`superset`]: a real Apache Superset (PyPI `apache-superset`), started once per test binary
//!   and loaded through its own REST API, for the Superset connector.
//! - [`argo`]: Argo Workflows' JSON Schema (every Workflow validated against it) and an in-process
//!   stand-in for the Argo Server's REST API, whose submitted Workflows a test's controller runs.

pub mod airflow;
pub mod argo;
pub mod argo_executor;
pub mod bigquery;
pub mod config;
pub mod databricks;
pub mod fixture;
pub mod jsonl;
pub mod looker;
pub mod mariadb;
pub mod metabase;
pub mod mlflow;
pub mod net;
pub mod om_ingest;
pub mod openmetadata;
pub mod paths;
pub mod pg;
pub mod powerbi;
pub mod python_standin;
pub mod registry;
pub mod relay;
pub mod run;
pub mod schema;
mod server_env;
pub mod snowflake;
mod standin_server;
pub mod superset;
pub mod tableau;
pub mod trino;

pub use config::{
    Filter, MysqlConfig, PgConfig, RedshiftConfig, SqliteConfig, Workdir, Workflow, value_position,
    yaml_str,
};
pub use jsonl::{
    Record, Records, canonical, column, column_names, constraints, fqn, fqn_part, has_key,
    label_fqns,
};
pub use mariadb::{MariaSchemas, MariaServer};
pub use paths::{omrun_bin, plugin, plugin_dir, repo_root, test_plugin};
pub use pg::{PgServer, TestDb, TestRole};
pub use run::{Omrun, RunOutput};
pub use schema::{OmSchemas, schemas};
pub mod scenario;
pub use scenario::{Mode, Run, run_mysql, run_postgres, run_scenario, run_sqlite};
