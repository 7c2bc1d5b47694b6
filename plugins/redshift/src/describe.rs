//! Describing a batch of tables of one database: the portable queries, and on Redshift its own,
//! then [`assemble::tables`]. At most eight queries whatever the batch size.

use std::collections::BTreeSet;

use omrun_sdk::sql::{Connection, Row, SqlError, Value};
use omrun_sdk::types::Table;

use crate::Flavor;
use crate::assemble::{self, BatchRows};
use crate::listing;
use crate::params::Params;
use crate::queries;
use crate::rows::{
    AttributeRow, ConstraintRow, KeyRow, MaterializedViewRow, RelationRow, SvvColumnRow,
    qualified_name,
};

/// The tables of `database` named by `(schema, table)` pairs; those that do not exist are left out.
pub fn tables(
    conn: &Connection,
    flavor: Flavor,
    database: &str,
    wanted: &[(String, String)],
) -> Result<Vec<Table>, SqlError> {
    let schemas: BTreeSet<&String> = wanted.iter().map(|(s, _)| s).collect();
    let names: BTreeSet<&String> = wanted.iter().map(|(_, n)| n).collect();
    let mut rows = BatchRows::default();

    let mut p = Params::new();
    let sql = queries::describe_relations(&p.texts(schemas.clone()), &p.texts(names.clone()));
    rows.relations = collect(conn, &sql, p.values(), RelationRow::from_row)?;
    assemble::keep_wanted(&mut rows.relations, wanted, |r| (&r.schema, &r.name));

    if flavor == Flavor::Redshift {
        let all = collect(
            conn,
            queries::LIST_MATERIALIZED_VIEWS,
            &[],
            MaterializedViewRow::from_row,
        )?;
        rows.materialized = listing::materialized_views(database, all);
        let mut p = Params::new();
        let database_param = p.one(Value::Text(database.to_owned()));
        let sql = queries::describe_external_tables(
            &database_param,
            &p.texts(schemas.clone()),
            &p.texts(names.clone()),
        );
        rows.external = collect(conn, &sql, p.values(), qualified_name)?;
        assemble::keep_wanted(&mut rows.external, wanted, |(s, n)| (s, n));
    }

    let oids: Vec<i64> = rows.relations.iter().map(|r| r.oid).collect();
    if !oids.is_empty() {
        let mut p = Params::new();
        let oid_list = p.integers(oids);
        rows.attributes = collect(
            conn,
            &queries::describe_attributes(&oid_list),
            p.values(),
            AttributeRow::from_row,
        )?;
        rows.constraints = collect(
            conn,
            &queries::describe_constraints(&oid_list),
            p.values(),
            ConstraintRow::from_row,
        )?;
        if flavor == Flavor::Redshift {
            rows.keys = collect(
                conn,
                &queries::describe_keys(&oid_list),
                p.values(),
                KeyRow::from_row,
            )?;
        }
    }

    if flavor == Flavor::Redshift {
        let mut without_attributes: Vec<(String, String)> = rows
            .relations
            .iter()
            .filter(|r| assemble::needs_svv_columns(r, &rows.attributes))
            .map(|r| (r.schema.clone(), r.name.clone()))
            .collect();
        without_attributes.extend(rows.external.iter().cloned());
        if !without_attributes.is_empty() {
            rows.svv_columns = svv_columns(conn, database, &without_attributes)?;
        }
    }
    Ok(assemble::tables(database, rows))
}

/// `svv_columns` rows of the `(schema, table)` pairs.
fn svv_columns(
    conn: &Connection,
    database: &str,
    pairs: &[(String, String)],
) -> Result<Vec<SvvColumnRow>, SqlError> {
    let mut p = Params::new();
    let database_param = p.one(Value::Text(database.to_owned()));
    let schemas = p.texts(pairs.iter().map(|(s, _)| s).collect::<BTreeSet<_>>());
    let names = p.texts(pairs.iter().map(|(_, n)| n).collect::<BTreeSet<_>>());
    let sql = queries::describe_svv_columns(&database_param, &schemas, &names);
    let mut rows = collect(conn, &sql, p.values(), SvvColumnRow::from_row)?;
    assemble::keep_wanted(&mut rows, pairs, |r| (&r.schema, &r.table));
    Ok(rows)
}

/// Every row of a query, each turned into `T`.
pub fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: &[Value],
    from_row: impl Fn(&Row) -> Result<T, SqlError>,
) -> Result<Vec<T>, SqlError> {
    conn.query(sql, params)?
        .map(|row| from_row(&row?))
        .collect()
}
