//! The keys of OpenMetadata's `SnowflakeConnection` this plugin reads (its password never
//! arrives: the host holds it and fills it into the login).

use omrun_sdk::http;
use serde::Deserialize;

/// Every key [`Settings`] reads, for `omrun_sdk::declare_config_keys!`, besides common-db's
/// (`database`). The password is read by the host, which fills it into the login.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub const KEYS: &[&str] = &[
    "serviceConnection.config.account",
    "serviceConnection.config.connectionArguments",
    "serviceConnection.config.includeTransientTables",
    "serviceConnection.config.role",
    "serviceConnection.config.username",
    "serviceConnection.config.warehouse",
];

/// `serviceConnection.config` of a Snowflake service.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The account identifier, `xy12345.eu-west-1` or `org-account`.
    pub account: String,
    pub username: String,
    pub warehouse: Option<String>,
    pub role: Option<String>,
    pub database: Option<String>,
    /// Transient tables too (OpenMetadata 2.0.7's default: yes).
    #[serde(default = "yes")]
    pub include_transient_tables: bool,
    /// What OpenMetadata hands Snowflake's own connector; `host`, `port` and `protocol` point it
    /// (and omrun) at another endpoint, e.g. an emulator.
    #[serde(default)]
    pub connection_arguments: Endpoint,
    /// Key-pair authentication: the config holds a `privateKey` (a secret the host keeps), so the
    /// login carries a JWT the host signs with it instead of the password.
    #[serde(skip)]
    pub key_pair: bool,
}

/// How long a key-pair login's JWT is valid, as Snowflake's own connectors make it.
const JWT_LIFETIME_SECS: u64 = 60;

/// `connectionArguments`' endpoint keys.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Endpoint {
    pub host: Option<String>,
    pub port: Option<serde_json::Value>,
    pub protocol: Option<String>,
}

fn yes() -> bool {
    true
}

impl Settings {
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json).map_err(|e| format!("serviceConnection.config: {e}"))
    }

    /// `https://<account>.snowflakecomputing.com`, or the endpoint `connectionArguments` names.
    pub fn base_url(&self) -> String {
        let endpoint = &self.connection_arguments;
        let Some(host) = &endpoint.host else {
            return format!("https://{}.snowflakecomputing.com", self.account);
        };
        let protocol = endpoint.protocol.as_deref().unwrap_or("https");
        match &endpoint.port {
            Some(serde_json::Value::Number(port)) => format!("{protocol}://{host}:{port}"),
            Some(serde_json::Value::String(port)) => format!("{protocol}://{host}:{port}"),
            _ => format!("{protocol}://{host}"),
        }
    }

    /// The account's name without its region or cloud (`xy12345` of `xy12345.eu-west-1.aws`),
    /// as the login request wants it.
    pub fn account_name(&self) -> &str {
        self.account.split('.').next().unwrap_or(&self.account)
    }

    /// What proves the login's identity, as fields of its `data`: the password, or (key pair) a
    /// JWT issued at `now` (Unix seconds) whose issuer names the account, the user and the
    /// public key's fingerprint — the host fills the fingerprint and the signature in from the
    /// private key, which the plugin never holds.
    pub fn credentials(&self, now: u64) -> Vec<(&'static str, serde_json::Value)> {
        if !self.key_pair {
            return vec![("PASSWORD", http::secret("password").into())];
        }
        // Snowflake's own connectors name the account without region, upper-cased (a `.global`
        // account without its `-…` suffix).
        let account = match self.account.contains(".global") {
            true => self.account.split('-').next(),
            false => self.account.split('.').next(),
        }
        .unwrap_or(&self.account)
        .to_uppercase();
        let user = self.username.to_uppercase();
        let claims = serde_json::json!({
            "iss": format!("{account}.{user}.{}", http::public_key_fingerprint("privateKey")),
            "sub": format!("{account}.{user}"),
            "iat": now,
            "exp": now + JWT_LIFETIME_SECS,
        });
        vec![
            ("AUTHENTICATOR", "SNOWFLAKE_JWT".into()),
            (
                "TOKEN",
                http::signed_jwt(&claims, "privateKey", None).into(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_keys_are_what_the_settings_read() {
        let mut read = omrun_sdk::config_keys::fields_of::<Settings>();
        read.retain(|k| k != "database");
        let declared: Vec<&str> = KEYS
            .iter()
            .map(|k| k.trim_start_matches("serviceConnection.config."))
            .collect();
        assert_eq!(read, declared);
    }

    #[test]
    fn the_endpoint_is_the_accounts_unless_connection_arguments_name_one() {
        let parse = |json: &str| Settings::parse(json).unwrap();
        let account = parse(r#"{"account": "xy12345.eu-west-1", "username": "u"}"#);
        assert_eq!(
            account.base_url(),
            "https://xy12345.eu-west-1.snowflakecomputing.com"
        );
        assert_eq!(account.account_name(), "xy12345");
        let emulator = parse(
            r#"{"account": "a", "username": "u",
                "connectionArguments": {"host": "localhost", "port": 8085, "protocol": "http"}}"#,
        );
        assert_eq!(emulator.base_url(), "http://localhost:8085");
    }

    #[test]
    fn a_key_pair_login_carries_a_jwt_naming_account_user_and_key() {
        let mut settings =
            Settings::parse(r#"{"account": "xy12345.eu-west-1", "username": "omrun_u"}"#).unwrap();
        assert_eq!(
            settings.credentials(1000),
            vec![("PASSWORD", "__OMRUN_SECRET_password__".into())]
        );
        settings.key_pair = true;
        let fields = settings.credentials(1000);
        assert_eq!(fields[0], ("AUTHENTICATOR", "SNOWFLAKE_JWT".into()));
        let jwt = fields[1].1.as_str().unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts[2], "__OMRUN_JWT_SIGNATURE_privateKey__");
        use base64::Engine;
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[1])
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            claims,
            serde_json::json!({
                "iss": "XY12345.OMRUN_U.__OMRUN_PUBLIC_KEY_FINGERPRINT_privateKey__",
                "sub": "XY12345.OMRUN_U", "iat": 1000, "exp": 1060,
            })
        );
        settings.account = "myorg-acct.global".into();
        let fields = settings.credentials(0);
        assert!(fields[1].1.as_str().unwrap().len() > 40);
    }
}
