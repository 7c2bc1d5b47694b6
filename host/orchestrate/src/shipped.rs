//! The config as a distributed run ships it to the machines that run its parts (Argo's
//! ConfigMap, the Airflow DAG file): its `${VAR}`s unexpanded, since the values belong to the
//! workers' environment, and refused when it holds a secret written out — the shipped text is
//! stored where many can read it; a plugin named by a registry tag is pinned to the bytes the tag
//! names now, so every worker runs the same.

use anyhow::{Context, bail};
use omrun_config::{self as config, Config};
use serde_json::Value;
use std::collections::BTreeMap;

pub struct Shipped {
    /// The config file as YAML written from its parsed document: no comment of the file (an old
    /// password commented out, say) is shipped.
    pub text: String,
    /// Every variable the config refers to, and whether it has a default.
    pub variables: BTreeMap<String, bool>,
}

impl Shipped {
    /// Reads the config's file again (unexpanded). A literal secret is refused with a message
    /// ending in `instead`: where the variable's value will come from.
    pub fn read(config: &Config, instead: &str) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(&config.path)
            .with_context(|| format!("cannot read {}", config.path.display()))?;
        let raw: Value = serde_saphyr::from_str(&text)
            .with_context(|| format!("cannot parse {}", config.path.display()))?;
        let mut literal = Vec::new();
        literal_secrets(&raw, "", &mut literal);
        if !literal.is_empty() {
            bail!(
                "{}: {} holds a literal secret; write it as ${{VAR}} so {instead}",
                config.path.display(),
                literal.join(", "),
            );
        }
        let mut raw = raw;
        if let Some(sha256) = crate::plugin_source::pin_to_ship(config)? {
            raw["source"]["plugin"]["sha256"] = Value::from(sha256);
        }
        let mut variables = BTreeMap::new();
        references(&raw, &mut variables);
        let text = serde_saphyr::to_string(&raw)
            .with_context(|| format!("cannot write {} again", config.path.display()))?;
        Ok(Self { text, variables })
    }
}

/// Paths of secret-named keys whose value is written out rather than referenced. The
/// distributed-execution section itself is skipped: it holds names (`secretName`, `tokenEnv`),
/// not secrets.
fn literal_secrets(value: &Value, path: &str, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if here == "workflowConfig.distributedExecution" {
                    continue;
                }
                match value {
                    Value::String(text) if config::is_secret_key(key) && !text.is_empty() => {
                        if !references_only(text) {
                            found.push(here)
                        }
                    }
                    Value::Number(_) | Value::Bool(_) if config::is_secret_key(key) => {
                        found.push(here)
                    }
                    _ => literal_secrets(value, &here, found),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                literal_secrets(item, &format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

/// `${VAR}`, `${VAR:-default}` and `$VAR`, as the config loader expands them.
fn variable_pattern() -> &'static regex::Regex {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    PATTERN.get_or_init(|| {
        regex::Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
            .expect("static pattern")
    })
}

/// Whether `text` is only variable references: a default (`${PGPW:-hunter2}`) is a value written
/// out, so it does not count (an empty one, `${PGPW:-}`, does).
fn references_only(text: &str) -> bool {
    let pattern = variable_pattern();
    let defaulted = pattern
        .captures_iter(text)
        .any(|c| c.get(2).is_some_and(|d| d.as_str().len() > 2));
    !defaulted && pattern.replace_all(text, "").trim().is_empty()
}

/// Every variable the config refers to, and whether it has a default.
fn references(value: &Value, found: &mut BTreeMap<String, bool>) {
    match value {
        Value::String(text) => {
            for capture in variable_pattern().captures_iter(text) {
                let (name, has_default) = match (capture.get(1), capture.get(3)) {
                    (Some(name), _) => (name.as_str(), capture.get(2).is_some()),
                    (None, Some(name)) => (name.as_str(), false),
                    _ => continue,
                };
                let entry = found.entry(name.to_owned()).or_insert(has_default);
                *entry &= has_default;
            }
        }
        Value::Object(map) => map.values().for_each(|v| references(v, found)),
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}
