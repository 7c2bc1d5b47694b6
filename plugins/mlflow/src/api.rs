//! The parts of MLflow's REST API 2.0 answers (`/api/2.0/mlflow/…`, MLflow 2.x and 3.x) the
//! connector reads. MLflow leaves out what is empty, so nearly everything is optional.

use serde::Deserialize;

/// Registered models asked per page of `registered-models/search`: the page size OpenMetadata's
/// MLflow client asks for (`SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT`).
pub const MODELS_PAGE: &str = "100";

/// `GET registered-models/search`.
#[derive(Debug, Deserialize)]
pub struct ModelsPage {
    #[serde(default)]
    pub registered_models: Vec<RegisteredModel>,
    pub next_page_token: Option<String>,
}

/// `GET registered-models/get`.
#[derive(Debug, Deserialize)]
pub struct OneModel {
    pub registered_model: RegisteredModel,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RegisteredModel {
    pub name: String,
    pub description: Option<String>,
    /// The newest version in each stage (a stage-era field: registries without stages leave it
    /// out).
    #[serde(default)]
    pub latest_versions: Vec<ModelVersion>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModelVersion {
    /// A number as text (`"3"`).
    pub version: String,
    /// Where the model is: `models:/<model id>` (MLflow 3.x), `runs:/<run id>/<path>`, or a
    /// storage URI.
    pub source: Option<String>,
    /// The run that made it; empty or left out for a version registered from storage.
    pub run_id: Option<String>,
}

/// `GET model-versions/search`.
#[derive(Debug, Deserialize)]
pub struct VersionsPage {
    #[serde(default)]
    pub model_versions: Vec<ModelVersion>,
    pub next_page_token: Option<String>,
}

/// `GET runs/get`.
#[derive(Debug, Deserialize)]
pub struct OneRun {
    pub run: Run,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Run {
    pub info: RunInfo,
    #[serde(default)]
    pub data: RunData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunInfo {
    /// Where the run's artifacts are (`mlflow-artifacts:/1/<run id>/artifacts`, `s3://…`).
    pub artifact_uri: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunData {
    #[serde(default)]
    pub params: Vec<KeyValue>,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KeyValue {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// `GET logged-models/{id}` (MLflow 3.x).
#[derive(Debug, Deserialize)]
pub struct OneLoggedModel {
    pub model: LoggedModel,
}

#[derive(Debug, Deserialize)]
pub struct LoggedModel {
    pub info: LoggedModelInfo,
}

#[derive(Debug, Deserialize)]
pub struct LoggedModelInfo {
    /// Where its files are (`mlflow-artifacts:/1/models/<model id>/artifacts`).
    pub artifact_uri: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_without_a_run_and_a_model_without_versions() {
        let page: ModelsPage = serde_json::from_str(
            r#"{"registered_models":[
                {"name":"empty","creation_timestamp":1},
                {"name":"s3","description":"","latest_versions":[
                    {"name":"s3","version":"1","source":"s3://b/m","run_id":"","status":"READY"}]}]}"#,
        )
        .unwrap();
        assert!(page.next_page_token.is_none());
        assert!(page.registered_models[0].latest_versions.is_empty());
        let v = &page.registered_models[1].latest_versions[0];
        assert_eq!((v.version.as_str(), v.run_id.as_deref()), ("1", Some("")));
        let empty: ModelsPage = serde_json::from_str("{}").unwrap();
        assert!(empty.registered_models.is_empty());
    }

    #[test]
    fn a_run_without_data() {
        let run: OneRun =
            serde_json::from_str(r#"{"run":{"info":{"run_id":"r","artifact_uri":"s3://b/r"}}}"#)
                .unwrap();
        assert!(run.run.data.params.is_empty() && run.run.data.tags.is_empty());
    }
}
