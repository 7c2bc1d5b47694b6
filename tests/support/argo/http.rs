//! The stand-in's routes, the request log and the token check. Answers use grpc-gateway's shapes:
//! a resource as JSON, an error as `grpc.gateway.runtime.Error` (`{"code": <gRPC code>, "message",
//! "details": []}`), a watch as newline-delimited `{"result": <WorkflowWatchEvent>}`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::create::ApiError;
use super::standin::Shared;
use crate::standin_server::{Arrival, Unrouted};

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v1/workflows/{namespace}", post(create))
        .route("/api/v1/workflows/{namespace}/{name}", get(get_workflow))
        .route("/api/v1/workflow-events/{namespace}", get(watch))
        .route_layer(from_fn_with_state(shared.clone(), auth))
        // As on Argo's server, an unknown path is a 404 whatever the token: auth is checked by the
        // gRPC service behind the route.
        .fallback(unrouted)
        .method_not_allowed_fallback(unrouted)
        .layer(from_fn_with_state(shared.clone(), front))
        .with_state(shared)
}

/// Every request is logged, whatever happens to it. The handler runs as its own task, so a panic
/// (a stand-in bug) is a 500 rather than a dropped connection.
async fn front(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let (arrival, req) = Arrival::read(s.started, req).await;
    let resp = match tokio::spawn(next.run(req)).await {
        Ok(r) => r,
        Err(e) => error(&ApiError {
            status: 500,
            code: 13,
            message: format!("stand-in bug: handler panicked: {e}"),
        }),
    };
    let entry = arrival.answered(s.started, &resp);
    s.lock().log.push(entry);
    resp
}

/// Argo's token check (mode `client`): gRPC Unauthenticated, HTTP 401.
async fn auth(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let header = req.headers().get(AUTHORIZATION);
    let message = match header.map(|v| v.to_str().unwrap_or("").strip_prefix("Bearer ")) {
        Some(Some(t)) if t == s.token => return next.run(req).await,
        None => "token not found",
        Some(_) => "token not valid. see https://argo-workflows.readthedocs.io/en/latest/faq/",
    };
    error(&ApiError {
        status: 401,
        code: 16,
        message: message.into(),
    })
}

fn error(e: &ApiError) -> Response {
    reply(
        e.status,
        &json!({"code": e.code, "message": e.message, "details": []}),
    )
}

fn reply(status: u16, body: &Value) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, [(CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn create(
    State(s): State<Arc<Shared>>,
    Path(namespace): Path<String>,
    body: Bytes,
) -> Response {
    let req: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return error(&ApiError::invalid(format!("invalid JSON body: {e}"))),
    };
    // Schema validation is the slow part, and may compile the schema: not on a runtime thread.
    match tokio::task::spawn_blocking(move || s.create(&namespace, &req)).await {
        Ok(Ok(wf)) => reply(200, &wf),
        Ok(Err(e)) => error(&e),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

async fn get_workflow(
    State(s): State<Arc<Shared>>,
    Path((namespace, name)): Path<(String, String)>,
) -> Response {
    match s.lock().workflows.get(&(namespace, name.clone())) {
        Some(wf) => reply(200, wf),
        None => error(&ApiError::not_found(&name)),
    }
}

/// Kubernetes watch semantics: without `listOptions.resourceVersion` (or with "0") the stream opens
/// with an `ADDED` event per matching Workflow, then carries every change (`ADDED`, `MODIFIED`)
/// until the client hangs up.
async fn watch(
    State(s): State<Arc<Shared>>,
    Path(namespace): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let filter = match Filter::parse(namespace, &q) {
        Ok(f) => f,
        Err(e) => return error(&e),
    };
    let from_now = q
        .get("listOptions.resourceVersion")
        .is_some_and(|v| !v.is_empty() && v != "0");
    // Subscribed under the lock that every change is made under: no change falls between the
    // initial events and the stream.
    let (rx, initial) = {
        let st = s.lock();
        let initial: Vec<Value> = match from_now {
            true => Vec::new(),
            false => st
                .workflows
                .values()
                .filter(|w| filter.matches(w))
                .cloned()
                .collect(),
        };
        (s.events.subscribe(), initial)
    };
    let initial = futures_util::stream::iter(initial.into_iter().map(|w| line("ADDED", &w)));
    let changes = futures_util::stream::unfold((rx, filter), |(mut rx, f)| async move {
        loop {
            match rx.recv().await {
                Ok(e) if f.matches(&e.object) => return Some((line(e.kind, &e.object), (rx, f))),
                // A slow reader misses changes, as a real watch may: the next one carries the state.
                Ok(_) | Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    let body = Body::from_stream(initial.chain(changes));
    (StatusCode::OK, [(CONTENT_TYPE, "application/json")], body).into_response()
}

fn line(kind: &str, wf: &Value) -> Result<Bytes, Infallible> {
    let event = json!({"result": {"type": kind, "object": wf}});
    Ok(Bytes::from(format!("{event}\n")))
}

/// The selectors of a watch: its namespace, `listOptions.fieldSelector` on `metadata.name` /
/// `metadata.namespace`, and equality terms of `listOptions.labelSelector`. Anything else is
/// refused rather than ignored, so a test never reads a stream it did not ask for.
struct Filter {
    namespace: String,
    fields: Vec<(String, String)>,
    labels: Vec<(String, String)>,
}

impl Filter {
    fn parse(namespace: String, q: &HashMap<String, String>) -> Result<Filter, ApiError> {
        let terms = |key: &str| -> Result<Vec<(String, String)>, ApiError> {
            let Some(sel) = q.get(key).filter(|s| !s.is_empty()) else {
                return Ok(Vec::new());
            };
            sel.split(',')
                .map(|t| match t.split_once("==").or_else(|| t.split_once('=')) {
                    Some((k, v)) if !k.ends_with('!') => Ok((k.trim().into(), v.trim().into())),
                    _ => Err(ApiError::invalid(format!(
                        "stand-in: unsupported {key} term {t:?} (only k=v)"
                    ))),
                })
                .collect()
        };
        let fields = terms("listOptions.fieldSelector")?;
        if let Some((k, _)) = fields
            .iter()
            .find(|(k, _)| k != "metadata.name" && k != "metadata.namespace")
        {
            return Err(ApiError::invalid(format!(
                "stand-in: unsupported field selector {k:?}"
            )));
        }
        let labels = terms("listOptions.labelSelector")?;
        Ok(Filter {
            namespace,
            fields,
            labels,
        })
    }

    fn matches(&self, wf: &Value) -> bool {
        let m = &wf["metadata"];
        m["namespace"] == self.namespace.as_str()
            && self.fields.iter().all(|(k, v)| match k.as_str() {
                "metadata.name" => m["name"] == v.as_str(),
                _ => m["namespace"] == v.as_str(),
            })
            && self
                .labels
                .iter()
                .all(|(k, v)| m["labels"][k] == v.as_str())
    }
}

async fn unrouted(req: Request) -> Response {
    let mut r = error(&ApiError {
        status: 404,
        code: 5,
        message: format!(
            "stand-in: no route for {} {} (not an Argo Server call the stand-in implements)",
            req.method(),
            req.uri().path()
        ),
    });
    r.extensions_mut().insert(Unrouted);
    r
}
