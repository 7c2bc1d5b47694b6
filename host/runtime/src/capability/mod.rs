//! What a plugin can reach. Nothing is ambient: a plugin declares what it needs in `info()`, the
//! config grants it, and the host checks the two against each other before the run starts.
//! Each capability is one module with one trait at its seam: `sql::Driver` for databases, `log`,
//! `http` (wasi:http, allowed per host).

pub mod http;
pub mod log;
pub mod sql;

use anyhow::{Context, bail};
use omrun_config::{Config, Secret};
use std::collections::BTreeMap;
use std::time::Duration;

/// A need a plugin declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capability {
    Sql(String),
    Http(String),
}

impl std::fmt::Display for Capability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Capability::Sql(label) => write!(f, "sql connection `{label}`"),
            Capability::Http(host) => write!(f, "http to `{host}`"),
        }
    }
}

/// What the config grants. The source's own `serviceConnection` is granted as the label `source`:
/// as SQL when it is a database the host can connect to, as HTTP to the host of its `hostPort`
/// when that is an http(s) URL (a dashboard service's, e.g. Looker's), or when it is `host:port`
/// and the plugin needs HTTP to `source` (a warehouse that speaks HTTP: Trino, Databricks).
/// `connectionArguments.host` (and `port`), which OpenMetadata passes to a warehouse's own client
/// (Snowflake's), is granted as HTTP under the label `connectionArguments`. A plugin's need may
/// also name a host built from the connection's settings, `{account}.snowflakecomputing.com`: the
/// config grants it by setting `account` (see [`Grants::for_plugin`]).
#[derive(Debug, Clone, Default)]
pub struct Grants {
    pub sql: BTreeMap<String, sql::Target>,
    pub http: BTreeMap<String, http::HostGrant>,
    /// The source's `hostPort` when it is an http(s) URL: what `verify` probes.
    pub http_source: Option<String>,
    /// The secrets of the source's `serviceConnection.config` by key name, which the plugin never
    /// sees; an HTTP request names them with placeholders (see `http`).
    pub secrets: BTreeMap<String, Secret>,
    /// The source's `hostPort` when it is `host[:port]` and no SQL driver speaks to it: HTTP to
    /// it is granted to a plugin that needs `source`.
    host_port: Option<String>,
    /// The connection's settings that are plain text and no secret, by dotted path
    /// (`credentials.gcpConfig.tokenUri`): what a need's `{key}` is filled from.
    settings: BTreeMap<String, String>,
}

/// The label under which the source's `serviceConnection` is granted.
pub const SOURCE_LABEL: &str = "source";
/// The label under which `connectionArguments.host` is granted.
pub const CONNECTION_ARGUMENTS_LABEL: &str = "connectionArguments";

impl Grants {
    pub fn from_config(config: &Config, statement_timeout: Duration) -> anyhow::Result<Self> {
        let connection = &config.source.service_connection;
        let mut grants = Grants::default();
        if let Some(target) = sql::Target::from_connection(&connection.config, statement_timeout)
            .context("source.serviceConnection.config")?
        {
            grants.sql.insert(SOURCE_LABEL.to_owned(), target);
        }
        let host_port = connection
            .config
            .get("hostPort")
            .and_then(serde_json::Value::as_str);
        if let Some((url, host)) =
            host_port.and_then(|url| http::HostGrant::from_url(url).map(|host| (url, host)))
        {
            grants.http.insert(SOURCE_LABEL.to_owned(), host);
            grants.http_source = Some(url.to_owned());
        } else if grants.sql.is_empty() {
            grants.host_port = host_port.map(str::to_owned);
        }
        if grants.sql.is_empty()
            && let Some((url, host)) = http::connection_arguments_host(&connection.config)
        {
            grants
                .http
                .insert(CONNECTION_ARGUMENTS_LABEL.to_owned(), host);
            grants.http_source.get_or_insert(url);
        }
        grants.secrets = http::secrets_in(&connection.config);
        plain_settings(&connection.config, "", &mut grants.settings);
        Ok(grants)
    }

    /// The grants of a plugin that needs `needs`: the config's, plus HTTP to a `host:port`
    /// `hostPort` when it needs `source`, plus the hosts its needs build from the connection's
    /// settings (`{account}.snowflakecomputing.com` with `account: xy12345.eu-west-1`). Refused,
    /// naming what is missing, when the config does not grant all it needs.
    pub fn for_plugin(&self, plugin: &str, needs: &[Capability]) -> anyhow::Result<Grants> {
        let mut grants = self.clone();
        for need in needs {
            let Capability::Http(need) = need else {
                continue;
            };
            if grants.grants_http(need) {
                continue;
            }
            let host = match need.as_str() {
                SOURCE_LABEL => grants.host_port.as_deref().and_then(http::HostGrant::parse),
                template => http::HostGrant::from_template(template, &grants.settings),
            };
            if let Some(host) = host {
                if need == SOURCE_LABEL {
                    let host_port = grants.host_port.as_deref().unwrap_or_default();
                    grants.http_source = Some(format!("https://{host_port}"));
                } else if grants.http_source.is_none() {
                    // A need that is one setting's URL (MLflow's `{trackingUri}`) is the source
                    // to reach first, as a `hostPort` URL is.
                    grants.http_source = setting_url(need, &grants.settings);
                }
                grants.http.insert(need.clone(), host);
            }
        }
        grants.check(plugin, needs)?;
        Ok(grants)
    }

    /// Connects once to every granted database, so that a wrong password or host stops the run
    /// before it starts, with the driver's own message, instead of failing every worker; and
    /// reaches an HTTP source once (DNS and TCP), so that one that is down stops it as quickly,
    /// instead of every request failing after retries.
    pub async fn verify(&self) -> anyhow::Result<()> {
        for (label, target) in &self.sql {
            sql::Connection::open(target, None).await.map_err(|e| {
                anyhow::anyhow!("cannot connect to the source (sql connection `{label}`): {e}")
            })?;
        }
        if let Some(url) = &self.http_source {
            http::probe(url, http::PROBE_TIMEOUT)
                .await
                .map_err(|e| anyhow::anyhow!("cannot reach the source: {e}"))?;
        }
        Ok(())
    }

    /// Stops the run before it starts when the plugin needs something the config does not grant.
    pub fn check(&self, plugin: &str, needs: &[Capability]) -> anyhow::Result<()> {
        let missing: Vec<String> = needs
            .iter()
            .filter(|need| match need {
                Capability::Sql(label) => !self.sql.contains_key(label),
                Capability::Http(need) => !self.grants_http(need),
            })
            .map(|need| need.to_string())
            .collect();
        if !missing.is_empty() {
            bail!(
                "plugin {plugin} needs {} which the config does not grant",
                missing.join(", ")
            );
        }
        Ok(())
    }

    /// An HTTP need is met by its label (`source`) or by a granted host spelled the same way
    /// (`name` or `name:port`).
    fn grants_http(&self, need: &str) -> bool {
        self.http.contains_key(need)
            || http::HostGrant::parse(need)
                .is_some_and(|need| self.http.values().any(|g| *g == need))
    }
}

/// The http(s) URL a need naming one whole setting (`{trackingUri}`) stands for, if it is one.
fn setting_url(need: &str, settings: &BTreeMap<String, String>) -> Option<String> {
    let inner = need.strip_prefix('{')?.strip_suffix('}')?;
    let key = inner.split('|').next()?;
    let value = settings.get(key)?.trim();
    let scheme = value.split_once("://")?.0.to_ascii_lowercase();
    (scheme == "http" || scheme == "https").then(|| value.to_owned())
}

/// Every plain-text value of `config` that is no secret, by its dotted path (objects only: a list
/// names no single host).
fn plain_settings(config: &serde_json::Value, prefix: &str, out: &mut BTreeMap<String, String>) {
    let Some(map) = config.as_object() else {
        return;
    };
    for (key, value) in map {
        if omrun_config::is_secret_key(key) {
            continue;
        }
        let path = match prefix {
            "" => key.clone(),
            _ => format!("{prefix}.{key}"),
        };
        match value {
            serde_json::Value::String(text) => {
                out.insert(path, text.clone());
            }
            serde_json::Value::Object(_) => plain_settings(value, &path, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(connection: &str) -> Grants {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        let text = format!(
            "source:\n  type: looker\n  serviceName: svc\n  serviceConnection:\n    config:\n{connection}\
             sink:\n  type: file\n  config:\n    filename: out.jsonl\n"
        );
        std::fs::write(&path, text).unwrap();
        let (config, _) = omrun_config::load(&path).unwrap();
        Grants::from_config(&config, Duration::from_secs(1)).unwrap()
    }

    #[test]
    fn an_http_host_port_grants_its_host_as_source_with_the_secrets() {
        let grants = grants(
            "      type: Looker\n      hostPort: https://company.looker.com\n      \
             clientId: id\n      clientSecret: s\n",
        );
        assert_eq!(grants.http[SOURCE_LABEL].to_string(), "company.looker.com");
        assert!(grants.sql.is_empty());
        assert_eq!(grants.secrets["clientSecret"].expose(), "s");
        assert!(!grants.secrets.contains_key("clientId"));

        let http = |host: &str| Capability::Http(host.into());
        for granted in ["source", "company.looker.com", "COMPANY.looker.com"] {
            grants.check("looker", &[http(granted)]).unwrap();
        }
        let err = grants
            .check(
                "looker",
                &[http("company.looker.com:8443"), http("other.example")],
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "plugin looker needs http to `company.looker.com:8443`, http to `other.example` \
             which the config does not grant"
        );
    }

    #[test]
    fn a_need_naming_a_url_setting_is_the_source_reached_first() {
        let grants = grants(
            "      type: Mlflow\n      trackingUri: http://127.0.0.1:5000\n      \
             registryUri: mysql+pymysql://u@db/x\n",
        );
        let granted = grants
            .for_plugin("mlflow", &[Capability::Http("{trackingUri}".into())])
            .unwrap();
        assert_eq!(
            granted.http_source.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(setting_url("{registryUri}", &grants.settings), None);
        assert_eq!(
            setting_url("{account}.snowflakecomputing.com", &grants.settings),
            None
        );
    }

    #[test]
    fn a_database_host_port_grants_no_http() {
        let grants = grants("      type: CustomDatabase\n      hostPort: localhost:5432\n");
        assert!(grants.http.is_empty());
        assert!(
            grants
                .check("p", &[Capability::Http("source".into())])
                .is_err()
        );
    }

    #[test]
    fn a_plugin_that_needs_http_to_the_source_gets_its_host_port() {
        let grants =
            grants("      type: Trino\n      hostPort: localhost:8080\n      username: u\n");
        assert!(grants.http.is_empty(), "nothing before a plugin asks");
        let granted = grants
            .for_plugin("trino", &[Capability::Http("source".into())])
            .unwrap();
        assert_eq!(granted.http[SOURCE_LABEL].to_string(), "localhost:8080");
        assert_eq!(
            granted.http_source.as_deref(),
            Some("https://localhost:8080")
        );
    }

    #[test]
    fn a_need_may_name_a_nested_setting_with_a_default() {
        let needs = || {
            vec![
                Capability::Http("{hostPort|bigquery.googleapis.com}".into()),
                Capability::Http(
                    "{credentials.gcpConfig.tokenUri|https://oauth2.googleapis.com/token}".into(),
                ),
            ]
        };
        let set = grants(
            "      type: BigQuery\n      hostPort: http://127.0.0.1:9050\n      credentials:\n        \
             gcpConfig:\n          clientEmail: a@b.iam\n          privateKey: k\n          \
             tokenUri: http://localhost:9051/token\n",
        )
        .for_plugin("bigquery", &needs())
        .unwrap();
        assert!(set.grants_http("127.0.0.1:9050"));
        assert!(set.grants_http("localhost:9051"));
        assert!(!set.grants_http("oauth2.googleapis.com"));
        // The private key is a secret: no setting, a placeholder's.
        assert!(set.secrets.contains_key("privateKey"));
        assert!(
            !set.settings
                .contains_key("credentials.gcpConfig.privateKey")
        );

        let defaults = grants(
            "      type: BigQuery\n      credentials:\n        gcpConfig:\n          \
             clientEmail: a@b.iam\n",
        )
        .for_plugin("bigquery", &needs())
        .unwrap();
        assert!(defaults.grants_http("bigquery.googleapis.com"));
        assert!(defaults.grants_http("oauth2.googleapis.com"));
        assert!(!defaults.grants_http("127.0.0.1:9050"));

        // Without a default, an unset setting grants nothing and the plugin is refused.
        let err = grants("      type: BigQuery\n      credentials:\n        gcpConfig:\n          type: service_account\n")
            .for_plugin("p", &[Capability::Http("{credentials.gcpConfig.tokenUri}".into())])
            .unwrap_err();
        assert!(
            err.to_string().contains("which the config does not grant"),
            "{err}"
        );
    }

    #[test]
    fn a_need_built_from_the_settings_is_granted_by_setting_them() {
        let need = || vec![Capability::Http("{account}.snowflakecomputing.com".into())];
        let configured = grants(
            "      type: Snowflake\n      account: xy12345.eu-west-1\n      username: u\n      \
             warehouse: w\n      connectionArguments:\n        host: localhost\n        \
             port: 8085\n        protocol: http\n",
        );
        assert_eq!(
            configured.http[CONNECTION_ARGUMENTS_LABEL].to_string(),
            "localhost:8085"
        );
        let granted = configured.for_plugin("snowflake", &need()).unwrap();
        assert!(granted.grants_http("xy12345.eu-west-1.snowflakecomputing.com"));

        // A value that would make more than a host name grants nothing.
        let without = grants(
            "      type: Snowflake\n      account: evil.com/x\n      username: u\n      \
             warehouse: w\n",
        );
        let err = without.for_plugin("snowflake", &need()).unwrap_err();
        assert!(
            err.to_string()
                .contains("needs http to `{account}.snowflakecomputing.com`"),
            "{err}"
        );
    }
}
