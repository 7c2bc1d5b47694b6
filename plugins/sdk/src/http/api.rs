//! A REST API client for connectors: the retry, token-renewal and redirect rules every API
//! connector needs, written once.
//!
//! ```no_run
//! use omrun_sdk::http::api::{self, Api, ApiError, Auth, RetryPolicy};
//! use omrun_sdk::http::{self, Request};
//!
//! /// `Authorization: Bearer …`, logging in when there is no token.
//! struct Login {
//!     base: String,
//!     token: Option<String>,
//! }
//!
//! impl Auth for Login {
//!     fn authorize(&mut self, request: Request) -> Result<Request, ApiError> {
//!         if self.token.is_none() {
//!             let login = Request::post(format!("{}/api/login", self.base))
//!                 .header("x-password", http::secret("password"));
//!             let answer: serde_json::Value =
//!                 api::send_retrying("Example login", &RetryPolicy::default(), login)?.json()?;
//!             self.token = answer["token"].as_str().map(str::to_owned);
//!         }
//!         let token = self.token.as_deref().unwrap_or_default();
//!         Ok(request.header("authorization", format!("Bearer {token}")))
//!     }
//!     fn forget(&mut self) {
//!         self.token = None;
//!     }
//! }
//!
//! let base = "https://bi.example.com".to_owned();
//! let mut api = Api::new("Example", &base, Login { base: base.clone(), token: None });
//! let dashboards: serde_json::Value = api.get("/api/dashboards", &[("page", "1")])?;
//! # Ok::<(), ApiError>(())
//! ```
//!
//! **Retries.** A 429 waits its `Retry-After` (capped), a 5xx or a lost connection backs off
//! exponentially; after [`RetryPolicy::retries`] tries the error is returned and the host retries
//! the whole ref (`retryPolicy`). **Renewal.** A 401 makes the client [`Auth::forget`] the
//! credentials and try once more, so an expired token is replaced; a second 401 is an error.
//! **Redirects** are followed (wasi:http does not); credentials go only to the API's own base URL.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{HttpError, Method, Request, Response};
use crate::log;

/// How hard one call tries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after a 429, a 5xx or a lost connection.
    pub retries: u32,
    /// The first backoff after a 5xx, a lost connection or a 429 without `Retry-After`; doubled
    /// each time.
    pub first_backoff: Duration,
    /// The longest wait, `Retry-After` included (the call's own deadline is the host's).
    pub max_wait: Duration,
    /// Redirects followed per call.
    pub max_redirects: u32,
}

impl Default for RetryPolicy {
    /// 5 retries, 0.25 s doubling, waits capped at 60 s, 3 redirects.
    fn default() -> Self {
        Self {
            retries: 5,
            first_backoff: Duration::from_millis(250),
            max_wait: Duration::from_secs(60),
            max_redirects: 3,
        }
    }
}

/// Why a call failed, with the status when the API answered one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status of a refusal (`None`: no answer, or an answer that could not be read).
    pub status: Option<u16>,
    /// What happened, naming the API and the call (`Superset GET /api/v1/chart/: HTTP 403: …`).
    pub message: String,
}

impl ApiError {
    /// An error that is not about a status (a malformed answer, a login without a token).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            status: None,
            message: message.into(),
        }
    }

    fn from_http(context: &str, error: HttpError) -> Self {
        let status = match &error {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        };
        Self {
            status,
            message: format!("{context}: {error}"),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<HttpError> for ApiError {
    fn from(error: HttpError) -> Self {
        Self::from_http("HTTP", error)
    }
}

impl From<ApiError> for String {
    fn from(error: ApiError) -> Self {
        error.message
    }
}

/// How a connector proves who it is to its API.
pub trait Auth {
    /// `request` with credentials added, logging in first when there are none (or they are about
    /// to expire). Called for requests to the API's base URL only.
    fn authorize(&mut self, request: Request) -> Result<Request, ApiError>;

    /// The API refused the credentials (a 401): drop them, so the next [`authorize`](Self::authorize)
    /// logs in again. The call is then tried once more.
    fn forget(&mut self) {}
}

/// No credentials (an API that needs none, or a plugin adding its own headers).
impl Auth for () {
    fn authorize(&mut self, request: Request) -> Result<Request, ApiError> {
        Ok(request)
    }
}

/// A REST API at one base URL.
pub struct Api<A> {
    label: String,
    base_url: String,
    auth: A,
    policy: RetryPolicy,
}

impl<A: Auth> Api<A> {
    /// The API at `base_url` (no trailing slash needed), named `label` in messages.
    pub fn new(label: &str, base_url: &str, auth: A) -> Self {
        Self {
            label: label.to_owned(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            auth,
            policy: RetryPolicy::default(),
        }
    }

    /// The same API with another retry policy.
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The credentials, e.g. to read who logged in.
    pub fn auth_mut(&mut self) -> &mut A {
        &mut self.auth
    }

    /// `path` (starting with `/`) on the API.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `GET {path}?{query}` as `T`.
    pub fn get<T: DeserializeOwned>(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ApiError> {
        let request = query
            .iter()
            .fold(Request::get(self.url(path)), |r, (k, v)| r.query(*k, *v));
        self.json(request, path)
    }

    /// `POST {path}` with `body` as JSON, the answer as `T`.
    pub fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &mut self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let request = Request::post(self.url(path)).json(body)?;
        self.json(request, path)
    }

    fn json<T: DeserializeOwned>(&mut self, request: Request, path: &str) -> Result<T, ApiError> {
        let method = request.method;
        let response = self.send(request)?;
        response
            .json()
            .map_err(|e| ApiError::from_http(&format!("{} {} {path}", self.label, verb(method)), e))
    }

    /// Sends `request` (an absolute URL, e.g. from [`url`](Self::url)), authorized when it goes to
    /// the API, retried, renewed and redirected as the module says; the 2xx answer.
    pub fn send(&mut self, request: Request) -> Result<Response, ApiError> {
        let shown = format!(
            "{} {} {}",
            self.label,
            verb(request.method),
            self.shown(&request)
        );
        let mut current = request.clone();
        let mut attempt = 0;
        let mut renewed = false;
        let mut redirects = 0;
        loop {
            let outgoing = if self.is_own(&current.url) {
                self.auth.authorize(current.clone())?
            } else {
                current.clone()
            };
            let answer = outgoing.send();
            match decide(&self.policy, &answer, attempt, renewed) {
                Next::Done => {
                    return answer
                        .and_then(Response::error_for_status)
                        .map_err(|e| ApiError::from_http(&shown, e));
                }
                Next::Renew => {
                    log::info!("{shown}: the credentials were refused (HTTP 401); renewing them");
                    self.auth.forget();
                    renewed = true;
                }
                Next::Wait(wait) => {
                    attempt += 1;
                    let retries = self.policy.retries;
                    log::warn!(
                        "{shown}: {}; retry {attempt} of {retries} in {wait:?}",
                        why(&answer)
                    );
                    std::thread::sleep(wait);
                }
                Next::Follow(location) if redirects < self.policy.max_redirects => {
                    redirects += 1;
                    // A redirect's Location carries its own query; a 303 turns into a GET.
                    let url = self.resolve(&location);
                    log::debug!("{shown}: redirected to {url}");
                    current = redirected(&request, url, answer.map(|r| r.status).unwrap_or(0));
                }
                Next::Follow(_) => {
                    return Err(ApiError::new(format!(
                        "{shown}: more than {} redirects",
                        self.policy.max_redirects
                    )));
                }
            }
        }
    }

    /// Whether `url` is on the API's base URL, not merely a prefix of it.
    fn is_own(&self, url: &str) -> bool {
        url.strip_prefix(&self.base_url)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
    }

    /// A `Location` as an absolute URL.
    fn resolve(&self, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            location.to_owned()
        } else {
            format!("{}/{}", self.base_url, location.trim_start_matches('/'))
        }
    }

    /// The request's path for messages (its query may hold a secret placeholder: left out).
    fn shown(&self, request: &Request) -> String {
        let url = request.url.split('?').next().unwrap_or_default();
        url.strip_prefix(&self.base_url).unwrap_or(url).to_owned()
    }
}

/// `request` sent to `url` after a redirect with `status`.
fn redirected(request: &Request, url: String, status: u16) -> Request {
    let mut next = request.clone();
    next.url = url;
    next.query.clear();
    if status == 303 {
        next.method = Method::Get;
        next.body = None;
    }
    next
}

/// Sends `request` without credentials (a login), retrying 429s, 5xx and lost connections as
/// `policy` says; the 2xx answer, else an error naming `label`.
pub fn send_retrying(
    label: &str,
    policy: &RetryPolicy,
    request: Request,
) -> Result<Response, ApiError> {
    let mut attempt = 0;
    loop {
        let answer = request.clone().send();
        match decide(policy, &answer, attempt, true) {
            Next::Wait(wait) => {
                attempt += 1;
                let retries = policy.retries;
                log::warn!(
                    "{label}: {}; retry {attempt} of {retries} in {wait:?}",
                    why(&answer)
                );
                std::thread::sleep(wait);
            }
            _ => {
                return answer
                    .and_then(Response::error_for_status)
                    .map_err(|e| ApiError::from_http(label, e));
            }
        }
    }
}

/// What to do with an answer.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Done,
    /// Drop the credentials and try again (a 401).
    Renew,
    Wait(Duration),
    Follow(String),
}

/// The next step after `answer`, the `attempt`-th retry of the call (0 for the first try).
fn decide(
    policy: &RetryPolicy,
    answer: &Result<Response, HttpError>,
    attempt: u32,
    renewed: bool,
) -> Next {
    let backoff = || policy.first_backoff * 2u32.pow(attempt.min(10));
    let retry = |wait: Duration| {
        if attempt < policy.retries {
            Next::Wait(wait.min(policy.max_wait))
        } else {
            Next::Done
        }
    };
    match answer {
        Err(e) if e.is_transient() => retry(backoff()),
        Err(_) => Next::Done,
        Ok(r) => match r.status {
            401 if !renewed => Next::Renew,
            // `Retry-After: 0` (Superset's Flask-Limiter rounds the rest of its window down to
            // it) would retry at once, into the same window: back off instead.
            429 => retry(
                r.retry_after()
                    .filter(|wait| !wait.is_zero())
                    .unwrap_or_else(backoff),
            ),
            500..=599 => retry(backoff()),
            301 | 302 | 303 | 307 | 308 => match r.header("location") {
                Some(location) => Next::Follow(location.to_owned()),
                None => Next::Done,
            },
            _ => Next::Done,
        },
    }
}

fn verb(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
        Method::Head => "HEAD",
    }
}

/// What went wrong, for the retry message.
fn why(answer: &Result<Response, HttpError>) -> String {
    match answer {
        Ok(r) => format!("HTTP {}", r.status),
        Err(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, headers: &[(&str, &str)]) -> Result<Response, HttpError> {
        Ok(Response {
            status: code,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        })
    }

    fn decide0(answer: &Result<Response, HttpError>, attempt: u32, renewed: bool) -> Next {
        decide(&RetryPolicy::default(), answer, attempt, renewed)
    }

    #[test]
    fn rate_limits_wait_as_told_a_bounded_number_of_times() {
        let limited = status(429, &[("retry-after", "2")]);
        assert_eq!(
            decide0(&limited, 0, false),
            Next::Wait(Duration::from_secs(2))
        );
        assert_eq!(decide0(&limited, 5, false), Next::Done);
        let long = status(429, &[("retry-after", "3600")]);
        assert_eq!(
            decide0(&long, 0, false),
            Next::Wait(Duration::from_secs(60))
        );
        assert_eq!(
            decide0(&status(429, &[]), 1, false),
            Next::Wait(Duration::from_millis(500))
        );
        assert_eq!(
            decide0(&status(429, &[("retry-after", "0")]), 2, false),
            Next::Wait(Duration::from_secs(1)),
            "a Retry-After of 0 backs off"
        );
    }

    #[test]
    fn server_errors_and_lost_connections_back_off() {
        assert_eq!(
            decide0(&status(503, &[]), 2, false),
            Next::Wait(Duration::from_secs(1))
        );
        let lost = Err(HttpError::Connection {
            destination: "https://bi.example".into(),
            code: "ConnectionRefused".into(),
        });
        assert_eq!(
            decide0(&lost, 0, false),
            Next::Wait(Duration::from_millis(250))
        );
        let denied = Err(HttpError::Denied {
            destination: "https://elsewhere".into(),
        });
        assert_eq!(decide0(&denied, 0, false), Next::Done);
        assert_eq!(decide0(&status(404, &[]), 0, false), Next::Done);
    }

    #[test]
    fn a_401_renews_the_credentials_once() {
        assert_eq!(decide0(&status(401, &[]), 0, false), Next::Renew);
        assert_eq!(decide0(&status(401, &[]), 0, true), Next::Done);
    }

    #[test]
    fn redirects_are_followed_resolved_and_a_303_becomes_a_get() {
        let moved = status(302, &[("location", "/api/v2/x")]);
        assert_eq!(decide0(&moved, 0, false), Next::Follow("/api/v2/x".into()));
        assert_eq!(decide0(&status(302, &[]), 0, false), Next::Done);
        let api = Api::new("T", "https://bi.example/", ());
        assert_eq!(api.resolve("/a/b"), "https://bi.example/a/b");
        assert_eq!(
            api.resolve("https://cdn.example/x"),
            "https://cdn.example/x"
        );
        let post = Request::post("https://bi.example/a")
            .query("q", "1")
            .body("{}");
        let next = redirected(&post, "https://bi.example/b".into(), 303);
        assert_eq!(
            (next.method, next.url(), next.body),
            (Method::Get, "https://bi.example/b".to_owned(), None)
        );
        let kept = redirected(&post, "https://bi.example/b".into(), 307);
        assert_eq!((kept.method, kept.body.is_some()), (Method::Post, true));
    }

    #[test]
    fn credentials_go_to_the_base_url_only() {
        let api = Api::new("T", "https://bi.example", ());
        assert!(api.is_own("https://bi.example/api/x"));
        assert!(api.is_own("https://bi.example?x=1"));
        assert!(!api.is_own("https://bi.example.evil/api"));
        assert!(!api.is_own("https://cdn.example/x"));
    }

    #[test]
    fn messages_name_the_api_and_the_path_never_the_query() {
        let api = Api::new("Superset", "https://bi.example", ());
        let request = Request::get(api.url("/api/v1/chart/")).query("token", "__OMRUN_SECRET_x__");
        assert_eq!(api.shown(&request), "/api/v1/chart/");
        let error = ApiError::from_http(
            "Superset GET /api/v1/chart/",
            HttpError::Status {
                status: 403,
                retry_after: None,
                body: "forbidden".into(),
            },
        );
        assert_eq!(error.status, Some(403));
        assert_eq!(
            error.to_string(),
            "Superset GET /api/v1/chart/: HTTP 403: forbidden"
        );
        assert_eq!(
            String::from(error),
            "Superset GET /api/v1/chart/: HTTP 403: forbidden"
        );
    }
}
