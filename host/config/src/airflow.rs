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

/// An Airflow Variable (`{variable: NAME}`), or a field of an Airflow Connection (`{connection:
/// ID, field: FIELD}`, the field one of [`CONNECTION_FIELDS`] or `extra.KEY`). Checked where it is
/// used (`AirflowSecret::source`): the YAML crate hides a deserializer's own message for a
/// mapping.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AirflowSecret {
    pub variable: Option<String>,
    pub connection: Option<String>,
    pub field: Option<String>,
}

/// Where one variable's value comes from in Airflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource<'a> {
    Variable(&'a str),
    Connection { id: &'a str, field: &'a str },
}

impl AirflowSecret {
    /// The source it names, or why it names none.
    pub fn source(&self) -> Result<SecretSource<'_>, String> {
        match (&self.variable, &self.connection, &self.field) {
            (Some(variable), None, None) => Ok(SecretSource::Variable(variable)),
            (None, Some(id), Some(field)) => {
                let known = CONNECTION_FIELDS.contains(&field.as_str())
                    || field
                        .strip_prefix("extra.")
                        .is_some_and(|key| !key.is_empty());
                match known {
                    true => Ok(SecretSource::Connection { id, field }),
                    false => Err(format!(
                        "`{field}` is not a field of an Airflow Connection (one of {}, or extra.KEY)",
                        CONNECTION_FIELDS.join(", ")
                    )),
                }
            }
            _ => Err("expected {variable: NAME} or {connection: ID, field: FIELD}".into()),
        }
    }
}

/// The fields of an Airflow Connection a secret may name (`extra.KEY` besides).
pub const CONNECTION_FIELDS: &[&str] = &["login", "password", "host", "port", "schema"];
