//! Discovery on Redshift: `svv_tables` rows and materialized views into table names.

use std::collections::{BTreeMap, HashSet};

use omrun_common_db::TableName;
use omrun_sdk::types::TableType;

use crate::rows::{MaterializedViewRow, QualifiedName, SvvTableRow};

/// The materialized views of `database`, names unpadded (`stv_mv_info` has `char(128)` columns).
pub fn materialized_views(
    database: &str,
    rows: Vec<MaterializedViewRow>,
) -> HashSet<QualifiedName> {
    rows.into_iter()
        .filter(|mv| mv.database.trim_end() == database)
        .map(|mv| {
            (
                mv.schema.trim_end().to_owned(),
                mv.name.trim_end().to_owned(),
            )
        })
        .collect()
}

/// The tables and views to ingest. A materialized view's rows live in a table of its own,
/// `mv_tbl__<view>__0`, which is an implementation detail and left out.
pub fn tables(
    svv_tables: Vec<SvvTableRow>,
    materialized: &HashSet<QualifiedName>,
) -> Vec<TableName> {
    let mut found: BTreeMap<QualifiedName, TableType> = BTreeMap::new();
    for row in svv_tables {
        if backs_a_materialized_view(&row, materialized) {
            continue;
        }
        let key = (row.schema, row.name);
        let table_type = match row.table_type.as_str() {
            _ if materialized.contains(&key) => TableType::MaterializedView,
            "VIEW" => TableType::View,
            "EXTERNAL TABLE" => TableType::External,
            _ => TableType::Regular,
        };
        found.insert(key, table_type);
    }
    // Whether svv_tables lists materialized views is not documented; those it leaves out are
    // added, outside the system's own schemas (automatic materialized views live there).
    for key in materialized {
        if !key.0.starts_with("pg_") && key.0 != "information_schema" {
            found
                .entry(key.clone())
                .or_insert(TableType::MaterializedView);
        }
    }
    found
        .into_iter()
        .map(|((schema, name), table_type)| TableName {
            schema,
            name,
            table_type,
        })
        .collect()
}

fn backs_a_materialized_view(row: &SvvTableRow, materialized: &HashSet<QualifiedName>) -> bool {
    row.name
        .strip_prefix("mv_tbl__")
        .and_then(|rest| rest.strip_suffix("__0"))
        .is_some_and(|view| materialized.contains(&(row.schema.clone(), view.to_owned())))
}
