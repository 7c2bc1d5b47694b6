//! The config, in OpenMetadata's `BigQuery` shape (`bigQueryConnection.json` and
//! `gcpCredentials.json` of openmetadata-ingestion 2.0.7.0): `serviceConnection.config`
//! (`hostPort`, `credentials.gcpConfig` — a service account's key, whose `privateKey` never
//! arrives: the host holds it —, `taxonomyProjectID`, `taxonomyLocation`, `includePolicyTags`,
//! `billingProjectId`, `databaseSchema`, the connection's default filter patterns) and
//! `sourceConfig.config` (OpenMetadata's `DatabaseMetadata` pipeline). Unknown keys are ignored.

use omrun_common_db::filter::{FilterPattern, PatternConfig};
use serde::Deserialize;
use serde_json::Value;

mod credentials;
#[cfg(test)]
mod tests;

pub use credentials::ServiceAccount;

/// `hostPort`'s default in OpenMetadata's schema: BigQuery's public endpoint.
pub const DEFAULT_HOST: &str = "bigquery.googleapis.com";
/// Where Data Catalog (taxonomies and policy tags) is, unless `hostPort` names another endpoint.
pub const DATA_CATALOG: &str = "https://datacatalog.googleapis.com";
/// `taxonomyLocation`'s default in OpenMetadata's schema.
const DEFAULT_TAXONOMY_LOCATION: &str = "us";

/// What the connector reads from the config.
#[derive(Debug, Clone)]
pub struct Config {
    /// `scheme://host[:port][/path]` of BigQuery's REST API, from `hostPort`.
    pub bigquery_url: String,
    /// `scheme://host[:port][/path]` of Data Catalog: `hostPort` when the config names an endpoint
    /// other than Google's public BigQuery one (a private endpoint or a stand-in, which then serves
    /// both APIs), else [`DATA_CATALOG`].
    pub data_catalog_url: String,
    /// `credentials.gcpConfig`: who the plugin authenticates as.
    pub account: ServiceAccount,
    /// `credentials.gcpConfig.projectId`, one or several: the projects to ingest, each an
    /// OpenMetadata database.
    pub projects: Vec<String>,
    /// `databaseSchema`: the one dataset of each project to ingest, if set.
    pub dataset: Option<String>,
    /// `includePolicyTags` (default true): columns' policy tags from Data Catalog.
    pub include_policy_tags: bool,
    /// `taxonomyProjectID`: projects whose taxonomies are read besides each ingested project's.
    pub taxonomy_projects: Vec<String>,
    /// `taxonomyLocation` (default `us`).
    pub taxonomy_location: String,
    /// `billingProjectId`: OpenMetadata bills its query jobs to it; the REST reads run no job.
    pub billing_project: Option<String>,
    /// `sourceConfig.config`'s patterns, then the connection's own.
    pub databases: [FilterPattern; 2],
    pub schemas: [FilterPattern; 2],
    pub tables: [FilterPattern; 2],
    /// `includeTables` (default true): everything that is not a view.
    pub include_tables: bool,
    /// `includeViews` (default true): views and materialized views.
    pub include_views: bool,
    /// `includeTags` (default true): labels as tags, and policy tags with `includePolicyTags`.
    pub include_tags: bool,
    /// `useFqnForFiltering`: patterns match fully qualified names instead of bare names.
    pub use_fqn_for_filtering: bool,
}

impl Config {
    /// Parses `serviceConnection.config` and `sourceConfig.config` (JSON).
    pub fn parse(connection: &str, source: &str) -> Result<Self, String> {
        let connection: Connection = parse_json(connection, "serviceConnection.config")?;
        let source: Source = parse_json(source, "sourceConfig.config")?;
        let non_empty =
            |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let host_port = non_empty(connection.host_port);
        let bigquery_url = base_url(
            host_port.as_deref().unwrap_or(DEFAULT_HOST),
            "serviceConnection.config.hostPort",
        )?;
        let data_catalog_url = match &host_port {
            Some(_) if !names_host(&bigquery_url, DEFAULT_HOST) => bigquery_url.clone(),
            _ => DATA_CATALOG.to_owned(),
        };
        let (account, projects) = credentials::parse(connection.credentials.as_ref())?;
        let pattern =
            |key: &str, config: Option<PatternConfig>| FilterPattern::from_config(key, config);
        let connection_pattern = |key: &str, config: Option<PatternConfig>| {
            FilterPattern::from_config(&format!("serviceConnection.config.{key}"), config)
        };
        Ok(Self {
            bigquery_url,
            data_catalog_url,
            account,
            projects,
            dataset: non_empty(connection.database_schema),
            include_policy_tags: connection.include_policy_tags.unwrap_or(true),
            taxonomy_projects: connection
                .taxonomy_project_id
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| non_empty(Some(p)))
                .collect(),
            taxonomy_location: non_empty(connection.taxonomy_location)
                .unwrap_or_else(|| DEFAULT_TAXONOMY_LOCATION.to_owned()),
            billing_project: non_empty(connection.billing_project_id),
            databases: [
                pattern("databaseFilterPattern", source.database_filter_pattern)?,
                connection_pattern("databaseFilterPattern", connection.database_filter_pattern)?,
            ],
            schemas: [
                pattern("schemaFilterPattern", source.schema_filter_pattern)?,
                connection_pattern("schemaFilterPattern", connection.schema_filter_pattern)?,
            ],
            tables: [
                pattern("tableFilterPattern", source.table_filter_pattern)?,
                connection_pattern("tableFilterPattern", connection.table_filter_pattern)?,
            ],
            include_tables: source.include_tables.unwrap_or(true),
            include_views: source.include_views.unwrap_or(true),
            include_tags: source.include_tags.unwrap_or(true),
            use_fqn_for_filtering: source.use_fqn_for_filtering.unwrap_or(false),
        })
    }

    /// Whether columns' policy tags are read: OpenMetadata asks for both switches
    /// (`get_column_tag_labels`: `includeTags and includePolicyTags`).
    pub fn reads_policy_tags(&self) -> bool {
        self.include_tags && self.include_policy_tags
    }
}

/// Whether every pattern of `patterns` keeps `name`.
pub fn keeps(patterns: &[FilterPattern; 2], name: &str) -> bool {
    patterns.iter().all(|p| p.keeps(name))
}

/// The base URL of an API from a config value: an `http(s)://` URL as it is written (without
/// trailing slashes), a bare `host[:port]` over https, as Google's clients reach an
/// `api_endpoint` without a scheme.
pub(crate) fn base_url(value: &str, key: &str) -> Result<String, String> {
    let value = value.trim().trim_end_matches('/');
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("https".to_owned(), value),
    };
    if scheme != "https" && scheme != "http" {
        return Err(format!("{key} `{value}`: only https (or http) URLs"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains(['@', ' ']) {
        return Err(format!("{key} `{value}` names no host"));
    }
    if rest.contains(['?', '#']) {
        return Err(format!(
            "{key} `{value}`: a base URL has no query or fragment"
        ));
    }
    Ok(format!("{scheme}://{rest}"))
}

/// Whether `url` (a [`base_url`]) is on host `host`, whatever its scheme, port or path.
fn names_host(url: &str, host: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let name = authority
        .rsplit_once(':')
        .map_or(authority, |(name, _)| name);
    name.eq_ignore_ascii_case(host)
}

/// The config keys [`Config::parse`] reads, declared to the host (`declare_config_keys!`).
/// `credentials` as a whole: the service account's key is read as a unit (what the JWT grant
/// needs), and its other forms are refused by name, so none of its keys goes unnoticed.
// Read by `declare_config_keys!`, which is WebAssembly only.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub const KEYS: &[&str] = &[
    "serviceConnection.config.hostPort",
    "serviceConnection.config.credentials",
    "serviceConnection.config.databaseSchema",
    "serviceConnection.config.includePolicyTags",
    "serviceConnection.config.taxonomyProjectID",
    "serviceConnection.config.taxonomyLocation",
    "serviceConnection.config.billingProjectId",
    "serviceConnection.config.databaseFilterPattern",
    "serviceConnection.config.schemaFilterPattern",
    "serviceConnection.config.tableFilterPattern",
    "sourceConfig.config.databaseFilterPattern",
    "sourceConfig.config.schemaFilterPattern",
    "sourceConfig.config.tableFilterPattern",
    "sourceConfig.config.includeTables",
    "sourceConfig.config.includeViews",
    "sourceConfig.config.includeTags",
    "sourceConfig.config.useFqnForFiltering",
];

// Options everywhere: OpenMetadata configs write `null` as often as they leave a key out.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Connection {
    host_port: Option<String>,
    credentials: Option<Value>,
    database_schema: Option<String>,
    include_policy_tags: Option<bool>,
    #[serde(rename = "taxonomyProjectID")]
    taxonomy_project_id: Option<Vec<String>>,
    taxonomy_location: Option<String>,
    billing_project_id: Option<String>,
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
    include_tags: Option<bool>,
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
