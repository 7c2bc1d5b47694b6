//! Pipelines and ML models: `PUT /v1/pipelines` (one Create request), a pipeline's runs through
//! `PUT /v1/pipelines/{fqn}/status` as `PipelineRepository.addPipelineStatus` takes them (the
//! pipeline must exist, every task a run names must be one of its tasks), and ML models in bulk,
//! an ML model's `dashboard` naming a dashboard the server holds.

use crate::openmetadata::{Collection, StandIn};
use serde_json::{Value, json};

use super::api::{Api, TOKEN};

fn put(api: &Api, path: &str, body: Value) -> Value {
    let (status, answer) = api.call("PUT", path, Some(&body));
    assert!(status == 200 || status == 201, "{path}: {status} {answer}");
    answer
}

fn run(timestamp: i64, tasks: &[&str]) -> Value {
    let tasks: Vec<Value> = tasks
        .iter()
        .map(|t| json!({"name": t, "executionStatus": "Successful", "startTime": timestamp}))
        .collect();
    json!({"timestamp": timestamp, "executionStatus": "Successful", "executionId": format!("run_{timestamp}"), "taskStatus": tasks})
}

#[test]
fn a_pipelines_runs_name_its_tasks_and_are_kept_by_timestamp() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    put(
        &api,
        "/v1/services/pipelineServices",
        json!({"name": "af", "serviceType": "Airflow"}),
    );
    let pipeline = put(
        &api,
        "/v1/pipelines",
        json!({"name": "etl", "service": "af", "state": "Active", "startDate": "2024-01-01T00:00:00Z",
               "tasks": [{"name": "extract", "downstreamTasks": ["load"]}, {"name": "load", "downstreamTasks": []}]}),
    );
    assert_eq!(pipeline["fullyQualifiedName"], "af.etl");
    assert_eq!(pipeline["service"]["type"], "pipelineService");

    let answer = put(
        &api,
        "/v1/pipelines/af.etl/status",
        run(1000, &["extract", "load"]),
    );
    assert_eq!(answer["pipelineStatus"]["executionId"], "run_1000");
    put(&api, "/v1/pipelines/af.etl/status", run(2000, &["extract"]));
    // The same timestamp again replaces that run.
    put(&api, "/v1/pipelines/af.etl/status", run(1000, &["load"]));
    let runs = om.pipeline_statuses("af.etl");
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(runs[0]["taskStatus"][0]["name"], "load");

    let (status, refused) = api.call(
        "PUT",
        "/v1/pipelines/af.etl/status",
        Some(&run(3000, &["transform"])),
    );
    assert_eq!(
        (status, refused["message"].as_str()),
        (400, Some("Invalid task name transform"))
    );
    let (status, refused) = api.call("PUT", "/v1/pipelines/af.nope/status", Some(&run(3000, &[])));
    assert_eq!(status, 404, "{refused}");
    assert_eq!(
        refused["message"],
        "pipeline instance for af.nope not found"
    );
    // A status is validated against its schema: a timestamp is required, a status is an enum.
    let (status, _) = api.call(
        "PUT",
        "/v1/pipelines/af.etl/status",
        Some(&json!({"executionStatus": "Done", "taskStatus": []})),
    );
    assert_eq!(status, 400);
    assert_eq!(om.pipeline_statuses("af.etl").len(), 2);
}

#[test]
fn a_pipeline_needs_its_service_and_a_valid_request() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let (status, answer) = api.call(
        "PUT",
        "/v1/pipelines",
        Some(&json!({"name": "etl", "service": "af"})),
    );
    assert_eq!(status, 404, "{answer}");
    put(
        &api,
        "/v1/services/pipelineServices",
        json!({"name": "af", "serviceType": "Airflow"}),
    );
    // `state` is OpenMetadata's enum; a task needs a name.
    for bad in [
        json!({"name": "etl", "service": "af", "state": "Paused"}),
        json!({"name": "etl", "service": "af", "tasks": [{"downstreamTasks": []}]}),
    ] {
        let (status, answer) = api.call("PUT", "/v1/pipelines", Some(&bad));
        assert_eq!(status, 400, "{bad}: {answer}");
    }
    assert!(om.entities(Collection::Pipelines).is_empty());
}

#[test]
fn an_ml_models_dashboard_must_exist() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    put(
        &api,
        "/v1/services/mlmodelServices",
        json!({"name": "ml", "serviceType": "Mlflow"}),
    );
    let model = |dashboard: Option<&str>| {
        let mut m = json!({"name": "churn", "service": "ml", "algorithm": "mlmodel",
                           "mlFeatures": [{"name": "age", "dataType": "numerical"}],
                           "mlHyperParameters": [{"name": "alpha", "value": "0.5"}]});
        if let Some(d) = dashboard {
            m["dashboard"] = json!(d);
        }
        m
    };
    let result = api.bulk("mlmodels", json!([model(Some("bi.perf"))]));
    assert_eq!(result["numberOfRowsFailed"], 1, "{result}");
    assert_eq!(
        result["failedRequest"][0]["message"],
        "dashboard instance for bi.perf not found"
    );
    put(
        &api,
        "/v1/services/dashboardServices",
        json!({"name": "bi", "serviceType": "Superset"}),
    );
    put(
        &api,
        "/v1/dashboards",
        json!({"name": "perf", "service": "bi"}),
    );
    let result = api.bulk("mlmodels", json!([model(Some("bi.perf")), model(None)]));
    assert_eq!(result["numberOfRowsPassed"], 2, "{result}");
    let stored = om.entity(Collection::MlModels, "ml.churn").expect("stored");
    assert_eq!(stored.body["service"]["type"], "mlmodelService");
    // The second row, without a dashboard, is the entity now.
    assert!(stored.body.get("dashboard").is_none(), "{}", stored.body);
}
