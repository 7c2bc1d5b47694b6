//! Full descriptions of a batch of tables: four queries whatever the batch size (tables, columns,
//! foreign keys, unique constraints).

use std::collections::BTreeMap;

use omrun_common_db::TableError;
use omrun_common_db::column_type::{ColumnType, column_type};
use omrun_sdk::sql::{Connection, Row, SqlError, Value};
use omrun_sdk::types::{Column, ConstraintType, DataType, Table, TableConstraint, TablePath};

use crate::{SCHEMA, queries, table_type};

/// The tables and views named `names`; those that do not exist are left out.
pub fn tables(
    conn: &Connection,
    database: &str,
    names: Vec<String>,
) -> Result<Vec<Result<Table, TableError>>, SqlError> {
    let params = [Value::TextList(names)];
    let mut tables = BTreeMap::new();
    for row in conn.query(queries::DESCRIBE_TABLES, &params)? {
        let row = row?;
        let name = row.required(0, Row::string)?;
        let table = Table {
            database: database.to_owned(),
            schema: SCHEMA.into(),
            name: name.clone(),
            table_type: table_type(row.required(1, Row::str)?),
            description: None,
            columns: Vec::new(),
            constraints: Vec::new(),
            definition: row.string(2),
            partition_columns: Vec::new(),
            source_url: None,
            tags: vec![],
        };
        tables.insert(name, table);
    }
    if tables.is_empty() {
        return Ok(Vec::new());
    }

    let mut failed = BTreeMap::new();
    match conn.query_all(queries::DESCRIBE_COLUMNS, &params) {
        Ok(rows) => add_columns(&mut tables, &rows)?,
        // SQLite compiles a view to list its columns, so one view over a dropped table fails the
        // whole statement. Only then are the tables read one by one, to fail just that one.
        Err(_) => {
            let found: Vec<String> = tables.keys().cloned().collect();
            for name in found {
                let one = Value::TextList(vec![name.clone()]);
                match conn.query_all(queries::DESCRIBE_COLUMNS, &[one]) {
                    Ok(rows) => add_columns(&mut tables, &rows)?,
                    Err(e) => {
                        failed.insert(name, e.to_string());
                    }
                }
            }
        }
    }
    for (sql, constraint_type) in [
        (queries::DESCRIBE_FOREIGN_KEYS, ConstraintType::ForeignKey),
        (queries::DESCRIBE_UNIQUE, ConstraintType::Unique),
    ] {
        let rows = conn.query_all(sql, &params)?;
        add_constraints(&mut tables, &rows, database, constraint_type)?;
    }

    Ok(tables
        .into_values()
        .map(|table| match failed.remove(&table.name) {
            Some(message) => Err(TableError {
                schema: table.schema,
                name: table.name,
                message,
            }),
            None => Ok(table),
        })
        .collect())
}

/// Adds the rows of `DESCRIBE_COLUMNS` to their tables, and each table's primary key.
fn add_columns(tables: &mut BTreeMap<String, Table>, rows: &[Row]) -> Result<(), SqlError> {
    let mut primary_keys: BTreeMap<&str, Vec<(i64, String)>> = BTreeMap::new();
    for row in rows {
        let table = row.required(0, Row::str)?;
        let Some(t) = tables.get_mut(table) else {
            continue;
        };
        let name = row.required(2, Row::str)?;
        let declared = row.str(3).unwrap_or_default();
        let position = u32::try_from(row.required(1, Row::i64)? + 1).unwrap_or_default();
        t.columns.push(Column {
            nullable: !row.required(4, Row::bool)?,
            ..sqlite_type(declared).column(name, declared, position)
        });
        let pk = row.required(5, Row::i64)?;
        if pk > 0 {
            primary_keys
                .entry(table)
                .or_default()
                .push((pk, name.to_owned()));
        }
    }
    for (table, mut columns) in primary_keys {
        columns.sort();
        if let Some(t) = tables.get_mut(table) {
            t.constraints.push(TableConstraint {
                constraint_type: ConstraintType::PrimaryKey,
                columns: columns.into_iter().map(|(_, c)| c).collect(),
                referred_table: None,
                referred_columns: Vec::new(),
            });
        }
    }
    Ok(())
}

/// Adds constraints from rows `(table, constraint id, referred table, column, referred column)`,
/// one per column, ordered by table and constraint.
fn add_constraints(
    tables: &mut BTreeMap<String, Table>,
    rows: &[Row],
    database: &str,
    constraint_type: ConstraintType,
) -> Result<(), SqlError> {
    let mut last = None;
    for row in rows {
        let table = row.required(0, Row::str)?;
        let Some(t) = tables.get_mut(table) else {
            continue;
        };
        let group = Some((table, row.required(1, Row::str)?));
        if group != last {
            last = group;
            t.constraints.push(TableConstraint {
                constraint_type,
                columns: Vec::new(),
                referred_table: row.string(2).map(|table| TablePath {
                    database: database.to_owned(),
                    schema: SCHEMA.into(),
                    table,
                }),
                referred_columns: Vec::new(),
            });
        }
        if let Some(c) = t.constraints.last_mut() {
            c.columns.push(row.required(3, Row::string)?);
            c.referred_columns.extend(row.string(4));
        }
    }
    Ok(())
}

/// The shared mapping, and for a type name it does not know, SQLite's own affinity rules
/// (<https://sqlite.org/datatype3.html#determination_of_column_affinity>): SQLite accepts any
/// name and reads `INT`, `CHAR`/`CLOB`/`TEXT`, `BLOB` and `REAL`/`FLOA`/`DOUB` inside it.
/// A name with none of them (and an empty one) stays UNKNOWN.
fn sqlite_type(declared: &str) -> ColumnType {
    let mapped = column_type(declared);
    if mapped.data_type != DataType::Unknown {
        return mapped;
    }
    let upper = declared.to_uppercase();
    let has = |parts: &[&str]| parts.iter().any(|p| upper.contains(p));
    let data_type = if has(&["INT"]) {
        DataType::Int
    } else if has(&["CHAR", "CLOB", "TEXT"]) {
        DataType::Text
    } else if has(&["BLOB"]) {
        DataType::Blob
    } else if has(&["REAL", "FLOA", "DOUB"]) {
        DataType::Double
    } else {
        DataType::Unknown
    };
    ColumnType {
        data_type,
        ..mapped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_types() {
        let t = |s: &str| sqlite_type(s).data_type;
        assert_eq!(t("INTEGER"), DataType::Int);
        assert_eq!(t("VARCHAR(20)"), DataType::Varchar);
        assert_eq!(sqlite_type("VARCHAR(20)").data_length, Some(20));
        assert_eq!(sqlite_type("NUMERIC(10,2)").precision, Some(10));
        assert_eq!(t("REAL"), DataType::Float);
        assert_eq!(t("BLOB"), DataType::Blob);
        assert_eq!(t("UNSIGNED BIG INT"), DataType::Bigint);
        // Not in the shared mapping: by affinity.
        assert_eq!(t("BIGINTEGER"), DataType::Int);
        assert_eq!(t("LONGVARCHAR"), DataType::Text);
        assert_eq!(t("DOUBLEWORD"), DataType::Double);
        // SQLite's own quirk: the `INT` in `POINT` wins.
        assert_eq!(t("FLOATING POINT"), DataType::Int);
        assert_eq!(t("MONEYTYPE"), DataType::Unknown);
        assert_eq!(t(""), DataType::Unknown);
    }
}
