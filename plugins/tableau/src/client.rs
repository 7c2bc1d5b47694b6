//! Tableau's REST API (JSON) and Metadata API over the SDK's REST client: sign-in with a personal
//! access token or a password (the secrets by placeholder), `X-Tableau-Auth` on every call, a new
//! sign-in when Tableau refuses the token (it expired); retries on 429/5xx and redirects are the
//! SDK's ([`omrun_sdk::http::api`]).

use omrun_sdk::http::api::{self, Api, ApiError, Auth, RetryPolicy};
use omrun_sdk::http::{self, Request};
use omrun_sdk::log;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::api as tableau;
use crate::config::{Config, SignIn};

/// The REST API's page size: tableauserverclient's (OpenMetadata's connector pages with it).
pub const PAGE_SIZE: u32 = 100;

pub struct Client {
    api: Api<Session>,
}

impl Client {
    pub fn new(config: &Config) -> Self {
        let session = Session {
            base_url: config.base_url.clone(),
            site: config.site.clone(),
            sign_in: config.sign_in.clone(),
            version: config.api_version.clone(),
            signed_in: None,
        };
        Self {
            api: Api::new("Tableau", &config.base_url, session),
        }
    }

    /// `GET /api/{v}/sites/{site}{path}?{query}` as `T`, signing in first if needed.
    pub fn get<T: DeserializeOwned>(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, String> {
        let (version, site) = self.api.auth_mut().site()?;
        Ok(self
            .api
            .get(&format!("/api/{version}/sites/{site}{path}"), query)?)
    }

    /// Every item of a paged listing (`pageSize` [`PAGE_SIZE`], `pageNumber` from 1), as
    /// tableauserverclient's `Pager` reads it: until `totalAvailable` is reached.
    pub fn all<P: DeserializeOwned, T>(
        &mut self,
        path: &str,
        items: impl Fn(P) -> (u64, Vec<T>),
    ) -> Result<Vec<T>, String> {
        let mut out = Vec::new();
        for number in 1.. {
            let size = PAGE_SIZE.to_string();
            let page: P = self.get(
                path,
                &[("pageSize", &size), ("pageNumber", &number.to_string())],
            )?;
            let (total, mut got) = items(page);
            let empty = got.is_empty();
            out.append(&mut got);
            if empty || out.len() as u64 >= total {
                break;
            }
        }
        Ok(out)
    }

    /// A Metadata API query's `data`. Errors beside the data fail the call, but Tableau's
    /// `BACKFILL_RUNNING` warning, which is logged (the results may be incomplete).
    pub fn graphql<T: DeserializeOwned>(&mut self, query: &str) -> Result<T, String> {
        self.api.auth_mut().site()?;
        let answer: tableau::GraphQl<T> = self
            .api
            .post("/api/metadata/graphql", &json!({ "query": query }))?;
        let mut fatal = Vec::new();
        for e in &answer.errors {
            let code = e.extensions.as_ref().and_then(|x| x.code.as_deref());
            if code == Some("BACKFILL_RUNNING") {
                log::warn!(
                    "Tableau's Metadata API is still building its store (BACKFILL_RUNNING): data \
                     models may be incomplete"
                );
            } else {
                fatal.push(match code {
                    Some(code) => format!("{code}: {}", e.message),
                    None => e.message.clone(),
                });
            }
        }
        if !fatal.is_empty() {
            return Err(format!("Tableau Metadata API: {}", fatal.join("; ")));
        }
        answer
            .data
            .ok_or_else(|| "Tableau Metadata API: an answer without data".to_owned())
    }
}

/// The sign-in and what it gave: the token and the site's id.
struct Session {
    base_url: String,
    site: String,
    sign_in: SignIn,
    /// The REST API version: the config's `apiVersion`, else the server's, asked once.
    version: Option<String>,
    signed_in: Option<(String, String)>,
}

impl Auth for Session {
    fn authorize(&mut self, request: Request) -> Result<Request, ApiError> {
        let (token, _) = self.session()?;
        Ok(request
            .header("x-tableau-auth", token)
            .header("accept", "application/json"))
    }

    fn forget(&mut self) {
        self.signed_in = None;
    }
}

impl Session {
    /// The REST API version and the site's id, signing in first if needed.
    fn site(&mut self) -> Result<(String, String), ApiError> {
        let (_, site) = self.session()?;
        Ok((self.version.clone().unwrap_or_default(), site))
    }

    /// The token and the site's id.
    fn session(&mut self) -> Result<(String, String), ApiError> {
        if let Some(s) = &self.signed_in {
            return Ok(s.clone());
        }
        let version = self.version()?;
        let credentials = match &self.sign_in {
            SignIn::PersonalAccessToken => json!({
                "personalAccessTokenName": http::secret("personalAccessTokenName"),
                "personalAccessTokenSecret": http::secret("personalAccessTokenSecret"),
                "site": { "contentUrl": self.site },
            }),
            SignIn::Password { username } => json!({
                "name": username,
                "password": http::secret("password"),
                "site": { "contentUrl": self.site },
            }),
        };
        let request = Request::post(format!("{}/api/{version}/auth/signin", self.base_url))
            .header("accept", "application/json")
            .json(&json!({ "credentials": credentials }))?;
        let answer: tableau::SignInAnswer =
            api::send_retrying("Tableau sign-in", &RetryPolicy::default(), request)
                .map_err(|e| match e.status {
                    Some(401 | 403 | 404) => ApiError {
                        message: format!(
                            "Tableau sign-in refused ({}): check authType and siteName",
                            e.message.trim_start_matches("Tableau sign-in: ")
                        ),
                        ..e
                    },
                    _ => e,
                })?
                .json()
                .map_err(|e| ApiError::new(format!("Tableau sign-in: {e}")))?;
        let signed_in = (answer.credentials.token, answer.credentials.site.id);
        self.signed_in = Some(signed_in.clone());
        Ok(signed_in)
    }

    /// The config's `apiVersion`, else the server's (`GET /api/2.4/serverInfo`, which needs no
    /// sign-in), as tableauserverclient's `use_server_version` asks it.
    fn version(&mut self) -> Result<String, ApiError> {
        if let Some(v) = &self.version {
            return Ok(v.clone());
        }
        let request = Request::get(format!("{}/api/2.4/serverInfo", self.base_url))
            .header("accept", "application/json");
        let info: tableau::ServerInfoAnswer =
            api::send_retrying("Tableau serverInfo", &RetryPolicy::default(), request)?
                .json()
                .map_err(|e| ApiError::new(format!("Tableau serverInfo: {e}")))?;
        let v = info.server_info.rest_api_version;
        self.version = Some(v.clone());
        Ok(v)
    }
}
