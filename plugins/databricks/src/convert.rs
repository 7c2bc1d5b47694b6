//! Unity Catalog's answers as OpenMetadata's entities, named, typed and described as
//! OpenMetadata's own `UnityCatalog` connector makes them (`unitycatalog/metadata.py` in
//! openmetadata-ingestion 2.0.7.0): a catalog is a database, a schema a schema, a table or view a
//! table.
//!
//! - Table types: `VIEW` → `View`, `MATERIALIZED_VIEW` → `MaterializedView`, `EXTERNAL` →
//!   `External`, anything else (`MANAGED`, `STREAMING_TABLE`, `FOREIGN`, shallow clones,
//!   `METRIC_VIEW`) → `Regular`.
//! - Columns: typed by OpenMetadata's parser of `type_text`, a struct's fields as children
//!   ([`crate::columns`]).
//! - Views: `CREATE VIEW `c`.`s`.`v` AS <view_definition>` (`MATERIALIZED VIEW` for those).
//! - Keys: the table's primary key and foreign keys (`table_constraints`).
//! - Partitioning (beyond OpenMetadata's connector, which writes none): the columns with a
//!   `partition_index`, in its order, as `COLUMN-VALUE` partitions.

use omrun_sdk::types::{
    ConstraintType, PartitionColumn, PartitionIntervalType, Table, TableConstraint, TablePath,
    TableType,
};

use crate::api::TableInfo;
use crate::columns::{column_name, columns, non_empty};

/// OpenMetadata's table type for Unity Catalog's `table_type`, as its connector decides it.
pub fn table_type(table_type: Option<&str>) -> TableType {
    match table_type.map(str::to_ascii_lowercase).as_deref() {
        Some("view") => TableType::View,
        Some("materialized_view") => TableType::MaterializedView,
        Some("external") => TableType::External,
        _ => TableType::Regular,
    }
}

/// The table `info` describes, in `catalog`.`schema`.
pub fn table(catalog: &str, schema: &str, name: &str, info: &TableInfo) -> Table {
    let table_type = table_type(info.table_type.as_deref());
    let infos = info.columns.as_deref().unwrap_or_default();
    let columns = columns(infos);
    let definition = match table_type {
        TableType::View | TableType::MaterializedView => info
            .view_definition
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| {
                let kind = if table_type == TableType::View {
                    "VIEW"
                } else {
                    "MATERIALIZED VIEW"
                };
                let c = info.catalog_name.as_deref().unwrap_or(catalog);
                let s = info.schema_name.as_deref().unwrap_or(schema);
                format!("CREATE {kind} `{c}`.`{s}`.`{name}` AS {d}")
            }),
        _ => None,
    };
    let mut partitions: Vec<(i64, &str)> = infos
        .iter()
        .filter_map(|c| Some((c.partition_index?, c.name.as_deref()?)))
        .collect();
    partitions.sort();
    Table {
        database: catalog.to_owned(),
        schema: schema.to_owned(),
        name: name.to_owned(),
        table_type,
        description: non_empty(info.comment.as_deref()),
        columns,
        constraints: constraints(info),
        definition,
        partition_columns: partitions
            .into_iter()
            .map(|(_, column)| PartitionColumn {
                column: column_name(column),
                interval_type: PartitionIntervalType::ColumnValue,
                interval: None,
            })
            .collect(),
        source_url: None,
        tags: vec![],
    }
}

/// The primary key and foreign keys `GET …/tables/{full_name}` lists.
fn constraints(info: &TableInfo) -> Vec<TableConstraint> {
    let mut out = Vec::new();
    for c in info.table_constraints.iter().flatten() {
        if let Some(pk) = &c.primary_key_constraint
            && !pk.child_columns.is_empty()
        {
            out.push(TableConstraint {
                constraint_type: ConstraintType::PrimaryKey,
                columns: pk.child_columns.iter().map(|n| column_name(n)).collect(),
                referred_table: None,
                referred_columns: Vec::new(),
            });
        }
        if let Some(fk) = &c.foreign_key_constraint
            && let [database, schema, table] = split_full_name(&fk.parent_table).as_slice()
        {
            out.push(TableConstraint {
                constraint_type: ConstraintType::ForeignKey,
                columns: fk.child_columns.iter().map(|n| column_name(n)).collect(),
                referred_table: Some(TablePath {
                    database: database.clone(),
                    schema: schema.clone(),
                    table: table.clone(),
                }),
                referred_columns: fk.parent_columns.iter().map(|n| column_name(n)).collect(),
            });
        }
    }
    out
}

/// `catalog.schema.table`, any part possibly in backquotes (`` `my.cat`.s.t ``), into its parts.
pub fn split_full_name(full: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut quoted = false;
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' if quoted && chars.peek() == Some(&'`') => {
                chars.next();
                part.push('`');
            }
            '`' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut part)),
            c => part.push(c),
        }
    }
    parts.push(part);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ColumnInfo, ForeignKeyConstraint, PrimaryKeyConstraint};

    #[test]
    fn table_types_as_openmetadata_reads_them() {
        let t = |s: &str| table_type(Some(s));
        assert_eq!(t("VIEW"), TableType::View);
        assert_eq!(t("MATERIALIZED_VIEW"), TableType::MaterializedView);
        assert_eq!(t("EXTERNAL"), TableType::External);
        for regular in [
            "MANAGED",
            "STREAMING_TABLE",
            "FOREIGN",
            "MANAGED_SHALLOW_CLONE",
            "EXTERNAL_SHALLOW_CLONE",
            "METRIC_VIEW",
        ] {
            assert_eq!(t(regular), TableType::Regular, "{regular}");
        }
        assert_eq!(table_type(None), TableType::Regular);
    }

    fn col(name: &str, text: &str, position: i64) -> ColumnInfo {
        ColumnInfo {
            name: Some(name.into()),
            type_text: Some(text.into()),
            type_name: None,
            comment: None,
            nullable: None,
            position: Some(position),
            partition_index: None,
            type_json: None,
        }
    }

    #[test]
    fn a_whole_table() {
        let mut day = col("day", "date", 2);
        day.partition_index = Some(1);
        let mut region = col("region", "string", 3);
        region.partition_index = Some(0);
        region.comment = Some("Sales region".into());
        let mut id = col("id", "bigint", 0);
        id.nullable = Some(false);
        let mut empty = col("note", "string", 4);
        empty.comment = Some("".into());
        let info = TableInfo {
            name: Some("orders".into()),
            catalog_name: Some("main".into()),
            schema_name: Some("sales".into()),
            table_type: Some("MANAGED".into()),
            comment: Some("Orders".into()),
            // Out of order, as an API may list them.
            columns: Some(vec![
                day,
                region,
                id,
                col("total", "decimal(12,2)", 1),
                empty,
            ]),
            table_constraints: Some(vec![
                crate::api::TableConstraint {
                    primary_key_constraint: Some(PrimaryKeyConstraint {
                        child_columns: vec!["id".into()],
                    }),
                    foreign_key_constraint: None,
                },
                crate::api::TableConstraint {
                    primary_key_constraint: None,
                    foreign_key_constraint: Some(ForeignKeyConstraint {
                        child_columns: vec!["region".into()],
                        parent_table: "main.ref.`re.gions`".into(),
                        parent_columns: vec!["code".into()],
                    }),
                },
            ]),
            view_definition: None,
        };
        let t = table("main", "sales", "orders", &info);
        assert_eq!(t.table_type, TableType::Regular);
        assert_eq!(t.description.as_deref(), Some("Orders"));
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "total", "day", "region", "note"]);
        let positions: Vec<u32> = t.columns.iter().map(|c| c.ordinal_position).collect();
        assert_eq!(positions, [1, 2, 3, 4, 5]);
        assert!(!t.columns[0].nullable && t.columns[1].nullable);
        assert_eq!(
            (t.columns[1].precision, t.columns[1].scale),
            (Some(12), Some(2))
        );
        assert_eq!(t.columns[3].description.as_deref(), Some("Sales region"));
        assert_eq!(t.columns[4].description, None);
        let partitions: Vec<&str> = t
            .partition_columns
            .iter()
            .map(|p| p.column.as_str())
            .collect();
        assert_eq!(partitions, ["region", "day"]);
        assert!(
            t.partition_columns
                .iter()
                .all(|p| p.interval_type == PartitionIntervalType::ColumnValue)
        );
        assert_eq!(t.definition, None);
        assert_eq!(t.constraints.len(), 2);
        assert_eq!(t.constraints[0].constraint_type, ConstraintType::PrimaryKey);
        assert_eq!(t.constraints[0].columns, ["id"]);
        let fk = &t.constraints[1];
        assert_eq!(fk.constraint_type, ConstraintType::ForeignKey);
        let to = fk.referred_table.as_ref().unwrap();
        assert_eq!(
            (to.database.as_str(), to.schema.as_str(), to.table.as_str()),
            ("main", "ref", "re.gions")
        );
        assert_eq!(fk.referred_columns, ["code"]);
    }

    #[test]
    fn views_carry_their_definition_as_a_statement() {
        let mut info = TableInfo {
            name: Some("big".into()),
            catalog_name: Some("main".into()),
            schema_name: Some("sales".into()),
            table_type: Some("VIEW".into()),
            comment: None,
            columns: None,
            table_constraints: None,
            view_definition: Some("SELECT 1".into()),
        };
        let t = table("main", "sales", "big", &info);
        assert_eq!(t.table_type, TableType::View);
        assert_eq!(
            t.definition.as_deref(),
            Some("CREATE VIEW `main`.`sales`.`big` AS SELECT 1")
        );
        assert!(t.columns.is_empty() && t.description.is_none());
        info.table_type = Some("MATERIALIZED_VIEW".into());
        assert_eq!(
            table("main", "sales", "big", &info).definition.as_deref(),
            Some("CREATE MATERIALIZED VIEW `main`.`sales`.`big` AS SELECT 1")
        );
        info.table_type = Some("METRIC_VIEW".into());
        assert_eq!(table("main", "sales", "big", &info).definition, None);
    }

    #[test]
    fn full_names_split_outside_backquotes() {
        assert_eq!(split_full_name("a.b.c"), ["a", "b", "c"]);
        assert_eq!(split_full_name("`a.x`.b.`c``d`"), ["a.x", "b", "c`d"]);
    }
}
