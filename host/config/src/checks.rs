//! The checks a config gets after it parsed, on the same parse: what the model keeps as JSON or as
//! plain strings but must be right before the run starts, with the line and key of the offending
//! value. Without them, these mistakes would surface only after the host connected to the source
//! (the sink is set up after that), or as a plugin's error attempt after attempt.

use super::diagnostics::{ConfigError, Found};
use super::load::Lenience;
use super::{Document, openmetadata, source_config};
use serde_saphyr::Location;
use std::path::PathBuf;

const SERVER: &str = "workflowConfig.openMetadataServerConfig";

/// OpenMetadata's `verifySSL` values.
const VERIFY_SSL: &[&str] = &["no-ssl", "validate", "ignore"];

/// The `authProvider`s omrun's `metadata-rest` sink supports.
const AUTH_PROVIDERS: &[&str] = &["openmetadata", "no-auth"];

impl Document {
    /// Every check, in the order of the file's sections; returns warnings that do not stop the run.
    pub(super) fn check(&self, text: &str, lenience: Lenience) -> Result<Vec<String>, ConfigError> {
        let source = &self.source;
        let checked = openmetadata::check(
            text,
            &source.service_connection.located,
            source.source_config.located.as_ref(),
            lenience,
        )?;
        if let Some(section) = &source.source_config.located {
            source_config::check_patterns(section, text)?;
        }
        self.check_server(text, lenience)?;
        Ok(checked.warnings)
    }

    fn check_server(&self, text: &str, lenience: Lenience) -> Result<(), ConfigError> {
        let server = self.workflow_config.open_metadata_server_config.as_ref();
        // The value as written at a span, and whether it is to be checked: a placeholder stands
        // in for a variable when Argo mode renders without the real environment.
        let written = |at: Location| {
            let found = Found::at(text, at.line(), at.column(), None);
            let checked = lenience == Lenience::None
                || !matches!(&found, Found::Scalar(s) if s.contains('$'));
            (found, checked)
        };
        if let Some(verify) = server.and_then(|s| s.verify_ssl_written.as_ref())
            && let (found, true) = written(verify.referenced)
            && !VERIFY_SSL.contains(&verify.value.as_str())
        {
            return Err(error(
                verify.referenced,
                &format!("{SERVER}.verifySSL"),
                format!("expected one of {}, found {found}", VERIFY_SSL.join(", ")),
            ));
        }

        if !matches!(self.sink, super::SinkSection::MetadataRest(_)) {
            return Ok(());
        }
        let Some(server) = server else {
            let (line, column) = sink_type_position(text);
            return Err(ConfigError {
                path: PathBuf::new(),
                line,
                column,
                key: Some("sink.type".into()),
                message: format!(
                    "sink `metadata-rest` needs {SERVER} (hostPort, authProvider, \
                     securityConfig.jwtToken)"
                ),
            });
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
        let provider = server.auth_provider_written.as_ref();
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
        if server.auth_provider() == "openmetadata"
            && token.is_none_or(|t| t.value.expose().trim().is_empty())
        {
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

/// Where the top-level `sink:` mapping's `type` is written (the sink is a tagged enum, which the
/// YAML parser cannot locate): the first `type:` after a line starting `sink:`.
fn sink_type_position(text: &str) -> (Option<u64>, Option<u64>) {
    let mut in_sink = false;
    for (n, line) in text.lines().enumerate() {
        if !line.starts_with([' ', '\t', '#']) && !line.trim().is_empty() {
            in_sink = line.starts_with("sink:");
        }
        let trimmed = line.trim_start();
        if in_sink && let Some(rest) = trimmed.strip_prefix("type:") {
            let column =
                line.len() - trimmed.len() + "type:".len() + (rest.len() - rest.trim_start().len());
            return (Some(n as u64 + 1), Some(column as u64 + 1));
        }
        if in_sink && line.starts_with("sink:") && line.contains("type:") {
            return (Some(n as u64 + 1), None);
        }
    }
    (None, None)
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
