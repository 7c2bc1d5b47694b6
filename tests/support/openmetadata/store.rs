//! The stand-in's entities, by collection and FQN, and the write rules OpenMetadata applies to
//! them: create at version 0.1, update by 0.1 (undeleting), skip an update whose `sourceHash` is
//! unchanged, soft-delete by 0.1.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::jsonl::fqn_part;
use crate::standin_server::random_uuid;

/// The entity collections the stand-in serves, parents first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Collection {
    DatabaseServices,
    Databases,
    DatabaseSchemas,
    Tables,
    StoredProcedures,
    DashboardServices,
    DashboardDataModels,
    Charts,
    Dashboards,
}

impl Collection {
    pub const ALL: [Collection; 9] = [
        Collection::DatabaseServices,
        Collection::Databases,
        Collection::DatabaseSchemas,
        Collection::Tables,
        Collection::StoredProcedures,
        Collection::DashboardServices,
        Collection::DashboardDataModels,
        Collection::Charts,
        Collection::Dashboards,
    ];

    /// OpenMetadata's entity type name, as in its error messages and entity references.
    pub fn entity_type(self) -> &'static str {
        match self {
            Collection::DatabaseServices => "databaseService",
            Collection::Databases => "database",
            Collection::DatabaseSchemas => "databaseSchema",
            Collection::Tables => "table",
            Collection::StoredProcedures => "storedProcedure",
            Collection::DashboardServices => "dashboardService",
            Collection::DashboardDataModels => "dashboardDataModel",
            Collection::Charts => "chart",
            Collection::Dashboards => "dashboard",
        }
    }

    /// The Create request accepted for this collection (a key of `crate::schema::KINDS`).
    pub fn request_kind(self) -> &'static str {
        match self {
            Collection::DatabaseServices => "CreateDatabaseServiceRequest",
            Collection::Databases => "CreateDatabaseRequest",
            Collection::DatabaseSchemas => "CreateDatabaseSchemaRequest",
            Collection::Tables => "CreateTableRequest",
            Collection::StoredProcedures => "CreateStoredProcedureRequest",
            Collection::DashboardServices => "CreateDashboardServiceRequest",
            Collection::DashboardDataModels => "CreateDashboardDataModelRequest",
            Collection::Charts => "CreateChartRequest",
            Collection::Dashboards => "CreateDashboardRequest",
        }
    }

    pub fn is_service(self) -> bool {
        matches!(
            self,
            Collection::DatabaseServices | Collection::DashboardServices
        )
    }

    /// The parent collection and the request field holding the parent's FQN.
    pub fn parent(self) -> Option<(Collection, &'static str)> {
        match self {
            Collection::DatabaseServices | Collection::DashboardServices => None,
            Collection::Databases => Some((Collection::DatabaseServices, "service")),
            Collection::DatabaseSchemas => Some((Collection::Databases, "database")),
            Collection::Tables | Collection::StoredProcedures => {
                Some((Collection::DatabaseSchemas, "databaseSchema"))
            }
            Collection::DashboardDataModels | Collection::Charts | Collection::Dashboards => {
                Some((Collection::DashboardServices, "service"))
            }
        }
    }

    /// The request fields that name other entities by FQN, which must exist: a dashboard's charts
    /// and data models.
    pub fn links(self) -> &'static [(&'static str, Collection)] {
        match self {
            Collection::Dashboards => &[
                ("charts", Collection::Charts),
                ("dataModels", Collection::DashboardDataModels),
            ],
            _ => &[],
        }
    }

    /// The FQN of an entity named `name` under the parent with FQN `parent`. A dashboard data
    /// model's has a literal `model` part: OpenMetadata's `service.model.name`.
    pub fn fqn(self, parent: Option<&str>, name: &str) -> String {
        match (self, parent) {
            (_, None) => fqn_part(name),
            (Collection::DashboardDataModels, Some(p)) => format!("{p}.model.{}", fqn_part(name)),
            (_, Some(p)) => format!("{p}.{}", fqn_part(name)),
        }
    }
}

/// One stored entity, as a test sees it.
#[derive(Clone, Debug)]
pub struct Entity {
    pub id: String,
    pub fqn: String,
    /// 0.1 on create, +0.1 per update or soft delete.
    pub version: f64,
    pub deleted: bool,
    /// The parent's FQN (none for a service).
    pub parent: Option<String>,
    /// The entity as OpenMetadata would return it: the request's fields, parent references as
    /// `{id, type, name, fullyQualifiedName}`, plus id, fullyQualifiedName, version, updatedAt,
    /// updatedBy, deleted. Holds the request's `sourceHash`.
    pub body: Value,
    /// The last Create request accepted for it.
    pub request: Value,
}

/// What a write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// Same `sourceHash` as stored (or, for a service, the same request): not a write.
    Unchanged,
}

impl Outcome {
    /// The HTTP status OpenMetadata answers a PUT with.
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

/// A request the store refuses, with OpenMetadata's status for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
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

#[derive(Default)]
pub struct Store {
    // Versions are kept in tenths: 0.1 + 0.1 + 0.1 in f64 is not 0.3.
    entities: BTreeMap<(Collection, String), (Entity, u32)>,
    writes: BTreeMap<Collection, Writes>,
}

impl Store {
    pub fn get(&self, c: Collection, fqn: &str) -> Option<&Entity> {
        self.entities.get(&(c, fqn.to_string())).map(|(e, _)| e)
    }

    pub fn list(&self, c: Collection) -> Vec<Entity> {
        self.entities
            .iter()
            .filter(|((k, _), _)| *k == c)
            .map(|(_, (e, _))| e.clone())
            .collect()
    }

    pub fn writes(&self, c: Collection) -> Writes {
        self.writes.get(&c).copied().unwrap_or_default()
    }

    /// Creates or updates the entity of a request that already passed schema validation. The FQN
    /// is the parent's FQN (from the request) and the name quoted as OpenMetadata quotes it.
    pub fn upsert(&mut self, c: Collection, request: &Value) -> Result<(Outcome, Entity), Refusal> {
        let name = request["name"].as_str().unwrap_or_default();
        // OpenMetadata's quoteName refuses a `"` inside a name (the FQN could not be split back),
        // and its entityName type has the pattern `^((?!::).)*$`, which the pydantic-derived
        // schemas dropped.
        if name.contains('"') || name.contains("::") {
            return Err(Refusal {
                status: 400,
                message: format!("Invalid name {name}"),
            });
        }
        let (parent, refs) = match c.parent() {
            None => (None, Map::new()),
            Some((pc, field)) => {
                let pfqn = request[field].as_str().unwrap_or_default();
                let p = self
                    .get(pc, pfqn)
                    .filter(|p| !p.deleted)
                    .ok_or_else(|| Refusal::not_found(pc, pfqn))?;
                (Some(pfqn.to_string()), references(pc, p))
            }
        };
        let links = self.links(c, request)?;
        let fqn = c.fqn(parent.as_deref(), name);
        let key = (c, fqn.clone());
        let previous = self.entities.get(&key);
        if let Some((e, _)) = previous.filter(|(e, _)| !e.deleted) {
            let unchanged = if c.is_service() {
                // OpenMetadata's PUT of a service records no change when nothing differs.
                e.request == *request
            } else {
                let hash = &request["sourceHash"];
                !hash.is_null() && *hash == e.request["sourceHash"]
            };
            if unchanged {
                return Ok((Outcome::Unchanged, e.clone()));
            }
        }
        let (id, tenths, outcome) = match previous {
            Some((e, t)) => (e.id.clone(), t + 1, Outcome::Updated),
            None => (random_uuid(), 1, Outcome::Created),
        };
        let mut body = match request {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        if let Some((_, field)) = c.parent() {
            body.remove(field);
        }
        body.extend(refs);
        body.extend(links);
        body.insert("id".into(), json!(id));
        body.insert("fullyQualifiedName".into(), json!(fqn));
        let entity = Entity {
            id,
            fqn: fqn.clone(),
            version: 0.0,
            deleted: false,
            parent,
            body: Value::Object(body),
            request: request.clone(),
        };
        let entity = self.put(c, entity, tenths);
        let w = self.writes.entry(c).or_default();
        match outcome {
            Outcome::Created => w.creates += 1,
            _ => w.updates += 1,
        }
        Ok((outcome, entity))
    }

    /// The entity references for the request's links (`c.links()`), each named entity existing.
    fn links(&self, c: Collection, request: &Value) -> Result<Map<String, Value>, Refusal> {
        let mut out = Map::new();
        for &(field, lc) in c.links() {
            let Some(fqns) = request.get(field).and_then(Value::as_array) else {
                continue;
            };
            let mut refs = Vec::new();
            for fqn in fqns.iter().map(|f| f.as_str().unwrap_or_default()) {
                let e = self
                    .get(lc, fqn)
                    .filter(|e| !e.deleted)
                    .ok_or_else(|| Refusal::unknown_link(lc, fqn))?;
                refs.push(reference(lc, e));
            }
            out.insert(field.into(), refs.into());
        }
        Ok(out)
    }

    /// Soft-deletes every undeleted entity of `c` under `parent` whose FQN is not in `seen`;
    /// returns their FQNs.
    pub fn delete_unseen(&mut self, c: Collection, parent: &str, seen: &[&str]) -> Vec<String> {
        let stale: Vec<(Entity, u32)> = self
            .entities
            .iter()
            .filter(|((k, fqn), (e, _))| {
                *k == c
                    && !e.deleted
                    && e.parent.as_deref() == Some(parent)
                    && !seen.contains(&fqn.as_str())
            })
            .map(|(_, v)| v.clone())
            .collect();
        let mut out = Vec::new();
        for (mut e, tenths) in stale {
            e.deleted = true;
            out.push(e.fqn.clone());
            self.put(c, e, tenths + 1);
            self.writes.entry(c).or_default().deletes += 1;
        }
        out
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

/// The references an entity of `parent`'s children carries: to the parent itself and to the
/// parent's own ancestors (a table names its schema, database and service), plus `serviceType`.
fn references(pc: Collection, parent: &Entity) -> Map<String, Value> {
    let mut refs = Map::new();
    let b = &parent.body;
    let mut up = pc.parent();
    while let Some((ancestor, _)) = up {
        let field = reference_field(ancestor);
        refs.insert(field.into(), b[field].clone());
        up = ancestor.parent();
    }
    refs.insert(reference_field(pc).into(), reference(pc, parent));
    refs.insert("serviceType".into(), b["serviceType"].clone());
    refs
}

/// The field in which a child holds its reference to an entity of `c`.
fn reference_field(c: Collection) -> &'static str {
    match c {
        Collection::DatabaseServices | Collection::DashboardServices => "service",
        Collection::Databases => "database",
        Collection::DatabaseSchemas => "databaseSchema",
        other => unreachable!("{other:?} has no children"),
    }
}

/// An `EntityReference`, as OpenMetadata returns it inside other entities.
fn reference(c: Collection, e: &Entity) -> Value {
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
