//! The service account's OAuth access token, by Google's JWT bearer grant (RFC 7523, as Google's
//! "OAuth 2.0 for server to server applications" describes it): a JWT naming the account
//! (`iss`), the scope and the token endpoint (`aud`), valid for an hour, signed RS256 with the
//! account's private key — by the host, which holds `privateKey`; the plugin writes a placeholder
//! in the signature's place (`omrun_sdk::http::signed_jwt`) — is posted to `tokenUri` for an
//! `access_token`, then sent as `Authorization: Bearer` on every API call and renewed before it
//! expires (and once when an API answers 401).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use omrun_sdk::http::{self, HttpError, Request, Response};
use serde::Deserialize;

use crate::client::{ApiError, error_detail, send_retrying};
use crate::config::ServiceAccount;

/// Read-only would do for BigQuery, not for Data Catalog: one scope covers both, as in
/// OpenMetadata's Google clients.
pub const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
/// How long the asserted JWT is valid: Google's maximum, an hour.
const LIFETIME_SECS: u64 = 3600;
/// A token is renewed this long before Google says it expires, so a call never starts with one
/// about to lapse.
const MARGIN: Duration = Duration::from_secs(120);
/// `expires_in` when the answer has none: the JWT's own lifetime.
const DEFAULT_EXPIRES_IN: u64 = LIFETIME_SECS;

/// The token of one plugin instance.
pub struct Auth {
    account: ServiceAccount,
    timeout: Duration,
    current: Option<(String, Instant)>,
}

impl Auth {
    pub fn new(account: ServiceAccount, timeout: Duration) -> Self {
        Self {
            account,
            timeout,
            current: None,
        }
    }

    /// A valid access token: the current one, or a new one when there is none or it is about to
    /// expire.
    pub fn token(&mut self) -> Result<String, ApiError> {
        if let Some((token, renew_at)) = &self.current
            && Instant::now() < *renew_at
        {
            return Ok(token.clone());
        }
        let (token, expires_in) = self.fetch()?;
        let renew_in = Duration::from_secs(expires_in).saturating_sub(MARGIN);
        self.current = Some((token.clone(), Instant::now() + renew_in));
        Ok(token)
    }

    /// Forgets the token (an API refused it): the next call gets a new one.
    pub fn invalidate(&mut self) {
        self.current = None;
    }

    /// Exchanges a fresh assertion for a token and its lifetime in seconds.
    fn fetch(&self) -> Result<(String, u64), ApiError> {
        let uri = &self.account.token_uri;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let body = form_body(&assertion(&self.account, now));
        let shown = format!("POST {uri}");
        let answer = send_retrying(&shown, &|| {
            Request::post(uri.as_str())
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(body.clone())
                .timeout(self.timeout)
        });
        token_of(answer, &self.account)
    }
}

/// The JWT the host signs: Google's claims for a service account asking for `SCOPE`, issued
/// `now` (seconds since the epoch), the key named by `privateKeyId` when the config has one.
pub fn assertion(account: &ServiceAccount, now: u64) -> String {
    let claims = serde_json::json!({
        "iss": account.client_email,
        "scope": SCOPE,
        "aud": account.token_uri,
        "iat": now,
        "exp": now + LIFETIME_SECS,
    });
    http::signed_jwt(&claims, "privateKey", account.private_key_id.as_deref())
}

/// The token request's form body. The assertion needs no escaping: base64url, dots and the
/// signature placeholder (letters and `_`).
pub fn form_body(assertion: &str) -> String {
    format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}"
    )
}

/// The token and its lifetime from the token endpoint's final answer.
fn token_of(
    answer: Result<Response, HttpError>,
    account: &ServiceAccount,
) -> Result<(String, u64), ApiError> {
    let uri = &account.token_uri;
    let response = match answer {
        Ok(r) => r,
        // The host refuses a request whose JWT it cannot sign: no `privateKey` in the config, or
        // one it cannot read as an RSA key.
        Err(HttpError::Denied { .. }) => {
            return Err(ApiError::Auth(format!(
                "omrun refused to send the token request to {uri}: most likely \
                 serviceConnection.config.credentials.gcpConfig.privateKey is not set, or is not \
                 an unencrypted RSA private key in PEM (`-----BEGIN PRIVATE KEY-----…`, the \
                 `private_key` of the service account's JSON key, newlines included); omrun's \
                 log above says which"
            )));
        }
        Err(e) => return Err(ApiError::Other(format!("POST {uri}: {e}"))),
    };
    #[derive(Deserialize)]
    struct Granted {
        access_token: Option<String>,
        expires_in: Option<u64>,
    }
    if response.is_success() {
        let granted: Granted = response
            .json()
            .map_err(|e| ApiError::Other(format!("POST {uri}: {e}")))?;
        let token = granted
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Other(format!("POST {uri}: the answer has no access_token"))
            })?;
        return Ok((token, granted.expires_in.unwrap_or(DEFAULT_EXPIRES_IN)));
    }
    let detail = error_detail(&response);
    Err(match response.status {
        // OAuth's errors: `invalid_grant` (a wrong, deleted or disabled key, an unknown account,
        // a clock off by minutes), `invalid_client`, `unauthorized_client`.
        400 | 401 | 403 => ApiError::Auth(format!(
            "Google refused the service account's key ({detail}) at {uri}: check \
             serviceConnection.config.credentials.gcpConfig: privateKey and privateKeyId (the \
             key must exist and be enabled) and clientEmail ({})",
            account.client_email
        )),
        _ => ApiError::Other(format!("POST {uri}: {detail}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn account() -> ServiceAccount {
        ServiceAccount {
            client_email: "omrun@acme.iam.gserviceaccount.com".into(),
            private_key_id: Some("k1".into()),
            token_uri: "https://oauth2.googleapis.com/token".into(),
        }
    }

    fn answer(status: u16, body: &str) -> Result<Response, HttpError> {
        Ok(Response {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        })
    }

    #[test]
    fn the_assertion_names_the_account_scope_audience_and_key() {
        let jwt = assertion(&account(), 1_700_000_000);
        let parts: Vec<&str> = jwt.split('.').collect();
        let decode = |p: &str| -> serde_json::Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
        };
        assert_eq!(
            decode(parts[0]),
            serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "k1"})
        );
        assert_eq!(
            decode(parts[1]),
            serde_json::json!({
                "iss": "omrun@acme.iam.gserviceaccount.com",
                "scope": "https://www.googleapis.com/auth/cloud-platform",
                "aud": "https://oauth2.googleapis.com/token",
                "iat": 1_700_000_000u64,
                "exp": 1_700_003_600u64,
            })
        );
        assert_eq!(parts[2], "__OMRUN_JWT_SIGNATURE_privateKey__");
        let no_kid = ServiceAccount {
            private_key_id: None,
            ..account()
        };
        let header = assertion(&no_kid, 0).split('.').next().unwrap().to_owned();
        assert_eq!(
            decode(&header),
            serde_json::json!({"alg": "RS256", "typ": "JWT"})
        );
        assert_eq!(
            form_body("h.c.s"),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=h.c.s"
        );
    }

    #[test]
    fn tokens_and_refusals() {
        assert_eq!(
            token_of(
                answer(
                    200,
                    r#"{"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"}"#
                ),
                &account()
            ),
            Ok(("ya29.x".into(), 3599))
        );
        assert_eq!(
            token_of(answer(200, r#"{"access_token":"t"}"#), &account()),
            Ok(("t".into(), 3600))
        );
        assert!(matches!(
            token_of(answer(200, "{}"), &account()),
            Err(ApiError::Other(_))
        ));
        let e = token_of(
            answer(
                400,
                r#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#,
            ),
            &account(),
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, ApiError::Auth(_)), "{e:?}");
        assert!(
            text.contains("(HTTP 400 invalid_grant: Invalid JWT Signature.)")
                && text.contains("privateKeyId")
                && text.contains("omrun@acme.iam.gserviceaccount.com"),
            "{text}"
        );
        let denied = Err(HttpError::Denied {
            destination: "https://oauth2.googleapis.com".into(),
        });
        let e = token_of(denied, &account()).unwrap_err();
        assert!(matches!(e, ApiError::Auth(_)));
        assert!(
            e.to_string().contains(
                "gcpConfig.privateKey is not set, or is not an unencrypted RSA private key"
            ),
            "{e}"
        );
        let e = token_of(answer(502, "<html>bad gateway</html>"), &account()).unwrap_err();
        assert_eq!(
            e,
            ApiError::Other(
                "POST https://oauth2.googleapis.com/token: HTTP 502: <html>bad gateway</html>"
                    .into()
            )
        );
    }
}
