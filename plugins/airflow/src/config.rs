//! The workflow config in OpenMetadata's Airflow shape: `serviceConnection.config` (`hostPort`,
//! `numberOfStatus`, `connection` as an `AirflowRestApiConnection`: `apiVersion`, `authConfig`
//! with `username` and `password`, or a `token`; secrets never arrive: the host holds them) and
//! `sourceConfig.config` (OpenMetadata's `PipelineMetadata` pipeline). Unknown keys are ignored.

use omrun_common_db::filter::{FilterPattern, PatternConfig};
use serde::Deserialize;

/// Which REST API to speak: `/api/v2` (Airflow 3) or `/api/v1` (Airflow 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    V2,
}

impl ApiVersion {
    /// The path prefix, e.g. `/api/v2`.
    pub fn prefix(self) -> &'static str {
        match self {
            ApiVersion::V1 => "/api/v1",
            ApiVersion::V2 => "/api/v2",
        }
    }
}

/// How the connector proves who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `authConfig: {username, password}`: a JWT from `POST /auth/token` (Airflow 3), else HTTP
    /// Basic (Airflow 2), as OpenMetadata does.
    Basic { username: String },
    /// `authConfig: {token}`: sent as `Authorization: Bearer …`.
    Token,
}

/// What the connector reads from the config.
#[derive(Debug, Clone)]
pub struct Config {
    /// `hostPort` without a trailing `/`, e.g. `https://airflow.example.com`.
    pub base_url: String,
    /// `connection.apiVersion`: `None` for `auto` (asked of the server).
    pub api_version: Option<ApiVersion>,
    pub credentials: Credentials,
    /// `numberOfStatus` (default 10): the latest runs read per DAG.
    pub number_of_status: u32,
    /// `pipelineFilterPattern` of `sourceConfig`, matched against the DAG id.
    pub pipelines: FilterPattern,
    /// `includeOwners` (default true): the DAG's owners.
    pub include_owners: bool,
    /// `includeTags` (default true): the DAG's tags, as tags of classification `AirflowTags`.
    pub include_tags: bool,
    /// `includeUnDeployedPipelines` (default true): paused DAGs too.
    pub include_paused: bool,
    /// `connection.verifySSL: false`, which omrun does not honour (said once, by discovery).
    pub verify_ssl_off: bool,
}

/// OpenMetadata's default `numberOfStatus`.
const DEFAULT_NUMBER_OF_STATUS: u32 = 10;

impl Config {
    /// Parses `serviceConnection.config` and `sourceConfig.config` (JSON); `secrets` are the
    /// dotted paths of the secrets the host holds (which, not what).
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
            .ok_or("serviceConnection.config.hostPort is required (e.g. http://airflow:8080)")?
            .trim()
            .trim_end_matches('/')
            .to_owned();
        if !base_url.starts_with("http://") && !base_url.starts_with("https://") {
            return Err(format!(
                "serviceConnection.config.hostPort must be an http(s) URL, not `{base_url}`"
            ));
        }
        let rest = connection.connection.ok_or(
            "serviceConnection.config.connection is required: {type: RestAPI, authConfig: \
             {username, password} or {token}}",
        )?;
        match rest.kind.as_deref() {
            None | Some("RestAPI") => {}
            Some(other) => {
                return Err(format!(
                    "serviceConnection.config.connection.type is `{other}`: omrun reads Airflow \
                     through its REST API only (type: RestAPI), not its metadata database"
                ));
            }
        }
        let api_version = match rest.api_version.as_deref() {
            None | Some("auto") => None,
            Some("v1") => Some(ApiVersion::V1),
            Some("v2") => Some(ApiVersion::V2),
            Some(other) => {
                return Err(format!(
                    "serviceConnection.config.connection.apiVersion must be auto, v1 or v2, not \
                     `{other}`"
                ));
            }
        };
        let credentials = credentials(rest.auth_config, secrets)?;
        let number_of_status = match connection.number_of_status {
            None => DEFAULT_NUMBER_OF_STATUS,
            Some(n) => n.count()?,
        };
        Ok(Self {
            base_url,
            api_version,
            credentials,
            number_of_status,
            pipelines: FilterPattern::from_config(
                "pipelineFilterPattern",
                source.pipeline_filter_pattern,
            )?,
            include_owners: source.include_owners.unwrap_or(true),
            include_tags: source.include_tags.unwrap_or(true),
            include_paused: source.include_un_deployed_pipelines.unwrap_or(true),
            verify_ssl_off: rest.verify_ssl == Some(false),
        })
    }
}

/// The credentials `authConfig` names: a username (its password is a secret), else a token the
/// host holds. Google's and AWS's (Cloud Composer, MWAA) are not supported.
fn credentials(auth: Option<AuthConfig>, secrets: &[String]) -> Result<Credentials, String> {
    let has_secret = |key: &str| {
        secrets
            .iter()
            .any(|s| s == &format!("connection.authConfig.{key}"))
    };
    let auth = auth.unwrap_or_default();
    if auth.credentials.is_some() || auth.mwaa_config.is_some() {
        return Err(
            "serviceConnection.config.connection.authConfig: omrun supports a username and \
             password, or an access token; not GCP (Cloud Composer) or AWS (MWAA) credentials"
                .into(),
        );
    }
    match auth.username.filter(|u| !u.is_empty()) {
        Some(username) if has_secret("password") => Ok(Credentials::Basic { username }),
        Some(_) => Err(
            "serviceConnection.config.connection.authConfig.password is required with a username"
                .into(),
        ),
        None if has_secret("token") => Ok(Credentials::Token),
        None => Err(
            "serviceConnection.config.connection.authConfig is required: {username, password} or \
             {token}"
                .into(),
        ),
    }
}

/// The config keys [`Config::parse`] reads, declared to the host (`declare_config_keys!`).
/// `authConfig.password` and `authConfig.token` are used too: the plugin names them by
/// placeholder (`http::secret`) and the host fills them in on the way out.
pub const KEYS: &[&str] = &[
    "serviceConnection.config.hostPort",
    "serviceConnection.config.numberOfStatus",
    // `type`, `apiVersion`, `authConfig` (`username`, the secrets by placeholder), `verifySSL`;
    // the host checks what is set at the level of `connection`.
    "serviceConnection.config.connection",
    "sourceConfig.config.pipelineFilterPattern",
    "sourceConfig.config.includeOwners",
    "sourceConfig.config.includeTags",
    "sourceConfig.config.includeUnDeployedPipelines",
];

// Options everywhere: OpenMetadata configs write `null` as often as they leave a key out.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    host_port: Option<String>,
    number_of_status: Option<Count>,
    connection: Option<RestConnection>,
}

/// `numberOfStatus`: an integer, though OpenMetadata's schema gives its default as the string
/// `"10"`; 0 means the default, as in OpenMetadata (`numberOfStatus or 10`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Count {
    Number(i64),
    Text(String),
}

impl Count {
    fn count(self) -> Result<u32, String> {
        let n = match self {
            Count::Number(n) => n,
            Count::Text(t) => t.trim().parse().map_err(|_| {
                format!("serviceConnection.config.numberOfStatus must be a number, not `{t}`")
            })?,
        };
        match n {
            0 => Ok(DEFAULT_NUMBER_OF_STATUS),
            1..=1000 => Ok(n as u32),
            _ => Err(format!(
                "serviceConnection.config.numberOfStatus must be between 1 and 1000, not {n}"
            )),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RestConnection {
    #[serde(rename = "type")]
    kind: Option<String>,
    api_version: Option<String>,
    auth_config: Option<AuthConfig>,
    #[serde(rename = "verifySSL")]
    verify_ssl: Option<bool>,
}

/// `authConfig`, the secrets removed. `credentials` (GCP) and `mwaaConfig` (AWS) are read only to
/// say they are not supported.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AuthConfig {
    username: Option<String>,
    credentials: Option<serde_json::Value>,
    mwaa_config: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Source {
    pipeline_filter_pattern: Option<PatternConfig>,
    include_owners: Option<bool>,
    include_tags: Option<bool>,
    include_un_deployed_pipelines: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use omrun_sdk::config_keys::fields_of;

    #[test]
    fn keys_are_the_fields_read_and_the_secrets() {
        assert_eq!(
            fields_of::<RestConnection>(),
            ["apiVersion", "authConfig", "type", "verifySSL"]
        );
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

    const BASIC: &str = r#"{"type":"Airflow","hostPort":"http://airflow:8080/",
        "connection":{"type":"RestAPI","authConfig":{"username":"admin"}}}"#;

    fn password() -> Vec<String> {
        vec!["connection.authConfig.password".into()]
    }

    #[test]
    fn defaults() {
        for source in [
            "",
            "null",
            "{}",
            r#"{"type":"PipelineMetadata","includeOwners":null}"#,
        ] {
            let c = Config::parse(BASIC, source, &password()).unwrap();
            assert_eq!(c.base_url, "http://airflow:8080");
            assert_eq!(c.api_version, None);
            assert_eq!(
                c.credentials,
                Credentials::Basic {
                    username: "admin".into()
                }
            );
            assert_eq!(c.number_of_status, 10);
            assert!(c.include_owners && c.include_tags && c.include_paused);
            assert!(c.pipelines.keeps("any_dag"));
        }
    }

    #[test]
    fn token_version_count_filters_and_flags() {
        let c = Config::parse(
            r#"{"hostPort":"https://af.example.com","numberOfStatus":"3",
                "connection":{"apiVersion":"v1","authConfig":{},"verifySSL":true}}"#,
            r#"{"pipelineFilterPattern":{"includes":["^etl_"],"excludes":[".*_tmp$"]},
                "includeOwners":false,"includeTags":false,"includeUnDeployedPipelines":false}"#,
            &["connection.authConfig.token".into()],
        )
        .unwrap();
        assert_eq!(c.credentials, Credentials::Token);
        assert_eq!(c.api_version, Some(ApiVersion::V1));
        assert_eq!(c.number_of_status, 3);
        assert!(c.pipelines.keeps("etl_orders") && !c.pipelines.keeps("etl_orders_tmp"));
        assert!(!c.pipelines.keeps("reports"));
        assert!(!c.include_owners && !c.include_tags && !c.include_paused && !c.verify_ssl_off);
        let c = Config::parse(
            r#"{"hostPort":"http://a","numberOfStatus":0,
                "connection":{"apiVersion":"v2","authConfig":{"username":"u"},"verifySSL":false}}"#,
            "{}",
            &password(),
        )
        .unwrap();
        assert_eq!(
            (c.api_version, c.number_of_status, c.verify_ssl_off),
            (Some(ApiVersion::V2), 10, true)
        );
    }

    #[test]
    fn errors_name_the_key() {
        let err = |connection: &str, source: &str, secrets: &[String]| {
            Config::parse(connection, source, secrets).unwrap_err()
        };
        let e = err(
            r#"{"connection":{"authConfig":{"username":"a"}}}"#,
            "{}",
            &password(),
        );
        assert!(e.contains("hostPort is required"), "{e}");
        let e = err(
            r#"{"hostPort":"airflow:8080","connection":{}}"#,
            "{}",
            &password(),
        );
        assert!(e.contains("http(s) URL"), "{e}");
        let e = err(r#"{"hostPort":"http://a"}"#, "{}", &password());
        assert!(e.contains("connection is required"), "{e}");
        let e = err(
            r#"{"hostPort":"http://a","connection":{"type":"Postgres","username":"u","hostPort":"db:5432"}}"#,
            "{}",
            &password(),
        );
        assert!(e.contains("REST API only") && e.contains("Postgres"), "{e}");
        let e = err(
            r#"{"hostPort":"http://a","connection":{"apiVersion":"v3","authConfig":{"username":"u"}}}"#,
            "{}",
            &password(),
        );
        assert!(e.contains("auto, v1 or v2"), "{e}");
        let e = err(
            r#"{"hostPort":"http://a","connection":{"authConfig":{"username":"u"}}}"#,
            "{}",
            &[],
        );
        assert!(e.contains("authConfig.password is required"), "{e}");
        let e = err(
            r#"{"hostPort":"http://a","connection":{"authConfig":{}}}"#,
            "{}",
            &[],
        );
        assert!(e.contains("{username, password} or {token}"), "{e}");
        let e = err(
            r#"{"hostPort":"http://a","connection":{"authConfig":{"credentials":{"gcpConfig":{}}}}}"#,
            "{}",
            &[],
        );
        assert!(e.contains("Cloud Composer"), "{e}");
        let e = err(
            r#"{"hostPort":"http://a","numberOfStatus":"ten","connection":{"authConfig":{"username":"u"}}}"#,
            "{}",
            &password(),
        );
        assert!(e.contains("numberOfStatus must be a number"), "{e}");
        let e = err(
            r#"{"hostPort":"http://a","numberOfStatus":-1,"connection":{"authConfig":{"username":"u"}}}"#,
            "{}",
            &password(),
        );
        assert!(e.contains("between 1 and 1000"), "{e}");
        let e = err(
            BASIC,
            r#"{"pipelineFilterPattern":{"includes":["("]}}"#,
            &password(),
        );
        assert!(e.contains("pipelineFilterPattern.includes"), "{e}");
    }
}
