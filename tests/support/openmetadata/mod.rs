//! A stand-in for an OpenMetadata 2.0.x server: the REST calls omrun's OpenMetadata sink makes, and
//! nothing else.
//!
//! OpenMetadata's server cannot run in the test environment, so this one is strict where the real
//! one is: every call needs the bearer token; every request body is validated against
//! OpenMetadata's JSON Schema of its kind ([`crate::schemas`]); parents must exist before children;
//! versions, FQNs, status codes, the `BulkOperationResult` and the error shape
//! `{"code", "message"}` follow OpenMetadata's. Any other call is a 404 that the log marks as
//! unexpected ([`StandIn::unexpected_requests`]).
//!
//! Implemented calls (under `host_port()`, i.e. `http://127.0.0.1:PORT/api`):
//! - `GET  /v1/system/version`
//! - `GET  /v1/services/{databaseServices,dashboardServices}/name/{fqn}`
//! - `PUT  /v1/services/{databaseServices,dashboardServices}` (a `Create…ServiceRequest`)
//! - `PUT  /v1/{databases,databaseSchemas,tables,storedProcedures}/bulk?async=false&overrideMetadata=…`
//! - `PUT  /v1/{dashboard/datamodels,charts,dashboards}/bulk?…` (a dashboard's `charts` and
//!   `dataModels` must exist, as its service must)
//! - `DELETE /v1/tables/deleteStale` (scope: one database schema)
//!
//! The server runs on its own thread and Tokio runtime, so a test can drive it from blocking code
//! and run `omrun` against it; it stops when the [`StandIn`] is dropped.

mod bulk;
mod faults;
mod http;
mod store;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub use crate::standin_server::LoggedRequest;
pub use faults::{Attempts, Fault};
pub use store::{Collection, Entity, Writes};

/// The state the handlers share, behind one lock that is never held across an await.
struct State {
    store: store::Store,
    log: Vec<LoggedRequest>,
    faults: faults::Faults,
    version: String,
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
        let shared = Arc::new(Shared {
            token: token.to_string(),
            started: Instant::now(),
            started_ms: store::now_ms(),
            state: Mutex::new(State {
                store: store::Store::default(),
                log: Vec::new(),
                faults: faults::Faults::default(),
                version: "2.0.7".to_string(),
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

    /// Every entity of a collection, deleted ones included, by FQN.
    pub fn entities(&self, c: Collection) -> Vec<Entity> {
        self.shared.lock().store.list(c)
    }

    pub fn entity(&self, c: Collection, fqn: &str) -> Option<Entity> {
        self.shared.lock().store.get(c, fqn).cloned()
    }

    /// Every request so far, in the order they were answered.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.lock().log.clone()
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

    /// The next `times` requests with this method whose path (as sent, e.g.
    /// `/api/v1/tables/bulk`) starts with `path_prefix` get `fault`.
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
}
