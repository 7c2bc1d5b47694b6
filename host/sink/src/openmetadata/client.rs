//! HTTP to OpenMetadata's REST API: the bot's JWT on every call, a timeout per call, and retries
//! with exponential backoff and jitter within `retryPolicy` for what is worth retrying — 429 (after
//! its `Retry-After`), 5xx, timeouts and lost connections. The token is never printed: it travels
//! only in a header, and no message here includes headers.

use anyhow::{Context, bail};
use omrun_config::{OpenMetadataServerConfig, RetryPolicy, Secret};
use reqwest::{Method, StatusCode, Url, header::RETRY_AFTER};
use serde_json::Value;
use std::fmt;
use std::time::Duration;

pub struct Client {
    http: reqwest::Client,
    /// `<hostPort>/v1/`.
    base: Url,
    token: Option<Secret>,
    retry: RetryPolicy,
    timeout: Duration,
    /// Entities sent again by retried calls (a bulk call counts its items).
    pub retried: std::sync::atomic::AtomicUsize,
}

/// A call that finally failed.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// No answer: the server could not be reached, or did not answer in time.
    Transport(String),
    /// An error status, with the message OpenMetadata gave.
    Status { status: u16, message: String },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Transport(why) => f.write_str(why),
            ApiError::Status { status, message } => write!(f, "HTTP {status}: {message}"),
        }
    }
}

/// An answer (any status the caller has to interpret) with its JSON body (`null` if none).
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// OpenMetadata's error shape is `{"code": …, "message": "…"}`.
    pub fn message(&self) -> String {
        // Said by a proxy in HTML, most likely (OpenMetadata's server sets no limit).
        if self.status == StatusCode::PAYLOAD_TOO_LARGE {
            return "the request was too large for the server or a proxy in front of it: set the \
                    sink's `maxRequestBytes` to the limit it enforces (nginx: \
                    client_max_body_size), or raise that limit"
                .to_owned();
        }
        match &self.body {
            Value::Object(map) => map
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_owned),
            Value::String(text) => Some(text.clone()),
            _ => None,
        }
        .unwrap_or_else(|| {
            self.status
                .canonical_reason()
                .unwrap_or("no message")
                .to_owned()
        })
    }

    pub fn error(&self) -> ApiError {
        ApiError::Status {
            status: self.status.as_u16(),
            message: self.message(),
        }
    }
}

impl Client {
    pub fn new(
        server: &OpenMetadataServerConfig,
        retry: RetryPolicy,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        const KEY: &str = "workflowConfig.openMetadataServerConfig";
        let token = match server.auth_provider() {
            "openmetadata" => match server
                .security_config
                .as_ref()
                .and_then(|s| s.jwt_token.as_ref())
                .map(|t| t.value.clone())
            {
                Some(token) if !token.expose().is_empty() => Some(token),
                _ => bail!(
                    "{KEY}.securityConfig.jwtToken is required with authProvider `openmetadata`"
                ),
            },
            "no-auth" => None,
            other => bail!(
                "{KEY}.authProvider `{other}` is not supported; use `openmetadata` (a bot's JWT token) or `no-auth`"
            ),
        };
        let mut http = reqwest::Client::builder()
            .user_agent(concat!("omrun/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10));
        match server.verify_ssl() {
            "no-ssl" | "validate" => {}
            "ignore" => http = http.danger_accept_invalid_certs(true),
            other => bail!("{KEY}.verifySSL `{other}` is not one of no-ssl, validate, ignore"),
        }
        let host_port = &server.host_port.value;
        let mut base = Url::parse(host_port)
            .with_context(|| format!("{KEY}.hostPort `{host_port}` is not a URL"))?;
        if base.cannot_be_a_base() {
            bail!("{KEY}.hostPort `{host_port}` is not an http(s) URL");
        }
        base.path_segments_mut()
            .expect("checked above")
            .pop_if_empty()
            .push("v1")
            .push("");
        Ok(Self {
            http: http.build().context("cannot set up HTTP")?,
            base,
            token,
            retry,
            timeout,
            retried: Default::default(),
        })
    }

    /// Where the API lives, for messages.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `method` on `path` (segments under `/v1/`, each percent-encoded) with `query` and an
    /// optional JSON body. Retries 429, 5xx and transport failures; returns the last answer or error.
    pub async fn call(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Answer, ApiError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("base is a base URL")
            .pop_if_empty()
            .extend(path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let shown = format!("{method} {}", url.path());
        let mut attempt = 1;
        loop {
            let (error, wait) = match self.send(&method, &url, body).await {
                Ok(answer)
                    if answer.status == StatusCode::TOO_MANY_REQUESTS
                        || answer.status.is_server_error() =>
                {
                    (answer.error(), None)
                }
                Ok(answer) => return Ok(answer),
                Err((error, retry_after)) => (error, retry_after),
            };
            if attempt >= self.retry.max_attempts {
                return Err(error);
            }
            attempt += 1;
            let entities = body.and_then(Value::as_array).map_or(1, Vec::len);
            self.retried
                .fetch_add(entities, std::sync::atomic::Ordering::Relaxed);
            let wait = wait.unwrap_or_else(|| jitter(self.retry.backoff(attempt)));
            tracing::warn!(
                "OpenMetadata {shown}: {error}; retrying in {:.1} s (attempt {attempt} of {})",
                wait.as_secs_f64(),
                self.retry.max_attempts
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// One try. A 429 comes back as an error carrying its `Retry-After`.
    async fn send(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&Value>,
    ) -> Result<Answer, (ApiError, Option<Duration>)> {
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .timeout(self.timeout);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let transport = |e: reqwest::Error| {
            let why = if e.is_timeout() {
                format!("no answer within {} s", self.timeout.as_secs_f64())
            } else if e.is_connect() {
                format!("cannot connect to {}", self.base)
            } else {
                format!("{}", e.without_url())
            };
            (ApiError::Transport(why), None)
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(|seconds| Duration::from_secs_f64(seconds.clamp(0.0, 3600.0)));
        let text = response.text().await.map_err(transport)?;
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        let answer = Answer { status, body };
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err((answer.error(), retry_after));
        }
        Ok(answer)
    }
}

/// Between half and all of `wait`, so that workers retrying together do not hit the server together.
fn jitter(wait: Duration) -> Duration {
    wait.mul_f64(0.5 + fastrand::f64() * 0.5)
}
