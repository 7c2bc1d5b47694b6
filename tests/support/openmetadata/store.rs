//! The stand-in's entities, by collection and FQN, and the write rules OpenMetadata applies to
//! them. A write has two steps, as on the server: `prepare` checks a Create request against the
//! state as it is (name, parent, linked entities, table constraints) and builds the entity;
//! `commit` writes it: create at version 0.1, update by 0.1 (undeleting), or nothing when no
//! field differs (or, on a bulk row, when the `sourceHash` fast path applies). Soft deletes add
//! 0.1 too.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

pub use super::collection::Collection;
use super::{columns, constraints, fqn, labels};
use crate::jsonl::fqn_part;
use crate::standin_server::random_uuid;

/// One stored entity, as a test sees it.
#[derive(Clone, Debug)]
pub struct Entity {
    pub id: String,
    pub fqn: String,
    /// 0.1 on create, +0.1 per update, patch or soft delete.
    pub version: f64,
    pub deleted: bool,
    /// The parent's FQN (none for a service).
    pub parent: Option<String>,
    /// The entity as OpenMetadata returns it with every field: the request's fields, parent
    /// references as `{id, type, name, fullyQualifiedName}`, a `fullyQualifiedName` on every
    /// column, plus id, fullyQualifiedName, version, updatedAt, updatedBy, deleted. A JSON Patch
    /// changes it; a GET shows it through `fields` ([`super::read`]).
    pub body: Value,
    /// The last Create request accepted for it (a PATCH leaves it as it was).
    pub request: Value,
}

/// What a write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// No field differs from what is stored, or the bulk `sourceHash` fast path applied: not a
    /// write, the version stays.
    Unchanged,
}

impl Outcome {
    /// The HTTP status OpenMetadata answers a single PUT with (a bulk row's is always 200).
    pub fn status(self) -> u16 {
        match self {
            Outcome::Created => 201,
            Outcome::Updated | Outcome::Unchanged => 200,
        }
    }
}

/// Writes made to the store (unchanged items and failed requests are not writes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Writes {
    pub creates: usize,
    pub updates: usize,
    pub deletes: usize,
}

impl Writes {
    pub fn total(&self) -> usize {
        self.creates + self.updates + self.deletes
    }
}

/// A request the server refuses, with OpenMetadata's status and message for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub fn bad_request(message: impl Into<String>) -> Refusal {
        Refusal {
            status: 400,
            message: message.into(),
        }
    }

    /// `CatalogExceptionMessage.entityNotFound`: `<type> instance for <fqn or id> not found`.
    pub fn not_found(c: Collection, fqn: &str) -> Refusal {
        Refusal {
            status: 404,
            message: format!("{} instance for {fqn} not found", c.entity_type()),
        }
    }

    /// A bulk item that names (in a list such as a dashboard's `charts`) an entity that does not
    /// exist. OpenMetadata's bulk answer for it is a 400 with the not-found message, as reported
    /// in open-metadata/OpenMetadata#28372 (`chart instance for <fqn> not found`, status 400).
    pub fn unknown_link(c: Collection, fqn: &str) -> Refusal {
        Refusal {
            status: 400,
            ..Refusal::not_found(c, fqn)
        }
    }
}

/// A Create request that passed every check against the store as it was: the entity to write.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub c: Collection,
    pub fqn: String,
    parent: Option<String>,
    /// The entity's fields, bookkeeping (id, version...) not yet stamped.
    body: Map<String, Value>,
    request: Value,
}

impl Prepared {
    /// The request's `sourceHash`, if it has one.
    pub fn source_hash(&self) -> Option<&str> {
        self.request.get("sourceHash").and_then(Value::as_str)
    }
}

/// Fields the server sets itself, not compared when deciding whether a PUT changed anything.
const BOOKKEEPING: &[&str] = &[
    "id",
    "fullyQualifiedName",
    "version",
    "updatedAt",
    "updatedBy",
    "deleted",
    "href",
    "changeDescription",
    "incrementalChangeDescription",
];

#[derive(Default)]
pub struct Store {
    // Versions are kept in tenths: 0.1 + 0.1 + 0.1 in f64 is not 0.3.
    entities: BTreeMap<(Collection, String), (Entity, u32)>,
    writes: BTreeMap<Collection, Writes>,
    /// The users a test added ([`super::users`]).
    pub users: Vec<super::users::User>,
    /// Lineage edges, one per (from, to) ([`super::lineage`]).
    pub lineage: Vec<super::lineage::Edge>,
    /// Each pipeline's runs by timestamp ([`super::pipeline_status`]), by the pipeline's FQN.
    pub pipeline_statuses: BTreeMap<String, BTreeMap<i64, Value>>,
}

impl Store {
    /// A store as a freshly installed server has it: its system classifications and tags.
    pub fn installed() -> Store {
        let mut store = Store::default();
        super::seed::system_tags(&mut store);
        store
    }

    /// Everything gone but what a fresh install holds (the write counts stay).
    pub fn lose_everything(&mut self) {
        self.entities.clear();
        self.lineage.clear();
        self.pipeline_statuses.clear();
        super::seed::system_tags(self);
    }

    /// Runs `f` without counting its writes: what the server did itself, not a client.
    pub fn uncounted(&mut self, f: impl FnOnce(&mut Store)) {
        let writes = self.writes.clone();
        f(self);
        self.writes = writes;
    }

    /// The entity stored under exactly this FQN.
    pub fn get(&self, c: Collection, fqn: &str) -> Option<&Entity> {
        self.entities.get(&(c, fqn.to_string())).map(|(e, _)| e)
    }

    /// The entity an FQN names as the server resolves it: split by the FQN grammar and joined
    /// back, so any spelling the grammar accepts finds it.
    pub fn find(&self, c: Collection, fqn: &str) -> Option<&Entity> {
        self.get(c, fqn)
            .or_else(|| self.get(c, &fqn::normalize(fqn)?))
    }

    pub fn by_id(&self, c: Collection, id: &str) -> Option<&Entity> {
        self.iter(c).find(|e| e.id == id)
    }

    pub fn iter(&self, c: Collection) -> impl Iterator<Item = &Entity> {
        self.entities
            .range((c, String::new())..)
            .take_while(move |((k, _), _)| *k == c)
            .map(|(_, (e, _))| e)
    }

    pub fn list(&self, c: Collection) -> Vec<Entity> {
        self.iter(c).cloned().collect()
    }

    pub fn writes(&self, c: Collection) -> Writes {
        self.writes.get(&c).copied().unwrap_or_default()
    }

    /// Checks a request that already passed schema validation against the store as it is, and
    /// builds its entity: the FQN is the parent's FQN (from the request) and the name quoted as
    /// OpenMetadata quotes it. Reads only, so every row of a bulk request can be prepared against
    /// the state before the batch.
    pub fn prepare(&self, c: Collection, request: &Value) -> Result<Prepared, Refusal> {
        let name = request["name"].as_str().unwrap_or_default();
        // OpenMetadata's quoteName refuses a `"` inside a name (the FQN could not be split back),
        // and its entityName type has the pattern `^((?!::).)*$`, which the pydantic-derived
        // schemas dropped.
        if name.contains('"') || name.contains("::") {
            return Err(Refusal::bad_request(format!("Invalid name {name}")));
        }
        // The request becomes an entity before the repository sees it: its columns first.
        if matches!(c, Collection::Tables | Collection::DashboardDataModels) {
            columns::validate(request)?;
        }
        // Nested tags (a tag under a tag) are not something omrun or the ingestion it is
        // compared with writes; refused rather than filed under the wrong FQN.
        if c == Collection::Tags && request.get("parent").is_some_and(|p| !p.is_null()) {
            return Err(Refusal::bad_request(
                "stand-in: tags under a parent tag are not implemented",
            ));
        }
        let mut body = match request {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        let parent = match c.parent() {
            None => None,
            Some((pc, field)) => {
                let pfqn = request[field].as_str().unwrap_or_default();
                let p = self
                    .find(pc, pfqn)
                    .filter(|p| !p.deleted)
                    .ok_or_else(|| Refusal::not_found(pc, pfqn))?;
                body.remove(field);
                body.extend(references(pc, p));
                Some(p.fqn.clone())
            }
        };
        body.extend(self.links(c, request)?);
        let fqn = c.fqn(parent.as_deref(), name);
        // The server names columns of data models as of tables (lineage's column FQNs).
        if matches!(c, Collection::Tables | Collection::DashboardDataModels) {
            set_column_fqns(&mut body, &fqn);
        }
        if c == Collection::Tables {
            constraints::validate(request, |t| self.find(Collection::Tables, t))?;
        }
        labels::validate(request, |t| self.find(Collection::Tags, t))?;
        super::users::validate_owners(&self.users, request)?;
        Ok(Prepared {
            c,
            fqn,
            parent,
            body,
            request: request.clone(),
        })
    }

    /// The entity references for the request's links (`c.links()`), each named entity existing.
    fn links(&self, c: Collection, request: &Value) -> Result<Map<String, Value>, Refusal> {
        let mut out = Map::new();
        for &(field, lc) in c.links() {
            let find = |fqn: &str| {
                self.find(lc, fqn)
                    .filter(|e| !e.deleted)
                    .map(|e| reference(lc, e))
                    .ok_or_else(|| Refusal::unknown_link(lc, fqn))
            };
            match request.get(field) {
                // One entity (an ML model's dashboard): the server resolves it by FQN the same way.
                Some(Value::String(fqn)) => {
                    out.insert(field.into(), find(fqn)?);
                }
                Some(Value::Array(fqns)) => {
                    let refs: Result<Vec<Value>, Refusal> = fqns
                        .iter()
                        .map(|f| find(f.as_str().unwrap_or_default()))
                        .collect();
                    out.insert(field.into(), refs?.into());
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Writes a prepared entity. With `source_hash_fast_path` (a bulk row whose FQN appears once
    /// in its batch, `overrideMetadata=false`), a stored, undeleted entity with the same non-empty
    /// `sourceHash` is left as it is (`BulkImportService.isSourceHashUnchanged`); otherwise it is
    /// compared field by field, as the server's updater does.
    pub fn commit(&mut self, p: Prepared, source_hash_fast_path: bool) -> (Outcome, Entity) {
        let key = (p.c, p.fqn.clone());
        let outcome = self.commit_quietly(p, source_hash_fast_path);
        (outcome, self.entities[&key].0.clone())
    }

    /// [`Store::commit`] without a copy of the stored entity (a bulk call answers with its FQN).
    pub fn commit_quietly(&mut self, p: Prepared, source_hash_fast_path: bool) -> Outcome {
        let key = (p.c, p.fqn.clone());
        let previous = self.entities.get(&key);
        if let Some((e, _)) = previous.filter(|(e, _)| !e.deleted) {
            let same_hash = p
                .source_hash()
                .is_some_and(|h| !h.is_empty() && e.body.get("sourceHash") == Some(&json!(h)));
            if (source_hash_fast_path && same_hash) || same_content(&e.body, &p.body) {
                return Outcome::Unchanged;
            }
        }
        let (id, tenths, outcome) = match previous {
            Some((e, t)) => (e.id.clone(), t + 1, Outcome::Updated),
            None => (random_uuid(), 1, Outcome::Created),
        };
        let mut body = p.body;
        body.insert("id".into(), json!(id));
        body.insert("fullyQualifiedName".into(), json!(p.fqn));
        let entity = Entity {
            id,
            fqn: p.fqn,
            version: 0.0,
            deleted: false,
            parent: p.parent,
            body: Value::Object(body),
            request: p.request,
        };
        self.put(p.c, entity, tenths);
        let w = self.writes.entry(p.c).or_default();
        match outcome {
            Outcome::Created => w.creates += 1,
            _ => w.updates += 1,
        }
        outcome
    }

    /// `prepare` then `commit`, as a single PUT does (no `sourceHash` fast path there).
    pub fn upsert(&mut self, c: Collection, request: &Value) -> Result<(Outcome, Entity), Refusal> {
        let p = self.prepare(c, request)?;
        Ok(self.commit(p, false))
    }

    /// Stores `body` as the new state of the live entity `fqn` (a JSON Patch already checked):
    /// a new version when a field changed, else nothing.
    pub fn replace_body(&mut self, c: Collection, fqn: &str, mut body: Value) -> Entity {
        let (mut e, tenths) = self.entities[&(c, fqn.to_string())].clone();
        if let Value::Object(m) = &mut body {
            set_column_fqns(m, fqn);
        }
        if body
            .as_object()
            .is_some_and(|new| same_content(&e.body, new))
        {
            return e;
        }
        e.body = body;
        self.writes.entry(c).or_default().updates += 1;
        self.put(c, e, tenths + 1)
    }

    /// Deletes the entity `fqn` of `c` as `EntityRepository.deleteInternal` does: soft (marked
    /// deleted, +0.1) or hard (gone); its descendants with it when `recursive`; refused with
    /// `<type> is not empty` when it has live children and is not `recursive`. Returns the FQNs
    /// deleted, the entity's first.
    pub fn delete(
        &mut self,
        c: Collection,
        fqn: &str,
        recursive: bool,
        hard: bool,
    ) -> Result<Vec<String>, Refusal> {
        let prefix = format!("{fqn}.");
        let descendants: Vec<(Collection, String)> = Collection::ALL
            .into_iter()
            .filter(|d| d.ancestors().contains(&c))
            .flat_map(|d| {
                self.iter(d)
                    .filter(|e| e.fqn.starts_with(&prefix) && (hard || !e.deleted))
                    .map(move |e| (d, e.fqn.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let has_live_child = descendants
            .iter()
            .any(|(d, f)| self.get(*d, f).is_some_and(|e| !e.deleted));
        if has_live_child && !recursive {
            return Err(Refusal::bad_request(format!(
                "{} is not empty",
                c.entity_type()
            )));
        }
        let mut out = Vec::new();
        for (d, f) in std::iter::once((c, fqn.to_string())).chain(descendants) {
            let Some((mut e, tenths)) = self.entities.get(&(d, f.clone())).cloned() else {
                continue;
            };
            if hard {
                self.entities.remove(&(d, f.clone()));
            } else if !e.deleted {
                e.deleted = true;
                self.put(d, e, tenths + 1);
            } else {
                continue;
            }
            self.writes.entry(d).or_default().deletes += 1;
            out.push(f);
        }
        Ok(out)
    }

    /// Stores `e` at `tenths`, stamping the bookkeeping fields of its body.
    fn put(&mut self, c: Collection, mut e: Entity, tenths: u32) -> Entity {
        e.version = f64::from(tenths) / 10.0;
        if let Value::Object(m) = &mut e.body {
            m.insert("version".into(), json!(e.version));
            m.insert("updatedAt".into(), json!(now_ms()));
            m.insert("updatedBy".into(), json!("ingestion-bot"));
            m.insert("deleted".into(), json!(e.deleted));
        }
        self.entities
            .insert((c, e.fqn.clone()), (e.clone(), tenths));
        e
    }
}

/// Whether `new` (an entity's fields) differs from `stored` in nothing but bookkeeping.
fn same_content(stored: &Value, new: &Map<String, Value>) -> bool {
    let Some(stored) = stored.as_object() else {
        return false;
    };
    let strip = |m: &Map<String, Value>| -> Map<String, Value> {
        m.iter()
            .filter(|(k, _)| !BOOKKEEPING.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    strip(stored) == strip(new)
}

/// `ColumnUtil.setColumnFQN`: every column's FQN is its parent's (the table's, or the enclosing
/// column's for a child) plus its name, quoted as FQN parts are.
fn set_column_fqns(body: &mut Map<String, Value>, table_fqn: &str) {
    fn walk(columns: &mut Value, parent: &str) {
        for col in columns.as_array_mut().into_iter().flatten() {
            let name = col["name"].as_str().unwrap_or_default().to_string();
            let fqn = format!("{parent}.{}", fqn_part(&name));
            if let Some(children) = col.get_mut("children") {
                walk(children, &fqn);
            }
            col["fullyQualifiedName"] = json!(fqn);
        }
    }
    if let Some(columns) = body.get_mut("columns") {
        walk(columns, table_fqn);
    }
}

/// The references an entity of `parent`'s children carries: to the parent itself and to the
/// parent's own ancestors (a table names its schema, database and service), plus `serviceType`.
fn references(pc: Collection, parent: &Entity) -> Map<String, Value> {
    let mut refs = Map::new();
    let b = &parent.body;
    for ancestor in pc.ancestors() {
        let field = reference_field(ancestor);
        refs.insert(field.into(), b[field].clone());
    }
    refs.insert(reference_field(pc).into(), reference(pc, parent));
    // A tag's classification has no service.
    if let Some(service_type) = b.get("serviceType") {
        refs.insert("serviceType".into(), service_type.clone());
    }
    refs
}

/// The field in which a child holds its reference to an entity of `c`, and the query parameter
/// that lists the children of one (`GET /tables?databaseSchema=…`).
pub fn reference_field(c: Collection) -> &'static str {
    match c {
        Collection::DatabaseServices
        | Collection::DashboardServices
        | Collection::PipelineServices
        | Collection::MlModelServices => "service",
        Collection::Databases => "database",
        Collection::DatabaseSchemas => "databaseSchema",
        Collection::Classifications => "classification",
        other => unreachable!("{other:?} has no children"),
    }
}

/// An `EntityReference`, as OpenMetadata returns it inside other entities.
pub fn reference(c: Collection, e: &Entity) -> Value {
    json!({
        "id": e.id,
        "type": c.entity_type(),
        "name": e.body["name"],
        "fullyQualifiedName": e.fqn,
    })
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
