//! Superset's REST API over the SDK's client: `POST /api/v1/security/login` with the user's
//! password (by placeholder, in the JSON body) gives a JWT, sent as `Authorization: Bearer …` on
//! every call; a 401 (the token expired: Superset's last 15 minutes by default) logs in again,
//! once. Rate limits, server errors and redirects are the SDK's ([`omrun_sdk::http::api`]).

use omrun_sdk::http::api::{self, Api, ApiError, Auth, RetryPolicy};
use omrun_sdk::http::{self, Request};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::{Login, PAGE_SIZE, Page};

/// Superset's login, holding the current access token.
pub struct SupersetLogin {
    url: String,
    provider: String,
    username: String,
    token: Option<String>,
}

#[derive(Serialize)]
struct LoginBody<'a> {
    username: &'a str,
    /// The placeholder the host replaces with `connection.password`.
    password: String,
    provider: &'a str,
    refresh: bool,
}

impl Auth for SupersetLogin {
    fn authorize(&mut self, request: Request) -> Result<Request, ApiError> {
        if self.token.is_none() {
            let body = LoginBody {
                username: &self.username,
                password: http::secret("password"),
                provider: &self.provider,
                refresh: true,
            };
            let login = Request::post(&self.url).json(&body)?;
            let answer = api::send_retrying("Superset login", &RetryPolicy::default(), login)
                .map_err(|e| match e.status {
                    Some(400 | 401 | 403) => ApiError {
                        status: e.status,
                        message: format!(
                            "Superset login refused ({e}): check connection.username, \
                             connection.password and connection.provider"
                        ),
                    },
                    _ => e,
                })?;
            let login: Login = answer
                .json()
                .map_err(|e| ApiError::new(format!("Superset login: {e}")))?;
            self.token = Some(login.access_token);
        }
        let token = self.token.as_deref().unwrap_or_default();
        Ok(request.header("authorization", format!("Bearer {token}")))
    }

    fn forget(&mut self) {
        self.token = None;
    }
}

pub struct Client {
    api: Api<SupersetLogin>,
}

impl Client {
    /// The API of the Superset at `base_url`.
    pub fn new(base_url: &str, provider: &str, username: &str) -> Self {
        let login = SupersetLogin {
            url: format!("{base_url}/api/v1/security/login"),
            provider: provider.to_owned(),
            username: username.to_owned(),
            token: None,
        };
        Self {
            api: Api::new("Superset", base_url, login),
        }
    }

    /// `GET /api/v1{path}`, with Superset's rison `q` (e.g. `(columns:!(id))`) when given.
    pub fn get<T: DeserializeOwned>(&mut self, path: &str, q: Option<&str>) -> Result<T, String> {
        let path = format!("/api/v1{path}");
        let query: Vec<(&str, &str)> = q.map(|q| ("q", q)).into_iter().collect();
        Ok(self.api.get(&path, &query)?)
    }

    /// Every row of a listing (`/dashboard/`, `/chart/`), selecting `columns`, page by page until
    /// `count` rows arrived. Superset serves at most its `FAB_API_MAX_PAGE_SIZE` rows a page,
    /// whatever is asked, and numbers pages by the size it serves: the next page is asked until
    /// the rows add up. Rows met twice (a listing changing under the paging) count once.
    pub fn list<T: DeserializeOwned>(
        &mut self,
        path: &str,
        columns: &str,
        id: impl Fn(&T) -> i64,
    ) -> Result<Vec<T>, String> {
        let mut rows: Vec<T> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for page in 0.. {
            let q = format!("(columns:!({columns}),page:{page},page_size:{PAGE_SIZE})");
            let answer: Page<T> = self.get(path, Some(&q))?;
            let served = answer.result.len();
            for row in answer.result {
                if seen.insert(id(&row)) {
                    rows.push(row);
                }
            }
            if served == 0 || rows.len() >= answer.count {
                break;
            }
        }
        Ok(rows)
    }
}
