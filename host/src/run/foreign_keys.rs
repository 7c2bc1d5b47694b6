//! Foreign keys in two passes.
//!
//! OpenMetadata refuses a whole table whose foreign key names a table it does not hold, or a column
//! that table lacks — checked for every row of a bulk request against the server's state before the
//! request — and replaces a table's stored constraints with those of each PUT. So a key can only go
//! out once its table is stored, and must never be left out of a later PUT while it is stored:
//!
//! - **First pass**: each table goes with the keys whose tables are known to be held (written by
//!   this run and confirmed, or already on the server: each schema's stored tables are listed once,
//!   the first time a key points into it). The other keys are deferred.
//! - **Last pass**, once every table of the run is written: the tables with deferred keys go again,
//!   complete. A key whose table never arrived (filtered out, failed, not in any run) is left out
//!   and reported as skipped.
//!
//! OpenMetadata's own ingestion does the same with a JSON Patch per table at the end; sending the
//! complete request instead stores the `sourceHash` both tools compute on their next run, so
//! neither rewrites the table afterwards.
//!
//! A file sink gets the same sequence (a table with deferred keys appears twice, the second time
//! complete): replayed line by line into OpenMetadata, it is accepted.
//!
//! Every key sent carries OpenMetadata's `relationshipType`, computed as its ingestion does: from
//! whether the first column on each side carries a column-level `PRIMARY_KEY` or `UNIQUE`.

use crate::model::{EntityKind, EntityRef, Table, TableConstraint};
use crate::sink::requests::{column_names, unique_columns};
use crate::sink::{Requests, Sink, StoredTable};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Which pass a write belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    First,
    Last,
}

/// What became of a table's foreign keys.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Some keys were held back for the last pass.
    pub deferred: bool,
    /// Keys left out for good (last pass only), each described with why.
    pub skipped: Vec<String>,
    /// Last pass: the table would go with the very keys it went with on the first, its deferred
    /// ones all skipped: nothing to send again.
    pub unchanged: bool,
}

/// A table known to be held, as much as keys need.
struct Known {
    columns: Vec<String>,
    unique: Vec<String>,
}

#[derive(Default)]
pub struct ForeignKeys {
    known: Mutex<HashMap<String, Known>>,
    /// Tables written on the first pass without some keys, with how many they went with.
    partial: Mutex<HashMap<String, usize>>,
    /// Schemas whose stored tables were asked for; held across the listing so each is listed once.
    listed: tokio::sync::Mutex<HashSet<String>>,
}

impl ForeignKeys {
    /// Records that `table` (FQN `fqn`) is held: the sink accepted it.
    pub fn hold(&self, fqn: String, table: &Table) {
        let known = Known {
            columns: column_names(table),
            unique: unique_columns(table),
        };
        self.lock().insert(fqn, known);
    }

    /// Keeps the keys of `table` that name a held table, with their `relationshipType`, and takes
    /// out the others: deferred on the first pass, skipped on the last.
    pub async fn resolve(
        &self,
        sink: &dyn Sink,
        requests: &Requests,
        fqn: &str,
        table: &mut Table,
        pass: Pass,
    ) -> Resolved {
        let mut resolved = Resolved::default();
        if !table.constraints.iter().any(|c| c.referred_table.is_some()) {
            return resolved;
        }
        let own_unique = unique_columns(table);
        let mut kept = Vec::with_capacity(table.constraints.len());
        for mut key in std::mem::take(&mut table.constraints) {
            let Some(referred) = key.referred_table.clone() else {
                kept.push(key);
                continue;
            };
            match self.check(sink, requests, &referred, &key).await {
                Ok((columns, referred_unique)) => {
                    key.relationship_type = Some(relationship(
                        key.columns
                            .first()
                            .map(|c| crate::sink::fqn::encode_name(c)),
                        columns.first(),
                        &own_unique,
                        &referred_unique,
                    ));
                    key.referred_columns = columns;
                    kept.push(key);
                }
                Err(_) if pass == Pass::First => resolved.deferred = true,
                Err(why) => resolved.skipped.push(format!(
                    "foreign key ({}) to {}: {why}",
                    key.columns.join(", "),
                    requests.table_fqn(&referred)
                )),
            }
        }
        let sent = kept.iter().filter(|c| c.referred_table.is_some()).count();
        table.constraints = kept;
        let mut partial = self.partial.lock().unwrap_or_else(|p| p.into_inner());
        match pass {
            Pass::First if resolved.deferred => {
                partial.insert(fqn.to_owned(), sent);
            }
            Pass::First => {}
            Pass::Last => resolved.unchanged = partial.remove(fqn) == Some(sent),
        }
        resolved
    }

    /// The referred columns as the held table names them, and that table's unique columns; or why
    /// the key cannot be sent.
    async fn check(
        &self,
        sink: &dyn Sink,
        requests: &Requests,
        referred: &[String; 3],
        key: &TableConstraint,
    ) -> Result<(Vec<String>, Vec<String>), String> {
        let fqn = requests.table_fqn(referred);
        if !self.lock().contains_key(&fqn) {
            let [database, schema, _] = referred;
            let schema = EntityRef::new(
                EntityKind::DatabaseSchema,
                vec![database.clone(), schema.clone()],
            );
            self.list(sink, &requests.fqn(&schema)).await;
        }
        let known = self.lock();
        let Some(table) = known.get(&fqn) else {
            return Err(
                "that table is not in OpenMetadata (filtered out, failed, or never ingested)"
                    .into(),
            );
        };
        let columns = key
            .referred_columns
            .iter()
            .map(|c| match_column(&crate::sink::fqn::encode_name(c), &table.columns))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((columns, table.unique.clone()))
    }

    /// Learns the tables the destination holds in a schema, once per schema.
    async fn list(&self, sink: &dyn Sink, schema_fqn: &str) {
        let mut listed = self.listed.lock().await;
        if !listed.insert(schema_fqn.to_owned()) {
            return;
        }
        match sink.stored_tables(schema_fqn).await {
            Ok(tables) => {
                let mut known = self.lock();
                for StoredTable {
                    fqn,
                    columns,
                    unique,
                } in tables
                {
                    // What this run wrote is newer than what the listing returned.
                    known.entry(fqn).or_insert(Known { columns, unique });
                }
            }
            // Keys into it wait for the last pass, by which time this run's own tables are known.
            Err(e) => tracing::warn!("{e:#}; foreign keys into {schema_fqn} wait until the end"),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Known>> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A referred column as the held table names it: the same name, else the one column equal to it
/// ignoring case (MySQL keeps a key's column as its definition spelled it), as OpenMetadata's
/// ingestion matches them; its server compares names exactly.
fn match_column(name: &str, columns: &[String]) -> Result<String, String> {
    if columns.iter().any(|c| c == name) {
        return Ok(name.to_owned());
    }
    let mut same = columns.iter().filter(|c| c.eq_ignore_ascii_case(name));
    match (same.next(), same.next()) {
        (Some(one), None) => Ok(one.clone()),
        _ => Err(format!("that table has no column {name}")),
    }
}

/// OpenMetadata's `relationshipType` of a key from its first column and its first referred column
/// (`metadata.utils.constraints.get_relationship_type`): each side is "one" when that column
/// carries a column-level PRIMARY_KEY or UNIQUE.
fn relationship(
    column: Option<String>,
    referred: Option<&String>,
    own_unique: &[String],
    referred_unique: &[String],
) -> &'static str {
    let one_here = column.is_some_and(|c| own_unique.contains(&c));
    let one_there = referred.is_some_and(|c| referred_unique.contains(c));
    match (one_here, one_there) {
        (true, true) => "ONE_TO_ONE",
        (true, false) => "ONE_TO_MANY",
        (false, true) => "MANY_TO_ONE",
        (false, false) => "MANY_TO_MANY",
    }
}

/// Whether OpenMetadata refused a table for a key naming a table or column it does not hold: the
/// first pass then defers the table's keys instead of failing it (what was held changed under us,
/// e.g. a referred table that lost a column on the server).
pub fn is_reference_refusal(error: &str) -> bool {
    error.contains("Table not found") || error.contains("Invalid column name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_follows_openmetadata() {
        let unique = vec!["id".to_owned()];
        let id = Some("id".to_owned());
        let other = Some("x".to_owned());
        assert_eq!(
            relationship(id.clone(), id.as_ref(), &unique, &unique),
            "ONE_TO_ONE"
        );
        assert_eq!(
            relationship(other.clone(), id.as_ref(), &unique, &unique),
            "MANY_TO_ONE"
        );
        assert_eq!(
            relationship(id.clone(), other.as_ref(), &unique, &unique),
            "ONE_TO_MANY"
        );
        assert_eq!(
            relationship(other.clone(), other.as_ref(), &unique, &[]),
            "MANY_TO_MANY"
        );
        assert_eq!(relationship(None, None, &unique, &unique), "MANY_TO_MANY");
    }

    #[test]
    fn columns_match_exactly_then_by_case_when_unambiguous() {
        let columns = vec!["Id".to_owned(), "code".to_owned(), "CODE".to_owned()];
        assert_eq!(match_column("Id", &columns), Ok("Id".into()));
        assert_eq!(match_column("id", &columns), Ok("Id".into()));
        assert!(match_column("Code", &columns).is_err(), "two candidates");
        assert!(match_column("nope", &columns).is_err());
    }
}
