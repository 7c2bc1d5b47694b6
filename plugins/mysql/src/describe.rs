//! Full descriptions of a batch, one schema at a time: three or four queries per schema in the
//! batch, whatever its size (tables, columns, keys, partitioning), and one per view.

use std::collections::{BTreeMap, HashMap};

use omrun_sdk::sql::{Connection, Row, SqlError, Value};
use omrun_sdk::types::{
    Column, ConstraintType, DataType, ProcedureLanguage, StoredProcedure, StoredProcedureType,
    Table, TableConstraint, TablePath, TableType,
};

use crate::dialect::{mysql_column_type, names_in, partition_columns};
use crate::queries;

/// Runs a `{names}` query for `schema` and `names`.
fn query(
    conn: &Connection,
    sql: &str,
    schema: &str,
    names: &[String],
) -> Result<Vec<Row>, SqlError> {
    let mut params = Vec::with_capacity(names.len() + 1);
    params.push(Value::Text(schema.to_owned()));
    params.extend(names.iter().cloned().map(Value::Text));
    conn.query_all(&names_in(sql, names.len()), &params)
}

/// The tables and views of `schema` named `names`; those that do not exist are left out.
/// Foreign keys refer to tables of the same `database`: MySQL's databases are its schemas.
pub fn tables(
    conn: &Connection,
    database: &str,
    schema: &str,
    names: &[String],
) -> Result<Vec<Table>, SqlError> {
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for row in query(conn, queries::DESCRIBE_TABLES, schema, names)? {
        let name = row.required(0, Row::string)?;
        let kind = row.required(1, Row::str)?;
        let partitioned = row.str(3).is_some_and(|o| o.contains("partitioned"));
        let table_type = match kind {
            "VIEW" => TableType::View,
            _ if partitioned => TableType::Partitioned,
            _ => TableType::Regular,
        };
        // MySQL writes `VIEW` as the comment of every view.
        let description = row
            .string(2)
            .filter(|c| !(c.is_empty() || (table_type == TableType::View && c == "VIEW")));
        tables.insert(
            name.clone(),
            Table {
                database: database.to_owned(),
                schema: schema.to_owned(),
                name,
                table_type,
                description,
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

    for row in query(conn, queries::DESCRIBE_COLUMNS, schema, &found)? {
        let table = row.required(0, Row::string)?;
        let name = row.required(1, Row::string)?;
        let (mapped, display) = mysql_column_type(row.required(4, Row::str)?);
        let position = u32::try_from(row.required(2, Row::i64)?).unwrap_or_default();
        let column = Column {
            nullable: row.str(3) != Some("NO"),
            description: row.string(5).filter(|c| !c.is_empty()),
            ..mapped.column(name, display, position)
        };
        if let Some(t) = tables.get_mut(&table) {
            t.columns.push(column);
        }
    }

    add_constraints(&mut tables, conn, database, schema, &found)?;

    for t in tables.values_mut() {
        if t.table_type == TableType::View {
            t.definition = view_definition(conn, schema, &t.name);
        }
    }

    let partitioned: Vec<String> = tables
        .values()
        .filter(|t| t.table_type == TableType::Partitioned)
        .map(|t| t.name.clone())
        .collect();
    if !partitioned.is_empty() {
        for row in query(conn, queries::DESCRIBE_PARTITIONING, schema, &partitioned)? {
            let name = row.required(0, Row::string)?;
            let Some(t) = tables.get_mut(&name) else {
                continue;
            };
            let types: HashMap<&str, DataType> = t
                .columns
                .iter()
                .map(|c| (c.name.as_str(), c.data_type))
                .collect();
            let columns = partition_columns(
                row.str(1).unwrap_or_default(),
                row.str(2).unwrap_or_default(),
                |c| types.get(c).copied(),
            );
            t.partition_columns = columns;
        }
    }
    Ok(tables.into_values().collect())
}

/// Primary keys, unique constraints and foreign keys; rows come one per key column.
fn add_constraints(
    tables: &mut BTreeMap<String, Table>,
    conn: &Connection,
    database: &str,
    schema: &str,
    found: &[String],
) -> Result<(), SqlError> {
    let mut last: Option<(String, String)> = None;
    for row in query(conn, queries::DESCRIBE_CONSTRAINTS, schema, found)? {
        let table = row.required(0, Row::string)?;
        let name = row.required(1, Row::string)?;
        let Some(t) = tables.get_mut(&table) else {
            continue;
        };
        let key = Some((table, name));
        if key != last {
            let (constraint_type, referred_table) = match row.required(2, Row::str)? {
                "PRIMARY KEY" => (ConstraintType::PrimaryKey, None),
                "UNIQUE" => (ConstraintType::Unique, None),
                _ => (
                    ConstraintType::ForeignKey,
                    Some(TablePath {
                        database: database.to_owned(),
                        schema: row.required(4, Row::string)?,
                        table: row.required(5, Row::string)?,
                    }),
                ),
            };
            t.constraints.push(TableConstraint {
                constraint_type,
                columns: Vec::new(),
                referred_table,
                referred_columns: Vec::new(),
            });
            last = key;
        }
        let constraint = t.constraints.last_mut().expect("pushed above");
        constraint.columns.push(row.required(3, Row::string)?);
        if let Some(referred) = row.string(6) {
            constraint.referred_columns.push(referred);
        }
    }
    Ok(())
}

/// The stored procedures and functions of `schema` named `names`.
pub fn routines(
    conn: &Connection,
    database: &str,
    schema: &str,
    names: &[String],
) -> Result<Vec<StoredProcedure>, SqlError> {
    query(conn, queries::DESCRIBE_ROUTINES, schema, names)?
        .into_iter()
        .map(|row| {
            Ok(StoredProcedure {
                database: database.to_owned(),
                schema: schema.to_owned(),
                name: row.required(0, Row::string)?,
                procedure_type: match row.required(1, Row::str)? {
                    "PROCEDURE" => StoredProcedureType::StoredProcedure,
                    _ => StoredProcedureType::Function,
                },
                // `ROUTINE_BODY` is `SQL` for every routine MySQL and MariaDB can define; a
                // body from elsewhere (a UDF in a shared library) is external code.
                language: match row.str(2) {
                    Some("SQL") => ProcedureLanguage::Sql,
                    _ => ProcedureLanguage::External,
                },
                code: row.string(3),
                description: row.string(4).filter(|c| !c.is_empty()),
            })
        })
        .collect()
}

/// The statement `SHOW CREATE VIEW` prints (`CREATE ALGORITHM=… DEFINER=… SQL SECURITY … VIEW
/// … AS …`), which is OpenMetadata's view definition for MySQL and MariaDB: one query per view,
/// since `information_schema` lacks the algorithm on MySQL. A view that cannot be shown (no
/// SHOW VIEW privilege) has no definition, as in OpenMetadata, rather than failing its batch.
fn view_definition(conn: &Connection, schema: &str, name: &str) -> Option<String> {
    let sql = format!("SHOW CREATE VIEW {}.{}", quote(schema), quote(name));
    match conn.query_all(&sql, &[]) {
        Ok(rows) => rows.first().and_then(|r| r.string(1)),
        Err(e) => {
            omrun_sdk::log::warn!("no definition for view {schema}.{name}: {e}");
            None
        }
    }
}

/// A name quoted for MySQL.
fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}
