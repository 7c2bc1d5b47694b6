//! A stand-in for an OpenMetadata 2.0.x server: the REST calls omrun's OpenMetadata sink makes,
//! and those OpenMetadata's own `metadata ingest` (openmetadata-ingestion 2.0.7.0) makes for its
//! database connectors.
//!
//! OpenMetadata's server cannot run in the test environment, so this one is strict where the real
//! one is: every call needs the bearer token; every Create request is validated against
//! OpenMetadata's JSON Schema of its kind ([`crate::schemas`]); parents must exist before
//! children; a table's constraints are checked as the server checks them ([`constraints`]: a
//! foreign key must name a stored table and column); a bulk request's rows are checked against
//! the state before the batch; versions, FQNs, status codes, the `BulkOperationResult`, list
//! paging and the error shape `{"code", "message"}` follow OpenMetadata's. Where each rule was
//! read in OpenMetadata's sources is said beside it. Any other call is a 404 that the log marks as
//! unexpected ([`StandIn::unexpected_requests`]). A body over 1 MiB is refused with nginx's 413,
//! as the proxy in front of most deployments refuses it ([`StandIn::limit_bodies`]).
//!
//! Implemented calls (under `host_port()`, i.e. `http://127.0.0.1:PORT/api`), for every
//! collection of [`Collection`] (`services/databaseServices`, `databases`, `databaseSchemas`,
//! `tables`, `storedProcedures`, `services/dashboardServices`, `dashboard/datamodels`, `charts`,
//! `dashboards`, `services/pipelineServices`, `pipelines`, `services/mlmodelServices`, `mlmodels`,
//! `classifications`, `tags`):
//! - `GET  /v1/system/version`
//! - `GET  /v1/services/testConnectionDefinitions/name/{Type}.testConnectionDefinition`
//! - `GET  /v1/search/fieldQuery?fieldName&fieldValue&index&deleted` ([`search`])
//! - `GET  /v1/search/query?q=email.keyword:<email>&index=user_search_index` (or
//!   `team_search_index`) and `GET /v1/users/name/{name}` (`/v1/teams/name/{name}`): the users and
//!   teams a test added ([`users`]; an owner must name one)
//! - `GET  /v1/<collection>/name/{fqn}` and `GET /v1/<collection>/{id}` (`fields`, `include`)
//! - `GET  /v1/<collection>?<parent>=<fqn>&fields&include&limit&before|after` ([`read`])
//! - `PUT  /v1/<collection>` (one Create request)
//! - `PATCH /v1/<collection>/{id}` (a JSON Patch, [`patch`])
//! - `PUT  /v1/<collection>/bulk?async=false&overrideMetadata=…` (not services, classifications
//!   or tags; [`bulk`])
//! - `DELETE /v1/<collection>/deleteStale` (the same collections; [`stale`])
//! - `DELETE /v1/<collection>/name/{fqn}?recursive&hardDelete` (soft unless `hardDelete`)
//! - `PUT  /v1/lineage` (an `AddLineageRequest`; [`lineage`])
//! - `PUT  /v1/pipelines/{fqn}/status` (a `PipelineStatus`; [`pipeline_status`])
//!
//! plus `classifications` and `tags` (`PUT` one, `GET` by name or id, list): a tag lives in its
//! classification, and a tag label anywhere in a request must name a stored tag ([`labels`]).
//! The columns of a table or data model are checked as the server checks them ([`columns`]:
//! repeated names, a top-level `STRUCT` without `children`).
//!
//! The server runs on its own thread and Tokio runtime, so a test can drive it from blocking code
//! and run `omrun` against it; it stops when the [`StandIn`] is dropped.

mod bulk;
mod collection;
mod columns;
mod constraints;
mod faults;
mod fqn;
mod http;
mod labels;
mod lineage;
mod patch;
mod pipeline_status;
mod read;
mod search;
mod seed;
mod stale;
mod store;
mod test_connection;
mod users;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

pub use crate::standin_server::LoggedRequest;
pub use faults::{Attempts, Fault};
pub use lineage::Edge;
pub use store::{Collection, Entity, Writes};

/// The stand-in sits behind what an OpenMetadata deployment most often has in front of it: nginx
/// (or the Kubernetes ingress built on it), which refuses bodies over 1 MiB unless told otherwise.
/// OpenMetadata's server itself sets no limit.
const DEFAULT_MAX_BODY: usize = 1 << 20;

/// The state the handlers share, behind one lock that is never held across an await.
struct State {
    store: store::Store,
    log: Vec<LoggedRequest>,
    faults: faults::Faults,
    version: String,
    /// Bodies longer than this are refused with a 413 (`StandIn::limit_bodies`).
    max_body: usize,
}

struct Shared {
    token: String,
    started: Instant,
    started_ms: u64,
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not make every later assertion panic too.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct StandIn {
    server: crate::standin_server::Server,
    shared: Arc<Shared>,
}

impl StandIn {
    /// Starts a server that accepts `Authorization: Bearer <token>`, reporting version 2.0.7.
    pub fn start(token: &str) -> StandIn {
        // Compile every schema now, so a missing schema fails the test here rather than as a 500
        // inside a request.
        for c in Collection::ALL {
            crate::schemas().validator(c.request_kind());
        }
        crate::schemas().validator("AddLineageRequest");
        let shared = Arc::new(Shared {
            token: token.to_string(),
            started: Instant::now(),
            started_ms: store::now_ms(),
            state: Mutex::new(State {
                store: store::Store::installed(),
                log: Vec::new(),
                faults: faults::Faults::default(),
                version: "2.0.7".to_string(),
                max_body: DEFAULT_MAX_BODY,
            }),
        });
        let server = crate::standin_server::Server::start(
            "openmetadata-standin",
            http::router(shared.clone()),
        );
        StandIn { server, shared }
    }

    /// The server's address in the form of OpenMetadata's `hostPort`: `http://127.0.0.1:PORT/api`.
    pub fn host_port(&self) -> String {
        format!("http://{}/api", self.server.addr())
    }

    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// The version `GET /v1/system/version` reports (to test an incompatible server).
    pub fn set_version(&self, version: &str) {
        self.shared.lock().version = version.to_string();
    }

    /// Refuses bodies longer than `bytes` with a 413, as a proxy in front of the server would
    /// (by default 1 MiB: nginx's `client_max_body_size`).
    pub fn limit_bodies(&self, bytes: usize) {
        self.shared.lock().max_body = bytes;
    }

    /// Every entity of a collection, deleted ones included, by FQN.
    pub fn entities(&self, c: Collection) -> Vec<Entity> {
        self.shared.lock().store.list(c)
    }

    pub fn entity(&self, c: Collection, fqn: &str) -> Option<Entity> {
        self.shared.lock().store.get(c, fqn).cloned()
    }

    /// Stores a Create request of `c` as if a client had sent it (without counting it as a
    /// write): what another ingestion put there before the run, e.g. the tables lineage names.
    /// Panics when the server would refuse it.
    pub fn seed(&self, c: Collection, request: Value) -> Entity {
        let mut state = self.shared.lock();
        let mut stored = None;
        state
            .store
            .uncounted(|s| stored = Some(s.upsert(c, &request)));
        match stored.expect("upsert ran") {
            Ok((_, e)) => e,
            Err(r) => panic!("seeding {c:?} {request}: {} {}", r.status, r.message),
        }
    }

    /// Adds a user (name and e-mail) whose id is a fresh UUID, returned: what a dashboard's owner
    /// reference must name.
    pub fn add_user(&self, name: &str, email: &str) -> String {
        self.add_owner("user", None, name, email)
    }

    /// Adds a team (of type `Group`, name and e-mail) whose id is a fresh UUID, returned.
    pub fn add_team(&self, name: &str, email: &str) -> String {
        self.add_team_of_type(name, email, "Group")
    }

    /// Adds a team of another `teamType` (`Department`, `Division`, …), which cannot own.
    pub fn add_team_of_type(&self, name: &str, email: &str, team_type: &'static str) -> String {
        self.add_owner("team", Some(team_type), name, email)
    }

    fn add_owner(
        &self,
        kind: &'static str,
        team_type: Option<&'static str>,
        name: &str,
        email: &str,
    ) -> String {
        let id = crate::standin_server::random_uuid();
        self.shared.lock().store.users.push(users::User {
            kind,
            team_type,
            id: id.clone(),
            name: name.to_string(),
            email: email.to_string(),
        });
        id
    }

    /// The runs stored for the pipeline `fqn`, oldest first.
    pub fn pipeline_statuses(&self, fqn: &str) -> Vec<Value> {
        self.shared
            .lock()
            .store
            .pipeline_statuses
            .get(fqn)
            .map(|runs| runs.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The lineage edges stored, in the order they were first added.
    pub fn lineage(&self) -> Vec<Edge> {
        self.shared.lock().store.lineage.clone()
    }

    /// Every request so far, in the order they were answered.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.lock().log.clone()
    }

    /// Every Create request a client sent for `c`, in the order they arrived, whether the
    /// server accepted it or not: the items of its bulk calls and the bodies of its single PUTs.
    pub fn create_requests(&self, c: Collection) -> Vec<Value> {
        let single = format!("/api/v1/{}", c.path());
        let bulk = format!("{single}/bulk");
        let mut out = Vec::new();
        for r in self.requests() {
            if r.method != "PUT" {
                continue;
            }
            let Ok(body) = serde_json::from_str::<Value>(&r.body) else {
                continue;
            };
            if r.path == bulk {
                out.extend(body.as_array().into_iter().flatten().cloned());
            } else if r.path == single {
                out.push(body);
            }
        }
        out
    }

    /// Every JSON Patch a client sent for `c`: (the entity id in the path, the operations).
    pub fn patch_requests(&self, c: Collection) -> Vec<(String, Value)> {
        let prefix = format!("/api/v1/{}/", c.path());
        self.requests()
            .into_iter()
            .filter(|r| r.method == "PATCH")
            .filter_map(|r| {
                let id = r.path.strip_prefix(&prefix)?.to_string();
                Some((id, serde_json::from_str(&r.body).ok()?))
            })
            .collect()
    }

    /// The stored entities of `c` (deleted ones included) as the server holds them, every field,
    /// by FQN: what a run left behind.
    pub fn stored(&self, c: Collection) -> BTreeMap<String, Value> {
        self.entities(c)
            .into_iter()
            .map(|e| (e.fqn, e.body))
            .collect()
    }

    /// The requests for calls the stand-in does not implement.
    pub fn unexpected_requests(&self) -> Vec<LoggedRequest> {
        self.requests().into_iter().filter(|r| !r.routed).collect()
    }

    /// Creates, updates and soft deletes so far, over all collections.
    pub fn writes(&self) -> Writes {
        let st = self.shared.lock();
        Collection::ALL
            .iter()
            .map(|c| st.store.writes(*c))
            .fold(Writes::default(), |a, w| Writes {
                creates: a.creates + w.creates,
                updates: a.updates + w.updates,
                deletes: a.deletes + w.deletes,
            })
    }

    pub fn writes_in(&self, c: Collection) -> Writes {
        self.shared.lock().store.writes(c)
    }

    /// Added to every request from now on (before it is processed).
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().faults.latency = latency;
    }

    /// The next `times` requests with this method whose path and query as sent (e.g.
    /// `/api/v1/tables/bulk?async=false`) start with `path_prefix` get `fault`.
    pub fn fail_next(&self, method: &str, path_prefix: &str, times: usize, fault: Fault) {
        self.shared
            .lock()
            .faults
            .add_request_fault(method, path_prefix, times, fault);
    }

    /// Bulk items whose `name` is `name` fail with `status` (in `failedRequest`), `attempts` times.
    pub fn fail_item(&self, name: &str, status: u16, attempts: Attempts) {
        self.shared
            .lock()
            .faults
            .add_item_fault(name, status, attempts);
    }

    /// Removes the latency and every scripted fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Forgets every entity, as a server restored from an empty backup would (the write counts
    /// stay).
    pub fn lose_everything(&self) {
        self.shared.lock().store.lose_everything();
    }
}

#[cfg(test)]
mod tests;
