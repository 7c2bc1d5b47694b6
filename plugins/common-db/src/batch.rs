//! `process`: a batch of refs answered with set-based describes, one result per ref, in order.

use std::collections::{BTreeMap, BTreeSet};

use omrun_sdk::types::{Entity, EntityKind, EntityRef, Table};

use crate::catalog::{Catalog, TableError};

type Outcome = Result<Vec<Entity>, String>;

/// Refs of one kind by database: each ref's index in the batch and its key within the database.
type ByDatabase<'a, K> = BTreeMap<&'a str, Vec<(usize, K)>>;

/// Groups `refs` by kind and database, describes each group with one catalog call, and answers
/// every ref from its group's result.
pub(crate) fn process<C: Catalog>(catalog: &mut C, refs: &[EntityRef]) -> Vec<Outcome> {
    let mut results: Vec<Option<Outcome>> = vec![None; refs.len()];
    let mut databases = Vec::new();
    let mut schemas: ByDatabase<String> = BTreeMap::new();
    let mut tables: ByDatabase<(String, String)> = BTreeMap::new();
    let mut procedures: ByDatabase<(String, String)> = BTreeMap::new();
    for (i, r) in refs.iter().enumerate() {
        match (r.kind, r.path.as_slice()) {
            (EntityKind::Database, [db]) => databases.push((i, db.clone())),
            (EntityKind::DatabaseSchema, [db, schema]) => {
                schemas.entry(db).or_default().push((i, schema.clone()));
            }
            (EntityKind::Table, [db, schema, table]) => {
                tables
                    .entry(db)
                    .or_default()
                    .push((i, (schema.clone(), table.clone())));
            }
            (EntityKind::StoredProcedure, [db, schema, name]) => {
                procedures
                    .entry(db)
                    .or_default()
                    .push((i, (schema.clone(), name.clone())));
            }
            (kind, path) => {
                results[i] = Some(Err(format!("invalid ref: {kind:?} with path {path:?}")));
            }
        }
    }

    if !databases.is_empty() {
        let found = catalog
            .describe_databases(&distinct(&databases))
            .map_err(|e| format!("describing databases: {e}"));
        fill(
            &mut results,
            databases,
            found,
            |d| d.name.clone(),
            |d| Ok(vec![Entity::Database(d)]),
            |name| format!("database `{name}`"),
        );
    }
    for (db, wanted) in schemas {
        let found = catalog
            .describe_schemas(db, &distinct(&wanted))
            .map_err(|e| format!("describing schemas of database `{db}`: {e}"));
        fill(
            &mut results,
            wanted,
            found,
            |s| s.name.clone(),
            |s| Ok(vec![Entity::DatabaseSchema(s)]),
            |name| format!("schema `{db}.{name}`"),
        );
    }
    for (db, wanted) in tables {
        let found = catalog
            .describe_tables(db, &distinct(&wanted))
            .map_err(|e| format!("describing tables of database `{db}`: {e}"));
        let key = |t: &Result<Table, TableError>| match t {
            Ok(t) => (t.schema.clone(), t.name.clone()),
            Err(e) => (e.schema.clone(), e.name.clone()),
        };
        let outcome = |t: Result<Table, TableError>| match t {
            Ok(t) => Ok(vec![Entity::Table(t)]),
            Err(e) => Err(format!(
                "describing table `{db}.{}.{}`: {}",
                e.schema, e.name, e.message
            )),
        };
        fill(
            &mut results,
            wanted,
            found,
            key,
            outcome,
            |(schema, table)| format!("table `{db}.{schema}.{table}`"),
        );
    }

    for (db, wanted) in procedures {
        let found = catalog
            .describe_stored_procedures(db, &distinct(&wanted))
            .map_err(|e| format!("describing stored procedures of database `{db}`: {e}"));
        fill(
            &mut results,
            wanted,
            found,
            |p| (p.schema.clone(), p.name.clone()),
            |p| Ok(vec![Entity::StoredProcedure(p)]),
            |(schema, name)| format!("stored procedure `{db}.{schema}.{name}`"),
        );
    }

    // Every ref was answered above; the fallback only guards against a logic slip.
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("ref was not processed".into())))
        .collect()
}

/// The distinct keys of a group, for one catalog call.
fn distinct<K: Ord + Clone>(wanted: &[(usize, K)]) -> Vec<K> {
    let set: BTreeSet<&K> = wanted.iter().map(|(_, k)| k).collect();
    set.into_iter().cloned().collect()
}

/// Answers each wanted ref of a group: the outcome of what was found for it, "no longer exists",
/// or the group's error.
fn fill<K: Ord, T: Clone>(
    results: &mut [Option<Outcome>],
    wanted: Vec<(usize, K)>,
    found: Result<Vec<T>, String>,
    key: impl Fn(&T) -> K,
    outcome: impl Fn(T) -> Outcome,
    describe: impl Fn(&K) -> String,
) {
    // A key found twice (PostgreSQL's overloads share a name) keeps its last row: a dialect
    // orders its rows so that the one to keep comes last.
    let found: Result<BTreeMap<K, T>, String> =
        found.map(|all| all.into_iter().map(|t| (key(&t), t)).collect());
    for (i, k) in wanted {
        results[i] = Some(match &found {
            Ok(by_key) => match by_key.get(&k) {
                Some(t) => outcome(t.clone()),
                None => Err(format!("{} no longer exists", describe(&k))),
            },
            Err(e) => Err(e.clone()),
        });
    }
}
