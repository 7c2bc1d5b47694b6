//! `serviceConnection.config` and `sourceConfig.config` checked the way OpenMetadata checks them:
//! against the JSON Schemas of OpenMetadata 2.0.7's own models for the service type, carried in
//! the binary (schemas/, made by scripts/om-config-schemas.py from the PyPI package). A key
//! OpenMetadata does not know stops the run with its line and a did-you-mean; so does a value of
//! the wrong type or outside an enum, or a key it requires. Messages are built here, from the
//! schema and the text as written, so they never quote a secret or a `${VAR}`'s value.

use super::diagnostics::{ConfigError, Found};
use super::load::Lenience;
use super::located::{Located, Node, key_position};
use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The OpenMetadata release whose schemas omrun checks against.
pub const VERSION: &str = "2.0.7";

const CONNECTIONS: &str = include_str!("../schemas/connections.json");
const PIPELINES: &str = include_str!("../schemas/pipelines.json");

const CONNECTION_KEY: &str = "source.serviceConnection.config";
const PIPELINE_KEY: &str = "source.sourceConfig.config";

/// One file of schemas, by `type`.
#[derive(Deserialize)]
struct Table {
    types: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    /// `database`, `dashboard`, `pipeline` or `mlmodel`.
    category: String,
    schema: Value,
}

fn table(cell: &'static OnceLock<Table>, text: &'static str) -> &'static Table {
    cell.get_or_init(|| serde_json::from_str(text).expect("the bundled schemas are JSON"))
}

fn connections() -> &'static Table {
    static CELL: OnceLock<Table> = OnceLock::new();
    table(&CELL, CONNECTIONS)
}

fn pipelines() -> &'static Table {
    static CELL: OnceLock<Table> = OnceLock::new();
    table(&CELL, PIPELINES)
}

/// What the schema check learnt about the source.
#[derive(Debug, Default)]
pub struct Checked {
    /// OpenMetadata's service category (`database`, `dashboard`, …), when the type is one of its.
    pub category: Option<String>,
    /// Things the user should know that do not stop the run.
    pub warnings: Vec<String>,
}

/// The OpenMetadata schema of a section, for the checks that need its defaults.
pub(crate) fn schema_of_connection(service_type: &str) -> Option<&'static Value> {
    connections().types.get(service_type).map(|e| &e.schema)
}

/// OpenMetadata's category of a service type (`Postgres` → `database`, `Looker` → `dashboard`,
/// `Airflow` → `pipeline`, `Mlflow` → `mlmodel`): which kind of service the sinks create for it.
/// `None` for a type OpenMetadata 2.0.7 does not know.
pub fn category_of(service_type: &str) -> Option<&'static str> {
    connections()
        .types
        .get(service_type)
        .map(|e| e.category.as_str())
}

/// The metadata pipeline schema `sourceConfig.config` is checked against.
pub(crate) fn schema_of_pipeline(pipeline_type: &str) -> Option<&'static Value> {
    pipelines().types.get(pipeline_type).map(|e| &e.schema)
}

/// The metadata pipeline type of a service category (`database` → `DatabaseMetadata`).
pub(crate) fn pipeline_type(category: &str) -> Option<&'static str> {
    pipelines()
        .types
        .iter()
        .find(|(_, e)| e.category == category)
        .map(|(name, _)| name.as_str())
}

/// The metadata pipeline `sourceConfig.config` is: its `type` when written, else the ingestion of
/// the service type's category (`Postgres` → `DatabaseMetadata`).
pub(crate) fn pipeline_name<'a>(
    written: Option<&'a str>,
    service_type: Option<&str>,
) -> Option<&'a str> {
    written.or_else(|| service_type.and_then(category_of).and_then(pipeline_type))
}

/// Checks both sections. `text` is the config as written (for locations and quoting).
pub(crate) fn check(
    text: &str,
    connection: &Located,
    source: Option<&Located>,
    lenience: Lenience,
) -> Result<Checked, ConfigError> {
    let mut checked = Checked::default();
    let Node::Map(_) = &connection.value else {
        let found = Found::at(
            text,
            connection.referenced.line(),
            connection.referenced.column(),
            None,
        );
        return Err(error(
            connection,
            CONNECTION_KEY,
            format!("expected a mapping (`key: value` lines), found {found}"),
        ));
    };
    let type_node = Node::find(connection, &["type".to_owned()]);
    let service_type = match type_node.map(|n| &n.value) {
        Some(Node::Str(t)) => Some(t.as_str()),
        Some(_) => {
            let at = type_node.unwrap_or(connection);
            let found = Found::at(text, at.referenced.line(), at.referenced.column(), None);
            return Err(error(
                at,
                &format!("{CONNECTION_KEY}.type"),
                format!("expected OpenMetadata's service type (e.g. `Postgres`), found {found}"),
            ));
        }
        None => {
            return Err(error(
                connection,
                CONNECTION_KEY,
                "missing key `type` (OpenMetadata's service type, e.g. `Postgres`)".into(),
            ));
        }
    };
    match service_type.and_then(|t| connections().types.get(t).map(|e| (t, e))) {
        Some((name, entry)) => {
            checked.category = Some(entry.category.clone());
            let what = format!("OpenMetadata {VERSION}'s {name} connection");
            let mut section = Section::new(text, connection, CONNECTION_KEY, &what, lenience);
            // OpenMetadata's custom connector types (`CustomDatabase`, `CustomDashboard`, …) leave
            // the connection to the connector; a plugin's own settings are its keys (OpenMetadata
            // would want them as strings in `connectionOptions`). Its keys are still checked.
            section.own_keys_allowed = name.starts_with("Custom");
            section.check(&entry.schema)?;
        }
        None => checked.warnings.push(format!(
            "{CONNECTION_KEY}.type `{}` is not a service type of OpenMetadata {VERSION}; the section \
             goes to the plugin unchecked",
            service_type.unwrap_or_default()
        )),
    }

    let Some(source) = source.filter(|s| s.value != Node::Null) else {
        return Ok(checked);
    };
    let type_node = Node::find(source, &["type".to_owned()]);
    let type_at = type_node.unwrap_or(source);
    let written_type = match type_node.map(|n| &n.value) {
        Some(Node::Str(t)) => Some(t.as_str()),
        _ => None,
    };
    let pipeline = pipeline_name(written_type, service_type);
    match pipeline.and_then(|p| pipelines().types.get(p).map(|e| (p, e))) {
        Some((name, entry)) => {
            if let Some(category) = &checked.category
                && &entry.category != category
            {
                return Err(error(
                    type_at,
                    &format!("{PIPELINE_KEY}.type"),
                    format!(
                        "`{name}` is the metadata ingestion of {} services, but the connection is \
                         a {category} service; use `{}`",
                        entry.category,
                        pipeline_type(category).unwrap_or("its own")
                    ),
                ));
            }
            let what = format!("OpenMetadata {VERSION}'s {name} pipeline");
            Section::new(text, source, PIPELINE_KEY, &what, lenience).check(&entry.schema)?;
        }
        None if written_type.is_some() => {
            let known: Vec<&str> = pipelines().types.keys().map(String::as_str).collect();
            return Err(error(
                type_at,
                &format!("{PIPELINE_KEY}.type"),
                format!(
                    "`{}` is not a metadata ingestion omrun runs; expected one of {}",
                    written_type.unwrap_or_default(),
                    known.join(", ")
                ),
            ));
        }
        None => checked.warnings.push(format!(
            "{PIPELINE_KEY} goes to the plugin unchecked: its type is not given and the service type \
             is not OpenMetadata's"
        )),
    }
    Ok(checked)
}

/// One section and how to talk about it.
struct Section<'a> {
    text: &'a str,
    root: &'a Located,
    /// The section's dotted key, e.g. `source.serviceConnection.config`.
    key: &'a str,
    /// What the schema is, e.g. `OpenMetadata 2.0.7's Postgres connection`.
    what: &'a str,
    lenience: Lenience,
    /// Keys the schema does not name are let through at the section's top level.
    own_keys_allowed: bool,
}

impl<'a> Section<'a> {
    fn new(
        text: &'a str,
        root: &'a Located,
        key: &'a str,
        what: &'a str,
        lenience: Lenience,
    ) -> Self {
        Self {
            text,
            root,
            key,
            what,
            lenience,
            own_keys_allowed: false,
        }
    }

    fn check(&self, schema: &Value) -> Result<(), ConfigError> {
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(false)
            .build(schema)
            .expect("the bundled schemas compile");
        let instance = self.root.value.to_json();
        let mut errors: Vec<ConfigError> = validator
            .iter_errors(&instance)
            .filter_map(|e| self.explain(schema, &e))
            .collect();
        // The first in the file, so fixing errors top to bottom works.
        errors.sort_by_key(|e| (e.line, e.column));
        let count = errors.len();
        match errors.into_iter().next() {
            None => Ok(()),
            Some(mut first) => {
                if count > 1 {
                    first.message += &format!(" (and {} more in this section)", count - 1);
                }
                Err(first)
            }
        }
    }

    /// The error in the config's terms, or `None` when it is excused (a placeholder's value).
    fn explain(&self, schema: &Value, e: &ValidationError) -> Option<ConfigError> {
        let segments = segments(e.instance_path().as_str());
        let node = Node::find(self.root, &segments).unwrap_or(self.root);
        let key = self.dotted(&segments);
        match e.kind() {
            ValidationErrorKind::AdditionalProperties { .. }
                if self.own_keys_allowed && segments.is_empty() =>
            {
                None
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let name = unexpected.first()?;
                let allowed = allowed_keys(schema, e.schema_path().as_str());
                let (line, column) = match &node.value {
                    Node::Map(entries) => entries
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| {
                            key_position(
                                self.text,
                                name,
                                v.referenced.line(),
                                v.referenced.column(),
                            )
                        })
                        .unwrap_or((node.referenced.line(), node.referenced.column())),
                    _ => (node.referenced.line(), node.referenced.column()),
                };
                let mut message = format!("unknown key `{name}`: {} has no such key", self.what);
                match did_you_mean(name, &allowed) {
                    Some(close) => message += &format!("; did you mean `{close}`?"),
                    None if !allowed.is_empty() && allowed.len() <= 12 => {
                        message += &format!(" (its keys: {})", allowed.join(", "))
                    }
                    None => {}
                }
                if unexpected.len() > 1 {
                    message += &format!(
                        " (also unknown here: {})",
                        unexpected[1..]
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                Some(ConfigError {
                    path: PathBuf::new(),
                    line: Some(line),
                    column: Some(column),
                    key: Some(format!("{key}.{name}")),
                    message,
                })
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                Some(error(
                    node,
                    &format!("{key}.{name}"),
                    format!("`{name}` is missing: {} requires it", self.what),
                ))
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                // OpenMetadata's optional fields are `anyOf: [X, null]`, its unions `anyOf` too:
                // the branch the value was meant for is the one that did not fail on its type.
                let meant: Vec<&Vec<ValidationError>> = context
                    .iter()
                    .filter(|branch| {
                        !branch.iter().any(|b| {
                            b.instance_path().as_str() == e.instance_path().as_str()
                                && matches!(b.kind(), ValidationErrorKind::Type { .. })
                        })
                    })
                    .collect();
                if let Some(branch) = meant.iter().min_by_key(|b| b.len()) {
                    return branch
                        .iter()
                        .filter_map(|b| self.explain(schema, b))
                        .min_by_key(|c| (c.line, c.column));
                }
                let expected: Vec<String> = context
                    .iter()
                    .flatten()
                    .filter_map(|b| match b.kind() {
                        ValidationErrorKind::Type { kind } => Some(type_names(kind)),
                        _ => None,
                    })
                    .collect();
                self.value_error(node, &key, &format!("expected {}", or_list(&expected)))
            }
            ValidationErrorKind::Type { kind } => {
                self.value_error(node, &key, &format!("expected {}", type_names(kind)))
            }
            ValidationErrorKind::Enum { options } => {
                let options: Vec<String> = options
                    .as_array()
                    .map(|o| {
                        o.iter()
                            .map(|v| v.as_str().map_or(v.to_string(), str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                self.value_error(
                    node,
                    &key,
                    &format!("expected one of {}", options.join(", ")),
                )
            }
            ValidationErrorKind::Constant { expected_value } => {
                self.value_error(node, &key, &format!("expected `{expected_value}`"))
            }
            // The rest (bounds, lengths, patterns): the library's words, with the value masked.
            _ => self.value_error(node, &key, &e.masked().to_string()),
        }
    }

    /// An error about a value: it quotes the value as written (never a secret), and is excused
    /// when the value is a placeholder for an unset variable.
    fn value_error(&self, node: &Located, key: &str, expected: &str) -> Option<ConfigError> {
        let at = node.referenced;
        // Whether it is a placeholder is read from the text as written, secret or not.
        let written = Found::at(self.text, at.line(), at.column(), None);
        if self.lenience == Lenience::Placeholders
            && matches!(&written, Found::Scalar(s) if s.contains('$'))
        {
            return None;
        }
        let found = Found::at(self.text, at.line(), at.column(), Some(key));
        Some(error(node, key, format!("{expected}, found {found}")))
    }

    fn dotted(&self, segments: &[String]) -> String {
        let mut key = self.key.to_owned();
        for s in segments {
            if s.parse::<usize>().is_ok() {
                key += &format!("[{s}]");
            } else {
                key += &format!(".{s}");
            }
        }
        key
    }
}

fn error(node: &Located, key: &str, message: String) -> ConfigError {
    ConfigError {
        path: PathBuf::new(),
        line: Some(node.referenced.line()),
        column: Some(node.referenced.column()),
        key: Some(key.to_owned()),
        message,
    }
}

/// A JSON pointer's segments, unescaped.
fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The keys the object schema at `schema_path` (ending in its `additionalProperties`) allows,
/// following `$ref`s into `$defs` on the way.
fn allowed_keys(root: &Value, schema_path: &str) -> Vec<String> {
    let mut node = root;
    let mut path = segments(schema_path);
    path.pop(); // `additionalProperties`
    for segment in &path {
        if segment == "$ref" {
            let Some(name) = node["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/$defs/"))
            else {
                return Vec::new();
            };
            node = &root["$defs"][name];
        } else {
            node = match node {
                Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => node.get(segment),
            }
            .unwrap_or(&Value::Null);
        }
    }
    let mut keys: Vec<String> = node["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// The allowed key closest to `name`, if close enough to be a slip.
fn did_you_mean(name: &str, allowed: &[String]) -> Option<String> {
    let lower = name.to_lowercase();
    if let Some(same) = allowed.iter().find(|k| k.to_lowercase() == lower) {
        return Some(same.clone());
    }
    allowed
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&lower, &k.to_lowercase()), k))
        .filter(|(distance, k)| *distance <= (k.len() / 4).clamp(1, 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k.clone())
}

fn type_names(kind: &TypeKind) -> String {
    let name = |t: &jsonschema::JsonType| -> String {
        match t.to_string().as_str() {
            "string" => "a string".into(),
            "integer" => "a whole number".into(),
            "number" => "a number".into(),
            "boolean" => "true or false".into(),
            "object" => "a mapping".into(),
            "array" => "a list".into(),
            "null" => "nothing (null)".into(),
            other => other.into(),
        }
    };
    match kind {
        TypeKind::Single(t) => name(t),
        TypeKind::Multiple(set) => or_list(&set.iter().map(|t| name(&t)).collect::<Vec<_>>()),
    }
}

fn or_list(items: &[String]) -> String {
    let mut unique: Vec<&String> = Vec::new();
    for item in items {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    match unique.as_slice() {
        [] => "another value".into(),
        [one] => (*one).clone(),
        [init @ .., last] => format!(
            "{} or {last}",
            init.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
