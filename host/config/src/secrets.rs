//! Secrets stay in the host: the plugin gets connection settings without them, and every place
//! that could print one prints `***` instead.

use serde_json::Value;
use std::fmt;

/// A credential read from the config. Its `Debug` and `Display` never show the value.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that needs it (a driver's connect call).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Parts of key names (lower-cased, without `_` and `-`) OpenMetadata and database drivers use for
/// credentials: `password`, `jwtToken`, `clientSecret`, `privateKeyPassphrase`, `sessionToken`,
/// `PG_PASSWD`….
const SECRET_KEY_PARTS: &[&str] = &["password", "passwd", "passphrase", "secret", "token", "jwt"];

/// Whether a key names a credential: a config key (`authType.password`, `sslConfig.sslKey`, a
/// driver argument such as `connectionArguments.ssl_key`) or an environment variable
/// (`PG_PASSWORD`, `API_KEY`). The one rule for the config loader, the plugin's copy of the
/// connection, the HTTP capability's placeholders and the Argo manifests: besides the parts
/// above, any name ending in `key` (`privateKey`, `sslKey`, `apiKey`, `userKey`) is a key. A name
/// ending in `uri` or `url` is an address, not a credential (`tokenUri`: where a service
/// account's tokens come from), whatever else it says.
pub fn is_secret_key(key: &str) -> bool {
    let key: String = key
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if key.ends_with("uri") || key.ends_with("url") {
        return false;
    }
    key.ends_with("key") || SECRET_KEY_PARTS.iter().any(|part| key.contains(part))
}

/// The dotted paths of the secrets `without_secrets` removes from `value` (`password`,
/// `credentials.gcpConfig.privateKey`), sorted: which secrets are set, never what they are.
pub fn secret_paths(value: &Value) -> Vec<String> {
    fn walk(value: &Value, prefix: &str, out: &mut Vec<String>) {
        let Value::Object(map) = value else {
            return;
        };
        for (key, value) in map {
            let path = match prefix {
                "" => key.clone(),
                _ => format!("{prefix}.{key}"),
            };
            if is_secret_key(key) {
                if !value.is_null() {
                    out.push(path);
                }
            } else {
                walk(value, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(value, "", &mut out);
    out.sort();
    out
}

/// A copy of `value` with every secret-named key removed, at any depth.
pub fn without_secrets(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !is_secret_key(key))
                .map(|(key, value)| (key.clone(), without_secrets(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_secrets).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn removes_nested_secrets_and_keeps_the_rest() {
        let connection = json!({
            "type": "Postgres", "username": "u", "hostPort": "h:5432",
            "authType": {"password": "p"}, "sslConfig": {"caCertificate": "c", "sslKey": "k"},
            "jwtToken": "t", "clientSecret": "s"
        });
        let cleaned = without_secrets(&connection);
        assert_eq!(
            cleaned,
            json!({"type": "Postgres", "username": "u", "hostPort": "h:5432", "authType": {},
                   "sslConfig": {"caCertificate": "c"}})
        );
    }

    #[test]
    fn one_rule_for_config_keys_driver_arguments_and_environment_variables() {
        for secret in [
            "password",
            "sslKey",
            "privateKey",
            "apiKey",
            "ssl_key",
            "private-key",
            "PG_PASSWORD",
            "PG_PASSWD",
            "API_KEY",
            "OM_JWT",
            "clientSecret",
            "privateKeyPassphrase",
        ] {
            assert!(is_secret_key(secret), "{secret}");
        }
        for plain in [
            "username",
            "hostPort",
            "caCertificate",
            "sslMode",
            "PG_HOST",
            "database",
            "tokenUri",
            "TOKEN_URL",
            "privateKeyId",
        ] {
            assert!(!is_secret_key(plain), "{plain}");
        }
    }

    #[test]
    fn secret_paths_name_what_is_removed_and_never_its_value() {
        let connection = json!({
            "username": "u", "password": "p", "authType": {"jwt": "t"},
            "credentials": {"gcpConfig": {"privateKey": "k", "tokenUri": "https://t"}},
            "privateKeyPassphrase": null
        });
        assert_eq!(
            secret_paths(&connection),
            [
                "authType.jwt",
                "credentials.gcpConfig.privateKey",
                "password"
            ]
        );
    }

    #[test]
    fn secret_never_formats_its_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?}"), "*** Secret(***)");
    }
}
