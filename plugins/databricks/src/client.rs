//! Unity Catalog's REST API 2.1 over the SDK's HTTP client: `Authorization: Bearer` with the
//! personal access token (a placeholder the host fills in: the plugin never holds the token),
//! listings followed page by page (`max_results=0`, the server's page size, then
//! `next_page_token` until an answer has none), Databricks' error bodies (`{"error_code",
//! "message"}`) turned into messages, rate limits (429 + `Retry-After`) and server errors waited
//! out a bounded number of times.

use std::time::Duration;

use omrun_sdk::http::{self, HttpError, Request, Response};
use omrun_sdk::log;
use serde::de::DeserializeOwned;
use serde_json::Value;

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

/// The API's prefix under the workspace URL.
const API: &str = "/api/2.1/unity-catalog";

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The workspace refused the token (401, or 403 "Invalid access token"): nothing else will
    /// work, and retrying does not help.
    Token(String),
    /// 404: the catalog, schema or table does not exist (any more).
    NotFound(String),
    /// 403 for a reason other than the token (no `USE CATALOG`, `SELECT`…): this object only.
    Denied(String),
    /// Anything else, after the retries: the message says what.
    Other(String),
}

impl ApiError {
    /// Whether it is about this object alone (the rest of a listing may go on without it).
    pub fn is_local(&self) -> bool {
        matches!(self, ApiError::NotFound(_) | ApiError::Denied(_))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Token(m)
            | ApiError::NotFound(m)
            | ApiError::Denied(m)
            | ApiError::Other(m) => f.write_str(m),
        }
    }
}

/// A workspace's Unity Catalog.
pub struct Client {
    base_url: String,
    timeout: Duration,
}

/// What to do with an answer.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Done,
    Wait(Duration),
}

impl Client {
    pub fn new(base_url: &str, timeout: Duration) -> Self {
        Self {
            base_url: base_url.to_owned(),
            timeout,
        }
    }

    /// `GET {API}{path}?{query}` as `T`.
    pub fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ApiError> {
        let answer = self.send(path, query)?;
        answer
            .json()
            .map_err(|e| ApiError::Other(format!("GET {API}{path}: {e}")))
    }

    /// Every item of a paginated listing: `field` (`catalogs`, `schemas`, `tables`) of each page,
    /// asked with `max_results=0` (the server's page size) and then each `next_page_token`
    /// until an answer has none (a page may be empty and still have one).
    pub fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        field: &str,
    ) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut q: Vec<(&str, &str)> = query.to_vec();
            q.push(("max_results", "0"));
            if let Some(t) = &token {
                q.push(("page_token", t));
            }
            let mut page: Value = self.get(path, &q)?;
            if let Some(list) = page
                .get_mut(field)
                .map(Value::take)
                .filter(|v| !v.is_null())
            {
                let list: Vec<T> = serde_json::from_value(list).map_err(|e| {
                    ApiError::Other(format!("GET {API}{path}: unexpected `{field}`: {e}"))
                })?;
                items.extend(list);
            }
            match page.get("next_page_token").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => {
                    if token.as_deref() == Some(next) {
                        return Err(ApiError::Other(format!(
                            "GET {API}{path}: the server answered the same next_page_token twice"
                        )));
                    }
                    token = Some(next.to_owned());
                }
                _ => return Ok(items),
            }
        }
        Err(ApiError::Other(format!(
            "GET {API}{path}: more than {MAX_PAGES} pages"
        )))
    }

    /// Sends a GET, retrying what may pass; a 2xx answer, or the error it amounts to.
    fn send(&self, path: &str, query: &[(&str, &str)]) -> Result<Response, ApiError> {
        let url = format!("{}{API}{path}", self.base_url);
        let shown = format!("GET {API}{path}");
        let mut attempt = 0;
        loop {
            let request = query
                .iter()
                .fold(Request::get(&url), |r, (k, v)| r.query(*k, *v))
                // The host fills in `authType.token` on the way to `hostPort`, and nowhere else.
                .header("authorization", format!("Bearer {}", http::secret("token")))
                .header("accept", "application/json")
                .header(
                    "user-agent",
                    concat!("omrun-databricks/", env!("CARGO_PKG_VERSION")),
                )
                .timeout(self.timeout);
            let answer = request.send();
            match decide(&answer, attempt) {
                Next::Wait(wait) => {
                    attempt += 1;
                    log::warn!(
                        "{shown}: {}; retry {attempt} of {RETRIES} in {wait:?}",
                        why(&answer)
                    );
                    std::thread::sleep(wait);
                }
                Next::Done => return into_result(answer, &shown),
            }
        }
    }
}

/// The next step after `answer`, the `attempt`-th retry of the request (0 for the first try).
fn decide(answer: &Result<Response, HttpError>, attempt: u32) -> Next {
    let backoff = || FIRST_BACKOFF * 2u32.pow(attempt.min(10));
    let retry = |wait: Duration| {
        if attempt < RETRIES {
            Next::Wait(wait.min(MAX_WAIT))
        } else {
            Next::Done
        }
    };
    match answer {
        // A TLS failure does not pass by itself: a certificate, or an http workspace asked in https.
        Err(HttpError::Connection { code, .. }) if code.contains("Tls") => Next::Done,
        Err(e) if e.is_transient() => retry(backoff()),
        Err(_) => Next::Done,
        Ok(r) => match r.status {
            429 => retry(r.retry_after().unwrap_or_else(backoff)),
            500 | 502 | 503 | 504 => retry(backoff()),
            _ => Next::Done,
        },
    }
}

/// A final answer as the caller sees it.
fn into_result(answer: Result<Response, HttpError>, shown: &str) -> Result<Response, ApiError> {
    let response = match answer {
        Ok(r) => r,
        Err(e @ HttpError::Denied { .. }) => {
            return Err(ApiError::Token(format!(
                "{shown}: {e} (or the config has no serviceConnection.config.authType.token to \
                 send: omrun's log above says which)"
            )));
        }
        Err(e @ HttpError::Connection { .. }) if e.to_string().contains("Tls") => {
            return Err(ApiError::Other(format!(
                "{shown}: {e} (a workspace is reached over https unless hostPort says http://)"
            )));
        }
        Err(e) => return Err(ApiError::Other(format!("{shown}: {e}"))),
    };
    if response.is_success() {
        return Ok(response);
    }
    let (code, message) = error_body(&response);
    let detail = match (&code, &message) {
        (Some(c), Some(m)) => format!("HTTP {} {c}: {m}", response.status),
        (None, Some(m)) => format!("HTTP {}: {m}", response.status),
        (Some(c), None) => format!("HTTP {} {c}", response.status),
        (None, None) => format!("HTTP {}", response.status),
    };
    let token_refused = response.status == 401
        || (response.status == 403
            && message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("token")));
    Err(if token_refused {
        ApiError::Token(format!(
            "Databricks refused the access token ({detail}) on {shown}: check \
             serviceConnection.config.authType.token (a personal access token of this workspace) \
             and hostPort"
        ))
    } else {
        match response.status {
            404 => ApiError::NotFound(format!("{shown}: {detail}")),
            403 => ApiError::Denied(format!(
                "{shown}: {detail} (the token's user lacks a privilege: USE CATALOG, USE SCHEMA, \
                 SELECT or BROWSE)"
            )),
            301 | 302 | 303 | 307 | 308 => ApiError::Other(format!(
                "{shown}: {detail}, redirected to {} (is hostPort the workspace's URL?)",
                response.header("location").unwrap_or("?")
            )),
            _ => ApiError::Other(format!("{shown}: {detail}")),
        }
    })
}

/// `error_code` (a string, or a number on some of Databricks' answers) and `message` of an error
/// body; none for a body that is not Databricks' error JSON (an HTML page, say: its first line).
fn error_body(response: &Response) -> (Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(&response.body);
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => {
            let code = match v.get("error_code") {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            let message = v
                .get("message")
                .and_then(Value::as_str)
                .filter(|m| !m.is_empty())
                .map(str::to_owned);
            (code, message)
        }
        Err(_) => {
            let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let line: String = line.chars().take(200).collect();
            (None, (!line.is_empty()).then_some(line))
        }
    }
}

/// What went wrong, for the retry message.
fn why(answer: &Result<Response, HttpError>) -> String {
    match answer {
        Ok(r) => format!("HTTP {}", r.status),
        Err(e) => e.to_string(),
    }
}

/// `s` as one path segment: what a URL path cannot hold as is, percent-encoded (`.` stays: a
/// full name is `catalog.schema.table`).
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: u16, headers: &[(&str, &str)], body: &str) -> Result<Response, HttpError> {
        Ok(Response {
            status: code,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        })
    }

    #[test]
    fn rate_limits_and_server_errors_wait_a_bounded_number_of_times() {
        let limited = answer(429, &[("retry-after", "2")], "");
        assert_eq!(decide(&limited, 0), Next::Wait(Duration::from_secs(2)));
        assert_eq!(decide(&limited, RETRIES), Next::Done);
        assert_eq!(
            decide(&answer(429, &[("retry-after", "3600")], ""), 0),
            Next::Wait(MAX_WAIT)
        );
        assert_eq!(decide(&answer(503, &[], ""), 0), Next::Wait(FIRST_BACKOFF));
        assert_eq!(
            decide(&answer(500, &[], ""), 2),
            Next::Wait(Duration::from_secs(1))
        );
        let lost = Err(HttpError::Connection {
            destination: "https://w".into(),
            code: "ConnectionReset".into(),
        });
        assert_eq!(decide(&lost, 0), Next::Wait(FIRST_BACKOFF));
        let tls = Err(HttpError::Connection {
            destination: "https://w".into(),
            code: "ErrorCode::TlsProtocolError".into(),
        });
        assert_eq!(decide(&tls, 0), Next::Done);
        let e = into_result(tls, "GET /x").unwrap_err();
        assert!(
            e.to_string().contains("unless hostPort says http://"),
            "{e}"
        );
        for status in [200, 401, 403, 404, 400, 501] {
            assert_eq!(decide(&answer(status, &[], ""), 0), Next::Done, "{status}");
        }
        let denied = Err(HttpError::Denied {
            destination: "https://elsewhere".into(),
        });
        assert_eq!(decide(&denied, 0), Next::Done);
    }

    #[test]
    fn errors_say_what_databricks_said() {
        let shown = "GET /api/2.1/unity-catalog/catalogs";
        // A wrong token: 403 with a numeric error_code, as Databricks answers it.
        let e = into_result(
            answer(
                403,
                &[],
                r#"{"error_code": 403, "message": "Invalid access token."}"#,
            ),
            shown,
        )
        .unwrap_err();
        assert!(matches!(e, ApiError::Token(_)), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains(
                "Databricks refused the access token (HTTP 403 403: Invalid access token.)"
            ) && text.contains("authType.token"),
            "{text}"
        );
        let e = into_result(
            answer(
                401,
                &[],
                r#"{"error_code":"UNAUTHENTICATED","message":"Credential was not sent"}"#,
            ),
            shown,
        )
        .unwrap_err();
        assert!(matches!(e, ApiError::Token(_)), "{e:?}");
        let e = into_result(
            answer(
                404,
                &[],
                r#"{"error_code":"TABLE_DOES_NOT_EXIST","message":"Table 'a.b.c' does not exist."}"#,
            ),
            shown,
        )
        .unwrap_err();
        assert_eq!(
            e,
            ApiError::NotFound(format!(
                "{shown}: HTTP 404 TABLE_DOES_NOT_EXIST: Table 'a.b.c' does not exist."
            ))
        );
        assert!(e.is_local());
        let e = into_result(
            answer(
                403,
                &[],
                r#"{"error_code":"PERMISSION_DENIED","message":"User does not have USE CATALOG on Catalog 'x'."}"#,
            ),
            shown,
        )
        .unwrap_err();
        assert!(matches!(e, ApiError::Denied(_)) && e.is_local(), "{e:?}");
        let e = into_result(
            answer(502, &[], "<html><body>Bad\n gateway</body></html>"),
            shown,
        )
        .unwrap_err();
        assert_eq!(
            e,
            ApiError::Other(format!(
                "{shown}: HTTP 502: <html><body>Bad gateway</body></html>"
            ))
        );
        assert!(!e.is_local());
        let e = into_result(answer(302, &[("location", "https://login/")], ""), shown).unwrap_err();
        assert!(
            e.to_string().contains("redirected to https://login/"),
            "{e}"
        );
        assert!(into_result(answer(200, &[], "{}"), shown).is_ok());
    }

    #[test]
    fn names_become_one_path_segment() {
        assert_eq!(path_segment("main.sales.orders"), "main.sales.orders");
        assert_eq!(
            path_segment("my cat.s/x.t?#é"),
            "my%20cat.s%2Fx.t%3F%23%C3%A9"
        );
    }
}
