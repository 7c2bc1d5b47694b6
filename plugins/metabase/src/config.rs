//! The workflow config in OpenMetadata's Metabase shape: `serviceConnection.config` (`hostPort`,
//! `username`, and either `password` or `apiKey` — neither arrives: the host holds them, the
//! plugin only learns which one is set) and `sourceConfig.config` (OpenMetadata's
//! `DashboardMetadata` pipeline). Unknown keys are ignored.

use omrun_common_db::filter::{FilterPattern, PatternConfig};
use serde::Deserialize;

/// How the connector signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// `X-API-KEY: <apiKey>` on every call (OpenMetadata prefers it when set).
    ApiKey,
    /// `POST /api/session` with `username` and `password`, then `X-Metabase-Session`.
    Password { username: String },
}

/// What the connector reads from the config.
#[derive(Debug, Clone)]
pub struct Config {
    /// `hostPort` without a trailing `/`, e.g. `https://metabase.example.com`.
    pub base_url: String,
    pub login: Login,
    /// `dashboardFilterPattern`, matched against a dashboard's name.
    pub dashboards: FilterPattern,
    /// `chartFilterPattern`, matched against a card's name.
    pub charts: FilterPattern,
    /// `dataModelFilterPattern`, matched against a Metabase model's name.
    pub data_models: FilterPattern,
    /// `projectFilterPattern`, matched against a dashboard's collection name.
    pub projects: FilterPattern,
    /// Whether `projectFilterPattern` is set at all: then, as in OpenMetadata, a dashboard in
    /// no collection (the root one) has no project name and is left out.
    pub projects_set: bool,
    /// `includeOwners` (default false): the dashboard's creator's e-mail.
    pub include_owners: bool,
    /// `includeDataModels` (default true): Metabase models as data models.
    pub include_data_models: bool,
}

impl Config {
    /// Parses `serviceConnection.config` and `sourceConfig.config` (JSON); `secrets` are the
    /// connection settings the host holds (`password`, `apiKey`).
    pub fn parse(connection: &str, source: &str, secrets: &[String]) -> Result<Self, String> {
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
                "serviceConnection.config.hostPort is required (e.g. https://metabase.example.com)",
            )?
            .trim()
            .trim_end_matches('/')
            .to_owned();
        if !base_url.starts_with("http://") && !base_url.starts_with("https://") {
            return Err(format!(
                "serviceConnection.config.hostPort must be an http(s) URL, not `{base_url}`"
            ));
        }
        let has = |key: &str| secrets.iter().any(|s| s == key);
        // As OpenMetadata's client: the API key when there is one, else a session.
        let login = if has("apiKey") {
            Login::ApiKey
        } else {
            let username = connection
                .username
                .filter(|u| !u.is_empty())
                .ok_or("serviceConnection.config needs apiKey, or username and password")?;
            if !has("password") {
                return Err(
                    "serviceConnection.config.password is required with username \
                            (or set apiKey instead)"
                        .into(),
                );
            }
            Login::Password { username }
        };
        let pattern = FilterPattern::from_config;
        let projects_set = source.project_filter_pattern.is_some();
        Ok(Self {
            base_url,
            login,
            dashboards: pattern("dashboardFilterPattern", source.dashboard_filter_pattern)?,
            charts: pattern("chartFilterPattern", source.chart_filter_pattern)?,
            data_models: pattern("dataModelFilterPattern", source.data_model_filter_pattern)?,
            projects: pattern("projectFilterPattern", source.project_filter_pattern)?,
            projects_set,
            include_owners: source.include_owners.unwrap_or(false),
            include_data_models: source.include_data_models.unwrap_or(true),
        })
    }

    /// Whether a dashboard of this collection (`None`: the root collection) is kept, as
    /// OpenMetadata's `filter_by_project`.
    pub fn keeps_project(&self, project: Option<&str>) -> bool {
        match project {
            Some(p) => self.projects.keeps(p),
            None => !self.projects_set,
        }
    }
}

/// The config keys [`Config::parse`] reads, declared to the host (`declare_config_keys!`).
/// `password` and `apiKey` are used too: the plugin names them by placeholder (`http::secret`)
/// and the host fills them in on the way out, so they never reach the plugin.
pub const KEYS: &[&str] = &[
    "serviceConnection.config.hostPort",
    "serviceConnection.config.username",
    "serviceConnection.config.password",
    "serviceConnection.config.apiKey",
    "sourceConfig.config.dashboardFilterPattern",
    "sourceConfig.config.chartFilterPattern",
    "sourceConfig.config.dataModelFilterPattern",
    "sourceConfig.config.projectFilterPattern",
    "sourceConfig.config.includeOwners",
    "sourceConfig.config.includeDataModels",
];

// Options everywhere: OpenMetadata configs write `null` as often as they leave a key out.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    host_port: Option<String>,
    username: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Source {
    dashboard_filter_pattern: Option<PatternConfig>,
    chart_filter_pattern: Option<PatternConfig>,
    data_model_filter_pattern: Option<PatternConfig>,
    project_filter_pattern: Option<PatternConfig>,
    include_owners: Option<bool>,
    include_data_models: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use omrun_sdk::config_keys::fields_of;

    #[test]
    fn keys_are_the_fields_read_and_the_secrets() {
        let mut read: Vec<String> = fields_of::<Connection>()
            .into_iter()
            .chain(["password".to_owned(), "apiKey".to_owned()])
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

    const CONNECTION: &str = r#"{"type":"Metabase","hostPort":"https://mb.example.com/",
        "username":"admin@example.com"}"#;

    fn secrets(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn defaults() {
        for source in [
            "",
            "null",
            "{}",
            r#"{"type":"DashboardMetadata","includeOwners":null}"#,
        ] {
            let c = Config::parse(CONNECTION, source, &secrets(&["password"])).unwrap();
            assert_eq!(c.base_url, "https://mb.example.com");
            assert_eq!(
                c.login,
                Login::Password {
                    username: "admin@example.com".into()
                }
            );
            assert!(!c.include_owners && c.include_data_models, "{source}");
            assert!(c.dashboards.keeps("x") && c.charts.keeps("x") && c.data_models.keeps("x"));
            assert!(c.keeps_project(None) && c.keeps_project(Some("Sales")));
        }
    }

    #[test]
    fn the_api_key_wins_as_in_openmetadata() {
        let c = Config::parse(CONNECTION, "{}", &secrets(&["password", "apiKey"])).unwrap();
        assert_eq!(c.login, Login::ApiKey);
        let c = Config::parse(
            r#"{"hostPort":"http://mb:3000"}"#,
            "{}",
            &secrets(&["apiKey"]),
        )
        .unwrap();
        assert_eq!(c.login, Login::ApiKey);
    }

    #[test]
    fn filters_and_flags() {
        let c = Config::parse(
            CONNECTION,
            r#"{"dashboardFilterPattern":{"includes":["Sales.*"],"excludes":null},
                "chartFilterPattern":{"excludes":["^tmp"]},
                "dataModelFilterPattern":{"includes":["orders"]},
                "projectFilterPattern":{"excludes":["Finance"]},
                "includeOwners":true,"includeDataModels":false}"#,
            &secrets(&["password"]),
        )
        .unwrap();
        assert!(c.dashboards.keeps("sales overview") && !c.dashboards.keeps("HR"));
        assert!(!c.charts.keeps("tmp chart") && c.charts.keeps("Revenue"));
        assert!(c.data_models.keeps("Orders model") && !c.data_models.keeps("People"));
        assert!(c.keeps_project(Some("Sales")) && !c.keeps_project(Some("finance")));
        // A dashboard of the root collection has no project: out, once the pattern is set.
        assert!(!c.keeps_project(None));
        assert!(c.include_owners && !c.include_data_models);
    }

    #[test]
    fn errors_name_the_key() {
        let e = Config::parse(r#"{"username":"x"}"#, "{}", &secrets(&["password"])).unwrap_err();
        assert!(e.contains("hostPort"), "{e}");
        let e = Config::parse(r#"{"hostPort":"mb:3000","username":"x"}"#, "{}", &[]).unwrap_err();
        assert!(e.contains("http(s) URL"), "{e}");
        let e = Config::parse(r#"{"hostPort":"https://m"}"#, "{}", &[]).unwrap_err();
        assert!(e.contains("apiKey, or username"), "{e}");
        let e = Config::parse(CONNECTION, "{}", &[]).unwrap_err();
        assert!(e.contains("password is required"), "{e}");
        let e = Config::parse(
            CONNECTION,
            r#"{"projectFilterPattern":{"includes":["("]}}"#,
            &secrets(&["password"]),
        )
        .unwrap_err();
        assert!(e.contains("projectFilterPattern.includes"), "{e}");
    }
}
