//! `workflowConfig.distributedExecution.airflow`: how a run becomes an Airflow DAG (see
//! docs/airflow.md). The fan-out settings it shares with Argo (`parallelism`, `retryPolicy`,
//! `timeoutSeconds`, `waitForCompletion`, and for Kubernetes tasks `image`, `namespace`,
//! `serviceAccount`, resources, `secretName`, `configMap`, `plugin`) stay where they are, on
//! `distributedExecution`; this holds what only Airflow has.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AirflowSettings {
    /// Airflow's API server, e.g. `http://airflow:8080`: where `omrun ingest` triggers and
    /// follows the DAG run.
    pub url: Option<String>,
    /// The folder Airflow's DAG processor reads, where `omrun ingest` writes the DAG file.
    pub dags_folder: Option<PathBuf>,
    /// Default `omrun_<serviceName>`.
    pub dag_id: Option<String>,
    /// What runs a task: `process` (the `omrun` command on the Airflow worker, the default) or
    /// `kubernetes` (a pod of the worker image, by the cncf.kubernetes provider).
    #[serde(default)]
    pub tasks: AirflowTasks,
    /// The `omrun` command on the workers (process tasks); default `omrun` from their `PATH`.
    pub omrun: Option<String>,
    /// An Airflow pool for the worker tasks, beside `parallelism`'s cap.
    pub pool: Option<String>,
    /// Where each `${VAR}` of the config comes from when the worker's environment lacks it; a
    /// variable not named here is read from the Airflow Variable of its own name.
    #[serde(default)]
    pub secrets: BTreeMap<String, AirflowSecret>,
    /// The environment variable holding an API token (default `AIRFLOW_TOKEN`); without it,
    /// `usernameEnv`/`passwordEnv` (default `AIRFLOW_USERNAME`/`AIRFLOW_PASSWORD`) get one from
    /// `/auth/token`.
    pub token_env: Option<String>,
    pub username_env: Option<String>,
    pub password_env: Option<String>,
    /// Accept any certificate (a port-forwarded API server's self-signed one).
    #[serde(default)]
    pub insecure_skip_verify: bool,
    /// Seconds between two looks at a running DAG run (default 5).
    #[serde(default, deserialize_with = "super::optional_seconds")]
    pub poll_seconds: Option<f64>,
    /// How long `omrun ingest` waits for Airflow to parse a DAG file it wrote (default 600: a
    /// new file waits for the DAG processor's next scan, `dag_processor.refresh_interval`).
    #[serde(default, deserialize_with = "super::optional_whole_seconds")]
    pub parse_timeout_seconds: Option<u64>,
    /// The Airflow connection to the cluster (kubernetes tasks); default in-cluster.
    pub kubernetes_conn_id: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum AirflowTasks {
    #[default]
    Process,
    Kubernetes,
}

/// An Airflow Variable, or a field of an Airflow Connection (`login`, `password`, `host`, `port`,
/// `schema`, or `extra.KEY`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, untagged)]
pub enum AirflowSecret {
    Variable { variable: String },
    Connection { connection: String, field: String },
}

/// The fields of an Airflow Connection a secret may name (`extra.KEY` besides).
pub const CONNECTION_FIELDS: &[&str] = &["login", "password", "host", "port", "schema"];
