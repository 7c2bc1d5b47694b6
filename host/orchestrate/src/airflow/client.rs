//! Airflow's stable REST API (`/api/v2`, Airflow 3): one call with a token, tried again when the
//! server fails or the token made from a password expires. What omrun asks of it is in
//! `dag_runs`; who it is, in `credentials`.

use super::credentials::Credentials;
use anyhow::{Context, anyhow};
use omrun_config::{AirflowSettings, Secret};
use reqwest::{Method, StatusCode, Url};
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::Duration;

/// How often a call Airflow answered with a server error is tried again (after 1, 2, 4, 8 s).
const SERVER_ERROR_RETRIES: u32 = 4;

pub struct AirflowClient {
    http: reqwest::Client,
    base: Url,
    pub(super) credentials: Credentials,
    token: Mutex<Option<Secret>>,
}

impl AirflowClient {
    pub fn new(settings: &AirflowSettings, url: &str) -> anyhow::Result<Self> {
        let base = Url::parse(url)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| {
                anyhow!("distributedExecution.airflow.url `{url}` is not an http(s) URL")
            })?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("omrun/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .danger_accept_invalid_certs(settings.insecure_skip_verify)
            .build()?;
        Ok(Self {
            http,
            base,
            credentials: Credentials::from_settings(settings)?,
            token: Mutex::new(None),
        })
    }

    /// The Airflow UI page of a DAG run.
    pub fn link(&self, dag_id: &str, run_id: &str) -> String {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked to be http(s)")
            .pop_if_empty()
            .extend(["dags", dag_id, "runs", run_id]);
        url.to_string()
    }

    pub(super) async fn call(
        &self,
        method: Method,
        segments: &[&str],
        query: Option<&[(&str, &str)]>,
    ) -> anyhow::Result<(StatusCode, Value)> {
        self.send(method, segments, query, None).await
    }

    /// One call with the token; a token refused after it was made from a password is made once
    /// more (tokens expire), a server error is tried again [`SERVER_ERROR_RETRIES`] times. 401
    /// and 403 are errors here, every other status is the caller's.
    pub(super) async fn send(
        &self,
        method: Method,
        segments: &[&str],
        query: Option<&[(&str, &str)]>,
        body: Option<&Value>,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked to be http(s)")
            .pop_if_empty()
            .extend(["api", "v2"])
            .extend(segments);
        if let Some(query) = query {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut fresh = false;
        let mut refreshed = false;
        let mut server_errors = 0;
        loop {
            let token = self.token(std::mem::take(&mut fresh)).await?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose());
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await.map_err(|e| self.unreachable(e))?;
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            let answer = serde_json::from_str(&text).unwrap_or(Value::String(text));
            match status {
                StatusCode::UNAUTHORIZED
                    if !refreshed && matches!(self.credentials, Credentials::User { .. }) =>
                {
                    // Made from the password, and expired: make it again, once.
                    *self.token.lock().expect("not poisoned") = None;
                    (fresh, refreshed) = (true, true);
                }
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    return Err(anyhow!(Refused(format!(
                        "Airflow refused the token ({status}): {}; check {}",
                        message(&answer),
                        self.credentials.named()
                    ))));
                }
                // Airflow's database busy (SQLite locked, a failover): the server is there and
                // will answer again.
                status if status.is_server_error() && server_errors < SERVER_ERROR_RETRIES => {
                    server_errors += 1;
                    tracing::warn!(
                        "Airflow answered {status} to {method} {}: {}; trying again",
                        url.path(),
                        message(&answer)
                    );
                    tokio::time::sleep(Duration::from_millis(500 << server_errors)).await;
                }
                _ => return Ok((status, answer)),
            }
        }
    }

    /// The token to send: the configured one, or one made from the password (again when `fresh`).
    async fn token(&self, fresh: bool) -> anyhow::Result<Secret> {
        let (name, password) = match &self.credentials {
            Credentials::Token(token) => return Ok(token.clone()),
            Credentials::User { name, password } => (name, password),
        };
        if !fresh && let Some(token) = self.token.lock().expect("not poisoned").clone() {
            return Ok(token);
        }
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked to be http(s)")
            .pop_if_empty()
            .extend(["auth", "token"]);
        let response = self
            .http
            .post(url)
            .json(&json!({"username": name, "password": password.expose()}))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(anyhow!(Refused(format!(
                "Airflow refused the user {name} ({status}): {}; check {}",
                message(&answer),
                self.credentials.named()
            ))));
        }
        let token = answer["access_token"]
            .as_str()
            .map(Secret::new)
            .context("Airflow's /auth/token answer holds no access_token")?;
        *self.token.lock().expect("not poisoned") = Some(token.clone());
        Ok(token)
    }

    fn unreachable(&self, error: reqwest::Error) -> anyhow::Error {
        anyhow!(
            "cannot reach Airflow's API server at {}: {error}",
            self.base
        )
    }
}

/// Airflow refused who we are: never retried.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

pub(super) fn is_refusal(error: &anyhow::Error) -> bool {
    error.downcast_ref::<Refused>().is_some()
}

/// Airflow's error body is `{"detail": …}` (a string, or a list of validation errors); anything
/// else is shown as is, shortened.
pub(super) fn message(answer: &Value) -> String {
    match &answer["detail"] {
        Value::String(detail) => detail.clone(),
        Value::Null => match answer {
            Value::String(text) => text.chars().take(300).collect(),
            other => other.to_string().chars().take(300).collect(),
        },
        detail => detail.to_string().chars().take(300).collect(),
    }
}
