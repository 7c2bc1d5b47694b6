//! The stand-in's state and its public face: the stored Workflows, what creating one does, and the
//! handle through which a test's controller moves a Workflow's `status`.
//!
//! Implemented calls (under `base_url()`, i.e. `http://127.0.0.1:PORT`, see [`super::http`]):
//! - `POST /api/v1/workflows/{namespace}` (a `WorkflowCreateRequest`)
//! - `GET  /api/v1/workflows/{namespace}/{name}`
//! - `GET  /api/v1/workflow-events/{namespace}` (watch: newline-delimited `{"result": {"type",
//!   "object"}}`)

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::create::{ApiError, new_workflow, random_suffix};
use super::schema;
use crate::standin_server::{LoggedRequest, Server, random_uuid};

/// What happens to a submitted Workflow: called once per created Workflow, on its own thread, which
/// may run as long as it likes (it is not joined; [`StatusHandle::stopped`] says when the stand-in
/// is gone). A panic is recorded ([`ArgoStandIn::controller_panics`]) and ends the Workflow in
/// phase `Error` with the panic as its message, so the client sees it too.
pub type Controller = Arc<dyn Fn(Submitted) + Send + Sync>;

/// A Workflow the stand-in has just created.
pub struct Submitted {
    /// As stored: the request's Workflow plus the server's metadata and `status.phase: Pending`.
    pub workflow: Value,
    pub name: String,
    pub namespace: String,
    pub status: StatusHandle,
}

/// A change the watch streams carry.
#[derive(Clone)]
pub(super) struct Event {
    pub kind: &'static str,
    pub object: Value,
}

#[derive(Default)]
pub(super) struct State {
    /// (namespace, name) -> the Workflow with its current status.
    pub workflows: BTreeMap<(String, String), Value>,
    resource_version: u64,
    pub log: Vec<LoggedRequest>,
    submit_faults: VecDeque<u16>,
    controller_panics: Vec<String>,
}

impl State {
    /// Stores `wf` under a new resourceVersion and tells the watchers.
    fn put(&mut self, events: &broadcast::Sender<Event>, kind: &'static str, mut wf: Value) {
        self.resource_version += 1;
        wf["metadata"]["resourceVersion"] = json!(self.resource_version.to_string());
        let key = key_of(&wf);
        // No receiver is not an error: nobody watches.
        let _ = events.send(Event {
            kind,
            object: wf.clone(),
        });
        self.workflows.insert(key, wf);
    }
}

fn key_of(wf: &Value) -> (String, String) {
    let m = &wf["metadata"];
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (s(&m["namespace"]), s(&m["name"]))
}

pub(super) struct Shared {
    pub token: String,
    pub started: Instant,
    controller: Controller,
    pub events: broadcast::Sender<Event>,
    stopped: AtomicBool,
    state: Mutex<State>,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking handler or controller must not make every later call panic too.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `POST /api/v1/workflows/{namespace}` with body `req`; the created Workflow.
    pub fn create(self: &Arc<Self>, namespace: &str, req: &Value) -> Result<Value, ApiError> {
        if let Some(status) = self.lock().submit_faults.pop_front() {
            return Err(ApiError::scripted(status));
        }
        let mut wf = new_workflow(namespace, req)?;
        let dry_run = req["serverDryRun"] == json!(true)
            || req["createOptions"]["dryRun"]
                .as_array()
                .is_some_and(|d| !d.is_empty());
        let (name, wf) = {
            let mut st = self.lock();
            let name = match wf["metadata"]["name"].as_str().filter(|n| !n.is_empty()) {
                Some(n) => n.to_string(),
                None => loop {
                    let n = format!(
                        "{}{}",
                        wf["metadata"]["generateName"].as_str().unwrap_or_default(),
                        random_suffix()
                    );
                    if !st.workflows.contains_key(&(namespace.into(), n.clone())) {
                        break n;
                    }
                },
            };
            let m = &mut wf["metadata"];
            m["name"] = json!(name);
            m["namespace"] = json!(namespace);
            m["uid"] = json!(random_uuid());
            m["creationTimestamp"] = json!(super::time::now());
            m["generation"] = json!(1);
            wf["status"] = json!({"phase": "Pending"});
            if st.workflows.contains_key(&(namespace.into(), name.clone())) {
                return Err(ApiError {
                    status: 409,
                    code: 6, // AlreadyExists
                    message: format!("workflows.argoproj.io \"{name}\" already exists"),
                });
            }
            // Checked like a real submission, then nothing is stored or run.
            if dry_run {
                return Ok(wf);
            }
            st.put(&self.events, "ADDED", wf);
            (
                name.clone(),
                st.workflows[&(namespace.into(), name)].clone(),
            )
        };
        self.run_controller(Submitted {
            workflow: wf.clone(),
            name: name.clone(),
            namespace: namespace.into(),
            status: StatusHandle {
                shared: self.clone(),
                key: (namespace.into(), name),
            },
        });
        Ok(wf)
    }

    fn run_controller(self: &Arc<Self>, s: Submitted) {
        let (shared, controller) = (self.clone(), self.controller.clone());
        let handle = s.status.clone();
        std::thread::Builder::new()
            .name(format!("argo-controller-{}", s.name))
            .spawn(move || {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| controller(s)));
                if let Err(p) = r {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "(no message)".into());
                    let msg = format!("stand-in: the controller panicked: {msg}");
                    shared.lock().controller_panics.push(msg.clone());
                    handle.write(|st| {
                        st["phase"] = json!("Error");
                        st["message"] = json!(msg);
                    });
                }
            })
            .expect("spawn a controller thread");
    }
}

/// Sets one Workflow's `status`. Each change is validated against Argo's `WorkflowStatus` (a
/// controller that writes something a real Argo would not is a test bug: it panics), gets a new
/// resourceVersion, and is sent to the watchers as `MODIFIED`.
#[derive(Clone)]
pub struct StatusHandle {
    shared: Arc<Shared>,
    key: (String, String),
}

impl StatusHandle {
    /// Replaces the whole status.
    pub fn set(&self, status: Value) {
        self.update(|s| *s = status);
    }

    /// Sets `status.phase`, with `startedAt` when it first leaves Pending and `finishedAt` when it
    /// ends (Succeeded, Failed, Error), as Argo's controller does.
    pub fn set_phase(&self, phase: &str) {
        self.update(|s| {
            s["phase"] = json!(phase);
            if phase != "Pending" && s.get("startedAt").is_none() {
                s["startedAt"] = json!(super::time::now());
            }
            if matches!(phase, "Succeeded" | "Failed" | "Error") {
                s["finishedAt"] = json!(super::time::now());
            }
        });
    }

    /// Sets `status.nodes[id]` (its `id` filled in when absent).
    pub fn set_node(&self, id: &str, mut node: Value) {
        if node.get("id").is_none() {
            node["id"] = json!(id);
        }
        self.update(|s| s["nodes"][id] = node);
    }

    /// Changes the status in place, under the stand-in's lock (concurrent pods of one Workflow
    /// update it in turn).
    pub fn update(&self, change: impl FnOnce(&mut Value)) {
        let mut st = self.shared.lock();
        let wf = st.workflows.get(&self.key).expect("a stored Workflow");
        let mut status = wf["status"].clone();
        change(&mut status);
        if let Err(errors) = schema::validate(schema::WORKFLOW_STATUS, &status) {
            drop(st);
            panic!(
                "the controller set a status that is not Argo's WorkflowStatus:\n  {}\nstatus: {status}",
                errors.join("\n  ")
            );
        }
        let mut wf = wf.clone();
        wf["status"] = status;
        st.put(&self.shared.events, "MODIFIED", wf);
    }

    /// Unvalidated: the panic report of a controller must get through whatever it broke.
    fn write(&self, change: impl FnOnce(&mut Value)) {
        let mut st = self.shared.lock();
        let mut wf = st.workflows[&self.key].clone();
        change(&mut wf["status"]);
        st.put(&self.shared.events, "MODIFIED", wf);
    }

    /// The current status.
    pub fn get(&self) -> Value {
        self.shared.lock().workflows[&self.key]["status"].clone()
    }

    /// True once the [`ArgoStandIn`] is dropped: a long-running controller may stop.
    pub fn stopped(&self) -> bool {
        self.shared.stopped.load(Ordering::Relaxed)
    }
}

/// An in-process Argo Server; see [`super`]. Stops when dropped.
pub struct ArgoStandIn {
    server: Server,
    shared: Arc<Shared>,
}

impl ArgoStandIn {
    /// Starts a server that accepts `Authorization: Bearer <token>` and hands every created
    /// Workflow to `controller`.
    pub fn start(token: &str, controller: Controller) -> ArgoStandIn {
        // Load and compile the schema now, so a missing schema fails the test here rather than as
        // a 500 inside a request.
        let _ = schema::validate_workflow(&json!({}));
        let _ = schema::validate(schema::WORKFLOW_STATUS, &json!({}));
        let shared = Arc::new(Shared {
            token: token.to_string(),
            started: Instant::now(),
            controller,
            events: broadcast::channel(1024).0,
            stopped: AtomicBool::new(false),
            state: Mutex::new(State::default()),
        });
        let server = Server::start("argo-standin", super::http::router(shared.clone()));
        ArgoStandIn { server, shared }
    }

    /// `http://127.0.0.1:PORT`: omrun's `argoServer.url`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// The next submission is answered `status` (500, 409, 503…) in grpc-gateway's error shape,
    /// without creating anything. Calls queue up: each is used by one submission.
    pub fn fail_next_submit(&self, status: u16) {
        self.shared.lock().submit_faults.push_back(status);
    }

    /// Every request so far, in the order they were answered (a watch: when its stream started).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.lock().log.clone()
    }

    /// The requests for calls the stand-in does not implement.
    pub fn unexpected_requests(&self) -> Vec<LoggedRequest> {
        self.requests().into_iter().filter(|r| !r.routed).collect()
    }

    /// Every stored Workflow with its current status, by namespace and name.
    pub fn workflows(&self) -> Vec<Value> {
        self.shared.lock().workflows.values().cloned().collect()
    }

    pub fn workflow(&self, namespace: &str, name: &str) -> Option<Value> {
        let key = (namespace.to_string(), name.to_string());
        self.shared.lock().workflows.get(&key).cloned()
    }

    /// The panics of controllers so far (each also ended its Workflow in phase `Error`).
    pub fn controller_panics(&self) -> Vec<String> {
        self.shared.lock().controller_panics.clone()
    }
}

impl Drop for ArgoStandIn {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::Relaxed);
    }
}
