//! The Power BI REST API over the SDK's REST client, authorized by Microsoft Entra ID's client
//! credentials flow: `POST {authorityURI}{tenantId}/oauth2/v2.0/token` with the app's id, its
//! secret (by placeholder: the host fills it in) and the scope; `Authorization: Bearer …` on every
//! API call, renewed a little before `expires_in` runs out and once on a 401.

use std::time::{Duration, Instant};

use omrun_sdk::http::api::{self, Api, ApiError, Auth, RetryPolicy};
use omrun_sdk::http::{self, Request};

use crate::api::{Token, TokenError};
use crate::config::Config;

pub type Client = Api<Entra>;

/// The Power BI API client for `config`.
pub fn new(config: &Config) -> Client {
    Api::new(
        "Power BI",
        &config.api_base,
        Entra {
            token_url: config.token_url.clone(),
            client_id: config.client_id.clone(),
            scope: config.scope.clone(),
            token: None,
        },
    )
}

/// Client credentials of Microsoft Entra ID (Azure AD).
pub struct Entra {
    token_url: String,
    client_id: String,
    scope: String,
    /// The token and when to ask for the next.
    token: Option<(String, Instant)>,
}

impl Auth for Entra {
    fn authorize(&mut self, request: Request) -> Result<Request, ApiError> {
        let token = match &self.token {
            Some((token, renew_at)) if Instant::now() < *renew_at => token.clone(),
            _ => self.acquire()?,
        };
        Ok(request.header("authorization", format!("Bearer {token}")))
    }

    fn forget(&mut self) {
        self.token = None;
    }
}

impl Entra {
    fn acquire(&mut self) -> Result<String, ApiError> {
        // The host puts the secret in, form-encoded, on its way to the granted authority.
        let secret = http::secret("clientSecret");
        let request = Request::post(&self.token_url).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &self.client_id),
            ("client_secret", &secret),
            ("scope", &self.scope),
        ]);
        let response = api::send_retrying("Entra ID token", &RetryPolicy::default(), request)
            .map_err(refused)?;
        let token: Token = response
            .json()
            .map_err(|e| ApiError::new(format!("Entra ID token: {e}")))?;
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3600));
        // Renew a quarter before the end, at most five minutes before.
        let margin = (lifetime / 4).min(Duration::from_secs(300));
        self.token = Some((
            token.access_token.clone(),
            Instant::now() + lifetime - margin,
        ));
        Ok(token.access_token)
    }
}

/// A refused token request, saying Entra ID's reason (`AADSTS7000215: Invalid client secret
/// provided…`, without its trace ids) and what to check.
fn refused(e: ApiError) -> ApiError {
    let Some(status @ (400 | 401)) = e.status else {
        return e;
    };
    let reason = aadsts(&e.message).unwrap_or_else(|| e.message.clone());
    ApiError {
        status: Some(status),
        message: format!(
            "Entra ID refused the token request (HTTP {status}: {reason}): check clientId, \
             clientSecret, tenantId and scope"
        ),
    }
}

/// `AADSTSnnn: text` out of an error message holding Entra ID's JSON answer.
fn aadsts(message: &str) -> Option<String> {
    let body = &message[message.find('{')?..];
    if let Ok(e) = serde_json::from_str::<TokenError>(body)
        && let Some(d) = e.error_description
    {
        let first = d.split(['\r', '\n']).next().unwrap_or_default();
        return Some(first.to_owned());
    }
    // A cut-off body: the code and the sentence after it.
    let at = message.find("AADSTS")?;
    let rest = &message[at..];
    let end = rest.find(['"', '\\']).unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_reasons_are_kept_without_trace_ids() {
        let body = r#"Entra ID token: HTTP 401: {"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1\r\nCorrelation ID: 2","error_codes":[7000215]}"#;
        let e = refused(ApiError {
            status: Some(401),
            message: body.into(),
        });
        assert_eq!(
            e.message,
            "Entra ID refused the token request (HTTP 401: AADSTS7000215: Invalid client secret \
             provided.): check clientId, clientSecret, tenantId and scope"
        );
        let cut = r#"x: HTTP 400: {"error":"unauthorized_client","error_description":"AADSTS700016: App 'a' not found\r\nTra"#;
        assert_eq!(
            aadsts(cut).as_deref(),
            Some("AADSTS700016: App 'a' not found")
        );
        let other = ApiError {
            status: Some(503),
            message: "down".into(),
        };
        assert_eq!(refused(other.clone()), other);
    }
}
