//! Full descriptions of a batch, one schema at a time: six queries per schema whatever the
//! batch's size (tables, columns, view definitions, primary, unique and foreign keys).

use std::collections::BTreeMap;

use omrun_common_db::column_type::{ColumnType, column_type};
use omrun_sdk::sql::{Query, Row, SqlError};
use omrun_sdk::types::{Column, ConstraintType, DataType, Table, TableConstraint};

use crate::table_type;
use crate::{clustering, keys, queries};
use omrun_sdk::log;

/// A comment column: Snowflake's empty comments are none.
pub fn comment(row: &Row, i: usize) -> Option<String> {
    row.string(i).filter(|c| !c.is_empty())
}

/// The tables and views of `schema` named `names`; those that do not exist are left out.
pub fn tables(
    client: &impl Query,
    database: &str,
    schema: &str,
    names: &[String],
) -> Result<Vec<Table>, SqlError> {
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    // Base tables' clustering keys, as OpenMetadata reads them for partition details.
    let mut clustered: BTreeMap<String, String> = BTreeMap::new();
    let mut rows = client.query_all(&queries::describe_tables(database, schema, names), &[])?;
    rows.extend(client.query_all(&queries::describe_views(database, schema, names), &[])?);
    for row in rows {
        if tables.contains_key(row.str(0).unwrap_or_default()) {
            continue;
        }
        let name = row.required(0, Row::string)?;
        let transient = row.str(2) == Some("YES");
        if let Some(key) = row.string(4).filter(|k| !k.trim().is_empty())
            && row.str(1) == Some("BASE TABLE")
        {
            clustered.insert(name.clone(), key);
        }
        tables.insert(
            name.clone(),
            Table {
                database: database.to_owned(),
                schema: schema.to_owned(),
                name,
                table_type: table_type(row.str(1).unwrap_or_default(), transient),
                description: comment(&row, 3),
                columns: Vec::new(),
                constraints: Vec::new(),
                definition: None,
                partition_columns: Vec::new(),
                source_url: None,
                tags: vec![],
            },
        );
    }
    if tables.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<String> = tables.keys().cloned().collect();
    for row in client.query_all(&queries::describe_columns(database, schema, &found), &[])? {
        let table = row.required(0, Row::string)?;
        let Some(table) = tables.get_mut(&table) else {
            continue;
        };
        table.columns.push(column(&row)?);
    }
    for (name, key) in &clustered {
        if let Some(table) = tables.get_mut(name) {
            table.partition_columns = clustering::partitions(key, &table.columns);
        }
    }
    for row in client.query_all(&queries::view_definitions(database, schema, &found), &[])? {
        if let Some(table) = row.string(0).and_then(|t| tables.get_mut(&t)) {
            table.definition = row.string(1);
        }
    }
    let mut keys: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for row in client.query_all(&queries::primary_keys(database, schema), &[])? {
        let (Some(table), Some(column)) = (row.string(3), row.string(4)) else {
            continue;
        };
        if tables.contains_key(&table) {
            let position = row.i64(5).unwrap_or(0);
            keys.entry(table).or_default().push((position, column));
        }
    }
    for (table, mut columns) in keys {
        columns.sort();
        if let Some(table) = tables.get_mut(&table) {
            table.constraints.push(TableConstraint {
                constraint_type: ConstraintType::PrimaryKey,
                columns: columns.into_iter().map(|(_, c)| c).collect(),
                referred_table: None,
                referred_columns: Vec::new(),
            });
        }
    }
    if let Some(rows) = optional(client, &queries::unique_keys(database, schema))? {
        keys::unique(&rows, &mut tables);
    }
    if let Some(rows) = optional(client, &queries::imported_keys(database, schema))? {
        keys::foreign(&rows, &mut tables);
    }
    Ok(tables.into_values().collect())
}

/// The rows of a query OpenMetadata's connector reads only if it can (unique and foreign keys: its
/// dialect's inspector, whose failures it logs and passes): a statement Snowflake refuses (it
/// answered with a SQLSTATE: a privilege, an edition without it) is logged once and read as none;
/// anything else (the connection) fails the batch like every other query.
fn optional(client: &impl Query, sql: &str) -> Result<Option<Vec<Row>>, SqlError> {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    match client.query_all(sql, &[]) {
        Ok(rows) => Ok(Some(rows)),
        Err(e) if e.sqlstate.is_some() => {
            if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                log::warn!("Snowflake: `{sql}` failed ({e}); those keys are not read");
            }
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// One `INFORMATION_SCHEMA.COLUMNS` row: table_name, column_name, data_type,
/// character_maximum_length, numeric_precision, numeric_scale, is_nullable, comment,
/// ordinal_position.
fn column(row: &Row) -> Result<Column, SqlError> {
    let name = row.required(1, Row::string)?;
    let data_type = row.required(2, Row::string)?;
    let length = row.i64(3).and_then(|n| u32::try_from(n).ok());
    let precision = row.i64(4).and_then(|n| u32::try_from(n).ok());
    let scale = row.i64(5).and_then(|n| u32::try_from(n).ok());
    let position = row.i64(8).and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
    let (mapped, display) = snowflake_type(&data_type, length, precision, scale);
    let mut column = mapped.column(name, display, position);
    column.nullable = row.str(6) != Some("NO");
    column.description = comment(row, 7);
    Ok(column)
}

/// A Snowflake `DATA_TYPE` with its length, precision and scale as OpenMetadata's type fields and
/// display, as its connector gets them through Snowflake's SQLAlchemy dialect (checked against its
/// `metadata ingest` on the same account): `NUMBER` is `DECIMAL` shown `NUMBER(p,s)`, text types
/// `VARCHAR` shown `TEXT(n)`, semi-structured types JSON, and timestamps of every kind TIMESTAMP,
/// each shown as Snowflake spells it.
fn snowflake_type(
    spelling: &str,
    length: Option<u32>,
    precision: Option<u32>,
    scale: Option<u32>,
) -> (ColumnType, String) {
    let upper = spelling.trim().to_ascii_uppercase();
    let plain = |data_type: DataType| ColumnType {
        data_type,
        array_data_type: None,
        data_length: None,
        precision: None,
        scale: None,
    };
    let with_length = |n: Option<u32>| match n {
        Some(n) => format!("{upper}({n})"),
        None => upper.clone(),
    };
    match upper.as_str() {
        "NUMBER" | "DECIMAL" | "NUMERIC" => {
            let (p, s) = (precision.unwrap_or(38), scale.unwrap_or(0));
            let mapped = ColumnType {
                precision: Some(p),
                scale: Some(s),
                ..plain(DataType::Decimal)
            };
            (mapped, format!("{upper}({p},{s})"))
        }
        "TEXT" | "VARCHAR" | "STRING" | "CHAR" | "CHARACTER" => {
            let mapped = ColumnType {
                data_length: length,
                ..plain(DataType::Varchar)
            };
            (mapped, with_length(length))
        }
        "BINARY" | "VARBINARY" => {
            let mapped = ColumnType {
                data_length: length,
                ..plain(DataType::Binary)
            };
            (mapped, with_length(length))
        }
        "VARIANT" | "OBJECT" => (plain(DataType::Json), upper),
        "ARRAY" => (plain(DataType::Array), upper),
        "TIMESTAMP_NTZ" | "TIMESTAMP_LTZ" | "TIMESTAMP_TZ" | "DATETIME" => {
            (plain(DataType::Timestamp), upper)
        }
        "FLOAT" | "FLOAT4" | "FLOAT8" | "DOUBLE" | "DOUBLE PRECISION" | "REAL" => {
            (plain(DataType::Float), upper)
        }
        _ => (column_type(&upper), upper),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflake_types_map_as_openmetadata_reads_them() {
        let (number, shown) = snowflake_type("NUMBER", None, Some(10), Some(2));
        assert_eq!(
            (number.data_type, number.precision, number.scale),
            (DataType::Decimal, Some(10), Some(2))
        );
        assert_eq!(shown, "NUMBER(10,2)");
        let (text, shown) = snowflake_type("TEXT", Some(200), None, None);
        assert_eq!(
            (text.data_type, text.data_length),
            (DataType::Varchar, Some(200))
        );
        assert_eq!(shown, "TEXT(200)");
        assert_eq!(
            snowflake_type("VARIANT", None, None, None).0.data_type,
            DataType::Json
        );
        assert_eq!(
            snowflake_type("TIMESTAMP_NTZ", None, None, None).1,
            "TIMESTAMP_NTZ"
        );
        assert_eq!(
            snowflake_type("BOOLEAN", None, None, None).0.data_type,
            DataType::Boolean
        );
        assert_eq!(
            snowflake_type("DATE", None, None, None).0.data_type,
            DataType::Date
        );
    }
}
