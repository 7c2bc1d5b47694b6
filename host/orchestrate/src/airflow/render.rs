//! The DAG file a config runs as in Airflow mode: one of two Python templates (`process.py`, tasks
//! running the `omrun` command on Airflow's workers; `kubernetes.py`, tasks as pods of the worker
//! image) with the run's settings written in as one Python literal. The templates hold the logic;
//! what varies is data, so nothing from the config is ever spliced into code.
//!
//! As in Argo mode: no entity list passes between tasks (discover returns one small item per
//! shard), and no secret is in the file (the config is shipped with its `${VAR}`s, refused if it
//! holds a literal secret).

use crate::argo::render::Rendering as ArgoRendering;
use crate::shipped::Shipped;
use anyhow::bail;
use omrun_config::{AirflowSettings, AirflowTasks, Config, SecretSource};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

const PROCESS: &str = include_str!("process.py");
const KUBERNETES: &str = include_str!("kubernetes.py");
const PLACEHOLDER: &str = "__OMRUN_SETTINGS__";

/// A rendered DAG.
pub struct Dag {
    pub id: String,
    /// The Python file.
    pub text: String,
    /// A digest of the settings, in the DAG's description: how `omrun ingest` knows Airflow has
    /// parsed this version of the file.
    pub digest: String,
}

impl Dag {
    /// The file name in the DAG folder.
    pub fn file_name(&self) -> String {
        format!("{}.py", self.id)
    }
}

/// The DAG for `config` with `shards` workers.
pub fn render(config: &Config, shards: u32) -> anyhow::Result<Dag> {
    let distributed = &config.workflow.distributed_execution;
    let airflow = distributed.airflow.clone().unwrap_or_default();
    let id = dag_id(config, &airflow)?;
    let shards = shards.max(1);
    let retry = &distributed.retry_policy;
    let mut settings = json!({
        "dag_id": id,
        "shards": shards,
        "pool": airflow.pool,
        "timeout_seconds": distributed.timeout_seconds,
        "retry": {
            // Airflow counts retries, not attempts.
            "retries": retry.max_attempts.saturating_sub(1),
            "delay_seconds": retry.backoff_seconds,
            "backoff_factor": retry.backoff_factor,
            "max_delay_seconds": retry.max_backoff_seconds,
        },
        "plugin": distributed.plugin.as_ref().map(|p| &p.path),
    });
    let template = match airflow.tasks {
        AirflowTasks::Process => {
            let shipped = Shipped::read(
                config,
                "each worker reads it from its environment or from Airflow \
                 (distributedExecution.airflow.secrets) and the DAG file never contains it",
            )?;
            settings["config"] = json!(shipped.text);
            settings["omrun"] = json!(airflow.omrun.as_deref().unwrap_or("omrun"));
            let sources = variable_sources(&shipped, &airflow)
                .map_err(|e| anyhow::anyhow!("{}: {e}", config.path.display()))?;
            settings["variables"] = Value::Object(sources);
            PROCESS
        }
        AirflowTasks::Kubernetes => {
            let argo = ArgoRendering::new(config, shards)?;
            let (pod, config_file) = argo.pod_template();
            settings["namespace"] = json!(argo.namespace());
            settings["image"] = json!(argo.image());
            settings["pod"] = pod;
            settings["config_file"] = json!(config_file);
            settings["kubernetes_conn_id"] = json!(airflow.kubernetes_conn_id);
            KUBERNETES
        }
    };
    let digest = hex(&Sha256::digest(settings.to_string().as_bytes()))[..12].to_owned();
    settings["description"] = json!(format!(
        "omrun ingestion of {} (rendered {digest})",
        config.source.service_name
    ));
    let text = template.replacen(PLACEHOLDER, &python(&settings, 0), 1);
    Ok(Dag { id, text, digest })
}

/// `dagId`, else `omrun_<serviceName>` in the characters Airflow allows in an id.
fn dag_id(config: &Config, airflow: &AirflowSettings) -> anyhow::Result<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if let Some(id) = &airflow.dag_id {
        if id.is_empty() || id.len() > 250 || !id.chars().all(allowed) {
            bail!(
                "{}: distributedExecution.airflow.dagId `{id}` is not a DAG id Airflow accepts \
                 (letters, digits, `_`, `-`, `.`; at most 250)",
                config.path.display()
            );
        }
        return Ok(id.clone());
    }
    let service: String = config
        .source
        .service_name
        .chars()
        .map(|c| if allowed(c) { c } else { '_' })
        .take(200)
        .collect();
    Ok(format!("omrun_{service}"))
}

/// Where each variable of the config comes from when a worker's environment lacks it: the
/// `secrets` the config names, else the Airflow Variable of the same name. A source named for a
/// variable the config does not use is a typo, refused.
fn variable_sources(
    shipped: &Shipped,
    airflow: &AirflowSettings,
) -> anyhow::Result<Map<String, Value>> {
    if let Some(unused) = airflow
        .secrets
        .keys()
        .find(|name| !shipped.variables.contains_key(*name))
    {
        bail!(
            "distributedExecution.airflow.secrets.{unused}: the config refers to no ${{{unused}}}"
        );
    }
    let mut sources = Map::new();
    for name in shipped.variables.keys() {
        let source = match airflow.secrets.get(name).map(|secret| secret.source()) {
            None => json!({"variable": name}),
            Some(Ok(SecretSource::Variable(variable))) => json!({"variable": variable}),
            Some(Ok(SecretSource::Connection { id, field })) => {
                json!({"connection": id, "field": field})
            }
            Some(Err(why)) => bail!("distributedExecution.airflow.secrets.{name}: {why}"),
        };
        sources.insert(name.clone(), source);
    }
    Ok(sources)
}

/// `value` as a Python literal: JSON's strings are Python's (serde_json escapes nothing Python
/// reads otherwise); its constants are spelled `True`, `False`, `None`.
fn python(value: &Value, indent: usize) -> String {
    let pad = "    ".repeat(indent + 1);
    let end = "    ".repeat(indent);
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        // A text of several lines (the config) one line each, as Python joins adjacent literals.
        Value::String(text) if text.trim_end().contains('\n') => {
            let lines: Vec<String> = text
                .split_inclusive('\n')
                .map(|line| format!("{pad}{}\n", Value::from(line)))
                .collect();
            format!("(\n{}{end})", lines.concat())
        }
        Value::Number(_) | Value::String(_) => value.to_string(),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| format!("{pad}{},\n", python(item, indent + 1)))
                .collect();
            format!("[\n{}{end}]", items.concat())
        }
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(key, item)| {
                    format!(
                        "{pad}{}: {},\n",
                        Value::from(key.as_str()),
                        python(item, indent + 1)
                    )
                })
                .collect();
            format!("{{\n{}{end}}}", items.concat())
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::python;
    use serde_json::json;

    #[test]
    fn python_literals_spell_constants_and_keep_strings_escaped() {
        let value = json!({"a": [true, false, null, 1.5], "b": "x\"y ${Z}\u{1F600}", "c": {}});
        assert_eq!(
            python(&value, 0),
            "{\n    \"a\": [\n        True,\n        False,\n        None,\n        1.5,\n    ],\n    \
             \"b\": \"x\\\"y ${Z}\u{1F600}\",\n    \"c\": {},\n}"
        );
        assert_eq!(
            python(&json!(["a: 1\nb: \"2\"\n"]), 0),
            "[\n    (\n        \"a: 1\\n\"\n        \"b: \\\"2\\\"\\n\"\n    ),\n]"
        );
    }
}
