//! The workflow config in OpenMetadata's PowerBI shape: `serviceConnection.config`
//! (`PowerBIConnection`: `clientId`, `tenantId`, `authorityURI`, `apiURL`, `hostPort`, `scope`,
//! `pagination_entity_per_page`, `useAdminApis`; `clientSecret` never arrives: the host holds it)
//! and `sourceConfig.config` (OpenMetadata's `DashboardMetadata` pipeline). Unknown keys are
//! ignored (`pbitFilesSource`, `displayTableNameFromSource`: see docs/connectors.md).

use omrun_common_db::filter::{FilterPattern, PatternConfig};
use serde::Deserialize;

/// OpenMetadata's defaults (`powerBIConnection.json`).
const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/";
const DEFAULT_API: &str = "https://api.powerbi.com";
const DEFAULT_HOST: &str = "https://app.powerbi.com";
const DEFAULT_SCOPE: &str = "https://analysis.windows.net/powerbi/api/.default";
const DEFAULT_PAGE: u32 = 100;
/// GetGroupsAsAdmin's largest `$top`.
const MAX_PAGE: u32 = 5000;
/// PostWorkspaceInfo's most workspaces per scan.
pub const MAX_SCAN: usize = 100;

/// What the connector reads from the config.
#[derive(Debug, Clone)]
pub struct Config {
    pub client_id: String,
    /// `{authorityURI}{tenantId}/oauth2/v2.0/token`.
    pub token_url: String,
    /// `scope`, space-separated.
    pub scope: String,
    /// `{apiURL}/v1.0/myorg`.
    pub api_base: String,
    /// `hostPort` without a trailing `/`: where the source URLs point (the Power BI web app).
    pub web_url: String,
    /// `$top` of the workspace listing: `pagination_entity_per_page`, at most 5000.
    pub page_size: u32,
    /// Workspaces per scan: `pagination_entity_per_page`, at most 100.
    pub scan_size: usize,
    /// `useAdminApis` (default true): the admin scanner API, else the per-workspace API.
    pub use_admin_apis: bool,
    /// `projectFilterPattern`, matched against a workspace's name.
    pub projects: FilterPattern,
    /// `dashboardFilterPattern`: a dashboard's display name, a report's name.
    pub dashboards: FilterPattern,
    /// `chartFilterPattern`: a tile's title (its id when untitled), a page's display name.
    pub charts: FilterPattern,
    /// `dataModelFilterPattern`: a dataset's, dataflow's or datamart's name.
    pub data_models: FilterPattern,
    /// `includeOwners` (default false).
    pub include_owners: bool,
    /// `includeDataModels` (default true).
    pub include_data_models: bool,
}

impl Config {
    /// Parses `serviceConnection.config` and `sourceConfig.config` (JSON).
    pub fn parse(connection: &str, source: &str) -> Result<Self, String> {
        let c: Connection = serde_json::from_str(connection)
            .map_err(|e| format!("invalid serviceConnection.config: {e}"))?;
        let source = source.trim();
        let s: Source = if source.is_empty() || source == "null" {
            Source::default()
        } else {
            serde_json::from_str(source).map_err(|e| format!("invalid sourceConfig.config: {e}"))?
        };
        let required = |value: Option<String>, key: &str| {
            value
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .ok_or(format!("serviceConnection.config.{key} is required"))
        };
        let client_id = required(c.client_id, "clientId")?;
        let tenant_id = required(c.tenant_id, "tenantId")?;
        let url = |value: Option<String>, default: &str, key: &str| -> Result<String, String> {
            let v = value.filter(|v| !v.trim().is_empty());
            let v = v.as_deref().unwrap_or(default).trim().trim_end_matches('/');
            if v.starts_with("http://") || v.starts_with("https://") {
                Ok(v.to_owned())
            } else {
                Err(format!(
                    "serviceConnection.config.{key} must be an http(s) URL, not `{v}`"
                ))
            }
        };
        let authority = url(c.authority_uri, DEFAULT_AUTHORITY, "authorityURI")?;
        let api = url(c.api_url, DEFAULT_API, "apiURL")?;
        let web_url = url(c.host_port, DEFAULT_HOST, "hostPort")?;
        let scope = match c.scope {
            Some(s) if !s.is_empty() => s.join(" "),
            _ => DEFAULT_SCOPE.to_owned(),
        };
        let page = c.pagination_entity_per_page.unwrap_or(DEFAULT_PAGE).max(1);
        let pattern = FilterPattern::from_config;
        Ok(Self {
            client_id,
            token_url: format!("{authority}/{tenant_id}/oauth2/v2.0/token"),
            scope,
            api_base: format!("{api}/v1.0/myorg"),
            web_url,
            page_size: page.min(MAX_PAGE),
            scan_size: (page as usize).min(MAX_SCAN),
            use_admin_apis: c.use_admin_apis.unwrap_or(true),
            projects: pattern("projectFilterPattern", s.project_filter_pattern)?,
            dashboards: pattern("dashboardFilterPattern", s.dashboard_filter_pattern)?,
            charts: pattern("chartFilterPattern", s.chart_filter_pattern)?,
            data_models: pattern("dataModelFilterPattern", s.data_model_filter_pattern)?,
            include_owners: s.include_owners.unwrap_or(false),
            include_data_models: s.include_data_models.unwrap_or(true),
        })
    }
}

/// The config keys [`Config::parse`] reads, declared to the host (`declare_config_keys!`).
/// `clientSecret` is used too: the plugin names it by placeholder in the token request's form and
/// the host fills it in on the way out, so the secret never reaches the plugin.
pub const KEYS: &[&str] = &[
    "serviceConnection.config.clientId",
    "serviceConnection.config.clientSecret",
    "serviceConnection.config.tenantId",
    "serviceConnection.config.authorityURI",
    "serviceConnection.config.apiURL",
    "serviceConnection.config.hostPort",
    "serviceConnection.config.scope",
    "serviceConnection.config.pagination_entity_per_page",
    "serviceConnection.config.useAdminApis",
    "sourceConfig.config.projectFilterPattern",
    "sourceConfig.config.dashboardFilterPattern",
    "sourceConfig.config.chartFilterPattern",
    "sourceConfig.config.dataModelFilterPattern",
    "sourceConfig.config.includeOwners",
    "sourceConfig.config.includeDataModels",
];

// Options everywhere: OpenMetadata configs write `null` as often as they leave a key out.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    client_id: Option<String>,
    tenant_id: Option<String>,
    #[serde(rename = "authorityURI")]
    authority_uri: Option<String>,
    #[serde(rename = "apiURL")]
    api_url: Option<String>,
    host_port: Option<String>,
    scope: Option<Vec<String>>,
    #[serde(rename = "pagination_entity_per_page")]
    pagination_entity_per_page: Option<u32>,
    use_admin_apis: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Source {
    project_filter_pattern: Option<PatternConfig>,
    dashboard_filter_pattern: Option<PatternConfig>,
    chart_filter_pattern: Option<PatternConfig>,
    data_model_filter_pattern: Option<PatternConfig>,
    include_owners: Option<bool>,
    include_data_models: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use omrun_sdk::config_keys::fields_of;

    #[test]
    fn keys_are_the_fields_read_and_the_secret() {
        let mut read: Vec<String> = fields_of::<Connection>()
            .into_iter()
            .chain(["clientSecret".to_owned()])
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

    const CONNECTION: &str = r#"{"type":"PowerBI","clientId":"app","tenantId":"t-1"}"#;

    #[test]
    fn openmetadata_defaults() {
        for source in [
            "",
            "null",
            "{}",
            r#"{"type":"DashboardMetadata","includeOwners":null}"#,
        ] {
            let c = Config::parse(CONNECTION, source).unwrap();
            assert_eq!(
                c.token_url,
                "https://login.microsoftonline.com/t-1/oauth2/v2.0/token"
            );
            assert_eq!(c.api_base, "https://api.powerbi.com/v1.0/myorg");
            assert_eq!(c.web_url, "https://app.powerbi.com");
            assert_eq!(c.scope, DEFAULT_SCOPE);
            assert_eq!((c.page_size, c.scan_size), (100, 100));
            assert!(c.use_admin_apis && !c.include_owners && c.include_data_models);
            assert!(c.projects.keeps("x") && c.dashboards.keeps("x"));
        }
    }

    #[test]
    fn settings_and_filters() {
        let c = Config::parse(
            r#"{"clientId":"app","tenantId":"t","authorityURI":"http://127.0.0.1:9/",
                "apiURL":"http://127.0.0.1:9","hostPort":"http://web/","scope":["a","b"],
                "pagination_entity_per_page":7000,"useAdminApis":false}"#,
            r#"{"projectFilterPattern":{"includes":["^Sales"]},
                "dashboardFilterPattern":{"excludes":["tmp"]},"includeOwners":true}"#,
        )
        .unwrap();
        assert_eq!(c.token_url, "http://127.0.0.1:9/t/oauth2/v2.0/token");
        assert_eq!(c.api_base, "http://127.0.0.1:9/v1.0/myorg");
        assert_eq!(c.web_url, "http://web");
        assert_eq!(c.scope, "a b");
        assert_eq!((c.page_size, c.scan_size), (5000, 100));
        assert!(!c.use_admin_apis && c.include_owners);
        assert!(c.projects.keeps("Sales EU") && !c.projects.keeps("HR"));
        assert!(!c.dashboards.keeps("tmp x"));
    }

    #[test]
    fn errors_name_the_key() {
        let e = Config::parse(r#"{"tenantId":"t"}"#, "{}").unwrap_err();
        assert!(e.contains("clientId"), "{e}");
        let e = Config::parse(r#"{"clientId":"c"}"#, "{}").unwrap_err();
        assert!(e.contains("tenantId"), "{e}");
        let e =
            Config::parse(r#"{"clientId":"c","tenantId":"t","apiURL":"api:1"}"#, "{}").unwrap_err();
        assert!(e.contains("apiURL must be an http(s) URL"), "{e}");
        let e = Config::parse(CONNECTION, r#"{"projectFilterPattern":{"includes":["("]}}"#)
            .unwrap_err();
        assert!(e.contains("projectFilterPattern.includes"), "{e}");
    }
}
