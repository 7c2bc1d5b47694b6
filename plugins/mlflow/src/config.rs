//! The workflow config in OpenMetadata's MLflow shape: `serviceConnection.config`
//! (`MlflowConnection`: `trackingUri`, `registryUri`) and `sourceConfig.config` (OpenMetadata's
//! `MlModelMetadata` pipeline: `mlModelFilterPattern`). Unknown keys are ignored.
//!
//! OpenMetadata hands both URIs to MLflow's Python client, which reads runs from the tracking URI
//! and registered models from the registry URI, each of which may be a server or a database. omrun
//! speaks MLflow's REST API to one tracking server, the host `trackingUri` names (the only one its
//! sandbox grants), which serves the model registry of its own backend store:
//! - a `registryUri` that is a URL on the same host and port is used for the registry's calls;
//! - one that is no http(s) URL (OpenMetadata's own example is a database URI,
//!   `mysql+pymysql://…`) is not read: the registry is asked of the tracking server;
//! - one that is a URL on another host is refused, since omrun could not reach it.

use omrun_common_db::filter::{FilterPattern, PatternConfig};
use serde::Deserialize;

use crate::uri::{http_authority, scheme};

/// What the connector reads from the config.
#[derive(Debug, Clone)]
pub struct Config {
    /// `trackingUri` without trailing `/`: where runs, logged models and artifacts are asked.
    pub tracking_url: String,
    /// Where registered models and their versions are asked: `registryUri` when it is a URL on
    /// the tracking server's host, else the tracking server.
    pub registry_url: String,
    /// How the registry was chosen, for the log (never the URI itself: a database URI holds a
    /// password).
    pub registry_note: Option<String>,
    /// `trackingUri` as OpenMetadata's `clean_uri` leaves it (one trailing `/` cut): the start of
    /// a model's `sourceUrl`.
    pub console_url: String,
    /// `mlModelFilterPattern`, matched against a registered model's name.
    pub models: FilterPattern,
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
        let tracking = connection
            .tracking_uri
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or(
                "serviceConnection.config.trackingUri is required: the URL of the MLflow tracking \
                 server (e.g. http://mlflow.example.com:5000)",
            )?;
        let Some(tracking_authority) = http_authority(&tracking) else {
            return Err(format!(
                "serviceConnection.config.trackingUri must be the http(s) URL of an MLflow tracking \
                 server (e.g. http://mlflow.example.com:5000), not a `{}` URI: omrun reads MLflow \
                 through its REST API",
                scheme(&tracking)
            ));
        };
        let tracking_url = tracking.trim_end_matches('/').to_owned();
        let console_url = tracking.strip_suffix('/').unwrap_or(&tracking).to_owned();
        let registry = connection
            .registry_uri
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        let (registry_url, registry_note) = match registry {
            None => (tracking_url.clone(), None),
            Some(registry) => match http_authority(&registry) {
                Some(authority) if authority.same_server(&tracking_authority) => {
                    (registry.trim_end_matches('/').to_owned(), None)
                }
                Some(authority) => {
                    return Err(format!(
                        "serviceConnection.config.registryUri names another server ({}) than \
                         trackingUri ({}): omrun reaches only trackingUri's host, whose server \
                         serves the model registry too; set registryUri to trackingUri",
                        authority.shown, tracking_authority.shown
                    ));
                }
                None => (
                    tracking_url.clone(),
                    Some(format!(
                        "registryUri is a `{}` URI, not an MLflow server: the model registry is \
                         read from the tracking server at trackingUri",
                        scheme(&registry)
                    )),
                ),
            },
        };
        Ok(Self {
            tracking_url,
            registry_url,
            registry_note,
            console_url,
            models: FilterPattern::from_config(
                "mlModelFilterPattern",
                source.ml_model_filter_pattern,
            )?,
        })
    }
}

/// The config keys [`Config::parse`] reads, declared to the host (`declare_config_keys!`).
pub const KEYS: &[&str] = &[
    "serviceConnection.config.trackingUri",
    "serviceConnection.config.registryUri",
    "sourceConfig.config.mlModelFilterPattern",
];

// Options everywhere: OpenMetadata configs write `null` as often as they leave a key out.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    tracking_uri: Option<String>,
    registry_uri: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Source {
    ml_model_filter_pattern: Option<PatternConfig>,
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

    fn connection(tracking: &str, registry: &str) -> String {
        serde_json::json!({"type": "Mlflow", "trackingUri": tracking, "registryUri": registry})
            .to_string()
    }

    #[test]
    fn the_registry_on_the_tracking_server() {
        for source in ["", "null", "{}", r#"{"type":"MlModelMetadata"}"#] {
            let c = Config::parse(
                &connection("http://mlflow:5000/", "http://MLFLOW:5000"),
                source,
            )
            .unwrap();
            assert_eq!(c.tracking_url, "http://mlflow:5000");
            assert_eq!(c.registry_url, "http://MLFLOW:5000");
            assert_eq!(c.console_url, "http://mlflow:5000");
            assert!(c.registry_note.is_none());
            assert!(c.models.keeps("anything"));
        }
        // The scheme's default port is the same port.
        let c = Config::parse(
            &connection(
                "https://ml.example.com",
                "https://ml.example.com:443/registry/",
            ),
            "{}",
        )
        .unwrap();
        assert_eq!(c.registry_url, "https://ml.example.com:443/registry");
        // OpenMetadata cuts one trailing slash off the URL it shows.
        let c = Config::parse(&connection("http://m:5000//", "http://m:5000"), "{}").unwrap();
        assert_eq!(c.console_url, "http://m:5000/");
        assert_eq!(c.tracking_url, "http://m:5000");
    }

    #[test]
    fn a_database_registry_is_read_through_the_tracking_server_and_never_shown() {
        let c = Config::parse(
            &connection(
                "http://mlflow:5000",
                "mysql+pymysql://mlflow:s3cret@db:3306/experiments",
            ),
            "{}",
        )
        .unwrap();
        assert_eq!(c.registry_url, "http://mlflow:5000");
        let note = c.registry_note.unwrap();
        assert!(note.contains("`mysql+pymysql` URI"), "{note}");
        assert!(!note.contains("s3cret"), "{note}");
        // Left out (OpenMetadata requires it, but the host checks that).
        let c = Config::parse(r#"{"trackingUri":"http://mlflow:5000"}"#, "{}").unwrap();
        assert_eq!(c.registry_url, "http://mlflow:5000");
    }

    #[test]
    fn a_registry_on_another_host_is_refused() {
        let e = Config::parse(
            &connection("http://mlflow:5000", "http://user:pw@registry:5000/"),
            "{}",
        )
        .unwrap_err();
        assert!(
            e.contains("registryUri names another server (registry:5000)"),
            "{e}"
        );
        assert!(!e.contains("pw"), "{e}");
        let e = Config::parse(
            &connection("http://mlflow:5000", "http://mlflow:5001"),
            "{}",
        )
        .unwrap_err();
        assert!(
            e.contains("(mlflow:5001) than trackingUri (mlflow:5000)"),
            "{e}"
        );
    }

    #[test]
    fn the_filter() {
        let c = Config::parse(
            &connection("http://m:5000", "http://m:5000"),
            r#"{"mlModelFilterPattern":{"includes":["churn.*","house"],"excludes":["^tmp"]}}"#,
        )
        .unwrap();
        assert!(c.models.keeps("Churn-classifier") && c.models.keeps("house-prices"));
        assert!(!c.models.keeps("raw-model") && !c.models.keeps("tmp-churn"));
    }

    #[test]
    fn errors_name_the_key() {
        let e = Config::parse(r#"{"registryUri":"http://m:5000"}"#, "{}").unwrap_err();
        assert!(e.contains("trackingUri is required"), "{e}");
        let e = Config::parse(r#"{"trackingUri":"  "}"#, "{}").unwrap_err();
        assert!(e.contains("trackingUri is required"), "{e}");
        for (uri, scheme) in [
            ("sqlite:///tmp/mlflow.db", "`sqlite` URI"),
            ("postgresql://u:secret@db/mlflow", "`postgresql` URI"),
            ("databricks", "`plain` URI"),
            ("mlflow:5000", "`mlflow` URI"),
        ] {
            let e = Config::parse(&connection(uri, "http://m:5000"), "{}").unwrap_err();
            assert!(e.contains("trackingUri must be the http(s) URL"), "{e}");
            assert!(e.contains(scheme), "{e}");
            assert!(!e.contains("secret"), "{e}");
        }
        let e = Config::parse(
            &connection("http://m:5000", "http://m:5000"),
            r#"{"mlModelFilterPattern":{"includes":["("]}}"#,
        )
        .unwrap_err();
        assert!(e.contains("mlModelFilterPattern.includes"), "{e}");
        let e = Config::parse("[]", "{}").unwrap_err();
        assert!(e.contains("invalid serviceConnection.config"), "{e}");
    }
}
