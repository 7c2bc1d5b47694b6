//! The workflow config in OpenMetadata's Tableau shape: `serviceConnection.config` (`hostPort`,
//! `proxyURL`, `siteName`, `apiVersion`, `paginationLimit`, `authType` — a personal access token
//! or a user name and password; the token's name and secret and the password never arrive: the host
//! holds them) and `sourceConfig.config` (OpenMetadata's `DashboardMetadata` pipeline). Unknown keys
//! are ignored.

use omrun_common_db::filter::{FilterPattern, PatternConfig};
use serde::Deserialize;

/// How the connector signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// `authType.personalAccessTokenName` and `…Secret`, both by placeholder (the host counts a
    /// key with `token` in its name a secret, so even the name reaches Tableau only through it).
    PersonalAccessToken,
    /// `authType.username`, and `authType.password` by placeholder.
    Password { username: String },
}

/// What the connector reads from the config.
#[derive(Debug, Clone)]
pub struct Config {
    /// `hostPort` without a trailing `/`, e.g. `https://tableau.example.com`.
    pub base_url: String,
    /// `proxyURL` (else `hostPort`), without a trailing `/`: the base of the source URLs written,
    /// as OpenMetadata's connector builds them.
    pub url_base: String,
    /// `siteName`: the site's content URL (`""`, the default site, when unset).
    pub site: String,
    /// `apiVersion`: the REST API version; `None`: the server's own (`serverInfo`).
    pub api_version: Option<String>,
    /// `paginationLimit` (default 10): data sources per Metadata API page, at most 50 as
    /// OpenMetadata's connector asks.
    pub graphql_page: u32,
    pub sign_in: SignIn,
    /// `dashboardFilterPattern`, matched against a workbook's name.
    pub dashboards: FilterPattern,
    /// `chartFilterPattern`, matched against a view's name.
    pub charts: FilterPattern,
    /// `dataModelFilterPattern`, matched against a data source's name (its id when unnamed).
    pub data_models: FilterPattern,
    /// `projectFilterPattern`, matched against a workbook's project path (`Parent.Child`).
    pub projects: FilterPattern,
    /// Whether `projectFilterPattern` is set (the projects are listed only then).
    pub filters_projects: bool,
    /// `includeOwners` (default false): the workbook's owner's e-mail.
    pub include_owners: bool,
    /// `includeDataModels` (default true): data sources as data models.
    pub include_data_models: bool,
}

/// OpenMetadata's connector asks for at most this many data sources a page.
const MAX_GRAPHQL_PAGE: u32 = 50;

impl Config {
    /// Parses `serviceConnection.config` and `sourceConfig.config` (JSON); `secrets` are the
    /// dotted paths of the secrets the config sets (never their values).
    pub fn parse(connection: &str, source: &str, secrets: &[String]) -> Result<Self, String> {
        let connection: Connection = serde_json::from_str(connection)
            .map_err(|e| format!("invalid serviceConnection.config: {e}"))?;
        let source = source.trim();
        let source: Source = if source.is_empty() || source == "null" {
            Source::default()
        } else {
            serde_json::from_str(source).map_err(|e| format!("invalid sourceConfig.config: {e}"))?
        };
        let url = |key: &str, value: Option<String>| -> Result<Option<String>, String> {
            let Some(v) = value.filter(|v| !v.trim().is_empty()) else {
                return Ok(None);
            };
            let v = v.trim().trim_end_matches('/').to_owned();
            if !v.starts_with("http://") && !v.starts_with("https://") {
                return Err(format!(
                    "serviceConnection.config.{key} must be an http(s) URL, not `{v}`"
                ));
            }
            Ok(Some(v))
        };
        let base_url = url("hostPort", connection.host_port)?.ok_or(
            "serviceConnection.config.hostPort is required (e.g. https://tableau.example.com)",
        )?;
        let url_base = url("proxyURL", connection.proxy_url)?.unwrap_or_else(|| base_url.clone());
        let has = |key: &str| secrets.iter().any(|s| s == key);
        let auth = connection.auth_type.unwrap_or_default();
        let sign_in = if has("authType.personalAccessTokenSecret") {
            if !has("authType.personalAccessTokenName") {
                return Err(
                    "serviceConnection.config.authType.personalAccessTokenName is required with \
                     personalAccessTokenSecret"
                        .into(),
                );
            }
            SignIn::PersonalAccessToken
        } else if has("authType.password") {
            let username = auth
                .username
                .filter(|u| !u.is_empty())
                .ok_or("serviceConnection.config.authType.username is required with a password")?;
            SignIn::Password { username }
        } else {
            return Err(
                "serviceConnection.config.authType is required: a personal access token \
                        (personalAccessTokenName, personalAccessTokenSecret) or a username and \
                        password"
                    .into(),
            );
        };
        let pagination = connection.pagination_limit.unwrap_or(10);
        if pagination == 0 {
            return Err("serviceConnection.config.paginationLimit must be at least 1".into());
        }
        let pattern = FilterPattern::from_config;
        let filters_projects = source.project_filter_pattern.as_ref().is_some_and(|p| {
            let set = |l: &Option<Vec<String>>| l.as_ref().is_some_and(|l| !l.is_empty());
            set(&p.includes) || set(&p.excludes)
        });
        Ok(Self {
            base_url,
            url_base,
            site: connection.site_name.unwrap_or_default().trim().to_owned(),
            api_version: connection
                .api_version
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
            graphql_page: pagination.min(MAX_GRAPHQL_PAGE),
            sign_in,
            dashboards: pattern("dashboardFilterPattern", source.dashboard_filter_pattern)?,
            charts: pattern("chartFilterPattern", source.chart_filter_pattern)?,
            data_models: pattern("dataModelFilterPattern", source.data_model_filter_pattern)?,
            projects: pattern("projectFilterPattern", source.project_filter_pattern)?,
            filters_projects,
            include_owners: source.include_owners.unwrap_or(false),
            include_data_models: source.include_data_models.unwrap_or(true),
        })
    }
}

/// The config keys [`Config::parse`] reads, declared to the host (`declare_config_keys!`). The
/// secrets are used too: the plugin names them by placeholder (`http::secret`) and the host fills
/// them in on the way out.
pub const KEYS: &[&str] = &[
    "serviceConnection.config.hostPort",
    "serviceConnection.config.proxyURL",
    "serviceConnection.config.siteName",
    "serviceConnection.config.apiVersion",
    "serviceConnection.config.paginationLimit",
    "serviceConnection.config.authType",
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
    #[serde(rename = "proxyURL")]
    proxy_url: Option<String>,
    site_name: Option<String>,
    api_version: Option<String>,
    pagination_limit: Option<u32>,
    auth_type: Option<AuthType>,
}

/// What of `authType` reaches the plugin: the user name (the rest are secrets).
#[derive(Deserialize, Default)]
struct AuthType {
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

    const CONNECTION: &str = r#"{"type":"Tableau","hostPort":"https://tableau.example.com/",
        "siteName":"marketing","authType":{}}"#;

    fn pat() -> Vec<String> {
        vec![
            "authType.personalAccessTokenName".into(),
            "authType.personalAccessTokenSecret".into(),
        ]
    }

    #[test]
    fn defaults() {
        for source in [
            "",
            "null",
            "{}",
            r#"{"type":"DashboardMetadata","includeOwners":null}"#,
        ] {
            let c = Config::parse(CONNECTION, source, &pat()).unwrap();
            assert_eq!(c.base_url, "https://tableau.example.com");
            assert_eq!(c.url_base, c.base_url);
            assert_eq!(c.site, "marketing");
            assert_eq!(c.api_version, None);
            assert_eq!(c.graphql_page, 10);
            assert_eq!(c.sign_in, SignIn::PersonalAccessToken);
            assert!(!c.include_owners && c.include_data_models, "{source}");
            assert!(!c.filters_projects);
            assert!(c.dashboards.keeps("x") && c.charts.keeps("x") && c.projects.keeps("x"));
        }
    }

    #[test]
    fn password_sign_in_proxy_version_and_pages() {
        let c = Config::parse(
            r#"{"hostPort":"http://t:8080","proxyURL":"https://proxy.example.com/","apiVersion":"3.19",
                "paginationLimit":200,"authType":{"username":"admin"}}"#,
            r#"{"projectFilterPattern":{"includes":["^Sales"]}}"#,
            &["authType.password".into()],
        )
        .unwrap();
        assert_eq!(
            c.sign_in,
            SignIn::Password {
                username: "admin".into()
            }
        );
        assert_eq!(c.url_base, "https://proxy.example.com");
        assert_eq!(c.api_version.as_deref(), Some("3.19"));
        assert_eq!(c.graphql_page, 50, "at most 50, as OpenMetadata asks");
        assert_eq!(c.site, "");
        assert!(
            c.filters_projects && c.projects.keeps("Sales.Regional") && !c.projects.keeps("HR")
        );
    }

    #[test]
    fn errors_name_the_key() {
        let e = Config::parse(r#"{"authType":{}}"#, "{}", &pat()).unwrap_err();
        assert!(e.contains("hostPort"), "{e}");
        let e = Config::parse(r#"{"hostPort":"tableau:80"}"#, "{}", &pat()).unwrap_err();
        assert!(e.contains("http(s) URL"), "{e}");
        let e = Config::parse(CONNECTION, "{}", &[]).unwrap_err();
        assert!(e.contains("authType is required"), "{e}");
        let e = Config::parse(CONNECTION, "{}", &["authType.password".into()]).unwrap_err();
        assert!(e.contains("username"), "{e}");
        let e = Config::parse(
            CONNECTION,
            "{}",
            &["authType.personalAccessTokenSecret".into()],
        )
        .unwrap_err();
        assert!(e.contains("personalAccessTokenName"), "{e}");
        let e = Config::parse(
            CONNECTION,
            r#"{"dashboardFilterPattern":{"includes":["("]}}"#,
            &pat(),
        )
        .unwrap_err();
        assert!(e.contains("dashboardFilterPattern.includes"), "{e}");
    }
}
