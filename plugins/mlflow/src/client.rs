//! MLflow's REST API over the SDK's client: the tracking server (runs, logged models, artifacts
//! through its proxy) and the model registry (registered models, versions), which is usually the
//! same server. No credentials: OpenMetadata's MLflow connection has no setting for any (a
//! tracking server has no authentication by default). Retries on 429, 5xx and lost connections,
//! and redirects, are the SDK's ([`omrun_sdk::http::api`]).

use std::collections::HashSet;

use omrun_sdk::http::Request;
use omrun_sdk::http::api::{Api, ApiError};
use serde::de::DeserializeOwned;

use crate::api::{
    MODELS_PAGE, ModelVersion, ModelsPage, OneLoggedModel, OneModel, OneRun, RegisteredModel, Run,
    VersionsPage,
};

pub struct Client {
    tracking: Api<()>,
    registry: Api<()>,
}

impl Client {
    pub fn new(tracking_url: &str, registry_url: &str) -> Self {
        Self {
            tracking: Api::new("MLflow", tracking_url, ()),
            registry: Api::new("MLflow registry", registry_url, ()),
        }
    }

    /// Every registered model, page by page until MLflow hands no page token. A token met twice (a
    /// server paging in circles) is an error rather than an endless listing.
    pub fn registered_models(&mut self) -> Result<Vec<RegisteredModel>, String> {
        let mut models = Vec::new();
        let mut tokens = HashSet::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("max_results", MODELS_PAGE)];
            if let Some(t) = &token {
                query.push(("page_token", t.as_str()));
            }
            let page: ModelsPage = get(
                &mut self.registry,
                "/api/2.0/mlflow/registered-models/search",
                &query,
            )?;
            models.extend(page.registered_models);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                None => return Ok(models),
                Some(next) if !tokens.insert(next.clone()) => {
                    return Err(format!(
                        "MLflow registered-models/search handed the same page token twice after \
                         {} models: the listing goes in circles",
                        models.len()
                    ));
                }
                Some(next) => token = Some(next),
            }
        }
    }

    /// One registered model by name.
    pub fn registered_model(&mut self, name: &str) -> Result<RegisteredModel, String> {
        let one: OneModel = get(
            &mut self.registry,
            "/api/2.0/mlflow/registered-models/get",
            &[("name", name)],
        )
        .map_err(|e| match e.status {
            Some(404) => format!(
                "no registered model `{name}` in MLflow (deleted since it was listed?): {e}"
            ),
            _ => e.message,
        })?;
        Ok(one.registered_model)
    }

    /// Every version of a model (`model-versions/search`, all pages). The filter is quoted as
    /// OpenMetadata quotes it (single quotes: the only form Unity Catalog's registry parses).
    pub fn versions(&mut self, name: &str) -> Result<Vec<ModelVersion>, String> {
        let filter = format!("name='{name}'");
        let mut versions = Vec::new();
        let mut tokens = HashSet::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("filter", filter.as_str())];
            if let Some(t) = &token {
                query.push(("page_token", t.as_str()));
            }
            let page: VersionsPage = get(
                &mut self.registry,
                "/api/2.0/mlflow/model-versions/search",
                &query,
            )?;
            versions.extend(page.model_versions);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                None => return Ok(versions),
                Some(next) if !tokens.insert(next.clone()) => {
                    return Err(format!(
                        "MLflow model-versions/search of `{name}` handed the same page token twice"
                    ));
                }
                Some(next) => token = Some(next),
            }
        }
    }

    /// A run, with its parameters and tags.
    pub fn run(&mut self, run_id: &str) -> Result<Run, String> {
        let one: OneRun = get(
            &mut self.tracking,
            "/api/2.0/mlflow/runs/get",
            &[("run_id", run_id)],
        )?;
        Ok(one.run)
    }

    /// Where a logged model's files are (MLflow 3.x's `models:/<id>`).
    pub fn logged_model_location(&mut self, model_id: &str) -> Result<Option<String>, String> {
        let path = format!("/api/2.0/mlflow/logged-models/{}", encode_path(model_id));
        let one: OneLoggedModel = get(&mut self.tracking, &path, &[])?;
        Ok(one.model.info.artifact_uri.filter(|u| !u.is_empty()))
    }

    /// A file the tracking server serves from its artifact store (`mlflow server
    /// --serve-artifacts`), by its path there: `GET /api/2.0/mlflow-artifacts/artifacts/<path>`.
    pub fn served_artifact(&mut self, path: &str) -> Result<String, String> {
        let url = self.tracking.url(&format!(
            "/api/2.0/mlflow-artifacts/artifacts/{}",
            encode_path(path.trim_start_matches('/'))
        ));
        self.text(url)
    }

    /// A file at an http(s) URL (an artifact store MLflow reads over plain HTTP). The host lets
    /// the request through only to trackingUri's host.
    pub fn text(&mut self, url: String) -> Result<String, String> {
        let answer = self.tracking.send(Request::get(url))?;
        let text = answer.text().map_err(|e| format!("MLflow artifact: {e}"))?;
        Ok(text.to_owned())
    }
}

fn get<T: DeserializeOwned>(
    api: &mut Api<()>,
    path: &str,
    query: &[(&str, &str)],
) -> Result<T, ApiError> {
    api.get(path, query)
}

/// `path` with each segment percent-encoded (RFC 3986's unreserved characters and `/` as they
/// are), so an artifact or model id with spaces or `?` stays one path.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded_by_segment() {
        assert_eq!(
            encode_path("1/models/m-abc/artifacts/MLmodel"),
            "1/models/m-abc/artifacts/MLmodel"
        );
        assert_eq!(encode_path("a b/c?d#é"), "a%20b/c%3Fd%23%C3%A9");
    }
}
