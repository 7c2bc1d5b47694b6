//! From a YAML file to a [`Config`]: `$VAR`/`${VAR}`/`${VAR:-default}` expanded in scalar values
//! (never in comments), errors located by file, line, column and key path, unknown keys collected as
//! warnings rather than refused (OpenMetadata configs carry keys omrun does not use).

use super::{Config, Document, source_config};
use serde_saphyr::{Error as YamlError, PropertySyntax};
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a config could not be loaded; its `Display` is the one line the user sees.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// Dotted key path, e.g. `workflowConfig.distributedExecution.parallelism`.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        match &self.key {
            Some(key) => write!(f, ": {key}: {}", self.message),
            None => write!(f, ": {}", self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Loads the config at `path` with the process environment for `${VAR}` expansion. Returns the
/// config and the dotted paths of keys it did not recognise.
pub fn load(path: &Path) -> Result<(Config, Vec<String>), ConfigError> {
    load_with(path, |_| std::env::vars().collect())
}

/// Like [`load`], but a variable the environment does not set reads as `1` (a placeholder that
/// fits string and number keys alike). For Argo mode: the pods resolve the variables from the
/// Kubernetes Secret, so the machine that renders or submits the Workflow need not hold them.
pub fn load_unresolved(path: &Path) -> Result<(Config, Vec<String>), ConfigError> {
    load_with(path, |text| {
        let mut environment: std::collections::HashMap<String, String> = std::env::vars().collect();
        let pattern = regex::Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").expect("static pattern");
        for name in pattern.captures_iter(text).map(|c| c[1].to_owned()) {
            environment.entry(name).or_insert_with(|| "1".to_owned());
        }
        environment
    })
}

fn load_with(
    path: &Path,
    environment: impl FnOnce(&str) -> std::collections::HashMap<String, String>,
) -> Result<(Config, Vec<String>), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_owned(),
        line: None,
        column: None,
        key: None,
        message: format!("cannot read config: {e}"),
    })?;
    let (document, unknown_keys) = parse(&text, environment(&text)).map_err(|e| ConfigError {
        path: path.to_owned(),
        ..e
    })?;
    let config = Config {
        path: path.to_owned(),
        source: document.source,
        sink: document.sink,
        workflow: document.workflow_config,
    };
    Ok((config, unknown_keys))
}

/// Parses YAML text; the returned error's `path` is empty (the caller knows the file).
pub(crate) fn parse(
    text: &str,
    environment: std::collections::HashMap<String, String>,
) -> Result<(Document, Vec<String>), ConfigError> {
    let options = || {
        let mut options = serde_saphyr::options! { with_snippet: false };
        options = options.with_properties(environment.clone());
        options.property_syntax = PropertySyntax::BracedOrBare;
        options
    };

    let mut unknown_keys = Vec::new();
    let mut failed_key = None;
    let parsed = serde_saphyr::with_deserializer_from_str_with_options(text, options(), |de| {
        let mut collect = |key: serde_ignored::Path<'_>| unknown_keys.push(key.to_string());
        let de = serde_ignored::Deserializer::new(de, &mut collect);
        serde_path_to_error::deserialize(de).map_err(|e| {
            failed_key = key_path(&e.path().to_string());
            e.into_inner()
        })
    });
    let document = parsed.map_err(|error| describe(text, error, failed_key.take()))?;

    // A second look at the parts passed to the plugin as JSON, for their types and patterns.
    let checked = serde_saphyr::with_deserializer_from_str_with_options(text, options(), |de| {
        serde_path_to_error::deserialize::<_, source_config::Document>(de).map_err(|e| {
            failed_key = key_path(&e.path().to_string());
            e.into_inner()
        })
    });
    checked
        .map_err(|error| describe(text, error, failed_key))?
        .check_patterns()?;
    Ok((document, unknown_keys))
}

/// The dotted path of the key an error is about, without the `?` segments serde_path_to_error
/// adds where it could not tell (YAML syntax errors).
fn key_path(path: &str) -> Option<String> {
    let known: Vec<&str> = path
        .split('.')
        .take_while(|segment| *segment != "?")
        .filter(|s| !s.is_empty())
        .collect();
    let key = known.join(".");
    (!key.is_empty()).then_some(key)
}

fn describe(text: &str, error: YamlError, key: Option<String>) -> ConfigError {
    let location = error.location();
    let (line, column) = match location {
        Some(at) if at.line() > 0 => (Some(at.line()), Some(at.column())),
        _ => (None, None),
    };
    let message = match &error {
        YamlError::UnresolvedProperty { name, .. }
        | YamlError::PropertyRequiredButUnset { name, .. } => {
            // The key is irrelevant here and the column points inside a string: the variable is the news.
            return ConfigError {
                path: PathBuf::new(),
                line,
                column: None,
                key: None,
                message: format!("environment variable {name} is not set"),
            };
        }
        other => without_location(&other.to_string()),
    };
    let found = line
        .zip(column)
        .map(|(line, column)| raw_scalar(text, line, column));
    let message = key
        .as_deref()
        .zip(found.as_deref())
        .and_then(|(k, found)| explain(k, found))
        .unwrap_or(message);
    ConfigError {
        path: PathBuf::new(),
        line,
        column,
        key,
        message,
    }
}

/// The message for keys checked beyond their type. The YAML crate replaces our own messages with a
/// generic one once any `${VAR}` was expanded (they could quote a secret), so they are rebuilt here
/// from the key and the text as written in the file, which holds `${VAR}`, never its value.
fn explain(key: &str, found: &str) -> Option<String> {
    match key.rsplit('.').next()? {
        "orchestrator" => Some(format!(
            "unknown orchestrator `{found}`, expected one of {}",
            super::Orchestrator::NAMES
        )),
        "parallelism"
        | "maxAttempts"
        | "bulkSinkBatchSize"
        | "bulk_sink_batch_size"
        | "concurrency" => Some(format!("`{found}` is not a whole number of at least 1")),
        _ => None,
    }
}

/// The scalar written at `line:column` (1-based), without quotes or a trailing comment.
fn raw_scalar(text: &str, line: u64, column: u64) -> String {
    let Some(row) = text.lines().nth(line.saturating_sub(1) as usize) else {
        return String::new();
    };
    let start = row
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(row.len(), |(i, _)| i);
    let value = &row[start..];
    match value.chars().next() {
        Some(quote @ ('"' | '\'')) => value[1..]
            .split(quote)
            .next()
            .unwrap_or_default()
            .to_owned(),
        _ => {
            let end = [" #", ",", "]", "}"]
                .iter()
                .filter_map(|stop| value.find(stop))
                .min();
            value[..end.unwrap_or(value.len())].trim().to_owned()
        }
    }
}

/// The YAML crate appends " at line L, column C"; we print the location our own way.
fn without_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Orchestrator;
    use std::collections::HashMap;

    const MINIMAL: &str = "\
source:
  type: postgres
  serviceName: svc
  serviceConnection:
    config:
      type: Postgres
      username: ${PGUSER}
      hostPort: ${PGHOST:-localhost}:$PGPORT
      # a comment mentioning ${NOT_SET} is not expanded
sink:
  type: file
  config:
    filename: /tmp/out.jsonl
workflowConfig:
  distributedExecution:
    enabled: true
    orchestrator: local
    parallelism: 4
";

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn expands_variables_with_defaults_and_bare_form() {
        let (doc, unknown) =
            parse(MINIMAL, env(&[("PGUSER", "alice"), ("PGPORT", "5433")])).unwrap();
        let connection = &doc.source.service_connection.config;
        assert_eq!(connection["username"], "alice");
        assert_eq!(connection["hostPort"], "localhost:5433");
        assert_eq!(doc.workflow_config.distributed_execution.parallelism, 4);
        assert_eq!(
            doc.workflow_config.distributed_execution.orchestrator,
            Orchestrator::Local
        );
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    #[test]
    fn missing_variable_names_it_and_its_line() {
        let err = parse(MINIMAL, env(&[("PGPORT", "5433")])).unwrap_err();
        assert_eq!(err.message, "environment variable PGUSER is not set");
        assert_eq!(err.line, Some(7));
    }

    #[test]
    fn wrong_type_names_line_column_and_key() {
        let text = MINIMAL.replace("parallelism: 4", "parallelism: many");
        let err = parse(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert_eq!(
            err.key.as_deref(),
            Some("workflowConfig.distributedExecution.parallelism")
        );
        assert_eq!((err.line, err.column), (Some(18), Some(18)));
        assert_eq!(err.message, "`many` is not a whole number of at least 1");
    }

    #[test]
    fn zero_workers_is_refused() {
        let text = MINIMAL.replace("parallelism: 4", "parallelism: 0");
        let err = parse(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert_eq!(
            err.key.as_deref(),
            Some("workflowConfig.distributedExecution.parallelism")
        );
        assert_eq!(err.message, "`0` is not a whole number of at least 1");
    }

    #[test]
    fn unknown_orchestrator_lists_the_known_ones() {
        let text = MINIMAL.replace("orchestrator: local", "orchestrator: kubernetes # comment");
        let err = parse(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert!(
            err.message.contains("unknown orchestrator `kubernetes`"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("sequential, local, argo"),
            "{}",
            err.message
        );
        assert_eq!(err.line, Some(17));
    }

    #[test]
    fn source_config_values_are_type_checked_with_their_key() {
        let text = MINIMAL.replace(
            "      # a comment",
            "  sourceConfig:\n    config:\n      includeViews: [yes, please]\n      # a comment",
        );
        let err = parse(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert_eq!(
            err.key.as_deref(),
            Some("source.sourceConfig.config.includeViews")
        );
        assert_eq!(err.line, Some(11));
    }

    #[test]
    fn a_filter_pattern_must_be_a_regex() {
        let text = MINIMAL.replace(
            "      # a comment",
            "  sourceConfig:\n    config:\n      tableFilterPattern:\n        excludes: [\"^ok$\", \"^tmp_(\"]\n      # a comment",
        );
        let err = parse(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert_eq!(
            err.key.as_deref(),
            Some("source.sourceConfig.config.tableFilterPattern.excludes[1]")
        );
        assert_eq!((err.line, err.column), (Some(12), Some(28)));
        assert!(
            err.message
                .starts_with("`^tmp_(` is not a valid regular expression"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_syntax_error_has_a_location_but_no_made_up_key() {
        let text = MINIMAL.replace("username: ${PGUSER}", "username: {a: ${PGUSER}}");
        let err = parse(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert_eq!(err.line, Some(7));
        assert!(
            err.key.as_deref().is_none_or(|k| !k.contains('?')),
            "{err:?}"
        );
    }

    #[test]
    fn unknown_keys_are_reported_not_refused() {
        let text = MINIMAL.replace(
            "  distributedExecution:",
            "  colour: blue\n  distributedExecution:",
        );
        let (_, unknown) = parse(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap();
        assert_eq!(unknown, vec!["workflowConfig.colour".to_string()]);
    }

    #[test]
    fn a_secret_in_a_wrongly_typed_field_is_not_echoed() {
        let text = MINIMAL.replace("parallelism: 4", "parallelism: ${TOKEN}");
        let err = parse(
            &text,
            env(&[("PGUSER", "a"), ("PGPORT", "1"), ("TOKEN", "s3cr3t-value")]),
        )
        .unwrap_err();
        assert!(!err.to_string().contains("s3cr3t-value"), "{err}");
    }
}
