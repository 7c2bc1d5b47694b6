//! A table's columns as OpenMetadata's `UnityCatalog` connector makes them (`get_columns` and
//! `add_complex_datatype_descriptions` in `unitycatalog/metadata.py`, openmetadata-ingestion
//! 2.0.7.0):
//!
//! - the type: `type_text`, lower-cased (`struct` and `array` alone become `struct<>` and
//!   `array<>`), through OpenMetadata's `ColumnTypeParser._parse_datatype_string`
//!   ([`omrun_common_db::type_parser`]);
//! - the children: the parser's, for a struct and for an array of structs, at any depth, named
//!   and typed as it names and types them (`STRUCT<City:STRING>`'s field is `city`); sent in the
//!   contract's flat list ([`NestedColumn::flatten`]), 1-based positions among their siblings;
//! - a child's description: the comment in `type_json`, Spark's JSON of the column, at the same
//!   place among its siblings (OpenMetadata matches them by place too); its nullability: that
//!   field's `nullable` (the sink says `NULL`/`NOT_NULL`, where OpenMetadata says nothing).
//!
//! Where OpenMetadata's parser raises (its connector then drops the column), the column is kept
//! with the closest type, without children ([`closest`]).

use omrun_common_db::type_parser::{self, ParsedType};
use omrun_sdk::types::{Column, DataType, NestedColumn};
use serde_json::Value;

use crate::api::ColumnInfo;

/// A column's type from its `type_text`, as OpenMetadata's Unity Catalog connector types it.
/// Never fails: see [`closest`].
pub fn column_type(type_text: &str) -> ParsedType {
    let lower = type_text.to_lowercase();
    let text = if lower == "struct" || lower == "array" {
        format!("{lower}<>")
    } else {
        lower
    };
    type_parser::parse(&text).unwrap_or_else(|_| closest(&text))
}

/// The type of a spelling OpenMetadata's parser refuses: its family (`map<string>` → `MAP`, a
/// struct missing its `>` → `STRUCT`), a union's `UNION`, an array's `ARRAY` of its element's
/// family; shown as written, no children. A column is not lost for its type.
fn closest(text: &str) -> ParsedType {
    let d = text.trim().replace(' ', "");
    if d.starts_with("uniontype<") || d.starts_with("union<") {
        return ParsedType::of(DataType::Union, d);
    }
    if let Some(element) = d.strip_prefix("array<") {
        let element = element.strip_suffix('>').unwrap_or(element);
        return ParsedType {
            array_data_type: Some(type_parser::family(element).0),
            ..ParsedType::of(DataType::Array, d.clone())
        };
    }
    ParsedType::of(type_parser::family(&d).0, d)
}

/// A column name as OpenMetadata's connector keeps it: its first 256 characters.
pub fn column_name(name: &str) -> String {
    name.chars().take(256).collect()
}

/// The columns of a table, in their order (`position`, then as listed), each followed by its
/// children (the contract's flat list).
pub fn columns(infos: &[ColumnInfo]) -> Vec<Column> {
    let mut infos: Vec<(usize, &ColumnInfo)> = infos.iter().enumerate().collect();
    infos.sort_by_key(|(i, c)| (c.position.unwrap_or(*i as i64), *i));
    let nested = infos
        .into_iter()
        .enumerate()
        .filter_map(|(i, (_, c))| {
            let name = c.name.as_deref().filter(|n| !n.is_empty())?;
            // Without `type_text` (never seen), its family name (`DECIMAL`, `STRING`…).
            let text = c
                .type_text
                .as_deref()
                .or(c.type_name.as_deref())
                .unwrap_or("");
            let t = column_type(text);
            let spark: Option<Value> = c
                .type_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok());
            let children = children(&t, spark_fields(spark.as_ref().map(|s| &s["type"])));
            let column = Column {
                name: column_name(name),
                nullable: c.nullable.unwrap_or(true),
                ordinal_position: i as u32 + 1,
                description: non_empty(c.comment.as_deref()),
                ..t.column()
            };
            Some(NestedColumn::new(column, children))
        })
        .collect();
    NestedColumn::flatten(nested)
}

/// The children of a column of type `t`, each with its own; `spark` the same level's fields in
/// `type_json`, matched by place.
fn children(t: &ParsedType, spark: &[Value]) -> Vec<NestedColumn> {
    t.fields()
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let spark_field = spark.get(i);
            let grandchildren = children(
                &field.field_type,
                spark_fields(spark_field.map(|f| &f["type"])),
            );
            let column = Column {
                name: field.name.clone(),
                nullable: spark_field
                    .and_then(|f| f["nullable"].as_bool())
                    .unwrap_or(true),
                description: spark_field.and_then(|f| non_empty(f["metadata"]["comment"].as_str())),
                ..field.field_type.column()
            };
            NestedColumn::new(column, grandchildren)
        })
        .collect()
}

/// The fields of a Spark type's JSON where OpenMetadata's parser gives children: a struct's, or
/// the struct elements' of an array.
fn spark_fields(spark_type: Option<&Value>) -> &[Value] {
    let fields = match spark_type {
        Some(t) if t["type"] == "struct" => t["fields"].as_array(),
        Some(t) if t["type"] == "array" => t["elementType"]["fields"].as_array(),
        _ => None,
    };
    fields.map(Vec::as_slice).unwrap_or_default()
}

pub fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests;
