//! Google's REST APIs over the SDK's HTTP client: the service account's bearer token on every
//! call (renewed once when an API answers 401), listings followed page by page (`pageToken` /
//! `nextPageToken`, BigQuery's and Data Catalog's alike), Google's error bodies (`{"error":
//! {"code", "message", "status", "errors": [{"reason"}]}}`, and OAuth's `{"error",
//! "error_description"}`) turned into messages, rate limits (429, and BigQuery's 403
//! `rateLimitExceeded`) and server errors waited out a bounded number of times.

#[cfg(test)]
mod tests;

use std::time::Duration;

use omrun_sdk::http::{HttpError, Request, Response};
use omrun_sdk::log;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth::Auth;

/// How many times one request is retried after a 429, a 5xx or a lost connection. The host
/// retries the whole ref after that (`retryPolicy`).
const RETRIES: u32 = 5;
/// Backoff after a 5xx or a lost connection (and a 429 without `Retry-After`): 0.25 s, 0.5 s,
/// 1 s, 2 s, 4 s.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest `Retry-After` honoured as is.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// Pages one listing may take; a runaway token loop stops here.
const MAX_PAGES: usize = 100_000;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No token (the key was refused, or the host would not sign with it), or Google refused
    /// the token: nothing else will work.
    Auth(String),
    /// 404: the project, dataset, table or tag does not exist (any more).
    NotFound(String),
    /// 403: the service account may not read this object.
    Forbidden(String),
    /// The host refused the destination: the config does not grant that host.
    Refused(String),
    /// Anything else, after the retries: the message says what.
    Other(String),
}

impl ApiError {
    /// Whether it is about this object alone (the rest of a listing may go on without it).
    pub fn is_local(&self) -> bool {
        matches!(self, ApiError::NotFound(_) | ApiError::Forbidden(_))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Auth(m)
            | ApiError::NotFound(m)
            | ApiError::Forbidden(m)
            | ApiError::Refused(m)
            | ApiError::Other(m) => f.write_str(m),
        }
    }
}

/// BigQuery's and Data Catalog's APIs, as one service account.
pub struct Client {
    auth: Auth,
    timeout: Duration,
}

impl Client {
    pub fn new(auth: Auth, timeout: Duration) -> Self {
        Self { auth, timeout }
    }

    /// `GET {url}?{query}` as `T`; `shown` names the call in messages (the URL without its host).
    pub fn get<T: DeserializeOwned>(
        &mut self,
        url: &str,
        query: &[(&str, &str)],
        shown: &str,
    ) -> Result<T, ApiError> {
        let shown = format!("GET {shown}");
        let mut renewed = false;
        loop {
            let token = self.auth.token()?;
            let answer = send_retrying(&shown, &|| {
                query
                    .iter()
                    .fold(Request::get(url), |r, (k, v)| r.query(*k, *v))
                    .header("authorization", format!("Bearer {token}"))
                    .header("accept", "application/json")
                    .header(
                        "user-agent",
                        concat!("omrun-bigquery/", env!("CARGO_PKG_VERSION")),
                    )
                    .timeout(self.timeout)
            });
            // A token Google no longer takes (revoked, or expired early): a new one, once.
            if !renewed && matches!(&answer, Ok(r) if r.status == 401) {
                log::debug!("{shown}: HTTP 401, renewing the access token");
                self.auth.invalidate();
                renewed = true;
                continue;
            }
            let response = into_result(answer, &shown)?;
            return response
                .json()
                .map_err(|e| ApiError::Other(format!("{shown}: {e}")));
        }
    }

    /// Every item of a listing: `field` of each page, then each `nextPageToken` as `pageToken`
    /// until an answer has none (or an empty one). `query` carries the page size.
    pub fn list<T: DeserializeOwned>(
        &mut self,
        url: &str,
        query: &[(&str, &str)],
        field: &str,
        shown: &str,
    ) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut q: Vec<(&str, &str)> = query.to_vec();
            if let Some(t) = &token {
                q.push(("pageToken", t));
            }
            let mut page: Value = self.get(url, &q, shown)?;
            if let Some(list) = page
                .get_mut(field)
                .map(Value::take)
                .filter(|v| !v.is_null())
            {
                let list: Vec<T> = serde_json::from_value(list).map_err(|e| {
                    ApiError::Other(format!("GET {shown}: unexpected `{field}`: {e}"))
                })?;
                items.extend(list);
            }
            match page.get("nextPageToken").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => {
                    if token.as_deref() == Some(next) {
                        return Err(ApiError::Other(format!(
                            "GET {shown}: the server answered the same nextPageToken twice"
                        )));
                    }
                    token = Some(next.to_owned());
                }
                _ => return Ok(items),
            }
        }
        Err(ApiError::Other(format!(
            "GET {shown}: more than {MAX_PAGES} pages"
        )))
    }
}

/// What to do with an answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    Done,
    Wait(Duration),
}

/// Sends what `build` makes until an answer is final: any answer but a passing failure, or the
/// last one after [`RETRIES`] retries.
pub(crate) fn send_retrying(
    shown: &str,
    build: &dyn Fn() -> Request,
) -> Result<Response, HttpError> {
    let mut attempt = 0;
    loop {
        let answer = build().send();
        match decide(&answer, attempt) {
            Next::Wait(wait) => {
                attempt += 1;
                let why = match &answer {
                    Ok(r) => format!("HTTP {}", r.status),
                    Err(e) => e.to_string(),
                };
                log::warn!("{shown}: {why}; retry {attempt} of {RETRIES} in {wait:?}");
                std::thread::sleep(wait);
            }
            Next::Done => return answer,
        }
    }
}

/// The next step after `answer`, the `attempt`-th retry of the request (0 for the first try).
pub(crate) fn decide(answer: &Result<Response, HttpError>, attempt: u32) -> Next {
    let backoff = || FIRST_BACKOFF * 2u32.pow(attempt.min(10));
    let retry = |wait: Duration| {
        if attempt < RETRIES {
            Next::Wait(wait.min(MAX_WAIT))
        } else {
            Next::Done
        }
    };
    match answer {
        // A TLS failure does not pass by itself: a certificate, or an http endpoint asked in https.
        Err(HttpError::Connection { code, .. }) if code.contains("Tls") => Next::Done,
        Err(e) if e.is_transient() => retry(backoff()),
        Err(_) => Next::Done,
        Ok(r) => match r.status {
            429 => retry(r.retry_after().unwrap_or_else(backoff)),
            500 | 502 | 503 | 504 => retry(backoff()),
            // BigQuery answers its rate limits with 403 and reason `rateLimitExceeded`, which
            // Google's own clients retry.
            403 if reasons(r).iter().any(|why| why == "rateLimitExceeded") => retry(backoff()),
            _ => Next::Done,
        },
    }
}

/// A final answer as the caller sees it: a 2xx response, or what its failure amounts to.
fn into_result(answer: Result<Response, HttpError>, shown: &str) -> Result<Response, ApiError> {
    let response = match answer {
        Ok(r) => r,
        Err(e @ HttpError::Denied { .. }) => {
            return Err(ApiError::Refused(format!("{shown}: {e}")));
        }
        Err(e @ HttpError::Connection { .. }) if e.to_string().contains("Tls") => {
            return Err(ApiError::Other(format!(
                "{shown}: {e} (Google's APIs are reached over https unless hostPort says http://)"
            )));
        }
        Err(e) => return Err(ApiError::Other(format!("{shown}: {e}"))),
    };
    if response.is_success() {
        return Ok(response);
    }
    let detail = error_detail(&response);
    // Data Catalog's resources are under /v1/, BigQuery's under /bigquery/v2/.
    let data_catalog = shown.contains(" /v1/");
    Err(match response.status {
        401 => ApiError::Auth(format!(
            "Google refused the service account's access token ({detail}) on {shown}"
        )),
        404 => ApiError::NotFound(format!("{shown}: {detail}")),
        403 => ApiError::Forbidden(format!(
            "{shown}: {detail} (the service account lacks a permission: {})",
            if data_catalog {
                "Data Catalog Viewer (datacatalog.taxonomies.list and .get) on the taxonomy's \
                 project"
            } else {
                "BigQuery Metadata Viewer (bigquery.datasets.get, bigquery.tables.list, \
                 bigquery.tables.get) on the project or dataset"
            }
        )),
        301 | 302 | 303 | 307 | 308 => ApiError::Other(format!(
            "{shown}: {detail}, redirected to {} (is hostPort the API's endpoint?)",
            response.header("location").unwrap_or("?")
        )),
        _ => ApiError::Other(format!("{shown}: {detail}")),
    })
}

/// `HTTP {status} {what}: {message}` from a Google error body: the API's `error.status` (or its
/// first `errors[].reason`) and `error.message`, or OAuth's `error` and `error_description`; for a
/// body that is neither (an HTML page), its first 200 characters on one line.
pub(crate) fn error_detail(response: &Response) -> String {
    let text = String::from_utf8_lossy(&response.body);
    let status = response.status;
    let (what, message) = match serde_json::from_str::<Value>(&text) {
        Ok(v) => match v.get("error") {
            Some(e @ Value::Object(_)) => {
                let what = e
                    .get("status")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| reasons(response).into_iter().next());
                (
                    what,
                    e.get("message").and_then(Value::as_str).map(str::to_owned),
                )
            }
            Some(Value::String(code)) => (
                Some(code.clone()),
                v.get("error_description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            ),
            _ => (None, None),
        },
        Err(_) => {
            let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            (None, Some(line.chars().take(200).collect()))
        }
    };
    let what = what.filter(|w| !w.is_empty());
    let message = message.filter(|m| !m.is_empty());
    match (what, message) {
        (Some(w), Some(m)) => format!("HTTP {status} {w}: {m}"),
        (None, Some(m)) => format!("HTTP {status}: {m}"),
        (Some(w), None) => format!("HTTP {status} {w}"),
        (None, None) => format!("HTTP {status}"),
    }
}

/// The `reason`s of a Google error body's `error.errors`.
fn reasons(response: &Response) -> Vec<String> {
    serde_json::from_slice::<Value>(&response.body)
        .ok()
        .and_then(|v| v.pointer("/error/errors").cloned())
        .and_then(|e| e.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.get("reason").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// `s` as one path segment: what a URL path cannot hold as is, percent-encoded (`:` stays:
/// domain-scoped project IDs are `example.com:project`, written so in Google's paths).
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
