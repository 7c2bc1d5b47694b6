//! Unique and foreign keys from `SHOW UNIQUE KEYS` and `SHOW IMPORTED KEYS` rows (one row per key
//! column; see `queries` for their columns), onto the tables of a batch. Snowflake does not
//! enforce either, but declares them, and OpenMetadata's connector reads them through its
//! dialect's inspector the same way.

use std::collections::BTreeMap;

use omrun_sdk::sql::Row;
use omrun_sdk::types::{ConstraintType, Table, TableConstraint, TablePath};

/// Each table's unique keys, by constraint name, columns in key order.
pub fn unique(rows: &[Row], tables: &mut BTreeMap<String, Table>) {
    let mut keys: BTreeMap<(String, String), Vec<(i64, String)>> = BTreeMap::new();
    for row in rows {
        let (Some(table), Some(column)) = (row.string(3), row.string(4)) else {
            continue;
        };
        if tables.contains_key(&table) {
            let name = row.string(6).unwrap_or_default();
            let position = row.i64(5).unwrap_or(0);
            keys.entry((table, name))
                .or_default()
                .push((position, column));
        }
    }
    for ((table, _), mut columns) in keys {
        columns.sort();
        if let Some(table) = tables.get_mut(&table) {
            table.constraints.push(TableConstraint {
                constraint_type: ConstraintType::Unique,
                columns: columns.into_iter().map(|(_, c)| c).collect(),
                referred_table: None,
                referred_columns: Vec::new(),
            });
        }
    }
}

/// Each table's foreign keys, by constraint name: its columns and the referred table's, in key
/// order. A row that names no referred table (an emulator's partial answer) is skipped: a key
/// pointing nowhere is worse than none.
pub fn foreign(rows: &[Row], tables: &mut BTreeMap<String, Table>) {
    /// A key's referred table and its (position, column, referred column) rows.
    type Columns = (TablePath, Vec<(i64, String, String)>);
    let mut keys: BTreeMap<(String, String), Columns> = BTreeMap::new();
    for row in rows {
        let text = |i: usize| row.string(i).filter(|s| !s.is_empty());
        let (Some(database), Some(schema), Some(referred), Some(referred_column)) =
            (text(1), text(2), text(3), text(4))
        else {
            continue;
        };
        let (Some(table), Some(column)) = (text(7), text(8)) else {
            continue;
        };
        if !tables.contains_key(&table) {
            continue;
        }
        let position = row.i64(9).unwrap_or(0);
        let path = TablePath {
            database,
            schema,
            table: referred,
        };
        keys.entry((table, row.string(12).unwrap_or_default()))
            .or_insert_with(|| (path, Vec::new()))
            .1
            .push((position, column, referred_column));
    }
    for ((table, _), (path, mut columns)) in keys {
        columns.sort();
        if let Some(table) = tables.get_mut(&table) {
            let (columns, referred_columns) = columns.into_iter().map(|(_, c, r)| (c, r)).unzip();
            table.constraints.push(TableConstraint {
                constraint_type: ConstraintType::ForeignKey,
                columns,
                referred_table: Some(path),
                referred_columns,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omrun_sdk::sql::Value;
    use omrun_sdk::types::TableType;

    fn row(values: &[Option<&str>]) -> Row {
        Row::new(
            values
                .iter()
                .map(|v| match v {
                    None => Value::Null,
                    Some(n) if n.parse::<i64>().is_ok() => Value::Integer(n.parse().unwrap()),
                    Some(s) => Value::Text((*s).to_owned()),
                })
                .collect(),
        )
    }

    fn tables(names: &[&str]) -> BTreeMap<String, Table> {
        names
            .iter()
            .map(|n| {
                let table = Table {
                    database: "D".into(),
                    schema: "S".into(),
                    name: (*n).into(),
                    table_type: TableType::Regular,
                    description: None,
                    columns: Vec::new(),
                    constraints: Vec::new(),
                    definition: None,
                    partition_columns: Vec::new(),
                    source_url: None,
                    tags: Vec::new(),
                };
                ((*n).to_owned(), table)
            })
            .collect()
    }

    #[test]
    fn unique_keys_group_by_constraint_in_key_order() {
        let mut batch = tables(&["T"]);
        let rows = [
            row(&[
                None,
                Some("D"),
                Some("S"),
                Some("T"),
                Some("B"),
                Some("2"),
                Some("uq_ab"),
            ]),
            row(&[
                None,
                Some("D"),
                Some("S"),
                Some("T"),
                Some("A"),
                Some("1"),
                Some("uq_ab"),
            ]),
            row(&[
                None,
                Some("D"),
                Some("S"),
                Some("T"),
                Some("C"),
                Some("1"),
                Some("uq_c"),
            ]),
            row(&[
                None,
                Some("D"),
                Some("S"),
                Some("OTHER"),
                Some("X"),
                Some("1"),
                Some("u"),
            ]),
        ];
        unique(&rows, &mut batch);
        let keys: Vec<Vec<String>> = batch["T"]
            .constraints
            .iter()
            .map(|c| c.columns.clone())
            .collect();
        assert_eq!(keys, vec![vec!["A", "B"], vec!["C"]]);
        assert!(
            batch["T"]
                .constraints
                .iter()
                .all(|c| c.constraint_type == ConstraintType::Unique)
        );
    }

    #[test]
    fn foreign_keys_name_the_referred_table_and_skip_rows_without_one() {
        let mut batch = tables(&["ORDERS"]);
        // Snowflake's layout: created_on, pk db, schema, table, column, fk db, schema, table,
        // column, key_sequence, update_rule, delete_rule, fk_name.
        let fk = |pk: &str, fk: &str, seq: &str| {
            row(&[
                None,
                Some("D"),
                Some("P"),
                Some("CUSTOMERS"),
                Some(pk),
                Some("D"),
                Some("S"),
                Some("ORDERS"),
                Some(fk),
                Some(seq),
                Some("NO ACTION"),
                Some("NO ACTION"),
                Some("fk_customer"),
            ])
        };
        let rows = [
            fk("REGION", "C_REGION", "2"),
            fk("ID", "C_ID", "1"),
            // What fakesnow answers: no referred table.
            row(&[
                None,
                Some(""),
                Some(""),
                Some(""),
                Some(""),
                Some("ID"),
                Some("D"),
                Some("S"),
                Some("ORDERS"),
                Some("ID"),
                Some("1"),
                None,
                None,
                Some("x"),
            ]),
        ];
        foreign(&rows, &mut batch);
        let constraints = &batch["ORDERS"].constraints;
        assert_eq!(constraints.len(), 1);
        let key = &constraints[0];
        assert_eq!(key.constraint_type, ConstraintType::ForeignKey);
        assert_eq!(key.columns, vec!["C_ID", "C_REGION"]);
        assert_eq!(key.referred_columns, vec!["ID", "REGION"]);
        let path = key.referred_table.as_ref().unwrap();
        assert_eq!(
            (
                path.database.as_str(),
                path.schema.as_str(),
                path.table.as_str()
            ),
            ("D", "P", "CUSTOMERS")
        );
    }
}
