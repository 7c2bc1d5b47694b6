//! Foreign keys in rounds.
//!
//! OpenMetadata refuses a whole table whose foreign key names a table it does not hold, or a column
//! that table lacks — checked for every row of a bulk request against the server's state before the
//! request — and replaces a table's stored constraints with those of each PUT. So a key can only go
//! out once its table is stored, and a table must never go without a key the server may hold:
//!
//! - **First pass**: a table goes when every key names a table this run has written (the sink
//!   confirmed it). Any other table waits, whole: nothing is sent without a key, and the first pass
//!   never asks the server anything (listing a schema's tables with their columns is the slowest
//!   call OpenMetadata has).
//! - **Completing rounds**, once every table of the run was offered: the waiting tables (kept as
//!   described, up to a bound, else described again) go with their keys. A key's table is held
//!   when this run wrote it, or else when the destination lists it (each schema asked once); a
//!   key whose table is still waiting waits with it, to the next round; a key whose table never
//!   arrives (filtered out, failed, not in any run) is left out and reported as skipped.
//! - A round in which nothing could go leaves only tables waiting for each other (a
//!   self-reference, a cycle, and what waits for those), none of them held by the destination: a
//!   **partial round** writes the ones another waits for without the keys among them (keys the
//!   server cannot hold, as it holds none of those tables), and the next round sends them
//!   complete, and the rest.
//!
//! OpenMetadata's own ingestion writes every table without the keys it cannot send yet and
//! PATCHes them at the end; sending each table once, complete, costs fewer calls and stores the
//! `sourceHash` both tools compute on their next run, so neither rewrites the table afterwards.
//!
//! A file sink gets the same sequence (a table of a cycle appears twice, the second time
//! complete): replayed line by line into OpenMetadata, it is accepted.
//!
//! Every key sent carries OpenMetadata's `relationshipType`, computed as its ingestion does: from
//! whether the first column on each side carries a column-level `PRIMARY_KEY` or `UNIQUE`.

use super::held::HeldTables;
use omrun_model::Names;
use omrun_model::{EntityKind, EntityRef, Table, TableConstraint};
use omrun_sink::requests::{column_names, unique_columns};
use omrun_sink::{Sink, StoredTable};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Which pass a write belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Tables whose keys all name tables this run wrote; the others wait.
    First,
    /// Waiting tables whose keys' tables are now held; keys to tables that never arrive skipped.
    Complete,
    /// Tables waiting for each other, written without those keys, to go complete next round.
    Partial,
}

impl Pass {
    /// The round after this one, given how many tables it was given and how many still wait.
    pub fn next(self, given: usize, waiting: usize) -> Pass {
        match self {
            Pass::Complete if waiting == given => Pass::Partial,
            _ => Pass::Complete,
        }
    }
}

/// What becomes of a table in this pass.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Written with every key it can ever carry.
    #[default]
    Complete,
    /// Not written now: some key names a table not held yet.
    Wait,
    /// Written without the keys naming tables that wait with it; completed next round.
    Partial,
    /// It would go with the very keys a partial round sent (the others all skipped): nothing
    /// to send again.
    Unchanged,
}

/// What became of a table's foreign keys.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    pub outcome: Outcome,
    /// Keys left out for good, each described with why.
    pub skipped: Vec<String>,
    /// Why the table cannot go at all: whether the server holds a key's table could not be
    /// learned, and writing the table without that key could drop one the server holds.
    pub failed: Option<String>,
}

#[derive(Default)]
pub struct ForeignKeys {
    /// The tables known to be held, with their columns (most of them in a temporary file).
    known: Mutex<HeldTables>,
    /// The tables of the current completing round (FQNs): a key naming one of them waits for it.
    waiting: Mutex<HashSet<String>>,
    /// The waiting tables other waiting tables wait for, found by the last completing round: a
    /// partial round writes only these (writing any other early would unblock nothing).
    wanted: Mutex<HashSet<String>>,
    /// Tables a partial round wrote, with how many keys they went with.
    partial: Mutex<HashMap<String, usize>>,
    /// Schemas whose stored tables were asked for; held across the listing so each is listed once.
    listed: tokio::sync::Mutex<HashSet<String>>,
    /// Schemas whose listing failed (retries spent), with the error.
    unlisted: Mutex<HashMap<String, String>>,
}

impl ForeignKeys {
    /// Records that `table` (FQN `fqn`) is held: the sink accepted it.
    pub fn hold(&self, fqn: String, table: &Table) {
        self.lock()
            .insert(&fqn, &column_names(table), &unique_columns(table));
    }

    /// Starts a completing or partial round over these tables.
    pub fn round(&self, tables: impl IntoIterator<Item = String>, pass: Pass) {
        *self.waiting.lock().unwrap_or_else(|p| p.into_inner()) = tables.into_iter().collect();
        if pass != Pass::Partial {
            self.wanted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clear();
        }
    }

    /// Keeps the keys of `table` that name a held table, with their `relationshipType`, and says
    /// what to do with the table in this pass.
    pub async fn resolve(
        &self,
        sink: &dyn Sink,
        names: &Names,
        fqn: &str,
        table: &mut Table,
        pass: Pass,
    ) -> Resolved {
        let mut resolved = Resolved::default();
        if !table.constraints.iter().any(|c| c.referred_table.is_some()) {
            return resolved;
        }
        if pass == Pass::Partial
            && !self
                .wanted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(fqn)
        {
            resolved.outcome = Outcome::Wait;
            return resolved;
        }
        let own_unique = unique_columns(table);
        let mut kept = Vec::with_capacity(table.constraints.len());
        for mut key in std::mem::take(&mut table.constraints) {
            let Some(referred) = key.referred_table.clone() else {
                kept.push(key);
                continue;
            };
            let target = names.table(&referred);
            match self
                .check(sink, names, &referred, &target, &key, pass)
                .await
            {
                Ok((columns, referred_unique)) => {
                    key.relationship_type = Some(relationship(
                        key.columns
                            .first()
                            .map(|c| omrun_model::fqn::encode_name(c)),
                        columns.first(),
                        &own_unique,
                        &referred_unique,
                    ));
                    key.referred_columns = columns;
                    kept.push(key);
                }
                Err(Missing::NotYet) if pass == Pass::Partial => {
                    resolved.outcome = Outcome::Partial
                }
                Err(Missing::NotYet) => {
                    resolved.outcome = Outcome::Wait;
                    // Nothing of it is sent now: the rest need not be looked at.
                    return resolved;
                }
                Err(Missing::Never(why)) => resolved.skipped.push(format!(
                    "foreign key ({}) to {target}: {why}",
                    key.columns.join(", "),
                )),
                Err(Missing::Unknown(why)) => {
                    resolved.failed = Some(format!(
                        "not written: its foreign key ({}) names {target}, and {why}",
                        key.columns.join(", "),
                    ));
                    return resolved;
                }
            }
        }
        let sent = kept.iter().filter(|c| c.referred_table.is_some()).count();
        table.constraints = kept;
        let mut partial = self.partial.lock().unwrap_or_else(|p| p.into_inner());
        match resolved.outcome {
            Outcome::Partial => {
                partial.insert(fqn.to_owned(), sent);
            }
            _ if partial.remove(fqn) == Some(sent) => resolved.outcome = Outcome::Unchanged,
            _ => {}
        }
        resolved
    }

    /// The referred columns as the held table names them, and that table's unique columns; or why
    /// the key cannot be sent now.
    async fn check(
        &self,
        sink: &dyn Sink,
        names: &Names,
        referred: &[String; 3],
        target: &str,
        key: &TableConstraint,
        pass: Pass,
    ) -> Result<(Vec<String>, Vec<String>), Missing> {
        let mut schema_fqn = None;
        if !self.lock().contains(target) {
            if pass == Pass::First {
                return Err(Missing::NotYet);
            }
            let [database, schema, _] = referred;
            let schema = EntityRef::new(
                EntityKind::DatabaseSchema,
                vec![database.clone(), schema.clone()],
            );
            let fqn = names.of(&schema);
            self.list(sink, &fqn).await;
            schema_fqn = Some(fqn);
        }
        let known = self.lock().get(target);
        let Some(table) = known else {
            let waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
            let unlisted = self.unlisted.lock().unwrap_or_else(|p| p.into_inner());
            let unlisted = schema_fqn.and_then(|s| unlisted.get(&s));
            return Err(if waiting.contains(target) {
                let mut wanted = self.wanted.lock().unwrap_or_else(|p| p.into_inner());
                wanted.insert(target.to_owned());
                Missing::NotYet
            } else if let Some(error) = unlisted {
                Missing::Unknown(format!(
                    "whether OpenMetadata holds that table could not be learned: {error}"
                ))
            } else {
                Missing::Never(
                    "that table is not in OpenMetadata (filtered out, failed, or never ingested)"
                        .into(),
                )
            });
        };
        let columns = key
            .referred_columns
            .iter()
            .map(|c| match_column(&omrun_model::fqn::encode_name(c), &table.columns))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Missing::Never)?;
        Ok((columns, table.unique))
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
                    known.insert_if_absent(&fqn, &columns, &unique);
                }
            }
            // A table whose key names a table of that schema not written by this run fails rather
            // than go without a key the server may hold.
            Err(e) => {
                tracing::warn!("{e:#}; tables with foreign keys into {schema_fqn} may fail");
                self.unlisted
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(schema_fqn.to_owned(), format!("{e:#}"));
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HeldTables> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Why a key cannot go now.
enum Missing {
    /// Its table waits in this round, or (first pass) was not written by this run yet.
    NotYet,
    /// Its table will never be held, or lacks the column.
    Never(String),
    /// Whether the destination holds its table could not be learned.
    Unknown(String),
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
/// first pass then lets the table wait instead of failing it (what was held changed under us,
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
