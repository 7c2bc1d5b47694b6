//! TEMPORARY: the interface of the SDK's `omrun_sdk::http::api` (announced, not yet on main),
//! without its retries, so the connector builds meanwhile. Removed when main has it.

use omrun_sdk::http::{HttpError, Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: Option<u16>,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<HttpError> for ApiError {
    fn from(e: HttpError) -> Self {
        let status = match &e {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        };
        ApiError { status, message: e.to_string() }
    }
}

pub trait Auth {
    fn authorize(&mut self, request: Request) -> Result<Request, ApiError>;
    fn forget(&mut self) {}
}

#[derive(Default)]
pub struct RetryPolicy;

pub fn send_retrying(label: &str, _: &RetryPolicy, request: Request) -> Result<Response, ApiError> {
    request
        .send()
        .and_then(Response::error_for_status)
        .map_err(|e| {
            let mut e = ApiError::from(e);
            e.message = format!("{label}: {}", e.message);
            e
        })
}

pub struct Api<A: Auth> {
    label: String,
    base_url: String,
    auth: A,
}

impl<A: Auth> Api<A> {
    pub fn new(label: &str, base_url: &str, auth: A) -> Self {
        Api { label: label.into(), base_url: base_url.trim_end_matches('/').into(), auth }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn get<T: DeserializeOwned>(&mut self, path: &str, query: &[(&str, &str)]) -> Result<T, ApiError> {
        let request = query.iter().fold(Request::get(self.url(path)), |r, (k, v)| r.query(*k, *v));
        let response = self.send(request)?;
        response.json().map_err(|e| ApiError { status: None, message: format!("{} GET {path}: {e}", self.label) })
    }

    #[allow(dead_code)]
    pub fn post<B: Serialize, T: DeserializeOwned>(&mut self, path: &str, body: &B) -> Result<T, ApiError> {
        let request = Request::post(self.url(path)).json(body)?;
        self.send(request)?.json().map_err(ApiError::from)
    }

    pub fn send(&mut self, request: Request) -> Result<Response, ApiError> {
        let shown = request.url();
        let answer = self.auth.authorize(request.clone())?.send()?;
        let answer = if answer.status == 401 {
            self.auth.forget();
            self.auth.authorize(request)?.send()?
        } else {
            answer
        };
        answer.error_for_status().map_err(|e| {
            let mut e = ApiError::from(e);
            e.message = format!("{} {shown}: {}", self.label, e.message);
            e
        })
    }

    #[allow(dead_code)]
    pub fn auth_mut(&mut self) -> &mut A {
        &mut self.auth
    }
}
