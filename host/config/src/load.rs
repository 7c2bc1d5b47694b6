//! From a YAML file to a [`Config`]: `$VAR`/`${VAR}`/`${VAR:-default}` expanded in scalar values
//! (never in comments), errors located by file, line, column and key path, unknown keys collected as
//! warnings rather than refused (OpenMetadata configs carry keys omrun does not use).
//!
//! Malformed input gives one error, quickly: the file is read only up to [`MAX_CONFIG_BYTES`], the
//! YAML parser works within a budget (nodes, depth, aliases: no alias bomb is expanded), and the
//! YAML crate's messages are rewritten in the config's terms (the key, the value as written, what
//! was expected). tests/tests/config/malformed/ holds the cases; host/cli/examples/fuzz_config.rs
//! fuzzes.

use super::diagnostics::{ConfigError, MAX_DEPTH, describe};
use super::{Config, Document};
use serde_saphyr::{Budget, PropertySyntax};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest config file omrun reads (1 MiB). Workflow configs are a few kilobytes, an embedded
/// CA bundle a few hundred; a larger file is a mistake (or an attack), refused before it is read.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Loads the config at `path` with the process environment for `${VAR}` expansion. Returns the
/// config and warnings for the user: keys it did not recognise, OpenMetadata sections it could
/// not check.
pub fn load(path: &Path) -> Result<(Config, Vec<String>), ConfigError> {
    let text = read(path)?;
    parse_str(&text, path, std::env::vars().collect())
}

/// Like [`load`], but a variable the environment does not set reads as `1` (a placeholder that
/// fits string and number keys alike). For Argo mode: the pods resolve the variables from the
/// Kubernetes Secret, so the machine that renders or submits the Workflow need not hold them.
pub fn load_unresolved(path: &Path) -> Result<(Config, Vec<String>), ConfigError> {
    let text = read(path)?;
    let mut environment: HashMap<String, String> = std::env::vars().collect();
    let pattern = regex::Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").expect("static pattern");
    for name in pattern.captures_iter(&text).map(|c| c[1].to_owned()) {
        environment.entry(name).or_insert_with(|| "1".to_owned());
    }
    parse(&text, environment, Lenience::Placeholders)
        .map(|(document, unknown)| (config(path, &text, document), unknown))
        .map_err(|e| ConfigError {
            path: path.to_owned(),
            ..e
        })
}

/// Parses the text of a config as [`load`] parses a file's, with `environment` for the `${VAR}`s;
/// `path` only names the config in messages. For tools that hold the text already, and for the
/// config fuzzer (`cargo run -p omrun --example fuzz_config --release`).
pub fn parse_str(
    text: &str,
    path: &Path,
    environment: HashMap<String, String>,
) -> Result<(Config, Vec<String>), ConfigError> {
    parse(text, environment, Lenience::None)
        .map(|(document, unknown)| (config(path, text, document), unknown))
        .map_err(|e| ConfigError {
            path: path.to_owned(),
            ..e
        })
}

fn config(path: &Path, text: &str, document: Document) -> Config {
    let mut workflow = document.workflow_config;
    // OpenMetadata's `threads`: that many workers, here local mode's, unless the config says how
    // to run with `distributedExecution`.
    let threads = document.source.source_config.config.get("threads");
    if !workflow.distributed_execution.written
        && let Some(threads) = threads.and_then(serde_json::Value::as_u64)
        && threads > 1
    {
        let run = &mut workflow.distributed_execution;
        run.enabled = true;
        run.orchestrator = super::Orchestrator::Local;
        run.parallelism = threads.min(u64::from(super::MAX_PARALLELISM)) as u32;
    }
    Config {
        path: path.to_owned(),
        digest: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes())),
        source: document.source,
        sink: document.sink,
        workflow,
    }
}

/// The file's text: at most [`MAX_CONFIG_BYTES`], and UTF-8 (YAML's encoding).
fn read(path: &Path) -> Result<String, ConfigError> {
    let error = |line: Option<u64>, column: Option<u64>, message: String| ConfigError {
        path: path.to_owned(),
        line,
        column,
        key: None,
        message,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| error(None, None, format!("cannot read config: {e}")))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(error(
            None,
            None,
            format!(
                "the config is larger than {} KiB; a workflow config is a few kilobytes",
                MAX_CONFIG_BYTES / 1024
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count() as u64
            + 1;
        let byte = e.as_bytes()[valid.len()];
        error(
            Some(line),
            Some(column),
            format!("the config is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8"),
        )
    })
}

/// What a placeholder environment (`load_unresolved`) excuses: values that came from a variable
/// are not checked beyond their type, since they are not the real ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lenience {
    None,
    Placeholders,
}

/// The YAML parser's limits. A workflow config has a few hundred nodes, a dozen levels and rarely
/// an alias; these are generous for that and stop an alias bomb (billion laughs) or a deeply nested
/// document in milliseconds, with one error.
fn options(environment: HashMap<String, String>) -> serde_saphyr::Options {
    let mut budget = Budget::default();
    budget.max_events = 100_000;
    budget.max_nodes = 50_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_recorded_anchor_events = 50_000;
    budget.max_recorded_anchor_bytes = 4 * MAX_CONFIG_BYTES as usize;
    budget.max_total_scalar_bytes = 4 * MAX_CONFIG_BYTES as usize;
    budget.max_depth = MAX_DEPTH;
    budget.max_documents = 1;
    budget.max_merge_keys = 1_000;
    let mut options = serde_saphyr::options! { with_snippet: false };
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 50_000;
    options.alias_limits.max_replay_stack_depth = MAX_DEPTH;
    options = options.with_properties(environment);
    options.property_syntax = PropertySyntax::BracedOrBare;
    options
}

/// Parses YAML text; the returned error's `path` is empty (the caller knows the file).
pub(super) fn parse(
    text: &str,
    environment: HashMap<String, String>,
    lenience: Lenience,
) -> Result<(Document, Vec<String>), ConfigError> {
    check_text(text)?;
    let mut unknown_keys = Vec::new();
    let mut failed_key = None;
    let parsed =
        serde_saphyr::with_deserializer_from_str_with_options(text, options(environment), |de| {
            let mut collect = |key: serde_ignored::Path<'_>| unknown_keys.push(key.to_string());
            let de = serde_ignored::Deserializer::new(de, &mut collect);
            serde_path_to_error::deserialize(de).map_err(|e| {
                failed_key = key_path(&e.path().to_string());
                e.into_inner()
            })
        });
    let document: Document = parsed.map_err(|error| describe(text, error, failed_key.take()))?;
    // `Spanned` values leave a private marker key behind in what serde_ignored sees.
    let mut warnings: Vec<String> = unknown_keys
        .into_iter()
        .filter(|k| !k.contains("__serde_saphyr_private"))
        // serde_ignored writes an optional section's value as a `?` segment.
        .map(|k| k.replace(".?.", "."))
        .map(|k| format!("unknown key `{k}` ignored"))
        .collect();
    // What the model keeps as JSON or plain strings is checked on the same parse: the two
    // OpenMetadata sections against its schemas, patterns, and values the run would otherwise
    // trip on only after connecting.
    warnings.extend(document.check(text, lenience)?);
    Ok((document, warnings))
}

/// What the YAML parser would report badly: a file with nothing in it, and a `${` that is never
/// closed (the YAML crate keeps it as text, and the run would use `${NAME` as a value).
fn check_text(text: &str) -> Result<(), ConfigError> {
    let error = |line: Option<u64>, column: Option<u64>, key: Option<String>, message: String| {
        ConfigError {
            path: PathBuf::new(),
            line,
            column,
            key,
            message,
        }
    };
    let content = |line: &str| {
        let line = line.trim_start_matches('\u{feff}').trim();
        !line.is_empty() && !line.starts_with('#') && line != "---" && line != "..."
    };
    if !text.lines().any(content) {
        return Err(error(
            None,
            None,
            None,
            "the config is empty; it needs `source`, `sink` and `workflowConfig`".into(),
        ));
    }
    for (n, line) in text.lines().enumerate() {
        if let Some(column) = unclosed_reference(line) {
            let key = line
                .trim_start()
                .trim_start_matches("- ")
                .split(':')
                .next()
                .unwrap_or_default()
                .trim();
            let start: String = line.chars().skip(column - 1).collect();
            let shown: String = start
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '\'' | '"' | ',' | ']'))
                .take(60)
                .collect();
            let what = if super::is_secret_key(key) {
                "a `${`".to_owned()
            } else {
                format!("`{shown}`")
            };
            return Err(error(
                Some(n as u64 + 1),
                Some(column as u64),
                None,
                format!("{what} is not closed: a variable is written `${{NAME}}` or `$NAME`"),
            ));
        }
    }
    Ok(())
}

/// The 1-based column of a `${` without its `}` on `line`, outside comments and `$$` escapes.
fn unclosed_reference(line: &str) -> Option<usize> {
    let chars: Vec<char> = line.chars().collect();
    let mut quote: Option<char> = None;
    // The last character before `i` that is not whitespace.
    let mut previous: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if i > 0 && !chars[i - 1].is_whitespace() {
            previous = Some(chars[i - 1]);
        }
        match (quote, c) {
            (Some('\''), '\'') if chars.get(i + 1) == Some(&'\'') => i += 1,
            (Some('"'), '\\') => i += 1,
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"')
                if previous.is_none_or(|p| matches!(p, ':' | '-' | '[' | '{' | ',' | '?')) =>
            {
                quote = Some(c)
            }
            (None, '#') if i == 0 || chars[i - 1].is_whitespace() => return None,
            (_, '$') if chars.get(i + 1) == Some(&'$') => i += 1,
            (_, '$') if chars.get(i + 1) == Some(&'{') => {
                let mut depth = 0usize;
                let mut j = i + 2;
                let closed = loop {
                    match (chars.get(j), chars.get(j + 1)) {
                        (None, _) => break false,
                        (Some('$'), Some('{')) => {
                            depth += 1;
                            j += 1;
                        }
                        (Some('}'), _) if depth == 0 => break true,
                        (Some('}'), _) => depth -= 1,
                        _ => {}
                    }
                    j += 1;
                };
                if !closed {
                    return Some(i + 1);
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The dotted path of the key an error is about, without the `?` segments serde_path_to_error
/// adds where it could not tell (YAML syntax errors).
fn key_path(path: &str) -> Option<String> {
    let known: Vec<&str> = path
        .split('.')
        .take_while(|segment| *segment != "?")
        .filter(|s| !s.is_empty())
        .collect();
    let mut key = known.join(".");
    // A value read as `Spanned` (the server's settings) adds its inner field.
    if key.ends_with(".value") {
        key.truncate(key.len() - ".value".len());
    }
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Orchestrator;

    const MINIMAL: &str = "\
source:
  type: postgres
  serviceName: svc
  serviceConnection:
    config:
      type: Postgres
      username: ${PGUSER}
      hostPort: ${PGHOST:-localhost}:$PGPORT
      database: shop
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

    fn parse_env(
        text: &str,
        environment: HashMap<String, String>,
    ) -> Result<(Document, Vec<String>), ConfigError> {
        parse(text, environment, Lenience::None)
    }

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn expands_variables_with_defaults_and_bare_form() {
        let (doc, unknown) =
            parse_env(MINIMAL, env(&[("PGUSER", "alice"), ("PGPORT", "5433")])).unwrap();
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
        let err = parse_env(MINIMAL, env(&[("PGPORT", "5433")])).unwrap_err();
        assert_eq!(err.message, "environment variable PGUSER is not set");
        assert_eq!(err.line, Some(7));
    }

    #[test]
    fn wrong_type_names_line_column_and_key() {
        let text = MINIMAL.replace("parallelism: 4", "parallelism: many");
        let err = parse_env(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert_eq!(
            err.key.as_deref(),
            Some("workflowConfig.distributedExecution.parallelism")
        );
        assert_eq!((err.line, err.column), (Some(19), Some(18)));
        assert_eq!(
            err.message,
            "expected a whole number from 1 to 1024, found `many`"
        );
    }

    #[test]
    fn zero_workers_is_refused() {
        let text = MINIMAL.replace("parallelism: 4", "parallelism: 0");
        let err = parse_env(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert_eq!(
            err.key.as_deref(),
            Some("workflowConfig.distributedExecution.parallelism")
        );
        assert_eq!(
            err.message,
            "expected a whole number from 1 to 1024, found `0`"
        );
    }

    #[test]
    fn unknown_orchestrator_lists_the_known_ones() {
        let text = MINIMAL.replace("orchestrator: local", "orchestrator: kubernetes # comment");
        let err = parse_env(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
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
        assert_eq!(err.line, Some(18));
    }

    #[test]
    fn source_config_values_are_type_checked_with_their_key() {
        let text = MINIMAL.replace(
            "      # a comment",
            "  sourceConfig:\n    config:\n      includeViews: [yes, please]\n      # a comment",
        );
        let err = parse_env(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert_eq!(
            err.key.as_deref(),
            Some("source.sourceConfig.config.includeViews")
        );
        assert_eq!(err.line, Some(12));
    }

    #[test]
    fn a_filter_pattern_must_be_a_regex() {
        let text = MINIMAL.replace(
            "      # a comment",
            "  sourceConfig:\n    config:\n      tableFilterPattern:\n        excludes: [\"^ok$\", \"^tmp_(\"]\n      # a comment",
        );
        let err = parse_env(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert_eq!(
            err.key.as_deref(),
            Some("source.sourceConfig.config.tableFilterPattern.excludes[1]")
        );
        assert_eq!((err.line, err.column), (Some(13), Some(28)));
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
        let err = parse_env(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
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
        let (_, unknown) = parse_env(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap();
        assert_eq!(
            unknown,
            vec!["unknown key `workflowConfig.colour` ignored".to_string()]
        );
        // In an optional section, the path reads as written (serde_ignored adds a `?`).
        let text = MINIMAL.replace(
            "  distributedExecution:",
            "  distributedExecution:\n    airflow:\n      dagsFolde: /dags",
        );
        let (_, unknown) = parse_env(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap();
        assert_eq!(
            unknown,
            vec![
                "unknown key `workflowConfig.distributedExecution.airflow.dagsFolde` ignored"
                    .to_string()
            ]
        );
    }

    #[test]
    fn an_unclosed_reference_is_found_outside_comments_and_escapes() {
        assert_eq!(unclosed_reference("a: ${X"), Some(4));
        assert_eq!(unclosed_reference("a: ${X:-${Y}"), Some(4));
        assert_eq!(unclosed_reference("a: ${X:-${Y}}"), None);
        assert_eq!(unclosed_reference("a: ${X} # see ${"), None);
        assert_eq!(unclosed_reference("a: $${X"), None);
        assert_eq!(unclosed_reference("a: '#${X'"), Some(6));
        assert_eq!(unclosed_reference("a: 'it''s ${X'"), Some(11));
        let text = MINIMAL.replace("username: ${PGUSER}", "username: ${PGUSER");
        let err = parse_env(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert_eq!((err.line, err.column), (Some(7), Some(17)));
        assert!(err.message.starts_with("`${PGUSER` is not closed"), "{err}");
    }

    #[test]
    fn placeholders_are_not_checked_as_values() {
        let text = MINIMAL.replace(
            "workflowConfig:\n",
            "workflowConfig:\n  openMetadataServerConfig:\n    hostPort: http://om:8585/api\n    \
             verifySSL: ${VERIFY}\n",
        );
        let environment = env(&[("PGUSER", "a"), ("PGPORT", "1"), ("VERIFY", "1")]);
        assert!(parse(&text, environment.clone(), Lenience::Placeholders).is_ok());
        let err = parse(&text, environment, Lenience::None).unwrap_err();
        assert_eq!(
            err.message,
            "expected one of no-ssl, validate, ignore, found `${VERIFY}`"
        );
    }

    #[test]
    fn an_alias_bomb_is_refused_quickly() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let text = format!(
            "{bomb}{}",
            MINIMAL.replace("  type: postgres", "  type: postgres\n  x: *a9")
        );
        let started = std::time::Instant::now();
        let err = parse_env(&text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err();
        assert!(err.message.contains("alias"), "{err}");
        assert!(err.key.is_none(), "{err}");
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn a_secret_in_a_wrongly_typed_field_is_not_echoed() {
        let text = MINIMAL.replace("parallelism: 4", "parallelism: ${TOKEN}");
        let err = parse_env(
            &text,
            env(&[("PGUSER", "a"), ("PGPORT", "1"), ("TOKEN", "s3cr3t-value")]),
        )
        .unwrap_err();
        assert!(!err.to_string().contains("s3cr3t-value"), "{err}");
    }

    fn parse_ok(text: &str) -> (Config, Vec<String>) {
        parse_str(
            text,
            Path::new("c.yaml"),
            env(&[("PGUSER", "a"), ("PGPORT", "1")]),
        )
        .unwrap()
    }

    fn parse_err(text: &str) -> ConfigError {
        parse_env(text, env(&[("PGUSER", "a"), ("PGPORT", "1")])).unwrap_err()
    }

    fn with_source_config(lines: &str) -> String {
        MINIMAL.replace(
            "      # a comment",
            &format!("  sourceConfig:\n    config:\n{lines}      # a comment"),
        )
    }

    #[test]
    fn an_unknown_connection_key_stops_with_its_line_and_a_suggestion() {
        let text = MINIMAL.replace(
            "      database: shop\n",
            "      database: shop\n      hostPrt: db:5432\n",
        );
        let err = parse_err(&text);
        assert_eq!(
            err.key.as_deref(),
            Some("source.serviceConnection.config.hostPrt")
        );
        assert_eq!((err.line, err.column), (Some(10), Some(7)));
        assert!(
            err.message.starts_with("unknown key `hostPrt`: OpenMetadata 2.0.7's Postgres connection has no such key; did you mean `hostPort`?"),
            "{}",
            err.message
        );
    }

    #[test]
    fn an_unknown_source_config_key_stops_with_a_suggestion() {
        for (written, meant) in [
            ("includeTabels: false", "includeTables"),
            ("tableFilterPatern: {includes: [a]}", "tableFilterPattern"),
            ("IncludeViews: true", "includeViews"),
        ] {
            let err = parse_err(&with_source_config(&format!("      {written}\n")));
            let key = written.split(':').next().unwrap();
            assert_eq!(
                err.key,
                Some(format!("source.sourceConfig.config.{key}")),
                "{err}"
            );
            assert_eq!(err.line, Some(12), "{err}");
            assert!(
                err.message.contains(&format!("did you mean `{meant}`?")),
                "{err}"
            );
            assert!(err.message.contains("DatabaseMetadata pipeline"), "{err}");
        }
    }

    #[test]
    fn nested_mistakes_are_found_through_optional_and_union_fields() {
        // `authType` is `anyOf: [BasicAuth, IamAuth, AzureAuth, null]`.
        let text = MINIMAL.replace(
            "      database: shop\n",
            "      database: shop\n      authType:\n        pasword: x\n",
        );
        let err = parse_err(&text);
        assert_eq!(
            err.key.as_deref(),
            Some("source.serviceConnection.config.authType.pasword")
        );
        assert_eq!(err.line, Some(11));
        assert!(err.message.contains("did you mean `password`?"), "{err}");
        // An enum behind `anyOf: [SslMode, null]`.
        let text = MINIMAL.replace(
            "      database: shop\n",
            "      database: shop\n      sslMode: requir\n",
        );
        let err = parse_err(&text);
        assert_eq!(
            err.key.as_deref(),
            Some("source.serviceConnection.config.sslMode")
        );
        assert!(
            err.message
                .starts_with("expected one of disable, allow, prefer, require"),
            "{err}"
        );
        assert!(err.message.ends_with("found `requir`"), "{err}");
        // A filter pattern's lists hold strings.
        let err = parse_err(&with_source_config(
            "      schemaFilterPattern: {includes: [1, {a: b}]}\n",
        ));
        assert_eq!(
            err.key.as_deref(),
            Some("source.sourceConfig.config.schemaFilterPattern.includes[0]"),
            "{err}"
        );
    }

    #[test]
    fn a_key_openmetadata_requires_is_required() {
        let err = parse_err(&MINIMAL.replace("      database: shop\n", ""));
        assert_eq!(
            err.key.as_deref(),
            Some("source.serviceConnection.config.database")
        );
        assert!(
            err.message.contains(
                "`database` is missing: OpenMetadata 2.0.7's Postgres connection requires it"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_not_quoted() {
        let text = MINIMAL.replace(
            "      database: shop\n",
            "      database: shop\n      authType:\n        password: [hunter2]\n",
        );
        let err = parse_err(&text);
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(
            err.key.as_deref().unwrap().ends_with("authType.password"),
            "{err}"
        );
    }

    #[test]
    fn a_service_type_openmetadata_lacks_is_passed_with_a_warning() {
        let text = MINIMAL.replace("type: Postgres", "type: MyOwnEngine");
        let (_, warnings) = parse_ok(&text);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("`MyOwnEngine` is not a service type")),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_pipeline_of_another_service_kind_is_refused() {
        let err = parse_err(&with_source_config("      type: DashboardMetadata\n"));
        assert_eq!(err.key.as_deref(), Some("source.sourceConfig.config.type"));
        assert!(err.message.contains("use `DatabaseMetadata`"), "{err}");
    }

    #[test]
    fn python_patterns_are_accepted() {
        let (config, _) = parse_ok(&with_source_config(
            "      tableFilterPattern: {includes: ['^(?!tmp_).*', '(\\w)\\1', '(?>a)b', 'x\\Z']}\n",
        ));
        assert!(config.source.source_config.config["tableFilterPattern"].is_object());
    }

    #[test]
    fn threads_without_distributed_execution_means_local_mode() {
        let text = with_source_config("      threads: 6\n");
        let no_section = text[..text.find("workflowConfig:").unwrap()].to_owned();
        let (config, _) = parse_ok(&no_section);
        let run = &config.workflow.distributed_execution;
        assert!(run.enabled && run.orchestrator == Orchestrator::Local && run.parallelism == 6);
        // `distributedExecution` says how to run when it is there.
        let (config, _) = parse_ok(&text);
        assert_eq!(config.workflow.distributed_execution.parallelism, 4);
        // One thread is OpenMetadata's default: sequential.
        let one = no_section.replace("threads: 6", "threads: 1");
        assert!(!parse_ok(&one).0.workflow.distributed_execution.enabled);
    }

    #[test]
    fn keys_without_effect_are_those_neither_host_nor_plugin_reads() {
        let (config, _) = parse_ok(&with_source_config(
            "      includeDDL: true\n      includeTags: true\n      markDeletedTables: false\n      includeViews: false\n      incremental: null\n",
        ));
        let plugin = vec![
            "sourceConfig.config.includeViews".to_owned(),
            "serviceConnection.config.database".to_owned(),
        ];
        // includeTags: true is OpenMetadata's default; null is nothing; markDeletedTables the host's.
        assert_eq!(
            config.keys_without_effect(Some(&plugin)),
            vec!["sourceConfig.config.includeDDL".to_owned()]
        );
        assert!(config.keys_without_effect(None).is_empty());
    }
}
