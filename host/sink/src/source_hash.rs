//! `sourceHash`: the fingerprint OpenMetadata's server compares to skip rewriting an unchanged
//! entity. It must equal what OpenMetadata's own ingestion computes
//! (`metadata.utils.source_hash.generate_source_hash`), or a table ingested once by `metadata
//! ingest` and once by omrun would be rewritten: that function md5-hashes `json.dumps(…,
//! sort_keys=True, default=str)` of the pydantic model's `model_dump()`, normalised. So the hashed
//! document has every field of the model (absent ones at their defaults), enum values as Python
//! prints them (`DataType.INT`), columns sorted by position (and their `children` too, at every
//! depth), tag labels by `tagFQN` (the request's and every column's), table constraints by type and
//! columns, view definitions with whitespace collapsed, and no `href` anywhere.
//!
//! The model hashed is the one OpenMetadata's connector built, which the wire does not show:
//! - its SQL connectors set each table column's `tags` from the (empty) tag context, `None`, so a
//!   table column hashes `"tags": null` where the model's default would be `[]` (BigQuery's
//!   column tags, `get_tag_labels`, are `None` when empty too, nested columns' as well);
//! - `common_db_source.py` marks a partitioned table by assigning the plain string
//!   `"Partitioned"` to `tableType` (no enum coercion on assignment), so such a table hashes
//!   `"tableType": "Partitioned"`, not `"TableType.Partitioned"`.

use super::RequestKind;
use md5::{Digest, Md5};
use serde_json::Value;
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
    /// A list of the model this field is in: a column's `children` are columns.
    ListOfSame,
    /// A pydantic `datetime` (`basic.DateTime`): `json.dumps(default=str)` prints it as Python's
    /// `str(datetime)`, `2024-01-01 00:00:00+00:00`, whatever ISO 8601 form the wire had.
    DateTime,
}

const fn f(name: &'static str, default: Absent, kind: Kind) -> Field {
    Field {
        name,
        default,
        kind,
    }
}

use Absent::{EmptyList, False, Null, Required};
use Kind::{DateTime, Enum, ListOf, ListOfSame, Model, Plain};

// Field lists of openmetadata-ingestion 2.0.7.0's generated models (CreateDatabaseRequest,
// CreateDatabaseSchemaRequest, CreateTableRequest, Column, TableConstraint, TablePartition,
// PartitionColumnDetails, CreateStoredProcedureRequest, StoredProcedureCode,
// CreateDashboardDataModelRequest, CreateChartRequest, CreateDashboardRequest), in the order
// `json.dumps(sort_keys=True)` writes them: by name. `sourceHash` itself is excluded.
const DATABASE: &[Field] = &[
    f("dataProducts", Null, Plain),
    f("default", False, Plain),
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("domains", Null, Plain),
    f("extension", Null, Plain),
    f("lifeCycle", Null, Plain),
    f("name", Required, Plain),
    f("owners", Null, ListOf(ENTITY_REFERENCE)),
    f("retentionPeriod", Null, Plain),
    f("service", Required, Plain),
    f("sourceUrl", Null, Plain),
    f("tags", Null, ListOf(TAG_LABEL)),
];

/// `TagLabel`, less `href` (`_remove_volatile_fields` drops it).
const TAG_LABEL: &[Field] = &[
    f("appliedAt", Null, Plain),
    f("appliedBy", Null, Plain),
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("labelType", Required, Enum("LabelType")),
    f("metadata", Null, Plain),
    f("name", Null, Plain),
    f("reason", Null, Plain),
    f("source", Required, Enum("TagSource")),
    f("state", Required, Enum("State")),
    f("style", Null, Plain),
    f("tagFQN", Required, Plain),
];

/// `EntityReference`, less `href`, `deleted` and `inherited` (`_remove_volatile_fields`): an owner.
const ENTITY_REFERENCE: &[Field] = &[
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("fullyQualifiedName", Null, Plain),
    f("id", Required, Plain),
    f("name", Null, Plain),
    f("type", Required, Plain),
];

const SCHEMA: &[Field] = &[
    f("dataProducts", Null, Plain),
    f("database", Required, Plain),
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("domains", Null, Plain),
    f("extension", Null, Plain),
    f("lifeCycle", Null, Plain),
    f("name", Required, Plain),
    f("owners", Null, ListOf(ENTITY_REFERENCE)),
    f("retentionPeriod", Null, Plain),
    f("sourceUrl", Null, Plain),
    f("tags", Null, ListOf(TAG_LABEL)),
];

/// The fields of `Column`, with what an absent `tags` dumps as.
macro_rules! column_fields {
    ($tags:expr) => {
        &[
            f("arrayDataType", Null, Enum("DataType")),
            f("children", Null, ListOfSame),
            f("constraint", Null, Enum("Constraint")),
            f("customMetrics", Null, Plain),
            f("dataLength", Null, Plain),
            f("dataType", Required, Enum("DataType")),
            f("dataTypeDisplay", Null, Plain),
            f("description", Null, Plain),
            f("displayName", Null, Plain),
            f("extension", Null, Plain),
            f("fullyQualifiedName", Null, Plain),
            f("jsonSchema", Null, Plain),
            f("name", Required, Plain),
            f("ordinalPosition", Null, Plain),
            f("precision", Null, Plain),
            f("profile", Null, Plain),
            f("scale", Null, Plain),
            f("tags", $tags, ListOf(TAG_LABEL)),
        ]
    };
}

/// A column as the model's defaults have it (a dashboard data model's).
const COLUMN: &[Field] = column_fields!(EmptyList);

/// A column of a table as OpenMetadata's SQL connectors build it: `tags` set to `None`.
const TABLE_COLUMN: &[Field] = column_fields!(Null);

const TABLE_CONSTRAINT: &[Field] = &[
    f("columns", Null, Plain),
    f("constraintType", Null, Enum("ConstraintType")),
    f("referredColumns", Null, Plain),
    f("relationshipType", Null, Enum("RelationshipType")),
];

const PARTITION_COLUMN: &[Field] = &[
    f("columnName", Null, Plain),
    f("interval", Null, Plain),
    f("intervalType", Null, Enum("PartitionIntervalTypes")),
];

const TABLE_PARTITION: &[Field] = &[f("columns", Null, ListOf(PARTITION_COLUMN))];

const TABLE: &[Field] = &[
    f("aliases", Null, Plain),
    f("columns", Required, ListOf(TABLE_COLUMN)),
    f("dataModel", Null, Plain),
    f("dataProducts", Null, Plain),
    f("databaseSchema", Required, Plain),
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("domains", Null, Plain),
    f("extension", Null, Plain),
    f("fileFormat", Null, Plain),
    f("lifeCycle", Null, Plain),
    f("locationPath", Null, Plain),
    f("name", Required, Plain),
    f("owners", Null, ListOf(ENTITY_REFERENCE)),
    f("retentionPeriod", Null, Plain),
    f("schemaDefinition", Null, Plain),
    f("sourceUrl", Null, Plain),
    f("tableConstraints", Null, ListOf(TABLE_CONSTRAINT)),
    f("tablePartition", Null, Model(TABLE_PARTITION)),
    f("tableProfilerConfig", Null, Plain),
    f("tableType", Null, Enum("TableType")),
    f("tags", Null, ListOf(TAG_LABEL)),
];

const STORED_PROCEDURE_CODE: &[Field] = &[
    f("code", Null, Plain),
    f("language", Null, Enum("Language")),
];

const STORED_PROCEDURE: &[Field] = &[
    f("dataProducts", Null, Plain),
    f("databaseSchema", Null, Plain),
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("domains", Null, Plain),
    f("extension", Null, Plain),
    f("lifeCycle", Null, Plain),
    f("name", Required, Plain),
    f("owners", Null, ListOf(ENTITY_REFERENCE)),
    f("sourceUrl", Null, Plain),
    f(
        "storedProcedureCode",
        Required,
        Model(STORED_PROCEDURE_CODE),
    ),
    // Always written by omrun; OpenMetadata's default would be `StoredProcedure`.
    f("storedProcedureType", Required, Enum("StoredProcedureType")),
    f("tags", Null, Plain),
];

// Its `columns` are table columns, sorted like a table's (`_normalize_for_hash` sorts any
// request's `columns`).
const DATA_MODEL: &[Field] = &[
    f("columns", Required, ListOf(COLUMN)),
    f("dataModelType", Required, Enum("DataModelType")),
    f("dataProducts", Null, Plain),
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("domains", Null, Plain),
    f("extension", Null, Plain),
    f("lifeCycle", Null, Plain),
    f("name", Required, Plain),
    f("owners", Null, ListOf(ENTITY_REFERENCE)),
    f("project", Null, Plain),
    f("service", Required, Plain),
    f("serviceType", Null, Enum("DashboardServiceType")),
    f("sourceUrl", Null, Plain),
    f("sql", Null, Plain),
    f("tags", Null, Plain),
];

const CHART: &[Field] = &[
    f("chartType", Null, Enum("ChartType")),
    f("dashboards", Null, Plain),
    f("dataProducts", Null, Plain),
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("domains", Null, Plain),
    f("extension", Null, Plain),
    f("lifeCycle", Null, Plain),
    f("name", Required, Plain),
    f("owners", Null, ListOf(ENTITY_REFERENCE)),
    f("service", Required, Plain),
    f("sourceUrl", Null, Plain),
    f("tags", Null, Plain),
];

const DASHBOARD: &[Field] = &[
    f("charts", Null, Plain),
    // Always written by omrun; OpenMetadata's default would be `Dashboard`.
    f("dashboardType", Required, Enum("DashboardType")),
    f("dataModels", Null, Plain),
    f("dataProducts", Null, Plain),
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("domains", Null, Plain),
    f("extension", Null, Plain),
    f("lifeCycle", Null, Plain),
    f("name", Required, Plain),
    f("owners", Null, ListOf(ENTITY_REFERENCE)),
    f("project", Null, Plain),
    f("service", Required, Plain),
    f("sourceUrl", Null, Plain),
    f("tags", Null, Plain),
];

const TASK: &[Field] = &[
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("downstreamTasks", Null, Plain),
    f("endDate", Null, Plain),
    f("fullyQualifiedName", Null, Plain),
    f("name", Required, Plain),
    f("owners", Null, ListOf(ENTITY_REFERENCE)),
    f("sourceUrl", Null, Plain),
    f("startDate", Null, Plain),
    f("tags", EmptyList, ListOf(TAG_LABEL)),
    f("taskSQL", Null, Plain),
    f("taskType", Null, Plain),
];

const PIPELINE: &[Field] = &[
    f("concurrency", Null, Plain),
    f("dataProducts", Null, Plain),
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("domains", Null, Plain),
    f("extension", Null, Plain),
    f("lifeCycle", Null, Plain),
    f("name", Required, Plain),
    f("owners", Null, ListOf(ENTITY_REFERENCE)),
    f("pipelineLocation", Null, Plain),
    f("scheduleInterval", Null, Plain),
    f("service", Required, Plain),
    f("sourceUrl", Null, Plain),
    f("startDate", Null, DateTime),
    f("state", Null, Enum("PipelineState")),
    f("tags", Null, ListOf(TAG_LABEL)),
    f("tasks", Null, ListOf(TASK)),
];

const ML_FEATURE: &[Field] = &[
    f("dataType", Null, Enum("FeatureType")),
    f("description", Null, Plain),
    f("featureAlgorithm", Null, Plain),
    f("featureSources", Null, Plain),
    f("fullyQualifiedName", Null, Plain),
    f("name", Null, Plain),
    f("tags", Null, ListOf(TAG_LABEL)),
];

const ML_HYPER_PARAMETER: &[Field] = &[
    f("description", Null, Plain),
    f("name", Null, Plain),
    f("value", Null, Plain),
];

const ML_STORE: &[Field] = &[f("imageRepository", Null, Plain), f("storage", Null, Plain)];

const ML_MODEL: &[Field] = &[
    // Always written by omrun; OpenMetadata's default is `mlmodel` too.
    f("algorithm", Required, Plain),
    f("dashboard", Null, Plain),
    f("dataProducts", Null, Plain),
    f("description", Null, Plain),
    f("displayName", Null, Plain),
    f("domains", Null, Plain),
    f("extension", Null, Plain),
    f("lifeCycle", Null, Plain),
    f("mlFeatures", Null, ListOf(ML_FEATURE)),
    f("mlHyperParameters", Null, ListOf(ML_HYPER_PARAMETER)),
    f("mlStore", Null, Model(ML_STORE)),
    f("name", Required, Plain),
    f("owners", Null, ListOf(ENTITY_REFERENCE)),
    f("server", Null, Plain),
    f("service", Required, Plain),
    f("sourceUrl", Null, Plain),
    f("tags", Null, ListOf(TAG_LABEL)),
    f("target", Null, Plain),
];

/// The `sourceHash` of a Create request body, or `None` for kinds that have none (services).
pub fn source_hash(kind: RequestKind, body: &Value) -> Option<String> {
    let model = match kind {
        RequestKind::DatabaseService
        | RequestKind::DashboardService
        | RequestKind::PipelineService
        | RequestKind::MlModelService
        | RequestKind::Classification
        | RequestKind::Tag
        | RequestKind::PipelineStatus => return None,
        RequestKind::Database => DATABASE,
        RequestKind::DatabaseSchema => SCHEMA,
        RequestKind::Table => TABLE,
        RequestKind::StoredProcedure => STORED_PROCEDURE,
        RequestKind::DashboardDataModel => DATA_MODEL,
        RequestKind::Chart => CHART,
        RequestKind::Dashboard => DASHBOARD,
        RequestKind::Pipeline => PIPELINE,
        RequestKind::MlModel => ML_MODEL,
    };
    // Written straight from the request: building the dump as a JSON tree first cost more than
    // everything else omrun does per table.
    let mut text = String::with_capacity(8 * 1024);
    write_model(model, body, At::Request, &mut text);
    Some(hex::encode(Md5::digest(text.as_bytes())))
}

/// Where a model is in the request, which decides what `_normalize_for_hash` normalises in it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    /// The request itself: its `columns`, `tags`, `tableConstraints` and `schemaDefinition`.
    Request,
    /// One of the request's columns, at any depth: its `children` and `tags` (`_sort_columns`).
    Column,
    /// Anything else: as it is.
    Inside,
}

/// `model_dump()` of one model as `json.dumps(sort_keys=True)` writes it: every field, absent ones
/// at their defaults, normalised as OpenMetadata normalises the model `at` that place.
fn write_model(fields: &[Field], value: &Value, at: At, out: &mut String) {
    let request = at == At::Request;
    // The object's entries come in key order (serde_json's `Map` is a `BTreeMap`), as the fields
    // do: walking both in step finds each field's value with a comparison or two, where looking
    // each field up searched the map again. Keys that are no field are passed over.
    let mut entries = value.as_object().into_iter().flatten().peekable();
    out.push('{');
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        // Field names are plain ASCII, nothing to escape: written as they are, not through
        // `python_string`, which was a large part of the work.
        out.push('"');
        out.push_str(field.name);
        out.push_str("\": ");
        let mut given = None;
        while let Some((key, v)) = entries.next_if(|(key, _)| key.as_str() <= field.name) {
            if key == field.name {
                given = Some(v);
                break;
            }
        }
        match given.filter(|v| !v.is_null()) {
            None => out.push_str(match field.default {
                Required | Null => "null",
                False => "false",
                EmptyList => "[]",
            }),
            Some(Value::String(t))
                if request
                    && field.name == "tableType"
                    && t == "Partitioned"
                    && value.get("tablePartition").is_some_and(|p| !p.is_null()) =>
            {
                python_string(t, out)
            }
            Some(given) => write_field(fields, field, given, at, out),
        }
    }
    out.push('}');
}

/// One field of a model of `fields`, the model being `at` that place.
fn write_field(fields: &[Field], field: &Field, value: &Value, at: At, out: &mut String) {
    let request = at == At::Request;
    match (field.kind, value) {
        (Enum(class), Value::String(member)) => {
            // Python prints an enum member as `Class.NAME`; NAME is the value with `-` and ` ` as `_`.
            out.push('"');
            out.push_str(class);
            out.push('.');
            for (i, word) in member.split(['-', ' ']).enumerate() {
                if i > 0 {
                    out.push('_');
                }
                out.push_str(word);
            }
            out.push('"');
        }
        (Model(fields), v) => write_model(fields, v, At::Inside, out),
        (ListOf(_) | ListOfSame, Value::Array(items)) => {
            let of = match field.kind {
                ListOf(of) => of,
                _ => fields,
            };
            let mut items: Vec<&Value> = items.iter().collect();
            // What each item is: the request's columns, and their children, are columns.
            let mut inner = At::Inside;
            match (field.name, at) {
                ("columns", At::Request) | ("children", At::Column) => {
                    items.sort_by_cached_key(|c| column_key(c));
                    inner = At::Column;
                }
                ("tags", At::Request | At::Column) => items.sort_by_cached_key(|t| tag_key(t)),
                ("tableConstraints", At::Request) => {
                    items.sort_by_cached_key(|c| constraint_key(c))
                }
                ("owners", At::Request) => items.sort_by_cached_key(|r| reference_key(r)),
                _ => {}
            }
            out.push('[');
            for (i, item) in items.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_model(of, item, inner, out);
            }
            out.push(']');
        }
        (DateTime, Value::String(wire)) => python_string(&python_datetime(wire), out),
        (Plain, Value::String(definition)) if request && field.name == "schemaDefinition" => {
            python_string(&collapse_whitespace(definition), out)
        }
        (_, v) => python_json(v, out),
    }
}

/// Columns by position (one without any last), then name; the sort is stable, as Python's is.
fn column_key(c: &Value) -> (u64, &str) {
    let position = c
        .get("ordinalPosition")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX);
    (
        position,
        c.get("name").and_then(Value::as_str).unwrap_or_default(),
    )
}

/// Owners by FQN, else name, else id (`_get_entity_reference_sort_key`).
fn reference_key(r: &Value) -> &str {
    ["fullyQualifiedName", "name", "id"]
        .iter()
        .find_map(|key| {
            r.get(*key)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
        })
        .unwrap_or_default()
}

/// Python's `str(datetime)` of a date-time as pydantic writes it on the wire
/// (`requests::iso_datetime`): `T` becomes a space and a `Z` `+00:00`.
fn python_datetime(wire: &str) -> String {
    let text = wire.replacen('T', " ", 1);
    match text.strip_suffix('Z') {
        Some(utc) => format!("{utc}+00:00"),
        None => text,
    }
}

/// Tag labels by `tagFQN`.
fn tag_key(t: &Value) -> &str {
    t.get("tagFQN").and_then(Value::as_str).unwrap_or_default()
}

/// Constraints by type, then their sorted columns joined with `,`.
fn constraint_key(c: &Value) -> (&str, String) {
    let mut columns: Vec<&str> = c
        .get("columns")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    columns.sort();
    let kind = c
        .get("constraintType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    (kind, columns.join(","))
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
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
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
    // Most strings (names, types) have nothing to escape: a scan of the bytes tells, cheaper than
    // the loop by chars below.
    if s.bytes()
        .all(|b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push_str(s);
        out.push('"');
        return;
    }
    // Else copies runs of characters that need no escape whole.
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            c if (c as u32) < 0x20 || (c as u32) > 0x7f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        run = i + c.len_utf8();
        if escaped.is_empty() {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push_str(escaped);
        }
    }
    out.push_str(&s[run..]);
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
    // (openmetadata-ingestion 2.0.7.0) for the same requests, built as its connector builds them;
    // `scripts/om-source-hash.py --print` computes them for the requests of a file-sink output.
    #[test]
    fn hashes_equal_openmetadata_ingestion() {
        assert_eq!(
            source_hash(RequestKind::Table, &table()).unwrap(),
            "22b93fe7eef29510b176e9aac63c2a41"
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
            "776b8dc04e649ab0ac4ee3068af13cf5"
        );
        // A partitioned table: OpenMetadata hashes its `tableType` as the plain string.
        let partitioned = json!({
            "name": "events", "databaseSchema": "svc.db.s", "tableType": "Partitioned",
            "tableConstraints": [],
            "columns": [
                {"name": "id", "dataType": "BIGINT", "dataLength": 1, "dataTypeDisplay": "bigint", "constraint": "NOT_NULL"},
                {"name": "at", "dataType": "DATE", "dataLength": 1, "dataTypeDisplay": "date", "constraint": "NOT_NULL"}],
            "tablePartition": {"columns": [{"columnName": "at", "intervalType": "TIME-UNIT"}]}
        });
        assert_eq!(
            source_hash(RequestKind::Table, &partitioned).unwrap(),
            "8d0d56453e18ceef3810dbb1b12da869"
        );
        let database = json!({"name": "db", "service": "svc", "description": "d"});
        assert_eq!(
            source_hash(RequestKind::Database, &database).unwrap(),
            "15aa89e0dc3eb25316e01ac1536b46ec"
        );
        assert_eq!(source_hash(RequestKind::DatabaseService, &database), None);
    }

    #[test]
    fn dashboard_hashes_equal_openmetadata_ingestion() {
        let chart =
            json!({"name": "c", "service": "lk", "chartType": "BoxPlot", "displayName": "Ç"});
        assert_eq!(
            source_hash(RequestKind::Chart, &chart).unwrap(),
            "14d0c29ce834b116cebb3c841ec839ce"
        );
        let dashboard = json!({"name": "d", "service": "lk", "dashboardType": "Dashboard",
            "charts": ["lk.c"], "dataModels": ["lk.model.m"]});
        assert_eq!(
            source_hash(RequestKind::Dashboard, &dashboard).unwrap(),
            "40a76d5552d86e513c37729540695227"
        );
        // Columns out of order: OpenMetadata sorts a data model's columns as a table's.
        let model = json!({"name": "m", "service": "lk", "serviceType": "Looker",
            "dataModelType": "LookMlExplore", "sql": "SELECT 1",
            "columns": [{"name": "b", "dataType": "STRING", "ordinalPosition": 2},
                        {"name": "a", "dataType": "NUMBER", "ordinalPosition": 1}]});
        assert_eq!(
            source_hash(RequestKind::DashboardDataModel, &model).unwrap(),
            "947482a144299508277eb27be5f6a796"
        );
        let service = json!({"name": "lk", "serviceType": "Looker"});
        assert_eq!(source_hash(RequestKind::DashboardService, &service), None);
    }

    // Pipelines (tasks, a date-time in two wire forms, owners as entity references, tags out of
    // order) and ML models; the hashes are `scripts/om-source-hash.py --print`'s for these requests.
    #[test]
    fn pipeline_and_ml_model_hashes_equal_openmetadata_ingestion() {
        let cases = [
            (
                RequestKind::Pipeline,
                r#"{"name": "etl", "service": "af", "description": "Daily load", "sourceUrl": "http://af:8080/dags/etl", "concurrency": 16, "pipelineLocation": "/dags/etl.py", "startDate": "2024-01-01T00:00:00Z", "tasks": [{"name": "extract", "sourceUrl": "http://af:8080/dags/etl/tasks/extract", "downstreamTasks": ["load"], "taskType": "PythonOperator", "startDate": "2024-01-01T00:00:00Z"}, {"name": "load", "downstreamTasks": [], "taskType": "BashOperator", "description": "loads"}], "state": "Active", "scheduleInterval": "0 3 * * *", "tags": [{"tagFQN": "AirflowTags.prod", "source": "Classification", "labelType": "Automated", "state": "Suggested"}, {"tagFQN": "AirflowTags.etl", "source": "Classification", "labelType": "Automated", "state": "Suggested"}]}"#,
                "11ebf14a2a1a3b2bfddade28abb6c782",
            ),
            (
                RequestKind::Pipeline,
                r#"{"name": "etl", "service": "af", "startDate": "2024-01-01T12:00:00.500000+02:00", "tasks": [], "owners": [{"id": "5a1f9e5e-0c4b-4a57-9f0e-1df0a5d5e6a1", "type": "user", "name": "ann"}, {"id": "0b6e7e4c-2c7d-4e1f-8f43-5d4b2b6b7e10", "type": "team", "name": "data", "displayName": "Data Team"}]}"#,
                "946e699819fba39e80f9b9fcdc18313d",
            ),
            (
                RequestKind::MlModel,
                r#"{"name": "churn", "service": "ml", "algorithm": "mlmodel", "description": "Churn", "mlHyperParameters": [{"name": "alpha", "value": "0.5"}, {"name": "l1", "value": "0.1"}], "mlFeatures": [{"name": "age", "dataType": "numerical"}, {"name": "plan", "dataType": "categorical"}], "mlStore": {"storage": "mlflow-artifacts:/1/abc/artifacts"}, "sourceUrl": "http://ml:5000/#/models/churn"}"#,
                "7e8436f09a922b6fdfce38d891474727",
            ),
            (
                RequestKind::MlModel,
                r#"{"name": "bare", "service": "ml", "algorithm": "mlmodel"}"#,
                "113bdea2c8f673129d378d18e57a743f",
            ),
        ];
        for (kind, request, expected) in cases {
            let request: Value = serde_json::from_str(request).unwrap();
            assert_eq!(source_hash(kind, &request).unwrap(), expected, "{request}");
        }
        // A run of a pipeline is no Create request: OpenMetadata does not hash it.
        assert_eq!(
            source_hash(RequestKind::PipelineStatus, &json!({"timestamp": 1})),
            None
        );
    }

    // Nested columns, tag labels (out of order, to be sorted by `tagFQN` as OpenMetadata sorts
    // them, at every depth) and source URLs; the hashes are `scripts/om-source-hash.py --print`'s
    // for these requests, which hashes nested columns without tags as `"tags": null`, as
    // OpenMetadata's column handler builds them.
    #[test]
    fn nested_columns_and_tags_hash_as_openmetadata_ingestion() {
        let tag = |fqn: &str| json!({"tagFQN": fqn, "source": "Classification", "labelType": "Automated", "state": "Suggested"});
        let nested = json!({
            "name": "t", "databaseSchema": "svc.db.s", "tableType": "Regular",
            "sourceUrl": "https://console.example/t", "tableConstraints": [],
            "tags": [tag("team.sales"), tag("\"pii.v1\".postal")],
            "columns": [
                {"name": "id", "dataType": "INT", "dataTypeDisplay": "integer", "ordinalPosition": 1, "constraint": "NOT_NULL"},
                {"name": "address", "dataType": "STRUCT", "ordinalPosition": 2, "constraint": "NULL",
                 "dataTypeDisplay": "struct<street:string,zip:string,geo:struct<lat:double,lon:double>>",
                 "children": [
                    {"name": "zip", "dataType": "STRING", "dataTypeDisplay": "string", "ordinalPosition": 2,
                     "constraint": "NOT_NULL", "tags": [tag("\"pii.v1\".postal"), tag("\"pii.v1\".code")]},
                    {"name": "street", "dataType": "STRING", "dataTypeDisplay": "string", "ordinalPosition": 1, "constraint": "NULL"},
                    {"name": "geo", "dataType": "STRUCT", "dataTypeDisplay": "struct<lat:double,lon:double>",
                     "ordinalPosition": 3, "constraint": "NULL",
                     "children": [
                        {"name": "lon", "dataType": "DOUBLE", "dataTypeDisplay": "double", "ordinalPosition": 2, "constraint": "NULL"},
                        {"name": "lat", "dataType": "DOUBLE", "dataTypeDisplay": "double", "ordinalPosition": 1, "constraint": "NULL"}]}]}]
        });
        assert_eq!(
            source_hash(RequestKind::Table, &nested).unwrap(),
            "ed07a644fe0c68d58ad60ab648c37390"
        );
        // Without positions (SQLAlchemy's conventions), fields sort by name.
        let unpositioned = json!({
            "name": "u", "databaseSchema": "svc.db.s", "tableType": "Regular", "tableConstraints": [],
            "columns": [{"name": "rec", "dataType": "STRUCT", "dataTypeDisplay": "struct<b:int,a:int>",
                "dataLength": 1, "constraint": "NULL", "children": [
                    {"name": "b", "dataType": "INT", "dataTypeDisplay": "int", "dataLength": 1, "constraint": "NULL"},
                    {"name": "a", "dataType": "INT", "dataTypeDisplay": "int", "dataLength": 1, "constraint": "NULL",
                     "tags": [tag("x.y")]}]}]
        });
        assert_eq!(
            source_hash(RequestKind::Table, &unpositioned).unwrap(),
            "07aff353c5527beb019ae44e867e03da"
        );
        let schema = json!({"name": "s", "database": "svc.db", "sourceUrl": "https://console.example/s",
            "tags": [tag("env.prod"), tag("env.dev")]});
        assert_eq!(
            source_hash(RequestKind::DatabaseSchema, &schema).unwrap(),
            "4d2f20335fa54f94662ab1f1cc1ccb81"
        );
        let database =
            json!({"name": "db", "service": "svc", "sourceUrl": "https://console.example/db"});
        assert_eq!(
            source_hash(RequestKind::Database, &database).unwrap(),
            "4f2a4fd341c2d0c05253c3f4d6aa5502"
        );
        // A data model's columns, nested ones too, default to `"tags": []`.
        let model = json!({"name": "m", "service": "lk", "serviceType": "Looker",
            "dataModelType": "LookMlExplore",
            "columns": [{"name": "a", "dataType": "STRUCT", "ordinalPosition": 1, "children": [
                {"name": "y", "dataType": "INT", "ordinalPosition": 2, "tags": [tag("x.y")]},
                {"name": "x", "dataType": "INT", "ordinalPosition": 1}]}]});
        assert_eq!(
            source_hash(RequestKind::DashboardDataModel, &model).unwrap(),
            "93401ad22c8415b91d3a72b2d8a3614f"
        );
        assert_eq!(source_hash(RequestKind::Tag, &schema), None);
    }

    #[test]
    fn order_of_nested_columns_and_of_tags_does_not_matter() {
        let tag = |fqn: &str| json!({"tagFQN": fqn, "source": "Classification", "labelType": "Automated", "state": "Suggested"});
        let table = |children: Value, tags: Value| {
            json!({"name": "t", "databaseSchema": "s", "tags": tags, "columns": [
                {"name": "r", "dataType": "STRUCT", "ordinalPosition": 1, "children": children}]})
        };
        let a = table(
            json!([{"name": "x", "dataType": "INT", "ordinalPosition": 1, "tags": [tag("c.b"), tag("c.a")]},
                   {"name": "y", "dataType": "INT", "ordinalPosition": 2}]),
            json!([tag("c.b"), tag("c.a")]),
        );
        let b = table(
            json!([{"name": "y", "dataType": "INT", "ordinalPosition": 2},
                   {"name": "x", "dataType": "INT", "ordinalPosition": 1, "tags": [tag("c.a"), tag("c.b")]}]),
            json!([tag("c.a"), tag("c.b")]),
        );
        assert_eq!(
            source_hash(RequestKind::Table, &a),
            source_hash(RequestKind::Table, &b)
        );
        let mut c = a.clone();
        c["columns"][0]["children"][1]["dataType"] = json!("BIGINT");
        assert_ne!(
            source_hash(RequestKind::Table, &a),
            source_hash(RequestKind::Table, &c)
        );
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
        let mut out = String::new();
        write_model(
            COLUMN,
            &json!({"name": "m", "dataType": "MEASURE HIDDEN"}),
            At::Inside,
            &mut out,
        );
        assert!(
            out.contains("\"dataType\": \"DataType.MEASURE_HIDDEN\""),
            "{out}"
        );
        assert!(out.contains("\"tags\": []"), "{out}");
        out.clear();
        // A table's column, as OpenMetadata's SQL connectors build it.
        write_model(
            TABLE_COLUMN,
            &json!({"name": "m", "dataType": "INT"}),
            At::Inside,
            &mut out,
        );
        assert!(out.contains("\"tags\": null"), "{out}");
        out.clear();
        write_model(
            PARTITION_COLUMN,
            &json!({"intervalType": "TIME-UNIT"}),
            At::Inside,
            &mut out,
        );
        assert!(
            out.contains("\"PartitionIntervalTypes.TIME_UNIT\""),
            "{out}"
        );
    }

    // `write_model` walks a model's fields and the object's entries in step: both must be in
    // the order `json.dumps(sort_keys=True)` writes keys (code points; the names are ASCII, so
    // bytes).
    #[test]
    fn field_tables_are_in_key_order() {
        for table in [
            DATABASE,
            SCHEMA,
            COLUMN,
            TABLE_COLUMN,
            TABLE_CONSTRAINT,
            PARTITION_COLUMN,
            TABLE_PARTITION,
            TABLE,
            TAG_LABEL,
            ENTITY_REFERENCE,
            STORED_PROCEDURE_CODE,
            STORED_PROCEDURE,
            DATA_MODEL,
            CHART,
            DASHBOARD,
            TASK,
            PIPELINE,
            ML_FEATURE,
            ML_HYPER_PARAMETER,
            ML_STORE,
            ML_MODEL,
        ] {
            let names: Vec<&str> = table.iter().map(|f| f.name).collect();
            // Strictly: a name twice would find no value the second time.
            assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
            // `write_model` writes them unescaped.
            assert!(
                names
                    .iter()
                    .all(|name| name.bytes().all(|b| b.is_ascii_alphanumeric())),
                "{names:?}"
            );
        }
        // And serde_json's `Map` iterates in key order (no `preserve_order` feature).
        let map = json!({"b": 1, "a": 2, "B": 3, "ab": 4});
        let keys: Vec<&String> = map.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["B", "a", "ab", "b"]);
    }
}
