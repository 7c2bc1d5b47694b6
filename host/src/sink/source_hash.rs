//! `sourceHash`: the fingerprint OpenMetadata's server compares to skip rewriting an unchanged
//! entity. It must equal what OpenMetadata's own ingestion computes
//! (`metadata.utils.source_hash.generate_source_hash`), or a table ingested once by `metadata
//! ingest` and once by omrun would be rewritten: that function md5-hashes `json.dumps(…,
//! sort_keys=True, default=str)` of the pydantic model's `model_dump()`, normalised. So the hashed
//! document has every field of the model (absent ones at their defaults), enum values as Python
//! prints them (`DataType.INT`), columns sorted by position, table constraints by type and
//! columns, and view definitions with whitespace collapsed.

use super::RequestKind;
use md5::{Digest, Md5};
use serde_json::{Map, Value};
use std::fmt::Write;

/// One field of an OpenMetadata pydantic model, as `model_dump()` writes it.
struct Field {
    name: &'static str,
    default: Absent,
    kind: Kind,
}

/// What `model_dump()` writes for a field the request leaves out.
#[derive(Clone, Copy)]
enum Absent {
    /// Required: always present in a valid request.
    Required,
    Null,
    False,
    EmptyList,
}

#[derive(Clone, Copy)]
enum Kind {
    Plain,
    /// A Python `Enum` of this class: dumped as `Class.MEMBER`.
    Enum(&'static str),
    Model(&'static [Field]),
    ListOf(&'static [Field]),
}

const fn f(name: &'static str, default: Absent, kind: Kind) -> Field {
    Field {
        name,
        default,
        kind,
    }
}

use Absent::{EmptyList, False, Null, Required};
use Kind::{Enum, ListOf, Model, Plain};

// Field lists of openmetadata-ingestion 2.0.7.0's generated models (CreateDatabaseRequest,
// CreateDatabaseSchemaRequest, CreateTableRequest, Column, TableConstraint, TablePartition,
// PartitionColumnDetails), in any order: the dump is key-sorted. `sourceHash` itself is excluded.
const DATABASE: &[Field] = &[
    f("name", Required, Plain),
    f("displayName", Null, Plain),
    f("description", Null, Plain),
    f("tags", Null, Plain),
    f("owners", Null, Plain),
    f("service", Required, Plain),
    f("dataProducts", Null, Plain),
    f("default", False, Plain),
    f("retentionPeriod", Null, Plain),
    f("extension", Null, Plain),
    f("sourceUrl", Null, Plain),
    f("domains", Null, Plain),
    f("lifeCycle", Null, Plain),
];

const SCHEMA: &[Field] = &[
    f("name", Required, Plain),
    f("displayName", Null, Plain),
    f("description", Null, Plain),
    f("owners", Null, Plain),
    f("database", Required, Plain),
    f("dataProducts", Null, Plain),
    f("tags", Null, Plain),
    f("retentionPeriod", Null, Plain),
    f("extension", Null, Plain),
    f("sourceUrl", Null, Plain),
    f("domains", Null, Plain),
    f("lifeCycle", Null, Plain),
];

const COLUMN: &[Field] = &[
    f("name", Required, Plain),
    f("displayName", Null, Plain),
    f("dataType", Required, Enum("DataType")),
    f("arrayDataType", Null, Enum("DataType")),
    f("dataLength", Null, Plain),
    f("precision", Null, Plain),
    f("scale", Null, Plain),
    f("dataTypeDisplay", Null, Plain),
    f("description", Null, Plain),
    f("fullyQualifiedName", Null, Plain),
    f("tags", EmptyList, Plain),
    f("constraint", Null, Enum("Constraint")),
    f("ordinalPosition", Null, Plain),
    f("jsonSchema", Null, Plain),
    f("children", Null, Plain),
    f("profile", Null, Plain),
    f("customMetrics", Null, Plain),
    f("extension", Null, Plain),
];

const TABLE_CONSTRAINT: &[Field] = &[
    f("constraintType", Null, Enum("ConstraintType")),
    f("columns", Null, Plain),
    f("referredColumns", Null, Plain),
    f("relationshipType", Null, Enum("RelationshipType")),
];

const PARTITION_COLUMN: &[Field] = &[
    f("columnName", Null, Plain),
    f("intervalType", Null, Enum("PartitionIntervalTypes")),
    f("interval", Null, Plain),
];

const TABLE_PARTITION: &[Field] = &[f("columns", Null, ListOf(PARTITION_COLUMN))];

const TABLE: &[Field] = &[
    f("name", Required, Plain),
    f("displayName", Null, Plain),
    f("description", Null, Plain),
    f("tableType", Null, Enum("TableType")),
    f("columns", Required, ListOf(COLUMN)),
    f("dataModel", Null, Plain),
    f("locationPath", Null, Plain),
    f("tableConstraints", Null, ListOf(TABLE_CONSTRAINT)),
    f("aliases", Null, Plain),
    f("tablePartition", Null, Model(TABLE_PARTITION)),
    f("tableProfilerConfig", Null, Plain),
    f("owners", Null, Plain),
    f("databaseSchema", Required, Plain),
    f("tags", Null, Plain),
    f("schemaDefinition", Null, Plain),
    f("retentionPeriod", Null, Plain),
    f("extension", Null, Plain),
    f("sourceUrl", Null, Plain),
    f("domains", Null, Plain),
    f("dataProducts", Null, Plain),
    f("fileFormat", Null, Plain),
    f("lifeCycle", Null, Plain),
];

/// The `sourceHash` of a Create request body, or `None` for kinds that have none (services).
pub fn source_hash(kind: RequestKind, body: &Value) -> Option<String> {
    let model = match kind {
        RequestKind::DatabaseService => return None,
        RequestKind::Database => DATABASE,
        RequestKind::DatabaseSchema => SCHEMA,
        RequestKind::Table => TABLE,
    };
    let mut document = dump(model, body);
    normalize(&mut document);
    let mut text = String::new();
    python_json(&document, &mut text);
    Some(hex::encode(Md5::digest(text.as_bytes())))
}

/// `model_dump()`: every field of the model, absent ones at their defaults.
fn dump(model: &[Field], value: &Value) -> Value {
    let mut out = Map::new();
    for field in model {
        let given = value.get(field.name).filter(|v| !v.is_null());
        let dumped = match (given, field.kind) {
            (None, _) => match field.default {
                Required | Null => Value::Null,
                False => Value::Bool(false),
                EmptyList => Value::Array(Vec::new()),
            },
            (Some(Value::String(member)), Enum(class)) => {
                Value::String(format!("{class}.{}", member.replace(['-', ' '], "_")))
            }
            (Some(v), Model(fields)) => dump(fields, v),
            (Some(Value::Array(items)), ListOf(fields)) => {
                Value::Array(items.iter().map(|item| dump(fields, item)).collect())
            }
            (Some(v), _) => v.clone(),
        };
        out.insert(field.name.to_owned(), dumped);
    }
    Value::Object(out)
}

/// OpenMetadata's `_normalize_for_hash` for the fields omrun writes.
fn normalize(document: &mut Value) {
    if let Some(Value::Array(columns)) = document.get_mut("columns") {
        // Position first (a column without one last), then name; Python's sort is stable, so is this.
        columns.sort_by(|a, b| {
            let position = |c: &Value| c["ordinalPosition"].as_u64().unwrap_or(u64::MAX);
            let name = |c: &Value| c["name"].as_str().unwrap_or_default().to_owned();
            (position(a), name(a)).cmp(&(position(b), name(b)))
        });
    }
    if let Some(Value::Array(constraints)) = document.get_mut("tableConstraints") {
        constraints.sort_by_key(|c| {
            let mut columns: Vec<&str> = c["columns"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            columns.sort();
            (
                c["constraintType"].as_str().unwrap_or_default().to_owned(),
                columns.join(","),
            )
        });
    }
    if let Some(Value::String(definition)) = document.get_mut("schemaDefinition") {
        *definition = collapse_whitespace(definition);
    }
}

/// Python's `re.sub(r"\s+", " ", text.strip())`. Python counts U+001C–U+001F as whitespace too.
fn collapse_whitespace(text: &str) -> String {
    let space = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    text.split(space)
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `json.dumps(value, sort_keys=True)`: `", "` and `": "` separators, non-ASCII as `\uXXXX`.
fn python_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => python_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_string(key, out);
                out.push_str(": ");
                python_json(&map[key], out);
            }
            out.push('}');
        }
    }
}

fn python_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7f => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table() -> Value {
        json!({
            "name": "t", "databaseSchema": "svc.db.s", "tableType": "Regular",
            "columns": [{"name": "id", "dataType": "INT", "dataTypeDisplay": "integer",
                         "ordinalPosition": 1, "constraint": "PRIMARY_KEY"}]
        })
    }

    // Expected values computed by OpenMetadata's own `generate_source_hash`
    // (openmetadata-ingestion 2.0.7.0) for the same requests; `scripts/om-source-hash.py --print`
    // computes them for the requests of a file-sink output.
    #[test]
    fn hashes_equal_openmetadata_ingestion() {
        assert_eq!(
            source_hash(RequestKind::Table, &table()).unwrap(),
            "53a47d5e58397b064f493322c7b59eeb"
        );
        let view = json!({
            "name": "vé", "databaseSchema": "svc.db.s", "tableType": "View", "description": "naïve 😀",
            "schemaDefinition": "CREATE VIEW v AS\n  SELECT 1",
            "columns": [
                {"name": "b", "dataType": "ARRAY", "arrayDataType": "INT", "dataTypeDisplay": "integer[]", "ordinalPosition": 2},
                {"name": "a", "dataType": "NUMERIC", "precision": 10, "scale": 2, "dataTypeDisplay": "numeric(10,2)",
                 "ordinalPosition": 1, "constraint": "NOT_NULL"}],
            "tableConstraints": [
                {"constraintType": "UNIQUE", "columns": ["b", "a"]},
                {"constraintType": "FOREIGN_KEY", "columns": ["a"], "referredColumns": ["svc.db.s.\"x.y\".id"]}],
            "tablePartition": {"columns": [{"columnName": "a", "intervalType": "TIME-UNIT"}]}
        });
        assert_eq!(
            source_hash(RequestKind::Table, &view).unwrap(),
            "4a5ded012c2b7bb5ab3168d011179293"
        );
        let database = json!({"name": "db", "service": "svc", "description": "d"});
        assert_eq!(
            source_hash(RequestKind::Database, &database).unwrap(),
            "15aa89e0dc3eb25316e01ac1536b46ec"
        );
        assert_eq!(source_hash(RequestKind::DatabaseService, &database), None);
    }

    #[test]
    fn order_of_columns_and_constraints_and_definition_whitespace_do_not_matter() {
        let a = json!({"name": "v", "databaseSchema": "s", "schemaDefinition": "CREATE VIEW v AS\n  SELECT 1",
            "columns": [{"name": "a", "dataType": "INT", "ordinalPosition": 1}, {"name": "b", "dataType": "INT", "ordinalPosition": 2}],
            "tableConstraints": [{"constraintType": "UNIQUE", "columns": ["b", "a"]}, {"constraintType": "PRIMARY_KEY", "columns": ["a"]}]});
        let b = json!({"name": "v", "databaseSchema": "s", "schemaDefinition": " CREATE VIEW v AS SELECT   1 ",
            "columns": [{"name": "b", "dataType": "INT", "ordinalPosition": 2}, {"name": "a", "dataType": "INT", "ordinalPosition": 1}],
            "tableConstraints": [{"constraintType": "PRIMARY_KEY", "columns": ["a"]}, {"constraintType": "UNIQUE", "columns": ["b", "a"]}]});
        assert_eq!(
            source_hash(RequestKind::Table, &a),
            source_hash(RequestKind::Table, &b)
        );
        let mut c = a.clone();
        c["columns"][0]["dataType"] = json!("BIGINT");
        assert_ne!(
            source_hash(RequestKind::Table, &a),
            source_hash(RequestKind::Table, &c)
        );
    }

    #[test]
    fn python_string_escapes_like_json_dumps() {
        let mut out = String::new();
        python_string("a\"b\\c\nd\u{1}é😀\u{7f}", &mut out);
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0001\\u00e9\\ud83d\\ude00\u{7f}\"");
    }

    #[test]
    fn enum_members_are_printed_like_python() {
        let column = dump(COLUMN, &json!({"name": "m", "dataType": "MEASURE HIDDEN"}));
        assert_eq!(column["dataType"], "DataType.MEASURE_HIDDEN");
        let partition = dump(PARTITION_COLUMN, &json!({"intervalType": "TIME-UNIT"}));
        assert_eq!(
            partition["intervalType"],
            "PartitionIntervalTypes.TIME_UNIT"
        );
        assert_eq!(column["tags"], json!([]));
    }
}
