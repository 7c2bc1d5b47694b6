//! The workflow config in OpenMetadata's `UnityCatalog` shape (its `Databricks` shape carries the
//! same keys): `serviceConnection.config` (`hostPort`, `authType.token` — which never arrives: the
//! host holds it —, `catalog`, `databaseSchema`, `connectionTimeout`, the connection's default
//! filter patterns) and `sourceConfig.config` (OpenMetadata's `DatabaseMetadata` pipeline).
//! Unknown keys are ignored.

use std::time::Duration;

use omrun_common_db::filter::{FilterPattern, PatternConfig};
use serde::Deserialize;
use serde_json::Value;

/// What the connector reads from the config.
#[derive(Debug, Clone)]
pub struct Config {
    /// `scheme://host[:port]` of the workspace, from `hostPort` (`https://` when it has none).
    pub base_url: String,
    /// `catalog`: the only catalog to ingest, if set (no database filter applies to it).
    pub catalog: Option<String>,
    /// `databaseSchema`: the only schema of each catalog to ingest, if set.
    pub schema: Option<String>,
    /// `connectionTimeout` (default 120 s): how long one request may wait for an answer.
    pub timeout: Duration,
    /// `sourceConfig.config`'s patterns, then the connection's own (`serviceConnection.config`'s
    /// `databaseFilterPattern`… with OpenMetadata's defaults: the `system` catalog and the
    /// `information_schema` schemas left out).
    pub databases: [FilterPattern; 2],
    pub schemas: [FilterPattern; 2],
    pub tables: [FilterPattern; 2],
    /// `includeTables` (default true): everything that is not a view.
    pub include_tables: bool,
    /// `includeViews` (default true): views and materialized views.
    pub include_views: bool,
    /// `useFqnForFiltering`: patterns match fully qualified names instead of bare names.
    pub use_fqn_for_filtering: bool,
}

/// The connection's default `databaseFilterPattern` in OpenMetadata's `UnityCatalog` and
/// `Databricks` schemas: Databricks' own `system` catalog left out.
const DEFAULT_DATABASE_EXCLUDES: &str = "^system$";
/// The connection's default `schemaFilterPattern`: each catalog's `information_schema` left out.
const DEFAULT_SCHEMA_EXCLUDES: &str = "^information_schema$";
/// `connectionTimeout`'s default in OpenMetadata's schemas, in seconds.
const DEFAULT_TIMEOUT_SECS: u64 = 120;

impl Config {
    /// Parses `serviceConnection.config` and `sourceConfig.config` (JSON).
    pub fn parse(connection: &str, source: &str) -> Result<Self, String> {
        let connection: Connection = parse_json(connection, "serviceConnection.config")?;
        let source: Source = parse_json(source, "sourceConfig.config")?;
        let base_url = base_url(connection.host_port.as_deref().unwrap_or_default())?;
        check_auth(connection.auth_type.as_ref())?;
        let pattern = FilterPattern::from_config;
        let default = |key: &str, config: Option<PatternConfig>, exclude: Option<&str>| {
            let config = config.unwrap_or_else(|| PatternConfig {
                includes: None,
                excludes: exclude.map(|e| vec![e.to_owned()]),
            });
            FilterPattern::from_config(&format!("serviceConnection.config.{key}"), Some(config))
        };
        let non_empty =
            |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(Self {
            base_url,
            catalog: non_empty(connection.catalog),
            schema: non_empty(connection.database_schema),
            timeout: Duration::from_secs(
                connection
                    .connection_timeout
                    .filter(|s| *s > 0)
                    .unwrap_or(DEFAULT_TIMEOUT_SECS),
            ),
            databases: [
                pattern("databaseFilterPattern", source.database_filter_pattern)?,
                default(
                    "databaseFilterPattern",
                    connection.database_filter_pattern,
                    Some(DEFAULT_DATABASE_EXCLUDES),
                )?,
            ],
            schemas: [
                pattern("schemaFilterPattern", source.schema_filter_pattern)?,
                default(
                    "schemaFilterPattern",
                    connection.schema_filter_pattern,
                    Some(DEFAULT_SCHEMA_EXCLUDES),
                )?,
            ],
            tables: [
                pattern("tableFilterPattern", source.table_filter_pattern)?,
                default("tableFilterPattern", connection.table_filter_pattern, None)?,
            ],
            include_tables: source.include_tables.unwrap_or(true),
            include_views: source.include_views.unwrap_or(true),
            use_fqn_for_filtering: source.use_fqn_for_filtering.unwrap_or(false),
        })
    }
}

/// Whether every pattern of `patterns` keeps `name`.
pub fn keeps(patterns: &[FilterPattern; 2], name: &str) -> bool {
    patterns.iter().all(|p| p.keeps(name))
}

/// `scheme://host[:port]` from OpenMetadata's `hostPort`: `adb-1.azuredatabricks.net`,
/// `adb-1.azuredatabricks.net:443` or a pasted URL (`https://…/?o=1`, whose path is dropped, as
/// OpenMetadata's `normalize_host_port` drops it). Without a scheme the workspace is reached over
/// https, as Databricks' SDK reaches it.
fn base_url(host_port: &str) -> Result<String, String> {
    let host_port = host_port.trim();
    if host_port.is_empty() {
        return Err(
            "serviceConnection.config.hostPort is required (the workspace, e.g. \
                    adb-1234567890123456.7.azuredatabricks.net:443)"
                .into(),
        );
    }
    let (scheme, rest) = match host_port.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("https".to_owned(), host_port),
    };
    if scheme != "https" && scheme != "http" {
        return Err(format!(
            "serviceConnection.config.hostPort `{host_port}`: only https (or http) workspaces"
        ));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(format!(
            "serviceConnection.config.hostPort `{host_port}` names no host"
        ));
    }
    Ok(format!("{scheme}://{authority}"))
}

/// Only personal access tokens are sent: OAuth (`clientId`, `clientSecret`) and Azure AD
/// (`azureClientId`, …) need a token exchange the plugin does not make yet. The token itself never
/// reaches the plugin, so a config without `authType` at all is the only other thing it can see.
fn check_auth(auth: Option<&Value>) -> Result<(), String> {
    let Some(auth) = auth.filter(|a| !a.is_null()) else {
        return Err("serviceConnection.config.authType is required: \
                    `authType: {token: ${DATABRICKS_TOKEN}}` (a personal access token)"
            .into());
    };
    let has = |key: &str| auth.get(key).is_some_and(|v| !v.is_null());
    if has("azureClientId") || has("azureTenantId") {
        return Err(
            "serviceConnection.config.authType: Azure AD service principals are not \
                    supported yet; use a personal access token (`authType: {token: …}`)"
                .into(),
        );
    }
    if has("clientId") {
        return Err(
            "serviceConnection.config.authType: Databricks OAuth (clientId, \
                    clientSecret) is not supported yet; use a personal access token \
                    (`authType: {token: …}`)"
                .into(),
        );
    }
    Ok(())
}

/// The config keys [`Config::parse`] reads, declared to the host (`declare_config_keys!`).
/// `authType.token` is used too, under `authType`: the plugin names it by placeholder
/// (`http::secret("token")`) and the host fills it in on the way out.
// Read by `declare_config_keys!`, which is WebAssembly only.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub const KEYS: &[&str] = &[
    "serviceConnection.config.hostPort",
    "serviceConnection.config.authType",
    "serviceConnection.config.catalog",
    "serviceConnection.config.databaseSchema",
    "serviceConnection.config.connectionTimeout",
    "serviceConnection.config.databaseFilterPattern",
    "serviceConnection.config.schemaFilterPattern",
    "serviceConnection.config.tableFilterPattern",
    "sourceConfig.config.databaseFilterPattern",
    "sourceConfig.config.schemaFilterPattern",
    "sourceConfig.config.tableFilterPattern",
    "sourceConfig.config.includeTables",
    "sourceConfig.config.includeViews",
    "sourceConfig.config.useFqnForFiltering",
];

// Options everywhere: OpenMetadata configs write `null` as often as they leave a key out.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Connection {
    host_port: Option<String>,
    auth_type: Option<Value>,
    catalog: Option<String>,
    database_schema: Option<String>,
    connection_timeout: Option<u64>,
    database_filter_pattern: Option<PatternConfig>,
    schema_filter_pattern: Option<PatternConfig>,
    table_filter_pattern: Option<PatternConfig>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Source {
    database_filter_pattern: Option<PatternConfig>,
    schema_filter_pattern: Option<PatternConfig>,
    table_filter_pattern: Option<PatternConfig>,
    include_tables: Option<bool>,
    include_views: Option<bool>,
    use_fqn_for_filtering: Option<bool>,
}

/// Parses a JSON object; empty text or `null` count as `{}`.
fn parse_json<T: serde::de::DeserializeOwned + Default>(
    json: &str,
    what: &str,
) -> Result<T, String> {
    let json = json.trim();
    if json.is_empty() || json == "null" {
        return Ok(T::default());
    }
    serde_json::from_str(json).map_err(|e| format!("invalid {what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use omrun_sdk::config_keys::fields_of;

    #[test]
    fn keys_are_the_fields_read() {
        let mut read: Vec<String> = fields_of::<Connection>()
            .into_iter()
            .map(|k| format!("serviceConnection.config.{k}"))
            .chain(
                fields_of::<Source>()
                    .into_iter()
                    .map(|k| format!("sourceConfig.config.{k}")),
            )
            .collect();
        read.sort();
        let mut declared: Vec<String> = KEYS.iter().map(|k| (*k).to_owned()).collect();
        declared.sort();
        assert_eq!(read, declared);
    }

    const CONNECTION: &str =
        r#"{"type":"UnityCatalog","hostPort":"adb-1.azuredatabricks.net:443","authType":{}}"#;

    #[test]
    fn defaults() {
        for source in [
            "",
            "null",
            "{}",
            r#"{"type":"DatabaseMetadata","includeViews":null}"#,
        ] {
            let c = Config::parse(CONNECTION, source).unwrap();
            assert_eq!(c.base_url, "https://adb-1.azuredatabricks.net:443");
            assert_eq!((c.catalog.as_deref(), c.schema.as_deref()), (None, None));
            assert_eq!(c.timeout, Duration::from_secs(120));
            assert!(c.include_tables && c.include_views && !c.use_fqn_for_filtering);
            // OpenMetadata's connection defaults: `system` and `information_schema` left out.
            assert!(keeps(&c.databases, "main") && !keeps(&c.databases, "system"));
            assert!(keeps(&c.databases, "system_x"));
            assert!(keeps(&c.schemas, "sales") && !keeps(&c.schemas, "INFORMATION_SCHEMA"));
            assert!(keeps(&c.tables, "anything"));
        }
    }

    #[test]
    fn host_port_forms() {
        let url = |h: &str| {
            Config::parse(&format!(r#"{{"hostPort":"{h}","authType":{{}}}}"#), "{}")
                .map(|c| c.base_url)
        };
        assert_eq!(
            url("dbc-1.cloud.databricks.com").unwrap(),
            "https://dbc-1.cloud.databricks.com"
        );
        assert_eq!(
            url("https://adb-1.azuredatabricks.net/?o=1#x").unwrap(),
            "https://adb-1.azuredatabricks.net"
        );
        assert_eq!(
            url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(url("").unwrap_err().contains("hostPort is required"));
        assert!(url("ftp://x").unwrap_err().contains("only https"));
        assert!(url("https:///x").unwrap_err().contains("names no host"));
    }

    #[test]
    fn catalog_schema_filters_and_flags() {
        let c = Config::parse(
            r#"{"hostPort":"h","authType":{},"catalog":"main","databaseSchema":" sales ",
                "connectionTimeout":5,"databaseFilterPattern":{},
                "schemaFilterPattern":{"excludes":["^tmp"]},
                "tableFilterPattern":{"includes":["^fact_"]}}"#,
            r#"{"databaseFilterPattern":{"includes":["^ma"]},"schemaFilterPattern":{"excludes":null},
                "tableFilterPattern":{"excludes":[".*_bak$"]},"includeTables":false,
                "includeViews":true,"useFqnForFiltering":true}"#,
        )
        .unwrap();
        assert_eq!(c.catalog.as_deref(), Some("main"));
        assert_eq!(c.schema.as_deref(), Some("sales"));
        assert_eq!(c.timeout, Duration::from_secs(5));
        // The connection's own pattern replaces OpenMetadata's default when it is written.
        assert!(keeps(&c.databases, "main") && !keeps(&c.databases, "hive"));
        assert!(
            keeps(&c.databases, "master"),
            "system is no longer left out by default"
        );
        assert!(keeps(&c.schemas, "information_schema") && !keeps(&c.schemas, "tmp_x"));
        assert!(keeps(&c.tables, "fact_orders") && !keeps(&c.tables, "fact_orders_bak"));
        assert!(!keeps(&c.tables, "dim_x"));
        assert!(!c.include_tables && c.include_views && c.use_fqn_for_filtering);
    }

    #[test]
    fn only_personal_access_tokens() {
        let auth = |a: &str| Config::parse(&format!(r#"{{"hostPort":"h","authType":{a}}}"#), "{}");
        assert!(auth("{}").is_ok());
        let e = auth(r#"{"clientId":"sp"}"#).unwrap_err();
        assert!(
            e.contains("OAuth") && e.contains("personal access token"),
            "{e}"
        );
        let e = auth(r#"{"azureClientId":"x","azureTenantId":"t"}"#).unwrap_err();
        assert!(e.contains("Azure AD"), "{e}");
        let e = Config::parse(r#"{"hostPort":"h"}"#, "{}").unwrap_err();
        assert!(e.contains("authType is required"), "{e}");
    }

    #[test]
    fn errors_name_the_key() {
        let e =
            Config::parse(CONNECTION, r#"{"tableFilterPattern":{"includes":["("]}}"#).unwrap_err();
        assert!(e.contains("tableFilterPattern.includes"), "{e}");
        let e = Config::parse(
            r#"{"hostPort":"h","authType":{},"schemaFilterPattern":{"excludes":["["]}}"#,
            "{}",
        )
        .unwrap_err();
        assert!(
            e.contains("serviceConnection.config.schemaFilterPattern.excludes"),
            "{e}"
        );
        let e = Config::parse("[1]", "{}").unwrap_err();
        assert!(e.contains("serviceConnection.config"), "{e}");
    }
}
