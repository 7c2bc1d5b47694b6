//! What the user reads when a config is wrong: one line with the file, line, column and key
//! (`ConfigError`), in the config's terms — the YAML crate's messages rewritten (`describe`), the
//! value shown as written, never a secret's (`Found`).

use serde_saphyr::Error as YamlError;
use serde_saphyr::budget::BudgetBreach;
use std::fmt;
use std::path::PathBuf;

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

/// The deepest nesting of lists and mappings a config may have.
pub(super) const MAX_DEPTH: usize = 64;

pub(super) fn describe(text: &str, error: YamlError, key: Option<String>) -> ConfigError {
    let location = error.location();
    let (line, column) = match location {
        Some(at) if at.line() > 0 => (Some(at.line()), Some(at.column())),
        _ => (None, None),
    };
    // An error met while replaying an alias wraps the one that matters.
    let error = match error {
        YamlError::AliasError { error, .. } => *error,
        other => other,
    };
    let found = match (line, column) {
        (Some(line), Some(column)) => Found::at(text, line, column, key.as_deref()),
        _ => Found::Nothing,
    };
    let located = |key: Option<String>, message: String| ConfigError {
        path: PathBuf::new(),
        line,
        column,
        key,
        message,
    };
    let message = match &error {
        YamlError::UnresolvedProperty { name, .. }
        | YamlError::PropertyRequiredButUnset { name, .. } => {
            // The key is irrelevant here and the column points inside a string: the variable is the news.
            return ConfigError {
                column: None,
                ..located(None, format!("environment variable {name} is not set"))
            };
        }
        YamlError::InvalidPropertyName { name, .. } => {
            format!("`{name}` is not a variable reference: a variable is written `${{NAME}}`")
        }
        // About the document as a whole: the key where it tripped would only mislead.
        YamlError::Budget { breach, .. } => return located(None, budget_message(breach)),
        YamlError::AliasReplayLimitExceeded { .. }
        | YamlError::AliasExpansionLimitExceeded { .. }
        | YamlError::AliasReplayStackDepthExceeded { .. }
        | YamlError::AliasReplayCounterOverflow { .. } => {
            return located(
                None,
                "the YAML's aliases (`*name`) expand to too much; a config has no use for an \
                 alias bomb"
                    .into(),
            );
        }
        YamlError::MultipleDocuments { .. } => return located(None, second_document()),
        YamlError::DuplicateMappingKey { key: Some(k), .. } => {
            format!("duplicate key `{k}` (each key may appear once)")
        }
        YamlError::DuplicateMappingKey { key: None, .. } => {
            "duplicate key (each key may appear once)".into()
        }
        YamlError::UnknownAnchor { .. } => {
            format!("{found} refers to an anchor that is not defined above it")
        }
        YamlError::Unexpected { expected, .. } if key.is_none() && *expected == "mapping start" => {
            format!(
                "a workflow config is a mapping with `source`, `sink` and `workflowConfig`, \
                 but the file holds {}",
                found.kind()
            )
        }
        YamlError::Unexpected { expected, .. } => {
            let expected = match *expected {
                "mapping start" => "a mapping (`key: value` lines)",
                "sequence start" => "a list",
                "string scalar" | "str expected" | "missing string" => "a string",
                "scalar" => "a single value",
                other => other,
            };
            format!("expected {expected}, found {}", found.kind())
        }
        YamlError::InvalidScalar { ty, .. } => {
            let expected = match *ty {
                "boolean" | "bool" => "true or false",
                "floating point" | "f32" | "f64" => "a number",
                ty if ty.starts_with('u') => "a whole number of at least 0",
                ty if ty.starts_with('i') => "a whole number",
                other => other,
            };
            format!("expected {expected}, found {found}")
        }
        YamlError::SerdeUnknownVariant { expected, .. } => {
            format!("expected one of {}, found {found}", expected.join(", "))
        }
        YamlError::SerdeMissingField { field, .. } => format!("missing key `{field}`"),
        other => {
            let message = without_location(&other.to_string());
            if message.contains("recursion limit") {
                return located(None, nested_too_deeply());
            }
            if message.contains("found a tab") {
                // The parser may report it at the scalar before; point at the tab itself.
                let tab = text.lines().enumerate().find_map(|(n, l)| {
                    let indent = &l[..l.len() - l.trim_start().len()];
                    indent
                        .find('\t')
                        .map(|at| (n as u64 + 1, indent[..at].chars().count() as u64 + 1))
                });
                let (line, column) = tab.map_or((line, column), |(l, c)| (Some(l), Some(c)));
                return ConfigError {
                    line,
                    column,
                    ..located(
                        None,
                        "a tab in the indentation; indent YAML with spaces".to_owned(),
                    )
                };
            }
            message
        }
    };
    let message = key
        .as_deref()
        .and_then(|k| explain(k, &found))
        .unwrap_or(message);
    located(key, message)
}

fn budget_message(breach: &BudgetBreach) -> String {
    match breach {
        BudgetBreach::Depth { .. } => nested_too_deeply(),
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => {
            "the YAML is too large: more values than a workflow config could use (an alias \
             bomb?)"
                .into()
        }
        BudgetBreach::Aliases { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::RecordedAnchorEvents { .. }
        | BudgetBreach::RecordedAnchorBytes { .. } => {
            "the YAML has too many aliases (`*name`) for a workflow config (an alias bomb?)".into()
        }
        BudgetBreach::Anchors { .. } => {
            "the YAML has too many anchors (`&name`) for a workflow config".into()
        }
        BudgetBreach::ScalarBytes { .. } => {
            "the YAML is too large: its values add up to too much text".into()
        }
        BudgetBreach::Documents { .. } => second_document(),
        other => format!("the YAML is beyond what a workflow config needs ({other:?})"),
    }
}

fn nested_too_deeply() -> String {
    format!("the YAML is nested more than {MAX_DEPTH} levels deep")
}

fn second_document() -> String {
    "a second YAML document starts here (`---`); a workflow config is one document".into()
}

/// What the file holds where an error points, as written (so `${VAR}`, never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Found {
    Scalar(String),
    List,
    Mapping,
    Nothing,
    /// A value under a secret-named key, never shown.
    Secret,
}

impl Found {
    /// The value at `line:column` (1-based) of `text`; `key` is the key it belongs to, if known.
    pub(super) fn at(text: &str, line: u64, column: u64, key: Option<&str>) -> Found {
        if key.is_some_and(|k| super::is_secret_key(k.rsplit('.').next().unwrap_or(k))) {
            return Found::Secret;
        }
        let value = raw_scalar(text, line, column);
        // Pointing at the `:` after a key whose value is left out.
        let value = value.strip_prefix(':').unwrap_or(&value).trim();
        if value.starts_with('[') || value.starts_with("- ") || value == "-" {
            Found::List
        } else if value.starts_with('{') {
            Found::Mapping
        } else if value.is_empty() {
            // A block collection starts on the next line, indented further (a list may be not).
            let row = text.lines().nth(line.saturating_sub(1) as usize);
            let indent = |l: &str| l.len() - l.trim_start().len();
            let here = row.map_or(0, indent);
            let next = text
                .lines()
                .skip(line as usize)
                .find(|l| !l.trim().is_empty() && !l.trim().starts_with('#'));
            match next {
                Some(l) if l.trim() == "-" || l.trim().starts_with("- ") => {
                    if indent(l) >= here {
                        Found::List
                    } else {
                        Found::Nothing
                    }
                }
                Some(l) if indent(l) > here && l.contains(':') => Found::Mapping,
                _ => Found::Nothing,
            }
        } else if value.ends_with(':') || value.contains(": ") {
            Found::Mapping
        } else {
            // A tag written before the value is part of what was found (`!!str 4`).
            let row = text
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .unwrap_or("");
            let before: String = row
                .chars()
                .take(column.saturating_sub(1) as usize)
                .collect();
            match before.split_whitespace().last() {
                Some(tag) if tag.starts_with('!') => Found::Scalar(format!("{tag} {value}")),
                _ => Found::Scalar(value.to_owned()),
            }
        }
    }

    /// `a list`, `a mapping`, `a value` or `` `text` ``.
    fn kind(&self) -> String {
        match self {
            Found::Scalar(value) => format!("the value `{value}`"),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Scalar(value) => write!(f, "`{value}`"),
            Found::List => f.write_str("a list"),
            Found::Mapping => f.write_str("a mapping"),
            Found::Nothing => f.write_str("nothing"),
            Found::Secret => f.write_str("a value (not shown: a secret)"),
        }
    }
}

/// The message for keys checked beyond their type. The YAML crate replaces our own messages with a
/// generic one once any `${VAR}` was expanded (they could quote a secret), so they are rebuilt here
/// from the key and the text as written in the file, which holds `${VAR}`, never its value.
fn explain(key: &str, found: &Found) -> Option<String> {
    use super::{MAX_BACKOFF_FACTOR, MAX_PARALLELISM, MAX_SECONDS};
    let expected = match key.rsplit('.').next()? {
        "orchestrator" => {
            return Some(match found {
                Found::Scalar(name) => format!(
                    "unknown orchestrator `{name}`, expected one of {}",
                    super::Orchestrator::NAMES
                ),
                other => format!(
                    "expected an orchestrator ({}), found {other}",
                    super::Orchestrator::NAMES
                ),
            });
        }
        "parallelism" => format!("a whole number from 1 to {MAX_PARALLELISM}"),
        "maxAttempts"
        | "batchSize"
        | "bulkSinkBatchSize"
        | "bulk_sink_batch_size"
        | "concurrency"
        | "maxRequestBytes" => "a whole number of at least 1".into(),
        "backoffSeconds" | "maxBackoffSeconds" | "timeoutSeconds" | "pollSeconds" => {
            format!("a number of seconds from 0 to {MAX_SECONDS}")
        }
        "backoffFactor" => format!("a number from 0 to {MAX_BACKOFF_FACTOR}"),
        _ => return None,
    };
    Some(format!("expected {expected}, found {found}"))
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
        Some('[' | '{') => value.trim().to_owned(),
        _ => {
            // Up to a comment or the end of a flow item; a `}` closing `${…}` is part of the value.
            let mut depth = 0usize;
            let mut end = value.len();
            let mut chars = value.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                match c {
                    '$' if chars.peek().is_some_and(|&(_, n)| n == '{') => {
                        depth += 1;
                        chars.next();
                    }
                    '}' if depth > 0 => depth -= 1,
                    ',' | ']' | '}' => {
                        end = i;
                        break;
                    }
                    '#' if value[..i].ends_with(' ') => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            value[..end].trim().to_owned()
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
