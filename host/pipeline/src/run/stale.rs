//! After a run: marking deleted what the destination holds and the source no longer has, as
//! OpenMetadata's `markDeleted*` options ask — tables and stored procedures per schema, schemas per
//! database, databases per service. What the filters leave out counts as not seen, as in
//! OpenMetadata. A scope with any failure in it is left alone: a failure must never delete a user's
//! entities.

use super::Run;
use super::refs::Names;
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
/// with the names of the entities the source listed in it, by kind. Names only, packed: a schema
/// of a million tables costs about as many bytes as their names.
#[derive(Debug, Default)]
pub struct Seen {
    scopes: BTreeMap<Option<EntityRef>, BTreeMap<EntityKind, Names>>,
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
        let scope = match r.kind {
            EntityKind::Database => Some(self.scopes.entry(None).or_default()),
            _ => self.scopes.get_mut(&parent),
        };
        if let (Some(scope), Some(name)) = (scope, r.path.last()) {
            scope.entry(r.kind).or_default().push(name);
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
        if !self.sink.deletes_stale() {
            return;
        }
        let failed = self.tally.failed_fqns();
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
            // A failure names its scope: a schema, a database, or the service.
            let (scope_fqn, scope_kind) = match &scope {
                Some(s) => (self.fqn(s), s.kind.as_str()),
                None => (self.names.service(), "databaseService"),
            };
            for kind in kinds.into_iter().filter(|k| self.mark_deleted.marks(*k)) {
                let parent_path = scope.as_ref().map_or(&[][..], |s| s.path.as_slice());
                let seen: Vec<String> = children
                    .get(&kind)
                    .into_iter()
                    .flat_map(Names::iter)
                    .map(|name| {
                        let mut path = parent_path.to_vec();
                        path.push(name.to_owned());
                        self.fqn(&EntityRef::new(kind, path))
                    })
                    .collect();
                if scope_failed || seen.iter().any(|fqn| failed.contains(fqn)) {
                    continue;
                }
                // One scope at a time: the FQNs of a big one are held only while it is sent.
                let stale = StaleScope {
                    kind,
                    scope_fqn: scope_fqn.clone(),
                    seen,
                };
                for failure in self.sink.delete_stale(vec![stale]).await {
                    self.tally.failed(Failure {
                        fqn: failure.fqn,
                        kind: scope_kind.to_owned(),
                        error: failure.error,
                        attempts: 1,
                    });
                }
            }
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
        seen.saw(&r(EntityKind::Table, &["db", "s", "naïve \u{0} name"]));
        seen.saw(&r(EntityKind::StoredProcedure, &["db", "s", "p"]));
        seen.saw(&r(EntityKind::Table, &["db", "other", "t"]));
        seen.saw(&r(EntityKind::Database, &["db"]));
        let names = |scope: Option<EntityRef>, kind| -> Vec<&str> {
            seen.scopes[&scope][&kind].iter().collect()
        };
        let schema = Some(r(EntityKind::DatabaseSchema, &["db", "s"]));
        assert_eq!(
            names(schema.clone(), EntityKind::Table),
            ["t", "naïve \u{0} name"]
        );
        assert_eq!(names(schema, EntityKind::StoredProcedure), ["p"]);
        assert_eq!(names(None, EntityKind::Database), ["db"]);
        assert_eq!(seen.scopes.len(), 2, "a schema not written is no scope");
    }
}
