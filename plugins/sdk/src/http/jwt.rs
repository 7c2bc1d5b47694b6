//! JSON Web Tokens signed by the host with a secret private key the plugin never holds: a
//! service account's key exchanged for an OAuth token (Google), key-pair authentication
//! (Snowflake).
//!
//! The plugin writes the token's header and claims; in the signature's place goes a placeholder
//! naming the secret key of `serviceConnection.config` (`privateKey`, PEM). On the way to a
//! granted host, the host signs `header.claims` with RS256 and puts the signature in — in a URL,
//! a header, a JSON or a form body, like any secret.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A JWT whose signature the host makes with the RSA private key in the secret `key`
/// (`<header>.<claims>.__OMRUN_JWT_SIGNATURE_<key>__` until then). The header is `{"alg":
/// "RS256","typ":"JWT"}`, with `kid` when `key_id` is given (Google names the key it must check
/// with).
pub fn signed_jwt(claims: &serde_json::Value, key: &str, key_id: Option<&str>) -> String {
    let mut header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
    if let Some(id) = key_id {
        header["kid"] = id.into();
    }
    let encode = |value: &serde_json::Value| URL_SAFE_NO_PAD.encode(value.to_string());
    format!(
        "{}.{}.__OMRUN_JWT_SIGNATURE_{key}__",
        encode(&header),
        encode(claims)
    )
}

/// A placeholder for the SHA-256 fingerprint of the public half of the private key in the secret
/// `key`, as Snowflake names a key (`SHA256:<base64>`): valid inside the claims of a
/// [`signed_jwt`] only, where the host fills it in before signing.
pub fn public_key_fingerprint(key: &str) -> String {
    format!("__OMRUN_PUBLIC_KEY_FINGERPRINT_{key}__")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwt_carries_its_header_and_claims_and_names_the_key_to_sign_with() {
        let claims =
            serde_json::json!({"iss": "a@b.iam", "fp": public_key_fingerprint("privateKey")});
        let jwt = signed_jwt(&claims, "privateKey", Some("k1"));
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[2], "__OMRUN_JWT_SIGNATURE_privateKey__");
        let decode = |part: &str| -> serde_json::Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
        };
        assert_eq!(
            decode(parts[0]),
            serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "k1"})
        );
        assert_eq!(decode(parts[1]), claims);
    }
}
