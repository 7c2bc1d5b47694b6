//! Outgoing HTTP for API connectors (Looker and the like): a small blocking client over the
//! standard wasi:http interface.
//!
//! ```no_run
//! use omrun_sdk::http::{self, HttpError, Request};
//!
//! #[derive(serde::Deserialize)]
//! struct Login {
//!     access_token: String,
//! }
//!
//! fn login(base: &str, client_id: &str) -> Result<String, HttpError> {
//!     let login: Login = Request::post(format!("{base}/api/4.0/login"))
//!         .query("client_id", client_id)
//!         // The plugin never holds the secret: the host puts it in on the way out.
//!         .query("client_secret", http::secret("clientSecret"))
//!         .send()?
//!         .error_for_status()?
//!         .json()?;
//!     Ok(login.access_token)
//! }
//! ```
//!
//! **What the host allows.** Requests go only to the hosts the config grants (a dashboard
//! source's `serviceConnection.config.hostPort`); anything else fails with
//! [`HttpError::Denied`] before a byte leaves omrun (the host logs why). Declare the need in
//! `info()` as `Capability::Http("source".into())`.
//!
//! **Secrets.** The config the plugin receives has its secrets removed. Where a secret belongs,
//! in a header value or the URL, write [`secret`]`("clientSecret")`: the host replaces the
//! placeholder with the value, percent-encoded in the URL, on its way to a granted host only.
//!
//! **Signatures.** A JWT signed with a secret private key (a Google service account's, a
//! Snowflake key pair's) is written with [`signed_jwt`]: the host signs it on the way out.
//!
//! Redirects are not followed (wasi:http does not): a 3xx is a [`Response`] like any other, and
//! its `Location` must name a granted host too.
//!
//! **REST APIs.** [`api::Api`] wraps these rules for a connector's API: credentials, retries on 429
//! and 5xx, renewal after a 401, redirects.

pub mod api;
mod jwt;
mod target;
mod wasi;

pub use jwt::{public_key_fingerprint, signed_jwt};

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The placeholder the host replaces with the secret `key` of `serviceConnection.config` (e.g.
/// `secret("clientSecret")` is `__OMRUN_SECRET_clientSecret__`), in header values and URLs of
/// requests to a granted host. A placeholder naming no secret makes the host refuse the request.
pub fn secret(key: &str) -> String {
    format!("__OMRUN_SECRET_{key}__")
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
}

/// A request being built; [`send`](Self::send) makes it.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    url: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    timeout: Option<Duration>,
}

impl Request {
    /// A request with `method` to `url` (`http://` or `https://`, with or without a query).
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            timeout: None,
        }
    }

    /// A `GET` of `url`.
    pub fn get(url: impl Into<String>) -> Self {
        Self::new(Method::Get, url)
    }

    /// A `POST` to `url`.
    pub fn post(url: impl Into<String>) -> Self {
        Self::new(Method::Post, url)
    }

    /// Adds a header (several with one name are all sent).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Appends a query parameter, percent-encoded (a [`secret`] placeholder survives encoding).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// The request body, sent with its `Content-Length`.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// `value` as a JSON body, with `Content-Type: application/json`.
    pub fn json<T: Serialize + ?Sized>(self, value: &T) -> Result<Self, HttpError> {
        let body = serde_json::to_vec(value)
            .map_err(|e| HttpError::InvalidRequest(format!("JSON body: {e}")))?;
        Ok(self.header("content-type", "application/json").body(body))
    }

    /// `fields` as an `application/x-www-form-urlencoded` body (an OAuth token request), each
    /// name and value percent-encoded; a [`secret`] placeholder survives encoding, and the host
    /// encodes the secret it puts in its place.
    pub fn form(self, fields: &[(&str, &str)]) -> Self {
        let fields: Vec<(String, String)> = fields
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        let body = target::form_encoded(&fields);
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    }

    /// How long to wait to connect, for the first byte of the answer, and between two chunks of
    /// it, each (the host's default is 60 s, and never more than the call's own deadline).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The URL this request goes to, query parameters included.
    pub fn url(&self) -> String {
        target::with_query(&self.url, &self.query)
    }

    /// Makes the request and reads the whole answer. Any status is `Ok`: see
    /// [`Response::error_for_status`].
    pub fn send(self) -> Result<Response, HttpError> {
        let url = self.url();
        let target = target::Target::parse(&url)?;
        let mut headers = self.headers;
        if let Some(body) = &self.body
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        {
            headers.push(("content-length".into(), body.len().to_string()));
        }
        wasi::send(
            self.method,
            &target,
            &headers,
            self.body.as_deref(),
            self.timeout,
        )
    }
}

/// An answer, read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code, e.g. 200.
    pub status: u16,
    /// The headers in the order received; names are lower-case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A `Retry-After` in seconds (the HTTP-date form is not understood: `None`).
    pub fn retry_after(&self) -> Option<Duration> {
        let secs: f64 = self.header("retry-after")?.trim().parse().ok()?;
        (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
    }

    /// `self` when the status is 2xx, else [`HttpError::Status`].
    pub fn error_for_status(self) -> Result<Self, HttpError> {
        if self.is_success() {
            return Ok(self);
        }
        Err(HttpError::Status {
            status: self.status,
            retry_after: self.retry_after(),
            body: excerpt(&String::from_utf8_lossy(&self.body)),
        })
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> Result<&str, HttpError> {
        std::str::from_utf8(&self.body)
            .map_err(|e| HttpError::Body(format!("the body is not UTF-8: {e}")))
    }

    /// The body parsed as JSON into `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            let text = String::from_utf8_lossy(&self.body);
            HttpError::Body(format!("unexpected JSON ({e}): {}", excerpt(&text)))
        })
    }
}

/// Why a request did not produce the expected answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The request could not be built: a malformed URL (only `http` and `https` are supported),
    /// header or body.
    InvalidRequest(String),
    /// The host refused the destination: the config does not grant it (or the request names a
    /// secret the config does not have). Retrying cannot help; the host's log says why.
    Denied {
        /// `scheme://host[:port]`.
        destination: String,
    },
    /// No answer: the name did not resolve, the connection was refused, reset or timed out, TLS
    /// failed. Often transient.
    Connection {
        /// `scheme://host[:port]`.
        destination: String,
        /// The wasi:http error code, e.g. `ConnectionRefused`.
        code: String,
    },
    /// The server answered with a status that is not 2xx ([`Response::error_for_status`]).
    Status {
        /// The status code.
        status: u16,
        /// Its `Retry-After`, in seconds, if any.
        retry_after: Option<Duration>,
        /// The start of the body, for the error message.
        body: String,
    },
    /// The answer's body could not be read (cut off, over the host's size limit) or decoded.
    Body(String),
}

impl HttpError {
    /// Whether trying again later may succeed: connection failures, 429 and 5xx answers.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Connection { .. } => true,
            Self::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidRequest(why) => write!(f, "invalid HTTP request: {why}"),
            Self::Denied { destination } => write!(
                f,
                "omrun denied the request to {destination}: the config does not grant that host"
            ),
            Self::Connection { destination, code } => {
                write!(f, "no answer from {destination}: {code}")
            }
            Self::Status { status, body, .. } if body.is_empty() => write!(f, "HTTP {status}"),
            Self::Status { status, body, .. } => write!(f, "HTTP {status}: {body}"),
            Self::Body(why) => write!(f, "HTTP response body: {why}"),
        }
    }
}

impl std::error::Error for HttpError {}

/// The first 200 characters of `text`, on one line.
fn excerpt(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn secret_placeholder() {
        assert_eq!(secret("clientSecret"), "__OMRUN_SECRET_clientSecret__");
    }

    #[test]
    fn query_parameters_are_encoded_and_placeholders_survive() {
        let r = Request::post("https://looker.example/api/4.0/login")
            .query("client_id", "a b&c")
            .query("client_secret", secret("clientSecret"));
        assert_eq!(
            r.url(),
            "https://looker.example/api/4.0/login?client_id=a%20b%26c\
             &client_secret=__OMRUN_SECRET_clientSecret__"
        );
        let r = Request::get("http://h:1/x?fields=id").query("é", "1/2");
        assert_eq!(r.url(), "http://h:1/x?fields=id&%C3%A9=1%2F2");
    }

    #[test]
    fn status_errors_carry_retry_after_and_an_excerpt() {
        let r = response(429, &[("Retry-After", "3")], "slow\n  down");
        assert_eq!(r.retry_after(), Some(Duration::from_secs(3)));
        let e = r.error_for_status().unwrap_err();
        assert!(e.is_transient());
        assert_eq!(e.to_string(), "HTTP 429: slow down");
        let e = response(404, &[], "").error_for_status().unwrap_err();
        assert!(!e.is_transient());
        assert_eq!(e.to_string(), "HTTP 404");
        assert!(
            response(503, &[], "")
                .error_for_status()
                .unwrap_err()
                .is_transient()
        );
        assert!(response(204, &[], "").error_for_status().is_ok());
        assert_eq!(
            response(429, &[("retry-after", "soon")], "").retry_after(),
            None
        );
    }

    #[test]
    fn json_and_text() {
        let r = response(
            200,
            &[("content-type", "application/json")],
            r#"{"a":[1,2]}"#,
        );
        let v: serde_json::Value = r.json().unwrap();
        assert_eq!(v["a"][1], 2);
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        let e = response(200, &[], "<html>").json::<serde_json::Value>();
        assert!(matches!(e, Err(HttpError::Body(m)) if m.contains("<html>")));
        assert_eq!(response(200, &[], "ok").text(), Ok("ok"));
    }

    #[test]
    fn denied_is_not_transient() {
        let e = HttpError::Denied {
            destination: "http://127.0.0.2:80".into(),
        };
        assert!(!e.is_transient());
        assert!(e.to_string().contains("does not grant"));
    }
}
