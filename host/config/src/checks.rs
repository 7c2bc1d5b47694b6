//! The second look at a config that parsed: what the model keeps as JSON or as plain strings but
//! must be right before the run starts, with the line and key of the offending value. Without it,
//! these mistakes would surface only after the host connected to the source (the sink is set up
//! after that), or as a plugin's error attempt after attempt.

use super::diagnostics::{ConfigError, Found};
use super::load::Lenience;
use super::source_config;
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};
use std::path::PathBuf;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Document {
    source: Source,
    sink: Sink,
    workflow_config: Option<Workflow>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Source {
    #[allow(dead_code)] // read for its types only
    service_connection: ServiceConnection,
    source_config: Option<source_config::Section>,
}

#[derive(Deserialize)]
struct ServiceConnection {
    #[allow(dead_code)] // read for its types only
    config: Connection,
}

/// The keys of `serviceConnection.config` the host reads itself, for their types (the plugin gets
/// the whole section as JSON).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // read for their types only
struct Connection {
    /// OpenMetadata's service type, e.g. `Postgres`: which plugin serves it.
    #[serde(rename = "type")]
    kind: String,
    host_port: Option<String>,
    username: Option<String>,
    ssl_mode: Option<String>,
}

#[derive(Deserialize)]
struct Sink {
    #[serde(rename = "type")]
    kind: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Workflow {
    open_metadata_server_config: Option<Server>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Server {
    host_port: Spanned<String>,
    auth_provider: Option<Spanned<String>>,
    #[serde(rename = "verifySSL")]
    verify_ssl: Option<Spanned<String>>,
    security_config: Option<Security>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Security {
    jwt_token: Option<Spanned<String>>,
}

const SERVER: &str = "workflowConfig.openMetadataServerConfig";

/// OpenMetadata's `verifySSL` values.
const VERIFY_SSL: &[&str] = &["no-ssl", "validate", "ignore"];

/// The `authProvider`s omrun's `metadata-rest` sink supports.
const AUTH_PROVIDERS: &[&str] = &["openmetadata", "no-auth"];

impl Document {
    pub(super) fn check(&self, text: &str, lenience: Lenience) -> Result<(), ConfigError> {
        if let Some(section) = &self.source.source_config {
            section.check_patterns(text)?;
        }
        let server = self
            .workflow_config
            .as_ref()
            .and_then(|w| w.open_metadata_server_config.as_ref());
        // The value as written at a span, and whether it is to be checked: a placeholder stands
        // in for a variable when Argo mode renders without the real environment.
        let written = |at: Location| {
            let found = Found::at(text, at.line(), at.column(), None);
            let checked = lenience == Lenience::None
                || !matches!(&found, Found::Scalar(s) if s.contains('$'));
            (found, checked)
        };
        if let Some(verify) = server.and_then(|s| s.verify_ssl.as_ref())
            && let (found, true) = written(verify.referenced)
            && !VERIFY_SSL.contains(&verify.value.as_str())
        {
            return Err(error(
                verify.referenced,
                &format!("{SERVER}.verifySSL"),
                format!("expected one of {}, found {found}", VERIFY_SSL.join(", ")),
            ));
        }

        if self.sink.kind.value != "metadata-rest" {
            return Ok(());
        }
        let Some(server) = server else {
            return Err(error(
                self.sink.kind.referenced,
                "sink.type",
                format!(
                    "sink `metadata-rest` needs {SERVER} (hostPort, authProvider, \
                     securityConfig.jwtToken)"
                ),
            ));
        };
        if let (found, true) = written(server.host_port.referenced)
            && !is_http_url(&server.host_port.value)
        {
            return Err(error(
                server.host_port.referenced,
                &format!("{SERVER}.hostPort"),
                format!(
                    "expected the http(s) URL of OpenMetadata's API, e.g. \
                     http://localhost:8585/api, found {found}"
                ),
            ));
        }
        let provider = server.auth_provider.as_ref();
        if let Some(provider) = provider
            && let (found, true) = written(provider.referenced)
            && !AUTH_PROVIDERS.contains(&provider.value.as_str())
        {
            return Err(error(
                provider.referenced,
                &format!("{SERVER}.authProvider"),
                format!(
                    "{found} is not supported by the metadata-rest sink; use `openmetadata` \
                     (a bot's JWT token) or `no-auth`"
                ),
            ));
        }
        let token = server
            .security_config
            .as_ref()
            .and_then(|s| s.jwt_token.as_ref());
        let openmetadata = provider.is_none_or(|p| p.value == "openmetadata");
        if openmetadata && token.is_none_or(|t| t.value.trim().is_empty()) {
            let at = token
                .map(|t| t.referenced)
                .or(provider.map(|p| p.referenced))
                .unwrap_or(server.host_port.referenced);
            return Err(error(
                at,
                &format!("{SERVER}.securityConfig.jwtToken"),
                "a bot's JWT token is required with authProvider `openmetadata` (it is empty or \
                 missing)"
                    .into(),
            ));
        }
        Ok(())
    }
}

fn is_http_url(text: &str) -> bool {
    reqwest::Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

fn error(at: Location, key: &str, message: String) -> ConfigError {
    ConfigError {
        path: PathBuf::new(),
        line: Some(at.line()),
        column: Some(at.column()),
        key: Some(key.to_owned()),
        message,
    }
}
