//! Catalog rows of one batch into tables: the part of describing that needs no database, so it is
//! tested natively on recorded rows (`recorded_tests.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};

use omrun_sdk::types::{Column, ConstraintType, Table, TableConstraint, TablePath, TableType};

use crate::column_types::redshift_column_type;
use crate::constraint_def::column_lists;
use crate::rows::{AttributeRow, ConstraintRow, KeyRow, QualifiedName, RelationRow, SvvColumnRow};

/// Everything the catalog said about one batch. Redshift-only parts stay empty on PostgreSQL.
#[derive(Debug, Default)]
pub struct BatchRows {
    pub relations: Vec<RelationRow>,
    /// Materialized views of the database (Redshift lists them as views in `pg_class`).
    pub materialized: HashSet<QualifiedName>,
    /// External tables (Redshift Spectrum): not in `pg_class` at all.
    pub external: Vec<QualifiedName>,
    pub attributes: Vec<AttributeRow>,
    pub keys: Vec<KeyRow>,
    pub constraints: Vec<ConstraintRow>,
    /// Columns of the relations `pg_attribute` does not describe.
    pub svv_columns: Vec<SvvColumnRow>,
}

/// Keeps the rows of wanted `(schema, name)` pairs: name lists are queried as a schema list and a
/// name list, which also match pairs across them.
pub fn keep_wanted<T>(
    rows: &mut Vec<T>,
    wanted: &[(String, String)],
    key: impl Fn(&T) -> (&str, &str),
) {
    let wanted: HashSet<(&str, &str)> = wanted
        .iter()
        .map(|(s, n)| (s.as_str(), n.as_str()))
        .collect();
    rows.retain(|row| wanted.contains(&key(row)));
}

/// The tables of `database` the rows describe.
pub fn tables(database: &str, rows: BatchRows) -> Vec<Table> {
    let mut by_oid: HashMap<i64, Table> = HashMap::new();
    let mut tables: BTreeMap<QualifiedName, Table> = BTreeMap::new();
    for relation in rows.relations {
        let key = (relation.schema.clone(), relation.name.clone());
        // Redshift's pg_class does not say which views are materialized; stv_mv_info does.
        let table_type = if rows.materialized.contains(&key) {
            TableType::MaterializedView
        } else {
            table_type(&relation.relkind)
        };
        let definition = relation
            .view_body
            .map(|body| view_statement(&relation.schema, &relation.name, table_type, &body));
        let table = new_table(database, &relation.schema, &relation.name, table_type);
        by_oid.insert(
            relation.oid,
            Table {
                description: relation.description,
                definition,
                ..table
            },
        );
    }
    for row in rows.attributes {
        if let Some(t) = by_oid.get_mut(&row.relation) {
            t.columns.push(attribute_column(row));
        }
    }
    for row in rows.constraints {
        if let Some(t) = by_oid.get_mut(&row.relation) {
            t.constraints.extend(key_constraint(row, database));
        }
    }
    let mut keys: HashMap<i64, Vec<KeyRow>> = HashMap::new();
    for row in rows.keys {
        keys.entry(row.relation).or_default().push(row);
    }
    for (oid, keys) in keys {
        if let Some(t) = by_oid.get_mut(&oid) {
            t.constraints.extend(distribution_constraints(keys));
        }
    }
    for t in by_oid.into_values() {
        tables.insert((t.schema.clone(), t.name.clone()), t);
    }
    for (schema, name) in rows.external {
        let table = new_table(database, &schema, &name, TableType::External);
        tables.entry((schema, name)).or_insert(table);
    }
    for row in rows.svv_columns {
        if let Some(t) = tables.get_mut(&(row.schema.clone(), row.table.clone())) {
            t.columns.push(svv_column(row));
        }
    }
    tables
        .into_values()
        .map(|mut t| {
            t.columns.sort_by_key(|c| c.ordinal_position);
            t
        })
        .collect()
}

/// The table type of a `pg_class.relkind` (the queries select only these four).
pub fn table_type(relkind: &str) -> TableType {
    match relkind {
        "v" => TableType::View,
        "m" => TableType::MaterializedView,
        "f" => TableType::Foreign,
        _ => TableType::Regular,
    }
}

/// Whether `pg_attribute` leaves this relation's columns to `svv_columns`: a late-binding view
/// has no attribute rows of its own.
pub fn needs_svv_columns(relation: &RelationRow, attributes: &[AttributeRow]) -> bool {
    relation.relkind == "v" && !attributes.iter().any(|a| a.relation == relation.oid)
}

fn new_table(database: &str, schema: &str, name: &str, table_type: TableType) -> Table {
    Table {
        database: database.to_owned(),
        schema: schema.to_owned(),
        name: name.to_owned(),
        table_type,
        description: None,
        columns: Vec::new(),
        constraints: Vec::new(),
        definition: None,
        partition_columns: Vec::new(),
        source_url: None,
        tags: vec![],
    }
}

/// A whole statement, as OpenMetadata's connectors write view definitions so lineage parsers can
/// read them. Late-binding views already come as `create view … with no schema binding`.
pub fn view_statement(schema: &str, name: &str, table_type: TableType, body: &str) -> String {
    let body = body.trim();
    if body
        .get(..6)
        .is_some_and(|w| w.eq_ignore_ascii_case("create"))
    {
        return body.to_owned();
    }
    let kind = match table_type {
        TableType::MaterializedView => "MATERIALIZED VIEW",
        _ => "VIEW",
    };
    format!("CREATE {kind} {}.{} AS {body}", quote(schema), quote(name))
}

/// An identifier as SQL needs it: bare when it is lower case and plain, else double-quoted.
fn quote(identifier: &str) -> String {
    let plain = identifier
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && identifier
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        identifier.to_owned()
    } else {
        format!("\"{}\"", identifier.replace('"', "\"\""))
    }
}

fn attribute_column(row: AttributeRow) -> Column {
    let position = u32::try_from(row.position).unwrap_or_default();
    Column {
        nullable: !row.not_null,
        description: row.description,
        ..redshift_column_type(&row.type_display).column(row.name, row.type_display, position)
    }
}

fn svv_column(row: SvvColumnRow) -> Column {
    let display = svv_type_display(&row);
    let nullable = !matches!(
        row.is_nullable
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("no" | "false")
    );
    let position = u32::try_from(row.position).unwrap_or_default();
    Column {
        nullable,
        description: row.remarks.filter(|r| !r.is_empty()),
        ..redshift_column_type(&display).column(row.name, display, position)
    }
}

/// `svv_columns` gives the type without modifiers and the modifiers apart; put them together the
/// way `format_type` spells them (`character varying(256)`, `numeric(18,2)`).
fn svv_type_display(row: &SvvColumnRow) -> String {
    let data_type = row.data_type.trim();
    if data_type.contains(['(', '<']) {
        return data_type.to_owned();
    }
    match (data_type, row.char_length, row.precision, row.scale) {
        ("character varying" | "character" | "varchar" | "char", Some(n), _, _) => {
            format!("{data_type}({n})")
        }
        ("numeric" | "decimal", _, Some(p), s) => format!("{data_type}({p},{})", s.unwrap_or(0)),
        _ => data_type.to_owned(),
    }
}

/// A primary key, unique constraint or foreign key. Foreign keys cannot leave the database, so
/// the referred table is in `database`.
fn key_constraint(row: ConstraintRow, database: &str) -> Option<TableConstraint> {
    let mut lists = column_lists(&row.definition).into_iter();
    let columns = lists.next()?;
    let (constraint_type, referred_table, referred_columns) = match row.kind.as_str() {
        "p" => (ConstraintType::PrimaryKey, None, Vec::new()),
        "u" => (ConstraintType::Unique, None, Vec::new()),
        _ => {
            let table = TablePath {
                database: database.to_owned(),
                schema: row.referred_schema?,
                table: row.referred_table?,
            };
            (ConstraintType::ForeignKey, Some(table), lists.next()?)
        }
    };
    Some(TableConstraint {
        constraint_type,
        columns,
        referred_table,
        referred_columns,
    })
}

/// DIST_KEY (the distribution key column) and SORT_KEY (its columns in sort key order; compound
/// and interleaved alike, OpenMetadata has no kind for either) of one table.
fn distribution_constraints(mut keys: Vec<KeyRow>) -> Vec<TableConstraint> {
    let constraint = |constraint_type, columns| TableConstraint {
        constraint_type,
        columns,
        referred_table: None,
        referred_columns: Vec::new(),
    };
    let mut constraints = Vec::new();
    let dist: Vec<String> = keys
        .iter()
        .filter(|k| k.is_dist_key)
        .map(|k| k.column.clone())
        .collect();
    if !dist.is_empty() {
        constraints.push(constraint(ConstraintType::DistKey, dist));
    }
    keys.retain(|k| k.sort_key_order != 0);
    keys.sort_by_key(|k| k.sort_key_order.abs());
    if !keys.is_empty() {
        let sort = keys.into_iter().map(|k| k.column).collect();
        constraints.push(constraint(ConstraintType::SortKey, sort));
    }
    constraints
}
