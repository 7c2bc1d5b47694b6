//! Full descriptions of a batch of tables in one database: four queries whatever the batch size
//! (tables, columns, constraints, partition keys).

use std::collections::HashMap;

use omrun_common_db::column_type::column_type;
use omrun_sdk::sql::{Connection, Row, SqlError, Value};
use omrun_sdk::types::{
    Column, ConstraintType, DataType, PartitionColumn, PartitionIntervalType, Table,
    TableConstraint, TablePath,
};

use crate::{queries, table_type, types};

/// The tables of `database` named by `(schema, table)` pairs; those that do not exist are left out.
pub fn tables(
    conn: &Connection,
    database: &str,
    wanted: &[(String, String)],
) -> Result<Vec<Table>, SqlError> {
    let (schemas, names): (Vec<String>, Vec<String>) = wanted.iter().cloned().unzip();
    let mut tables = Vec::new();
    let mut by_oid = HashMap::new();
    let mut partitioned = Vec::new();
    for row in conn.query(
        queries::DESCRIBE_TABLES,
        &[Value::TextList(schemas), Value::TextList(names)],
    )? {
        let row = row?;
        let oid = row.required(0, Row::i64)?;
        let relkind = row.required(3, Row::str)?;
        if relkind == "p" {
            partitioned.push(oid);
        }
        by_oid.insert(oid, tables.len());
        tables.push(Table {
            database: database.to_owned(),
            schema: row.required(1, Row::string)?,
            name: row.required(2, Row::string)?,
            table_type: table_type(relkind),
            description: row.string(4),
            columns: Vec::new(),
            constraints: Vec::new(),
            definition: row.string(5),
            partition_columns: Vec::new(),
            source_url: None,
            tags: vec![],
        });
    }
    if tables.is_empty() {
        return Ok(tables);
    }

    let oids = Value::IntegerList(by_oid.keys().copied().collect());
    let mut route =
        |sql: &str, oids: Value, add: &dyn Fn(&mut Table, &Row) -> Result<(), SqlError>| {
            // Rows come ordered by table and position; the oid in front says whose they are.
            for row in conn.query(sql, &[oids])? {
                let row = row?;
                if let Some(&i) = by_oid.get(&row.required(0, Row::i64)?) {
                    add(&mut tables[i], &row)?;
                }
            }
            Ok::<_, SqlError>(())
        };
    route(queries::DESCRIBE_COLUMNS, oids.clone(), &|t, row| {
        t.columns.push(column(row)?);
        Ok(())
    })?;
    route(queries::DESCRIBE_CONSTRAINTS, oids, &|t, row| {
        t.constraints.push(constraint(row, database)?);
        Ok(())
    })?;
    if !partitioned.is_empty() {
        route(
            queries::DESCRIBE_PARTITION_KEYS,
            Value::IntegerList(partitioned),
            &|t, row| {
                t.partition_columns.push(partition_column(row)?);
                Ok(())
            },
        )?;
    }
    Ok(tables)
}

/// A row of `DESCRIBE_COLUMNS`.
fn column(row: &Row) -> Result<Column, SqlError> {
    let display = row.required(4, Row::str)?;
    // A domain maps as its base type; the display keeps the domain's name. Anything else as
    // OpenMetadata's Postgres connector types it.
    let mut mapped = match row.str(5) {
        Some(base) => column_type(base),
        None => types::as_openmetadata(display, column_type(display)),
    };
    // An enum is a VARCHAR as long as its longest label, as OpenMetadata's connector reads it
    // (SQLAlchemy's ENUM is a string type of that length); an array of enums, of VARCHARs.
    match (row.str(6), row.str(7)) {
        (Some("e"), _) => {
            mapped.data_type = DataType::Varchar;
            mapped.data_length = row
                .i64(9)
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0);
        }
        (_, Some("e")) => mapped.array_data_type = Some(DataType::Varchar),
        _ => {}
    }
    let position = u32::try_from(row.required(2, Row::i64)?).unwrap_or_default();
    Ok(Column {
        nullable: !row.required(3, Row::bool)?,
        description: row.string(8),
        ..mapped.column(row.required(1, Row::str)?, display, position)
    })
}

/// A row of `DESCRIBE_PARTITION_KEYS`.
fn partition_column(row: &Row) -> Result<PartitionColumn, SqlError> {
    Ok(PartitionColumn {
        column: row.required(2, Row::string)?,
        interval_type: interval_type(row.required(1, Row::str)?, row.required(3, Row::str)?),
        interval: None,
    })
}

/// A row of `DESCRIBE_CONSTRAINTS`. Foreign keys cannot cross databases in PostgreSQL, so the
/// referred table is in `database`.
fn constraint(row: &Row, database: &str) -> Result<TableConstraint, SqlError> {
    let (constraint_type, referred_table) = match row.required(1, Row::str)? {
        "p" => (ConstraintType::PrimaryKey, None),
        "u" => (ConstraintType::Unique, None),
        _ => {
            let table = TablePath {
                database: database.to_owned(),
                schema: row.required(3, Row::string)?,
                table: row.required(4, Row::string)?,
            };
            (ConstraintType::ForeignKey, Some(table))
        }
    };
    Ok(TableConstraint {
        constraint_type,
        columns: row.text_list(2),
        referred_table,
        referred_columns: row.text_list(5),
    })
}

/// The interval type of a partition key column, from the strategy (`pg_partitioned_table.partstrat`)
/// and the column's type.
fn interval_type(strategy: &str, key_type: &str) -> PartitionIntervalType {
    use DataType as D;
    match strategy {
        "r" => match column_type(key_type).data_type {
            D::Date | D::Time | D::Timestamp | D::Timestampz | D::Datetime => {
                PartitionIntervalType::TimeUnit
            }
            D::Smallint | D::Int | D::Bigint | D::Numeric | D::Decimal => {
                PartitionIntervalType::IntegerRange
            }
            // A range over text or another type is neither; OTHER says so rather than mislead
            // the profiler into building integer ranges.
            _ => PartitionIntervalType::Other,
        },
        // Hash partitions hold whole values of the key like list partitions do; OpenMetadata's
        // own Postgres connector maps hash to COLUMN-VALUE too.
        "l" | "h" => PartitionIntervalType::ColumnValue,
        _ => PartitionIntervalType::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_types() {
        use PartitionIntervalType as P;
        assert_eq!(
            interval_type("r", "timestamp without time zone"),
            P::TimeUnit
        );
        assert_eq!(interval_type("r", "date"), P::TimeUnit);
        assert_eq!(interval_type("r", "integer"), P::IntegerRange);
        assert_eq!(interval_type("r", "text"), P::Other);
        assert_eq!(interval_type("l", "text"), P::ColumnValue);
        assert_eq!(interval_type("h", "integer"), P::ColumnValue);
    }
}
