//! How the connector signs in to Metabase, for the SDK's REST client (`Api`), as OpenMetadata's
//! own client does (metadata/ingestion/source/dashboard/metabase/client.py):
//!
//! - an API key: `X-API-KEY: <apiKey>` on every call (the secret by placeholder: the host fills
//!   it in on the way to the configured Metabase only);
//! - else a session: `POST /api/session` with `{"username", "password"}` (the password by
//!   placeholder, filled into the JSON body by the host), and its `id` as `X-Metabase-Session`.
//!   Metabase sessions expire (14 days by default, less where an admin sets `MAX_SESSION_AGE`):
//!   on a 401 the client forgets the session and this logs in again, once.
//!
//! Rate limits (429 and `Retry-After`), server errors and lost connections are the client's.

use omrun_sdk::http::api::{ApiError, Auth, RetryPolicy, send_retrying};
use omrun_sdk::http::{self, Request};
use omrun_sdk::log;
use serde::Serialize;

use crate::api;
use crate::config::Login;

pub struct MetabaseAuth {
    base_url: String,
    login: Login,
    /// The current session's id.
    session: Option<String>,
    /// Logins so far (the first one is not news; later ones are renewals).
    logins: u32,
}

#[derive(Serialize)]
struct Credentials<'a> {
    username: &'a str,
    password: String,
}

impl MetabaseAuth {
    pub fn new(base_url: &str, login: Login) -> Self {
        Self {
            base_url: base_url.to_owned(),
            login,
            session: None,
            logins: 0,
        }
    }

    fn log_in(&mut self, username: &str) -> Result<String, ApiError> {
        let request = Request::post(format!("{}/api/session", self.base_url))
            .json(&Credentials {
                username,
                password: http::secret("password"),
            })
            .map_err(|e| ApiError::new(format!("Metabase login: {e}")))?;
        let response =
            send_retrying("Metabase login", &RetryPolicy::default(), request).map_err(|e| {
                match e.status {
                    // Metabase: 401 for a wrong password or an unknown user, 400 for a blank one.
                    Some(400 | 401 | 403) => ApiError {
                        status: e.status,
                        message: format!(
                            "Metabase refused the login of {username} ({e}): check username and \
                             password"
                        ),
                    },
                    _ => e,
                }
            })?;
        let session: api::Session = response
            .json()
            .map_err(|e| ApiError::new(format!("Metabase login: {e}")))?;
        self.logins += 1;
        if self.logins > 1 {
            log::info!("Metabase: logged in again (the session had expired)");
        }
        Ok(session.id)
    }
}

impl Auth for MetabaseAuth {
    fn authorize(&mut self, request: Request) -> Result<Request, ApiError> {
        match &self.login {
            Login::ApiKey => Ok(request.header("x-api-key", http::secret("apiKey"))),
            Login::Password { username } => {
                let session = match &self.session {
                    Some(s) => s.clone(),
                    None => {
                        let username = username.clone();
                        let s = self.log_in(&username)?;
                        self.session = Some(s.clone());
                        s
                    }
                };
                Ok(request.header("x-metabase-session", session))
            }
        }
    }

    fn forget(&mut self) {
        self.session = None;
    }
}
