//! A table's `schema.fields` as OpenMetadata's columns, typed as OpenMetadata's BigQuery connector
//! types them (openmetadata-ingestion 2.0.7.0): its `get_columns` (`bigquery/metadata.py`) turns
//! each field into sqlalchemy-bigquery's SQLAlchemy type ([`sqla`]) and a "system data type"
//! text, then `SqlColumnHandlerMixin.get_columns_and_constraints` (`sql_column_handler.py`) makes
//! the column:
//!
//! - an array (mode `REPEATED`) or a struct (`RECORD`/`STRUCT`) is "complex": its text, cleaned by
//!   the connector's `clean_raw_data_type` (`", "` → `","`, `" "` → `":"`, lower case), goes
//!   through `ColumnTypeParser._parse_datatype_string`, which gives `dataType` `ARRAY` (with the
//!   element's type as `arrayDataType`) or `STRUCT`, shown as that text; a record's fields become
//!   the column's children, each typed by the same rules;
//! - any other type is a scalar: `dataType` from `ColumnTypeParser.get_column_type` of the
//!   SQLAlchemy object, shown as `get_system_data_type` spells it, a length for `BYTES(n)` only.
//!
//! OpenMetadata sends no precision or scale for BigQuery columns (its parser maps SQLAlchemy's
//! `Numeric` to `INT`, and `INT` takes none) and no position; `dataLength` 1 on every scalar that
//! has none, which is left to the sink here (`data_length` only where the type has one).
//! Checked against OpenMetadata's own code by tests/support/bigquery/om_tables.py (see
//! `columns/tests.rs`).

mod sqla;
#[cfg(test)]
mod tests;

use omrun_sdk::types::{Column, DataType, NestedColumn, TagLabel};

use crate::api::TableFieldSchema;
pub use sqla::SqlaType;

/// OpenMetadata's type fields for one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnType {
    pub data_type: DataType,
    /// `dataTypeDisplay`.
    pub display: String,
    pub array_data_type: Option<DataType>,
    /// `BYTES(n)`'s n; OpenMetadata's 1 on every other scalar is a placeholder, not a length.
    pub data_length: Option<u32>,
}

/// A field's type fields.
pub fn column_type(t: &SqlaType) -> ColumnType {
    match t {
        SqlaType::Array(item) => ColumnType {
            data_type: DataType::Array,
            // `_array_sys_data_type_repr`, then `clean_raw_data_type`.
            display: clean(&array_repr(&t.repr())),
            array_data_type: Some(element_type(item)),
            data_length: None,
        },
        SqlaType::Struct(_) => {
            // `STRUCT.get_col_spec` (`str()` of the type), cleaned; `_parse_struct_fields_string`
            // shows an empty struct as `struct<unknown>`. Where the dialect cannot spell a field
            // (GEOGRAPHY, RANGE) OpenMetadata loses every column of the table; here that field is
            // spelt as BigQuery names its type, and the column kept.
            let text = clean(&t.bigquery_spec().unwrap_or_else(|spelt| spelt));
            let inner = text
                .strip_prefix("struct<")
                .and_then(|t| t.strip_suffix('>'))
                .unwrap_or_default();
            ColumnType {
                data_type: DataType::Struct,
                display: format!(
                    "struct<{}>",
                    if inner.is_empty() { "unknown" } else { inner }
                ),
                array_data_type: None,
                data_length: None,
            }
        }
        scalar => ColumnType {
            data_type: scalar_type(scalar),
            // `get_system_data_type`: every `String` (JSON's `BQJSON` too) is `string`.
            display: match scalar {
                SqlaType::String { .. } | SqlaType::Json => "string".into(),
                other => other.generic_str(),
            },
            array_data_type: None,
            // `_check_col_length`: the length of a `BINARY`, 1 when it has none (or 0).
            data_length: match scalar {
                SqlaType::Binary { length: Some(n) } if *n > 0 => u32::try_from(*n).ok(),
                _ => None,
            },
        },
    }
}

/// `ColumnTypeParser.get_column_type` of a scalar's SQLAlchemy object: its class in
/// `_COLUMN_TYPE_MAPPING`, else its default-dialect text in `_SOURCE_TYPE_TO_OM_TYPE`.
fn scalar_type(t: &SqlaType) -> DataType {
    match t {
        SqlaType::Integer => DataType::Int,
        // `Float` is not in the class mapping (`Numeric` is, exactly); its text `FLOAT` is.
        SqlaType::Float => DataType::Float,
        // `_COLUMN_TYPE_MAPPING[types.Numeric]` is `INT`: NUMERIC and BIGNUMERIC become INT.
        SqlaType::Numeric { .. } => DataType::Int,
        SqlaType::Boolean => DataType::Boolean,
        SqlaType::String { .. } => DataType::String,
        SqlaType::Binary { .. } => DataType::Binary,
        SqlaType::Datetime => DataType::Datetime,
        SqlaType::Date => DataType::Date,
        SqlaType::Time => DataType::Time,
        SqlaType::Timestamp => DataType::Timestamp,
        SqlaType::Geography => DataType::Geography,
        // `BQJSON` is not mapped; its default-dialect text is `VARCHAR`.
        SqlaType::Json => DataType::Varchar,
        SqlaType::Interval => DataType::Interval,
        SqlaType::Struct(_) => DataType::Struct,
        SqlaType::Array(_) => DataType::Array,
        SqlaType::Null(_) => DataType::Unknown,
    }
}

/// `_parse_primitive_datatype_string(element)["dataType"]` for an array's element, whose text is
/// the lower-cased repr (`integer`, `numeric<precision:10>`, `bqjson`, `struct<…>`): its whole
/// text, or the family before `(`/`<`, in `_SOURCE_TYPE_TO_OM_TYPE`, else `UNKNOWN`.
fn element_type(item: &SqlaType) -> DataType {
    match item {
        SqlaType::Integer => DataType::Int,
        SqlaType::Float => DataType::Float,
        // `numeric…` matches `_FIXED_DECIMAL`, and `NUMERIC` maps to `NUMERIC` there.
        SqlaType::Numeric { .. } => DataType::Numeric,
        SqlaType::Boolean => DataType::Boolean,
        SqlaType::String { .. } => DataType::String,
        SqlaType::Binary { .. } => DataType::Binary,
        SqlaType::Datetime => DataType::Datetime,
        SqlaType::Date => DataType::Date,
        SqlaType::Time => DataType::Time,
        SqlaType::Timestamp => DataType::Timestamp,
        SqlaType::Geography => DataType::Geography,
        SqlaType::Interval => DataType::Interval,
        SqlaType::Struct(_) => DataType::Struct,
        // `bqjson`, `nulltype` are in no table; BigQuery has no array of arrays.
        SqlaType::Json | SqlaType::Null(_) | SqlaType::Array(_) => DataType::Unknown,
    }
}

/// `_array_sys_data_type_repr`: `(` → `<`, `)` → `>`, `=` → `:`, `<>` dropped, lower case.
fn array_repr(repr: &str) -> String {
    repr.replace('(', "<")
        .replace(')', ">")
        .replace('=', ":")
        .replace("<>", "")
        .to_lowercase()
}

/// The connector's `clean_raw_data_type`, then `_parse_datatype_string`'s own `strip()`.
fn clean(text: &str) -> String {
    text.replace(", ", ",")
        .replace(' ', ":")
        .to_lowercase()
        .trim()
        .to_owned()
}

/// A table's columns, nested fields after their record in the contract's flat list. `tags` gives
/// a field's tags (its policy tag): OpenMetadata asks for them on every column, nested or not.
pub fn columns(
    fields: &[TableFieldSchema],
    tags: &mut dyn FnMut(&TableFieldSchema) -> Vec<TagLabel>,
) -> Vec<Column> {
    NestedColumn::flatten(nested(fields, tags))
}

fn nested(
    fields: &[TableFieldSchema],
    tags: &mut dyn FnMut(&TableFieldSchema) -> Vec<TagLabel>,
) -> Vec<NestedColumn> {
    fields
        .iter()
        .filter(|f| f.name.as_deref().is_some_and(|n| !n.is_empty()))
        .enumerate()
        .map(|(i, field)| {
            let t = column_type(&SqlaType::of(field));
            let column = Column {
                name: field.name.clone().unwrap_or_default(),
                data_type: t.data_type,
                data_type_display: t.display,
                array_data_type: t.array_data_type,
                data_length: t.data_length,
                precision: None,
                scale: None,
                // `nullable: field.mode in ("NULLABLE", "REPEATED")`, NULLABLE when unset.
                nullable: field.mode.as_deref().is_none_or(|m| {
                    m.eq_ignore_ascii_case("NULLABLE") || m.eq_ignore_ascii_case("REPEATED")
                }),
                ordinal_position: i as u32 + 1,
                description: field.description.clone().filter(|d| !d.is_empty()),
                parent: None,
                tags: tags(field),
            };
            NestedColumn::new(column, nested(&field.fields, tags))
        })
        .collect()
}
