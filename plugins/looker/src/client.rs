//! Looker API 4.0 over the SDK's REST client: login with the API key (the secret by placeholder),
//! `Authorization: token …` on every call, the token renewed before it expires; retries, renewal
//! after a 401 and redirects are the SDK's ([`omrun_sdk::http::api`]).

use std::time::{Duration, Instant};

use omrun_sdk::http::api::{self, Api, ApiError, Auth, RetryPolicy};
use omrun_sdk::http::{self, Request};
use serde::de::DeserializeOwned;

use crate::api as looker;

pub struct Client {
    api: Api<Login>,
}

impl Client {
    pub fn new(base_url: &str, client_id: &str) -> Self {
        let login = Login {
            base_url: base_url.to_owned(),
            client_id: client_id.to_owned(),
            token: None,
        };
        Self {
            api: Api::new("Looker", base_url, login).with_policy(policy()),
        }
    }

    /// `GET /api/4.0{path}?{query}` as `T`.
    pub fn get<T: DeserializeOwned>(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, String> {
        Ok(self.api.get(&format!("/api/4.0{path}"), query)?)
    }
}

/// Backoff from 0.5 s: Looker's rate limits are per minute, so the first retry need not be eager.
fn policy() -> RetryPolicy {
    RetryPolicy {
        first_backoff: Duration::from_millis(500),
        ..RetryPolicy::default()
    }
}

/// Looker's API-key login and the access token it gives.
struct Login {
    base_url: String,
    client_id: String,
    token: Option<Token>,
}

struct Token {
    value: String,
    /// When to log in again: a little before Looker's `expires_in` runs out.
    renew_at: Instant,
}

impl Auth for Login {
    fn authorize(&mut self, request: Request) -> Result<Request, ApiError> {
        let token = self.token()?;
        Ok(request.header("authorization", format!("token {token}")))
    }

    fn forget(&mut self) {
        self.token = None;
    }
}

impl Login {
    /// The access token, logging in first when there is none or it is about to expire.
    fn token(&mut self) -> Result<String, ApiError> {
        if let Some(t) = &self.token
            && Instant::now() < t.renew_at
        {
            return Ok(t.value.clone());
        }
        let request = Request::post(format!("{}/api/4.0/login", self.base_url))
            .query("client_id", &self.client_id)
            // The host fills in `clientSecret` on the way out; the plugin never has it.
            .query("client_secret", http::secret("clientSecret"))
            .header("content-length", "0");
        let login: looker::Login = api::send_retrying("Looker login", &policy(), request)
            .map_err(|e| match e.status {
                Some(401 | 403 | 404) => ApiError {
                    message: format!(
                        "Looker login refused ({}): check clientId and clientSecret",
                        e.message.trim_start_matches("Looker login: ")
                    ),
                    ..e
                },
                _ => e,
            })?
            .json()
            .map_err(|e| ApiError::new(format!("Looker login: {e}")))?;
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
}
