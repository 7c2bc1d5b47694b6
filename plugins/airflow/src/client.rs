//! Airflow's REST API over the SDK's client, authenticated as OpenMetadata's connector does:
//!
//! - a username and password: `POST {hostPort}/auth/token` with them (the password by
//!   placeholder, in the JSON body) gives a JWT, sent as `Authorization: Bearer …` (Airflow 3);
//!   when that endpoint refuses or does not exist (Airflow 2), HTTP Basic with the same
//!   credentials, which the host encodes with the password filled in;
//! - an access token: `Authorization: Bearer <token>`, by placeholder.
//!
//! A 401 asks for a new JWT once (Airflow's expire, after a day by default). The API version is
//! the configured one, else the first of `/api/v2/version`, `/api/v1/version` that answers.
//! Rate limits, server errors and redirects are the SDK's ([`omrun_sdk::http::api`]).

use omrun_sdk::http::api::{self, Api, ApiError, Auth, RetryPolicy};
use omrun_sdk::http::{self, Request};
use omrun_sdk::log;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::{PAGE_SIZE, Token};
use crate::config::{ApiVersion, Credentials};

/// Airflow's credentials, holding the current `Authorization` value.
pub struct AirflowAuth {
    token_url: String,
    credentials: Credentials,
    authorization: Option<String>,
    /// Why `POST /auth/token` gave no JWT, when HTTP Basic is used instead: part of the message
    /// when the API then refuses the credentials.
    token_refused: Option<String>,
}

#[derive(Serialize)]
struct TokenBody<'a> {
    username: &'a str,
    /// The placeholder the host replaces with `authConfig.password`.
    password: String,
}

impl Auth for AirflowAuth {
    fn authorize(&mut self, request: Request) -> Result<Request, ApiError> {
        if self.authorization.is_none() {
            self.authorization = Some(match &self.credentials {
                Credentials::Token => format!("Bearer {}", http::secret("token")),
                Credentials::Basic { username } => {
                    let username = username.clone();
                    self.log_in(&username)?
                }
            });
        }
        let value = self.authorization.clone().unwrap_or_default();
        Ok(request.header("authorization", value))
    }

    fn forget(&mut self) {
        self.authorization = None;
    }
}

impl AirflowAuth {
    /// A JWT from `POST /auth/token`, else HTTP Basic (as OpenMetadata falls back). No answer at
    /// all (the host unreachable) is an error: Basic could not fare better.
    fn log_in(&mut self, username: &str) -> Result<String, ApiError> {
        let body = TokenBody {
            username,
            password: http::secret("password"),
        };
        let request = Request::post(&self.token_url).json(&body)?;
        let refused = match api::send_retrying(
            "Airflow POST /auth/token",
            &RetryPolicy::default(),
            request,
        ) {
            Ok(answer) => match answer.json::<Token>() {
                Ok(Token {
                    access_token: Some(token),
                }) if !token.is_empty() => {
                    self.token_refused = None;
                    return Ok(format!("Bearer {token}"));
                }
                Ok(_) => "Airflow POST /auth/token: the answer holds no access_token".to_owned(),
                Err(e) => format!("Airflow POST /auth/token: {e}"),
            },
            Err(e) if e.status.is_none() => return Err(e),
            Err(e) => e.message,
        };
        log::debug!("{refused}; trying HTTP Basic authentication (Airflow 2)");
        self.token_refused = Some(refused);
        // The host base64-encodes `user:password` once the password is in.
        Ok(format!("Basic {username}:{}", http::secret("password")))
    }
}

/// Airflow's REST API at `hostPort`.
pub struct Client {
    api: Api<AirflowAuth>,
    version: Option<ApiVersion>,
}

impl Client {
    pub fn new(base_url: &str, credentials: Credentials, version: Option<ApiVersion>) -> Self {
        let auth = AirflowAuth {
            token_url: format!("{base_url}/auth/token"),
            credentials,
            authorization: None,
            token_refused: None,
        };
        Self {
            api: Api::new("Airflow", base_url, auth),
            version,
        }
    }

    /// The API version: the configured one, else the first of v2 and v1 whose `/version`
    /// answers (OpenMetadata's order), v1 when neither does. A refusal of the credentials or no
    /// answer at all stops there.
    pub fn version(&mut self) -> Result<ApiVersion, String> {
        if let Some(v) = self.version {
            return Ok(v);
        }
        for v in [ApiVersion::V2, ApiVersion::V1] {
            let url = self.api.url(&format!("{}/version", v.prefix()));
            match self.api.send(Request::get(url)) {
                Ok(_) => {
                    log::debug!("Airflow: speaking the REST API {}", v.prefix());
                    self.version = Some(v);
                    return Ok(v);
                }
                Err(e) if matches!(e.status, None | Some(401 | 403)) => {
                    return Err(self.explain(e));
                }
                Err(e) => log::debug!("Airflow: not {}: {e}", v.prefix()),
            }
        }
        log::warn!(
            "Airflow: neither /api/v2/version nor /api/v1/version answered; using /api/v1 \
             (set connection.apiVersion to choose)"
        );
        self.version = Some(ApiVersion::V1);
        Ok(ApiVersion::V1)
    }

    /// `GET {prefix}{path}?{query}` as `T` (`path` percent-encoded by the caller).
    pub fn get<T: DeserializeOwned>(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, String> {
        let path = format!("{}{path}", self.version()?.prefix());
        self.api.get(&path, query).map_err(|e| self.explain(e))
    }

    /// Every item under `key` of a listing, `limit`/`offset` page by page until `total_entries`
    /// arrived (OpenMetadata's paging). A page that is not a list, or an empty page short of the
    /// total, is an error: a partial listing would look complete.
    pub fn paginate<T: DeserializeOwned>(
        &mut self,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>, String> {
        let mut items = Vec::new();
        let mut offset = 0;
        loop {
            let (limit, at) = (PAGE_SIZE.to_string(), offset.to_string());
            let page: Value = self.get(path, &[("limit", &limit), ("offset", &at)])?;
            let invalid =
                || format!("Airflow GET {path}: not a listing of {key} at offset {offset}");
            let rows = page
                .get(key)
                .and_then(Value::as_array)
                .ok_or_else(invalid)?;
            let total = match page.get("total_entries") {
                None | Some(Value::Null) => None,
                Some(t) => Some(t.as_u64().ok_or_else(invalid)? as usize),
            };
            if rows.is_empty() {
                if total.is_some_and(|t| offset < t) {
                    return Err(format!(
                        "Airflow GET {path}: an empty page at offset {offset} of {} {key}",
                        total.unwrap_or_default()
                    ));
                }
                break;
            }
            offset += rows.len();
            for row in rows {
                items.push(
                    serde_json::from_value(row.clone())
                        .map_err(|e| format!("Airflow GET {path}: unexpected {key} item ({e})"))?,
                );
            }
            if total.is_some_and(|t| offset >= t) {
                break;
            }
        }
        Ok(items)
    }

    /// The message of a failed call, saying what to check when Airflow refused the credentials
    /// (401) or the access (403).
    fn explain(&mut self, e: ApiError) -> String {
        let check = match &self.api.auth_mut().credentials {
            Credentials::Basic { .. } => {
                "serviceConnection.config.connection.authConfig.username and password"
            }
            Credentials::Token => "serviceConnection.config.connection.authConfig.token",
        };
        match e.status {
            Some(401) => {
                let token = match &self.api.auth_mut().token_refused {
                    Some(why) => format!(" (no JWT: {why}; HTTP Basic was refused too)"),
                    None => String::new(),
                };
                format!("{e}: Airflow refused the credentials{token}; check {check}")
            }
            // Airflow 3 answers a token it cannot verify with 403 too, not only a user lacking
            // permission.
            Some(403) => format!(
                "{e}: Airflow refused the credentials or their access; check {check}, and that \
                 the user may read DAGs, DAG runs and task instances"
            ),
            _ => e.message,
        }
    }
}

/// `text` percent-encoded as Python's `urllib.parse.quote(text, safe)` does: all but letters,
/// digits, `_.-~` and the characters of `safe`.
pub fn quote(text: &str, safe: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) || safe.as_bytes().contains(&b) {
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

    #[test]
    fn quote_as_python() {
        // urllib.parse.quote("manual__2026-12-03T22:13:26.280264+00:00", safe="")
        assert_eq!(
            quote("manual__2026-12-03T22:13:26.280264+00:00", ""),
            "manual__2026-12-03T22%3A13%3A26.280264%2B00%3A00"
        );
        assert_eq!(quote("a/b c", "/"), "a/b%20c");
        assert_eq!(quote("a/b c", ""), "a%2Fb%20c");
        assert_eq!(quote("prep.clean~x", ""), "prep.clean~x");
        assert_eq!(quote("é", ""), "%C3%A9");
    }
}
