//! Submitting a Workflow to the Argo Server's REST API and following it to its end. A failed
//! submission is an error, never a reason to run a big job locally instead.

use anyhow::{Context, anyhow, bail};
use omrun_config::{ArgoServer, Secret};
use omrun_pipeline::report::Report;
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub struct ArgoClient {
    http: reqwest::Client,
    base: Url,
    token: Secret,
}

/// How a followed Workflow ended.
pub struct Ended {
    /// `Succeeded`, `Failed` or `Error`.
    pub phase: String,
    pub message: Option<String>,
    /// The finalize pod's report: the whole run, summed over the workers.
    pub report: Option<Report>,
}

impl ArgoClient {
    pub fn new(server: &ArgoServer) -> anyhow::Result<Self> {
        let base = Url::parse(&server.url)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| anyhow!("argoServer.url `{}` is not an http(s) URL", server.url))?;
        let token = read_token(server)?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("omrun/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .danger_accept_invalid_certs(server.insecure_skip_verify)
            .build()?;
        Ok(Self { http, base, token })
    }

    /// The Argo UI page of a Workflow.
    pub fn link(&self, namespace: &str, name: &str) -> String {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked to be http(s)")
            .pop_if_empty()
            .extend(["workflows", namespace, name]);
        url.to_string()
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked to be http(s)")
            .pop_if_empty()
            .extend(["api", "v1"])
            .extend(segments);
        url
    }

    /// Creates the Workflow; returns the name the server gave it.
    pub async fn submit(&self, namespace: &str, workflow: &Value) -> anyhow::Result<String> {
        let url = self.url(&["workflows", namespace]);
        let body = json!({"namespace": namespace, "workflow": workflow});
        let response = self
            .http
            .post(url.clone())
            .bearer_auth(self.token.expose())
            .json(&body)
            .send()
            .await
            .map_err(|e| anyhow!("cannot reach the Argo Server at {}: {e}", self.base))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            let message = server_message(&text);
            bail!(match status {
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => format!(
                    "the Argo Server refused the token ({status}): {message}; check argoServer.tokenEnv / tokenFile"
                ),
                StatusCode::CONFLICT => format!(
                    "the Argo Server refused the Workflow ({status}): it already exists in namespace {namespace}: {message}"
                ),
                _ => format!("the Argo Server refused the Workflow ({status}): {message}"),
            });
        }
        let created: Value = serde_json::from_str(&text).with_context(|| {
            format!("the Argo Server answered {url} with something that is not JSON")
        })?;
        created["metadata"]["name"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("the Argo Server's answer names no Workflow"))
    }

    /// Looks at the Workflow every `poll` until it ends or `deadline` passes. Transient errors
    /// (the server restarting, a dropped connection) are retried until the deadline; a refused
    /// token or a Workflow that disappeared are not.
    pub async fn follow(
        &self,
        namespace: &str,
        name: &str,
        poll: Duration,
        deadline: Option<Duration>,
    ) -> anyhow::Result<Ended> {
        let started = Instant::now();
        let url = self.url(&["workflows", namespace, name]);
        let mut last_seen = String::new();
        loop {
            match self.get(&url).await {
                Ok(workflow) => {
                    let status = &workflow["status"];
                    let phase = status["phase"].as_str().unwrap_or("Pending").to_owned();
                    let progress = status["progress"].as_str().unwrap_or("");
                    let seen = format!("{phase} {progress}");
                    if seen != last_seen {
                        tracing::info!("Workflow {name}: {phase} {progress}");
                        last_seen = seen;
                    }
                    if matches!(phase.as_str(), "Succeeded" | "Failed" | "Error") {
                        return Ok(Ended {
                            phase,
                            message: status["message"].as_str().map(str::to_owned),
                            report: finalize_report(status),
                        });
                    }
                }
                Err(Fatal(e)) => return Err(e),
                Err(Transient(e)) => tracing::warn!("Following {name}: {e:#}; retrying"),
            }
            if let Some(deadline) = deadline
                && started.elapsed() >= deadline
            {
                bail!(
                    "Workflow {name} did not finish within timeoutSeconds ({} s); it is still {} in Argo",
                    deadline.as_secs(),
                    last_seen
                        .split(' ')
                        .next()
                        .filter(|p| !p.is_empty())
                        .unwrap_or("unknown")
                );
            }
            tokio::time::sleep(poll).await;
        }
    }

    async fn get(&self, url: &Url) -> Result<Value, GetError> {
        let response = self
            .http
            .get(url.clone())
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(|e| Transient(anyhow!("cannot reach the Argo Server: {e}")))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        match status {
            s if s.is_success() => serde_json::from_str(&text)
                .map_err(|e| Transient(anyhow!("the Argo Server answered with bad JSON: {e}"))),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(Fatal(anyhow!(
                "the Argo Server refused the token ({status}): {}",
                server_message(&text)
            ))),
            StatusCode::NOT_FOUND => Err(Fatal(anyhow!(
                "the Workflow is gone from the Argo Server (deleted?): {}",
                server_message(&text)
            ))),
            _ => Err(Transient(anyhow!(
                "the Argo Server answered {status}: {}",
                server_message(&text)
            ))),
        }
    }
}

enum GetError {
    Fatal(anyhow::Error),
    Transient(anyhow::Error),
}
use GetError::{Fatal, Transient};

/// The token: from `tokenFile` when set (a mounted service-account token), else the variable
/// `tokenEnv` (default `ARGO_TOKEN`). `argo auth token` prints it with a `Bearer ` prefix; either
/// form works.
fn read_token(server: &ArgoServer) -> anyhow::Result<Secret> {
    let token = match &server.token_file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read argoServer.tokenFile {}", path.display()))?,
        None => {
            let variable = server.token_env.as_deref().unwrap_or("ARGO_TOKEN");
            std::env::var(variable).map_err(|_| {
                anyhow!(
                    "the Argo Server token is not set: export {variable} (argoServer.tokenEnv) or set argoServer.tokenFile"
                )
            })?
        }
    };
    let token = token.trim();
    let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    if token.is_empty() {
        bail!("the Argo Server token is empty");
    }
    Ok(Secret::new(token))
}

/// Argo's error body is `{"code": …, "message": …}`; anything else is shown as is, shortened.
fn server_message(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| text.chars().take(300).collect())
}

/// The `report` output parameter of the finalize node, if it ran and wrote one. With retries, the
/// `Retry` node carries its last attempt's outputs; without, the pod node does.
fn finalize_report(status: &Value) -> Option<Report> {
    let nodes = status["nodes"].as_object()?;
    let mut finalize: Vec<&Value> = nodes
        .values()
        .filter(|node| node["templateName"] == "finalize")
        .collect();
    finalize.sort_by_key(|node| node["type"] != "Retry");
    finalize
        .into_iter()
        .filter_map(|node| node["outputs"]["parameters"].as_array())
        .flatten()
        .filter(|parameter| parameter["name"] == "report")
        .find_map(|parameter| serde_json::from_str(parameter["value"].as_str()?).ok())
}
