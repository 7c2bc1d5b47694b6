//! Looker API 4.0 over the SDK's HTTP client: login with the API key (the secret by placeholder),
//! `Authorization: token …` on every call, the token renewed before it expires and once on a
//! 401, rate limits (429 + `Retry-After`) and server errors waited out a bounded number of times.

use std::time::{Duration, Instant};

use omrun_sdk::http::{self, HttpError, Request, Response};
use omrun_sdk::log;
use serde::de::DeserializeOwned;

use crate::api;

/// How many times one call is retried after a 429, a 5xx or a lost connection. The host retries
/// the whole ref after that (`retryPolicy`).
const RETRIES: u32 = 5;
/// Backoff after a 5xx or a lost connection: 0.5 s, 1 s, 2 s, 4 s, 8 s.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest `Retry-After` honoured as is; longer ones are cut to this (the call's own
/// deadline is 300 s).
const MAX_WAIT: Duration = Duration::from_secs(60);
/// Redirects followed per call (wasi:http does not follow them).
const MAX_REDIRECTS: u32 = 3;

pub struct Client {
    base_url: String,
    client_id: String,
    token: Option<Token>,
}

struct Token {
    value: String,
    /// When to log in again: a little before Looker's `expires_in` runs out.
    renew_at: Instant,
}

/// What to do with an answer.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Done,
    /// Log in again and retry (a 401 with a token Looker no longer takes).
    Renew,
    Wait(Duration),
    Follow(String),
}

impl Client {
    pub fn new(base_url: &str, client_id: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            client_id: client_id.to_owned(),
            token: None,
        }
    }

    /// `GET /api/4.0{path}?{query}` as `T`.
    pub fn get<T: DeserializeOwned>(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, String> {
        let mut url = format!("{}/api/4.0{path}", self.base_url);
        let mut renewed = false;
        let mut attempt = 0;
        let mut redirects = 0;
        loop {
            let mut request = Request::get(&url);
            // The token goes to Looker only, not to wherever a redirect points.
            if self.is_looker(&url) {
                request = request.header("authorization", format!("token {}", self.token()?));
            }
            // Query parameters go once: a redirect's Location carries its own.
            if redirects == 0 {
                request = query.iter().fold(request, |r, (k, v)| r.query(*k, *v));
            }
            let shown = format!("GET {path}");
            let answer = request.send();
            match decide(&answer, attempt, renewed) {
                Next::Done => {
                    let response = answer
                        .and_then(Response::error_for_status)
                        .map_err(|e| format!("{shown}: {e}"))?;
                    return response.json().map_err(|e| format!("{shown}: {e}"));
                }
                Next::Renew => {
                    log::info!("Looker refused the access token on {shown}: logging in again");
                    self.token = None;
                    renewed = true;
                }
                Next::Wait(wait) => {
                    attempt += 1;
                    log::warn!(
                        "{shown}: {}; retry {attempt} of {RETRIES} in {wait:?}",
                        why(&answer)
                    );
                    std::thread::sleep(wait);
                }
                Next::Follow(location) if redirects < MAX_REDIRECTS => {
                    redirects += 1;
                    url = self.resolve(&location);
                    log::debug!("{shown}: redirected to {url}");
                }
                Next::Follow(_) => {
                    return Err(format!("{shown}: more than {MAX_REDIRECTS} redirects"));
                }
            }
        }
    }

    /// The access token, logging in first when there is none or it is about to expire.
    fn token(&mut self) -> Result<String, String> {
        if let Some(t) = &self.token
            && Instant::now() < t.renew_at
        {
            return Ok(t.value.clone());
        }
        let login = self.login()?;
        let lifetime = Duration::from_secs(login.expires_in.unwrap_or(3600));
        // Renew a quarter before the end, at most a minute before: a short-lived token still
        // gets most of its life used.
        let margin = (lifetime / 4).min(Duration::from_secs(60));
        self.token = Some(Token {
            value: login.access_token.clone(),
            renew_at: Instant::now() + lifetime - margin,
        });
        Ok(login.access_token)
    }

    fn login(&mut self) -> Result<api::Login, String> {
        let url = format!("{}/api/4.0/login", self.base_url);
        let mut attempt = 0;
        loop {
            let answer = Request::post(&url)
                .query("client_id", &self.client_id)
                // The host fills in `clientSecret` on the way out; the plugin never has it.
                .query("client_secret", http::secret("clientSecret"))
                .header("content-length", "0")
                .send();
            match decide(&answer, attempt, true) {
                Next::Wait(wait) => {
                    attempt += 1;
                    log::warn!(
                        "Looker login: {}; retry {attempt} of {RETRIES} in {wait:?}",
                        why(&answer)
                    );
                    std::thread::sleep(wait);
                }
                _ => {
                    let response =
                        answer
                            .and_then(Response::error_for_status)
                            .map_err(|e| match e {
                                HttpError::Status {
                                    status: 401 | 403 | 404,
                                    ..
                                } => format!(
                                    "Looker login refused ({e}): check clientId and clientSecret"
                                ),
                                e => format!("Looker login: {e}"),
                            })?;
                    return response.json().map_err(|e| format!("Looker login: {e}"));
                }
            }
        }
    }

    /// Whether `url` is on the configured Looker (`hostPort`), not merely a prefix of it.
    fn is_looker(&self, url: &str) -> bool {
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
}

/// The next step after `answer`, the `attempt`-th retry of the call (0 for the first try).
fn decide(answer: &Result<Response, HttpError>, attempt: u32, renewed: bool) -> Next {
    let backoff = || FIRST_BACKOFF * 2u32.pow(attempt.min(10));
    let retry = |wait: Duration| {
        if attempt < RETRIES {
            Next::Wait(wait.min(MAX_WAIT))
        } else {
            Next::Done
        }
    };
    match answer {
        Err(e) if e.is_transient() => retry(backoff()),
        Err(_) => Next::Done,
        Ok(r) => match r.status {
            401 if !renewed => Next::Renew,
            429 => retry(r.retry_after().unwrap_or_else(backoff)),
            500..=599 => retry(backoff()),
            301 | 302 | 303 | 307 | 308 => match r.header("location") {
                Some(location) => Next::Follow(location.to_owned()),
                None => Next::Done,
            },
            _ => Next::Done,
        },
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

    #[test]
    fn rate_limits_wait_as_told_a_bounded_number_of_times() {
        let limited = status(429, &[("retry-after", "2")]);
        assert_eq!(
            decide(&limited, 0, false),
            Next::Wait(Duration::from_secs(2))
        );
        assert_eq!(decide(&limited, RETRIES, false), Next::Done);
        let long = status(429, &[("retry-after", "3600")]);
        assert_eq!(decide(&long, 0, false), Next::Wait(MAX_WAIT));
        assert_eq!(
            decide(&status(429, &[]), 1, false),
            Next::Wait(Duration::from_secs(1))
        );
    }

    #[test]
    fn server_errors_and_lost_connections_back_off() {
        assert_eq!(
            decide(&status(503, &[]), 0, false),
            Next::Wait(FIRST_BACKOFF)
        );
        assert_eq!(
            decide(&status(500, &[]), 3, false),
            Next::Wait(Duration::from_secs(4))
        );
        let lost = Err(HttpError::Connection {
            destination: "https://l".into(),
            code: "ConnectionReset".into(),
        });
        assert_eq!(decide(&lost, 0, false), Next::Wait(FIRST_BACKOFF));
        let denied = Err(HttpError::Denied {
            destination: "https://elsewhere".into(),
        });
        assert_eq!(decide(&denied, 0, false), Next::Done);
    }

    #[test]
    fn a_401_renews_the_token_once() {
        assert_eq!(decide(&status(401, &[]), 0, false), Next::Renew);
        assert_eq!(decide(&status(401, &[]), 0, true), Next::Done);
        assert_eq!(decide(&status(404, &[]), 0, false), Next::Done);
        assert_eq!(decide(&status(200, &[]), 0, false), Next::Done);
    }

    #[test]
    fn redirects_are_followed_and_resolved() {
        let moved = status(302, &[("Location", "http://127.0.0.2:8080/api/4.0/x")]);
        assert_eq!(
            decide(&moved, 0, false),
            Next::Follow("http://127.0.0.2:8080/api/4.0/x".into())
        );
        let c = Client::new("https://l.example", "id");
        assert_eq!(c.resolve("/api/4.0/y"), "https://l.example/api/4.0/y");
        assert_eq!(c.resolve("https://o/z"), "https://o/z");
        assert!(c.is_looker("https://l.example/api/4.0/y"));
        assert!(!c.is_looker("https://l.example.evil/api"));
        assert!(!Client::new("http://127.0.0.1:80", "id").is_looker("http://127.0.0.1:8080/"));
    }
}
