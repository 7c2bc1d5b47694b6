//! Secret placeholders (`__OMRUN_SECRET_<key>__`) in a header value, the URL or a JSON or form
//! body, filled in on the way out to a granted host.

use super::{PLACEHOLDER_PREFIX, PLACEHOLDER_SUFFIX};
use omrun_config::Secret;
use std::borrow::Cow;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Placement {
    /// Percent-encoded: the value cannot change the URL's structure.
    Url,
    /// As is.
    Header,
    /// Inside a JSON string: escaped as one, so the value cannot end the string.
    Json,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum PlaceholderError {
    Unknown(String),
    Malformed,
    /// A JWT to sign that cannot be: why.
    Jwt(&'static str),
    /// The secret named to sign with holds no key omrun can sign with: its name, why.
    Key(String, &'static str),
}

impl std::fmt::Display for PlaceholderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlaceholderError::Unknown(key) => write!(
                f,
                "placeholder {PLACEHOLDER_PREFIX}{key}{PLACEHOLDER_SUFFIX} names no secret of \
                 source.serviceConnection.config"
            ),
            PlaceholderError::Malformed => write!(
                f,
                "a placeholder is not of the form {PLACEHOLDER_PREFIX}<key>{PLACEHOLDER_SUFFIX}"
            ),
            PlaceholderError::Jwt(why) => write!(f, "a JWT to sign: {why}"),
            PlaceholderError::Key(key, why) => write!(
                f,
                "a JWT to sign with secret `{key}` of source.serviceConnection.config: {why}"
            ),
        }
    }
}

/// `text` with its placeholders replaced and its JWTs signed (see `jwt`), or `None` when it has
/// neither.
pub(super) fn substitute(
    text: &str,
    secrets: &BTreeMap<String, Secret>,
    placement: Placement,
) -> Result<Option<String>, PlaceholderError> {
    let signed = super::jwt::sign_jwts(text, secrets)?;
    let text = signed.as_deref().unwrap_or(text);
    if !text.contains(PLACEHOLDER_PREFIX) {
        return Ok(signed);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(PLACEHOLDER_PREFIX) {
        out.push_str(&rest[..start]);
        let after = &rest[start + PLACEHOLDER_PREFIX.len()..];
        let end = after
            .find(PLACEHOLDER_SUFFIX)
            .ok_or(PlaceholderError::Malformed)?;
        let key = &after[..end];
        let key_chars = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if key.is_empty() || !key.chars().all(key_chars) {
            return Err(PlaceholderError::Malformed);
        }
        let secret = secrets
            .get(key)
            .ok_or_else(|| PlaceholderError::Unknown(key.to_owned()))?;
        match placement {
            Placement::Url => out.push_str(&percent_encode(secret.expose())),
            Placement::Header => out.push_str(secret.expose()),
            Placement::Json => {
                let quoted = serde_json::to_string(secret.expose()).unwrap_or_default();
                out.push_str(&quoted[1..quoted.len().saturating_sub(1)]);
            }
        }
        rest = &after[end + PLACEHOLDER_SUFFIX.len()..];
    }
    out.push_str(rest);
    Ok(Some(out))
}

/// Every byte but RFC 3986's unreserved characters as `%XX`.
pub(super) fn percent_encode(value: &str) -> Cow<'_, str> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if value.bytes().all(unreserved) {
        return value.into();
    }
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if unreserved(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.into()
}

/// An `Authorization: Basic user:password` value whose credentials hold a placeholder, filled
/// and base64-encoded as the scheme requires: the plugin cannot encode a secret it never sees.
/// `None` for any other value.
pub(super) fn basic_credentials(
    text: &str,
    secrets: &BTreeMap<String, Secret>,
) -> Result<Option<String>, PlaceholderError> {
    let Some(credentials) = text.strip_prefix("Basic ") else {
        return Ok(None);
    };
    let Some(filled) = substitute(credentials, secrets, Placement::Header)? else {
        return Ok(None);
    };
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(filled);
    Ok(Some(format!("Basic {encoded}")))
}
