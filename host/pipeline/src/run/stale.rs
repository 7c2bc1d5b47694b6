//! After a run: marking deleted what the destination holds and the source no longer has, as
//! OpenMetadata's `markDeleted*` options ask — tables and stored procedures per schema, schemas per
//! database, databases per service. What the filters leave out counts as not seen, as in
//! OpenMetadata. A scope with any failure in it is left alone: a failure must never delete a user's
//! entities.

use super::Run;
use crate::report::Failure;
use omrun_model::{EntityKind, EntityRef};
use omrun_sink::StaleScope;
use serde_json::Value;
use std::collections::BTreeMap;

/// `sourceConfig.config.markDeleted*`, with OpenMetadata 2.0.7's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkDeleted {
    pub tables: bool,
    pub stored_procedures: bool,
    pub schemas: bool,
    pub databases: bool,
}

impl MarkDeleted {
    /// The kinds OpenMetadata marks deleted.
    const KINDS: [EntityKind; 4] = [
        EntityKind::Table,
        EntityKind::StoredProcedure,
        EntityKind::DatabaseSchema,
        EntityKind::Database,
    ];

    pub fn from_source_config(config: &Value) -> Self {
        let flag = |key: &str, default: bool| config[key].as_bool().unwrap_or(default);
        Self {
            tables: flag("markDeletedTables", true),
            stored_procedures: flag("markDeletedStoredProcedures", true),
            schemas: flag("markDeletedSchemas", false),
            databases: flag("markDeletedDatabases", false),
        }
    }

    fn marks(&self, kind: EntityKind) -> bool {
        match kind {
            EntityKind::Table => self.tables,
            EntityKind::StoredProcedure => self.stored_procedures,
            EntityKind::DatabaseSchema => self.schemas,
            EntityKind::Database => self.databases,
            _ => false,
        }
    }
}

/// What a run saw, by scope: the schemas and databases it wrote (and the service, `None`), each
/// with the entities the source listed in it.
#[derive(Debug, Default)]
pub struct Seen {
    scopes: BTreeMap<Option<EntityRef>, Vec<EntityRef>>,
}

impl Seen {
    /// A container the run wrote: a scope, even if nothing is seen in it.
    pub fn scope(&mut self, container: EntityRef) {
        self.scopes.entry(Some(container)).or_default();
    }

    /// An entity the source listed: seen in its parent's scope, if that is one.
    pub fn saw(&mut self, r: &EntityRef) {
        if !MarkDeleted::KINDS.contains(&r.kind) {
            return;
        }
        let parent = r.parents().pop();
        if r.kind == EntityKind::Database {
            self.scopes.entry(None).or_default().push(r.clone());
        } else if let Some(seen) = self.scopes.get_mut(&parent) {
            seen.push(r.clone());
        }
    }
}

impl Run {
    /// Marks deleted, in each scope the run wrote, the entities the sink has that the run did not
    /// see, for the kinds `markDeleted*` asks for.
    pub(super) async fn delete_stale(&self, seen: Seen) {
        if self.found_nothing() {
            tracing::warn!("Not marking stale entities deleted: the run found nothing");
            return;
        }
        if self.tally.stopped().is_some() {
            tracing::warn!("Not marking stale entities deleted: the run stopped before the end");
            return;
        }
        let failed = self.tally.failed_fqns();
        let mut scopes = Vec::new();
        for (scope, children) in seen.scopes {
            let kinds = match scope.as_ref().map(|s| s.kind) {
                Some(EntityKind::DatabaseSchema) => {
                    vec![EntityKind::Table, EntityKind::StoredProcedure]
                }
                Some(EntityKind::Database) => vec![EntityKind::DatabaseSchema],
                None => vec![EntityKind::Database],
                Some(_) => continue,
            };
            let mut involved = scope
                .iter()
                .flat_map(|s| s.parents().into_iter().chain([s.clone()]))
                .map(|r| self.fqn(&r));
            let scope_failed = involved.any(|fqn| failed.contains(&fqn));
            for kind in kinds.into_iter().filter(|k| self.mark_deleted.marks(*k)) {
                let seen: Vec<String> = children
                    .iter()
                    .filter(|r| r.kind == kind)
                    .map(|r| self.fqn(r))
                    .collect();
                if scope_failed || seen.iter().any(|fqn| failed.contains(fqn)) {
                    continue;
                }
                scopes.push(StaleScope {
                    kind,
                    scope_fqn: match &scope {
                        Some(s) => self.fqn(s),
                        None => self.names.service(),
                    },
                    seen,
                });
            }
        }
        // A failure names its scope: a schema, a database, or the service.
        let scope_kinds: BTreeMap<String, &str> = scopes
            .iter()
            .map(|s| {
                let kind = match s.kind {
                    EntityKind::Table | EntityKind::StoredProcedure => {
                        EntityKind::DatabaseSchema.as_str()
                    }
                    EntityKind::DatabaseSchema => EntityKind::Database.as_str(),
                    _ => "databaseService",
                };
                (s.scope_fqn.clone(), kind)
            })
            .collect();
        for failure in self.sink.delete_stale(scopes).await {
            let kind = scope_kinds
                .get(&failure.fqn)
                .copied()
                .unwrap_or("databaseService");
            self.tally.failed(Failure {
                fqn: failure.fqn,
                kind: kind.to_owned(),
                error: failure.error,
                attempts: 1,
            });
        }
    }
}

impl Run {
    /// Whether a whole run (not an Argo pod, which sees a part) found nothing to ingest and was
    /// not told that is expected: most likely filters that exclude everything.
    pub fn found_nothing(&self) -> bool {
        matches!(self.part, super::Part::All) && !self.allow_empty && self.tally.found_so_far() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_openmetadatas() {
        let all = MarkDeleted::from_source_config(&Value::Null);
        assert_eq!(
            all,
            MarkDeleted {
                tables: true,
                stored_procedures: true,
                schemas: false,
                databases: false
            }
        );
        let set = MarkDeleted::from_source_config(&serde_json::json!({
            "markDeletedTables": false, "markDeletedSchemas": true, "markDeletedDatabases": true,
            "markDeletedStoredProcedures": false,
        }));
        assert!(!set.tables && !set.stored_procedures && set.schemas && set.databases);
    }

    #[test]
    fn entities_are_seen_in_their_parents_scope() {
        let r = |kind, path: &[&str]| {
            EntityRef::new(kind, path.iter().map(|p| p.to_string()).collect())
        };
        let mut seen = Seen::default();
        seen.scope(r(EntityKind::DatabaseSchema, &["db", "s"]));
        seen.saw(&r(EntityKind::Table, &["db", "s", "t"]));
        seen.saw(&r(EntityKind::Table, &["db", "other", "t"]));
        seen.saw(&r(EntityKind::Database, &["db"]));
        let schema = Some(r(EntityKind::DatabaseSchema, &["db", "s"]));
        assert_eq!(
            seen.scopes[&schema],
            [r(EntityKind::Table, &["db", "s", "t"])]
        );
        assert_eq!(seen.scopes[&None], [r(EntityKind::Database, &["db"])]);
        assert_eq!(seen.scopes.len(), 2, "a schema not written is no scope");
    }
}
