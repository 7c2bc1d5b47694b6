//! The workflow config in OpenMetadata's Superset shape: `serviceConnection.config` (`hostPort`,
//! `connection` as a `SupersetApiConnection`: `provider`, `username`; `password` never arrives: the
//! host holds it) and `sourceConfig.config` (OpenMetadata's `DashboardMetadata` pipeline). Unknown
//! keys are ignored.

use omrun_common_db::filter::{FilterPattern, PatternConfig};
use serde::Deserialize;

/// What the connector reads from the config.
#[derive(Debug, Clone)]
pub struct Config {
    /// `hostPort` without a trailing `/`, e.g. `https://superset.example.com`.
    pub base_url: String,
    /// `connection.provider`: `db` or `ldap`, as Superset's login takes it.
    pub provider: String,
    /// `connection.username` (the password goes by placeholder).
    pub username: String,
    /// `dashboardFilterPattern`, matched against a dashboard's title.
    pub dashboards: FilterPattern,
    /// `chartFilterPattern`, matched against a chart's name (`slice_name`).
    pub charts: FilterPattern,
    /// `dataModelFilterPattern`, matched against a dataset's table name.
    pub data_models: FilterPattern,
    /// `includeOwners` (default false): the dashboard owners' e-mails.
    pub include_owners: bool,
    /// `includeDataModels` (default true): datasets as data models.
    pub include_data_models: bool,
    /// `includeDraftDashboard` (default true): unpublished dashboards too.
    pub include_drafts: bool,
}

impl Config {
    /// Parses `serviceConnection.config` and `sourceConfig.config` (JSON).
    pub fn parse(connection: &str, source: &str) -> Result<Self, String> {
        let connection: Connection = serde_json::from_str(connection)
            .map_err(|e| format!("invalid serviceConnection.config: {e}"))?;
        let source = source.trim();
        let source: Source = if source.is_empty() || source == "null" {
            Source::default()
        } else {
            serde_json::from_str(source).map_err(|e| format!("invalid sourceConfig.config: {e}"))?
        };
        let base_url = connection
            .host_port
            .filter(|h| !h.trim().is_empty())
            .ok_or(
                "serviceConnection.config.hostPort is required (e.g. https://superset.example.com)",
            )?
            .trim()
            .trim_end_matches('/')
            .to_owned();
        if !base_url.starts_with("http://") && !base_url.starts_with("https://") {
            return Err(format!(
                "serviceConnection.config.hostPort must be an http(s) URL, not `{base_url}`"
            ));
        }
        let api = connection.connection.ok_or(
            "serviceConnection.config.connection is required: {provider: db, username, password}",
        )?;
        // OpenMetadata's other choice, a PostgresConnection or MysqlConnection to Superset's
        // metadata database (its DB source), has no `provider`.
        let provider = api.provider.filter(|p| !p.is_empty()).ok_or(
            "serviceConnection.config.connection must be Superset's API login ({provider: db|ldap, \
             username, password}); omrun does not read Superset's metadata database (OpenMetadata's \
             DB source)",
        )?;
        if provider != "db" && provider != "ldap" {
            return Err(format!(
                "serviceConnection.config.connection.provider must be db or ldap, not `{provider}`"
            ));
        }
        let username = api
            .username
            .filter(|u| !u.is_empty())
            .ok_or("serviceConnection.config.connection.username is required")?;
        let pattern = FilterPattern::from_config;
        Ok(Self {
            base_url,
            provider,
            username,
            dashboards: pattern("dashboardFilterPattern", source.dashboard_filter_pattern)?,
            charts: pattern("chartFilterPattern", source.chart_filter_pattern)?,
            data_models: pattern("dataModelFilterPattern", source.data_model_filter_pattern)?,
            include_owners: source.include_owners.unwrap_or(false),
            include_data_models: source.include_data_models.unwrap_or(true),
            include_drafts: source.include_draft_dashboard.unwrap_or(true),
        })
    }
}

/// The config keys [`Config::parse`] reads, declared to the host (`declare_config_keys!`).
/// `connection.password` is used too: the plugin names it by placeholder (`http::secret`) in the
/// login's body and the host fills it in on the way out, so the password never reaches the plugin.
pub const KEYS: &[&str] = &[
    "serviceConnection.config.hostPort",
    // `provider`, `username` and `password` (by placeholder); the host checks what is set at
    // the level of `connection`.
    "serviceConnection.config.connection",
    "sourceConfig.config.dashboardFilterPattern",
    "sourceConfig.config.chartFilterPattern",
    "sourceConfig.config.dataModelFilterPattern",
    "sourceConfig.config.includeOwners",
    "sourceConfig.config.includeDataModels",
    "sourceConfig.config.includeDraftDashboard",
];

// Options everywhere: OpenMetadata configs write `null` as often as they leave a key out.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    host_port: Option<String>,
    connection: Option<ApiConnection>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiConnection {
    provider: Option<String>,
    username: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Source {
    dashboard_filter_pattern: Option<PatternConfig>,
    chart_filter_pattern: Option<PatternConfig>,
    data_model_filter_pattern: Option<PatternConfig>,
    include_owners: Option<bool>,
    include_data_models: Option<bool>,
    include_draft_dashboard: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use omrun_sdk::config_keys::fields_of;

    #[test]
    fn keys_are_the_fields_read_and_the_secret() {
        assert_eq!(fields_of::<ApiConnection>(), ["provider", "username"]);
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

    const CONNECTION: &str = r#"{"type":"Superset","hostPort":"http://superset:8088/",
        "connection":{"provider":"db","username":"admin","verifySSL":"no-ssl"}}"#;

    #[test]
    fn defaults() {
        for source in [
            "",
            "null",
            "{}",
            r#"{"type":"DashboardMetadata","includeOwners":null}"#,
        ] {
            let c = Config::parse(CONNECTION, source).unwrap();
            assert_eq!(c.base_url, "http://superset:8088");
            assert_eq!((c.provider.as_str(), c.username.as_str()), ("db", "admin"));
            assert!(!c.include_owners && c.include_data_models && c.include_drafts);
            assert!(c.dashboards.keeps("x") && c.charts.keeps("x") && c.data_models.keeps("x"));
        }
    }

    #[test]
    fn filters_and_flags() {
        let c = Config::parse(
            CONNECTION,
            r#"{"dashboardFilterPattern":{"includes":["Sales.*"],"excludes":null},
                "chartFilterPattern":{"excludes":["^tmp"]},
                "dataModelFilterPattern":{"includes":["orders"]},
                "includeOwners":true,"includeDataModels":false,"includeDraftDashboard":false}"#,
        )
        .unwrap();
        assert!(c.dashboards.keeps("sales overview") && !c.dashboards.keeps("HR"));
        assert!(!c.charts.keeps("tmp chart") && c.charts.keeps("Revenue"));
        assert!(c.data_models.keeps("orders_by_day") && !c.data_models.keeps("people"));
        assert!(c.include_owners && !c.include_data_models && !c.include_drafts);
    }

    #[test]
    fn errors_name_the_key() {
        let e =
            Config::parse(r#"{"connection":{"provider":"db","username":"a"}}"#, "{}").unwrap_err();
        assert!(e.contains("hostPort"), "{e}");
        let e = Config::parse(
            r#"{"hostPort":"superset:8088","connection":{"provider":"db","username":"a"}}"#,
            "{}",
        )
        .unwrap_err();
        assert!(e.contains("http(s) URL"), "{e}");
        let e = Config::parse(r#"{"hostPort":"http://s"}"#, "{}").unwrap_err();
        assert!(e.contains("connection is required"), "{e}");
        // OpenMetadata's DB source: a connection to Superset's own metadata database.
        let e = Config::parse(
            r#"{"hostPort":"http://s","connection":{"type":"Postgres","username":"u","hostPort":"db:5432"}}"#,
            "{}",
        )
        .unwrap_err();
        assert!(e.contains("metadata database"), "{e}");
        let e = Config::parse(
            r#"{"hostPort":"http://s","connection":{"provider":"oauth","username":"u"}}"#,
            "{}",
        )
        .unwrap_err();
        assert!(e.contains("db or ldap"), "{e}");
        let e = Config::parse(
            r#"{"hostPort":"http://s","connection":{"provider":"db"}}"#,
            "{}",
        )
        .unwrap_err();
        assert!(e.contains("username"), "{e}");
        let e =
            Config::parse(CONNECTION, r#"{"chartFilterPattern":{"includes":["("]}}"#).unwrap_err();
        assert!(e.contains("chartFilterPattern.includes"), "{e}");
    }
}
