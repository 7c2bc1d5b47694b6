//! The workflow config in OpenMetadata's Looker shape: `serviceConnection.config` (`hostPort`,
//! `clientId`; `clientSecret` never arrives: the host holds it) and `sourceConfig.config`
//! (OpenMetadata's `DashboardMetadata` pipeline). Unknown keys are ignored.

use omrun_common_db::filter::{FilterPattern, PatternConfig};
use serde::Deserialize;

/// What the connector reads from the config.
#[derive(Debug, Clone)]
pub struct Config {
    /// `hostPort` without a trailing `/`, e.g. `https://company.looker.com`.
    pub base_url: String,
    /// `clientId` (the API3 key's id; the secret goes by placeholder).
    pub client_id: String,
    /// `dashboardFilterPattern`, matched against a dashboard's title (its id when untitled).
    pub dashboards: FilterPattern,
    /// `chartFilterPattern`, matched against a dashboard element's title (its id when untitled).
    pub charts: FilterPattern,
    /// `dataModelFilterPattern`, matched against a data model's name (`<model>_<explore>`).
    pub data_models: FilterPattern,
    /// `includeOwners` (default false): the dashboard's owner's e-mail.
    pub include_owners: bool,
    /// `includeDataModels` (default true): explores as data models.
    pub include_data_models: bool,
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
                "serviceConnection.config.hostPort is required (e.g. https://company.looker.com)",
            )?
            .trim()
            .trim_end_matches('/')
            .to_owned();
        if !base_url.starts_with("http://") && !base_url.starts_with("https://") {
            return Err(format!(
                "serviceConnection.config.hostPort must be an http(s) URL, not `{base_url}`"
            ));
        }
        let client_id = connection
            .client_id
            .filter(|c| !c.is_empty())
            .ok_or("serviceConnection.config.clientId is required")?;
        let pattern = FilterPattern::from_config;
        Ok(Self {
            base_url,
            client_id,
            dashboards: pattern("dashboardFilterPattern", source.dashboard_filter_pattern)?,
            charts: pattern("chartFilterPattern", source.chart_filter_pattern)?,
            data_models: pattern("dataModelFilterPattern", source.data_model_filter_pattern)?,
            include_owners: source.include_owners.unwrap_or(false),
            include_data_models: source.include_data_models.unwrap_or(true),
        })
    }
}

/// The config keys [`Config::parse`] reads, declared to the host (`declare_config_keys!`).
/// `clientSecret` is used too: the plugin names it by placeholder (`http::secret`) and the host fills
/// it in on the way out, so the secret never reaches the plugin.
pub const KEYS: &[&str] = &[
    "serviceConnection.config.hostPort",
    "serviceConnection.config.clientId",
    "serviceConnection.config.clientSecret",
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
    host_port: Option<String>,
    client_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Source {
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

    const CONNECTION: &str =
        r#"{"type":"Looker","hostPort":"https://company.looker.com/","clientId":"abc"}"#;

    #[test]
    fn defaults() {
        for source in [
            "",
            "null",
            "{}",
            r#"{"type":"DashboardMetadata","includeOwners":null}"#,
        ] {
            let c = Config::parse(CONNECTION, source).unwrap();
            assert_eq!(c.base_url, "https://company.looker.com");
            assert_eq!(c.client_id, "abc");
            assert!(!c.include_owners && c.include_data_models, "{source}");
            assert!(c.dashboards.keeps("x") && c.charts.keeps("x") && c.data_models.keeps("x"));
        }
    }

    #[test]
    fn filters_and_flags() {
        let c = Config::parse(
            CONNECTION,
            r#"{"dashboardFilterPattern":{"includes":["Sales.*"],"excludes":null},
                "chartFilterPattern":{"excludes":["^tmp"]},
                "dataModelFilterPattern":{"includes":["ecommerce_"]},
                "includeOwners":true,"includeDataModels":false}"#,
        )
        .unwrap();
        assert!(c.dashboards.keeps("sales overview") && !c.dashboards.keeps("HR"));
        assert!(!c.charts.keeps("tmp chart") && c.charts.keeps("Revenue"));
        assert!(c.data_models.keeps("ecommerce_orders") && !c.data_models.keeps("hr_people"));
        assert!(c.include_owners && !c.include_data_models);
    }

    #[test]
    fn errors_name_the_key() {
        let e = Config::parse(r#"{"clientId":"x"}"#, "{}").unwrap_err();
        assert!(e.contains("hostPort"), "{e}");
        let e = Config::parse(r#"{"hostPort":"looker:19999","clientId":"x"}"#, "{}").unwrap_err();
        assert!(e.contains("http(s) URL"), "{e}");
        let e = Config::parse(r#"{"hostPort":"https://l"}"#, "{}").unwrap_err();
        assert!(e.contains("clientId"), "{e}");
        let e =
            Config::parse(CONNECTION, r#"{"chartFilterPattern":{"includes":["("]}}"#).unwrap_err();
        assert!(e.contains("chartFilterPattern.includes"), "{e}");
    }
}
