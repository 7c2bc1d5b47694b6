//! `PUT /v1/pipelines/{fqn}/status`: one run of a pipeline, a `PipelineStatus` (validated against
//! its schema), as `PipelineRepository.addPipelineStatus` takes it: the pipeline must exist (404,
//! `pipeline instance for <fqn> not found`), and every task a status names must be one of the
//! pipeline's tasks (400, `Invalid task name <name>`, its `validateTask`). Statuses are a time
//! series: one per pipeline and `timestamp`, a second one at the same timestamp replacing the first
//! (`storeTimeSeries`). Answered with the pipeline, its `pipelineStatus` the status just stored.

use serde_json::Value;

use super::store::{Collection, Refusal, Store};

pub fn add(store: &mut Store, fqn: &str, status: &Value) -> Result<Value, Refusal> {
    let errors = crate::schemas().errors("PipelineStatus", status);
    if !errors.is_empty() {
        return Err(Refusal::bad_request(errors.join("; ")));
    }
    let pipeline = store
        .find(Collection::Pipelines, fqn)
        .filter(|p| !p.deleted)
        .ok_or_else(|| Refusal::not_found(Collection::Pipelines, fqn))?;
    let tasks: Vec<&str> = pipeline.body["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for task in status["taskStatus"].as_array().into_iter().flatten() {
        let name = task["name"].as_str().unwrap_or_default();
        if !tasks.contains(&name) {
            return Err(Refusal::bad_request(format!("Invalid task name {name}")));
        }
    }
    let timestamp = status["timestamp"]
        .as_i64()
        .ok_or_else(|| Refusal::bad_request("timestamp must not be null"))?;
    let mut answer = pipeline.body.clone();
    let key = pipeline.fqn.clone();
    answer["pipelineStatus"] = status.clone();
    store
        .pipeline_statuses
        .entry(key)
        .or_default()
        .insert(timestamp, status.clone());
    Ok(answer)
}
