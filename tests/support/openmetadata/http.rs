//! The stand-in's routes and the front door every request passes (log, latency, scripted fault),
//! then the token check. Answers use OpenMetadata's shapes: entities as JSON, errors as
//! `{"code", "message"}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, put};
use serde_json::{Value, json};

use super::faults::Fault;
use super::read::{Fields, Key};
use super::store::{Collection, Refusal};
use super::{
    Shared, bulk, lineage, patch, pipeline_status, read, search, stale, test_connection, users,
};
use crate::standin_server::{Arrival, Unrouted};

pub fn router(shared: Arc<Shared>) -> Router {
    let mut r = Router::new()
        .route("/api/v1/system/version", get(version))
        .route(
            "/api/v1/services/testConnectionDefinitions/name/{fqn}",
            get(test_connection_definition),
        )
        .route("/api/v1/search/fieldQuery", get(field_query))
        .route("/api/v1/search/query", get(search_query))
        .route("/api/v1/users/name/{name}", get(user_by_name))
        .route("/api/v1/teams/name/{name}", get(team_by_name))
        .route("/api/v1/lineage", put(add_lineage))
        .route("/api/v1/pipelines/{fqn}/status", put(add_pipeline_status));
    for c in Collection::ALL {
        let base = format!("/api/v1/{}", c.path());
        r = r
            .route(
                &base,
                get(move |s, q| list(c, s, q)).put(move |s, h, b| put_one(c, s, h, b)),
            )
            .route(
                &format!("{base}/name/{{fqn}}"),
                get(move |s, p, q| get_by_name(c, s, p, q))
                    .delete(move |s, p, q| delete_by_name(c, s, p, q)),
            )
            .route(
                &format!("{base}/{{id}}"),
                get(move |s, p, q| get_by_id(c, s, p, q))
                    .patch(move |s, p, h, b| patch(c, s, p, h, b)),
            );
        if c.has_bulk() {
            r = r
                .route(
                    &format!("{base}/bulk"),
                    put(move |s, q, h, b| put_bulk(c, s, q, h, b)),
                )
                .route(
                    &format!("{base}/deleteStale"),
                    delete(move |s, h, b| delete_stale(c, s, h, b)),
                );
        }
    }
    // Auth as a route layer, so the fallback can mark a call without a token to an unknown path
    // as unexpected too (it checks the token itself).
    r.route_layer(from_fn_with_state(shared.clone(), auth))
        // The front door enforces its own limit (`StandIn::limit_bodies`), not axum's 2 MB.
        .layer(DefaultBodyLimit::disable())
        .fallback(unrouted)
        .method_not_allowed_fallback(unrouted)
        .layer(from_fn_with_state(shared.clone(), front))
        .with_state(shared)
}

/// Every request: spawned, so a client that hangs up (a timeout) does not cancel the write it
/// asked for, as on a real server; logged whatever happens.
async fn front(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    match tokio::spawn(serve_one(s, req, next)).await {
        Ok(r) => r,
        Err(e) => error(500, &format!("stand-in: request task failed: {e}")),
    }
}

async fn serve_one(s: Arc<Shared>, req: Request, next: Next) -> Response {
    let (arrival, req) = Arrival::read(s.started, req).await;

    let limit = s.lock().max_body;
    if arrival.body_len() > limit {
        // As nginx answers, before OpenMetadata sees anything.
        let resp = too_large();
        let entry = arrival.answered(s.started, &resp);
        s.lock().log.push(entry);
        return resp;
    }
    let (latency, fault) = {
        let mut st = s.lock();
        let latency = st.faults.latency;
        (
            latency,
            st.faults
                .take_request_fault(&arrival.method, &arrival.target()),
        )
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let resp = match fault {
        Some(Fault::TooManyRequests { retry_after_secs }) => {
            let mut r = error(429, "Too Many Requests");
            r.headers_mut()
                .insert(RETRY_AFTER, retry_after_secs.to_string().parse().unwrap());
            r
        }
        Some(Fault::ServerError) => error(500, "stand-in: scripted server error"),
        Some(Fault::Stall(d)) => {
            tokio::time::sleep(d).await;
            run(req, next).await
        }
        None => run(req, next).await,
    };
    let entry = arrival.answered(s.started, &resp);
    s.lock().log.push(entry);
    resp
}

/// nginx's refusal of a body over its `client_max_body_size`: HTML, not OpenMetadata's JSON.
fn too_large() -> Response {
    let page = "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n\
                <center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n\
                </body>\r\n</html>\r\n";
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(CONTENT_TYPE, "text/html")],
        page,
    )
        .into_response()
}

/// The route. A handler that panics is a stand-in bug: answer 500 (and log it) rather than drop
/// the connection.
async fn run(req: Request, next: Next) -> Response {
    match tokio::spawn(next.run(req)).await {
        Ok(r) => r,
        Err(e) => error(500, &format!("stand-in bug: handler panicked: {e}")),
    }
}

/// The bearer token check of OpenMetadata's JWT filter: the 401 when it fails.
fn refuse_token(s: &Shared, headers: &HeaderMap) -> Option<Response> {
    let header = headers.get(AUTHORIZATION).map(|v| v.to_str().unwrap_or(""));
    match header.map(|h| h.strip_prefix("Bearer ")) {
        None => Some(error(401, "Not Authorized! Token not present")),
        Some(Some(t)) if t == s.token => None,
        Some(_) => Some(error(401, "Not Authorized! Invalid token")),
    }
}

async fn auth(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    match refuse_token(&s, req.headers()) {
        Some(r) => r,
        None => next.run(req).await,
    }
}

fn error(status: u16, message: &str) -> Response {
    reply(status, &json!({"code": status, "message": message}))
}

fn reply(status: u16, body: &Value) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, [(CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// A request body as OpenMetadata's Jersey resources read it: of the media type the resource
/// consumes (415 otherwise), parseable (400 otherwise).
fn json_body_of(headers: &HeaderMap, body: &Bytes, media_type: &str) -> Result<Value, Refusal> {
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(media_type) {
        return Err(Refusal {
            status: 415,
            message: "HTTP 415 Unsupported Media Type".into(),
        });
    }
    serde_json::from_slice(body).map_err(|e| Refusal {
        status: 400,
        message: format!("Unable to process JSON: {e}"),
    })
}

fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, Refusal> {
    json_body_of(headers, body, "application/json")
}

fn answer(r: Result<Value, Refusal>) -> Response {
    match r {
        Ok(v) => reply(200, &v),
        Err(r) => error(r.status, &r.message),
    }
}

async fn version(State(s): State<Arc<Shared>>) -> Response {
    let v = s.lock().version.clone();
    reply(
        200,
        &json!({"version": v, "revision": "omrun-standin", "timestamp": s.started_ms}),
    )
}

async fn test_connection_definition(Path(fqn): Path<String>) -> Response {
    match test_connection::definition(&fqn) {
        Some(d) => reply(200, &d),
        None => error(
            404,
            &format!("testConnectionDefinition instance for {fqn} not found"),
        ),
    }
}

async fn field_query(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    answer(search::field_query(&s.lock().store, &q))
}

async fn search_query(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    answer(users::search(&s.lock().store.users, &q))
}

async fn add_lineage(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let request = match json_body(&headers, &body) {
        Ok(v) => v,
        Err(r) => return error(r.status, &r.message),
    };
    let mut state = s.lock();
    match lineage::add(&state.store, &request) {
        Ok(edge) => {
            let edges = &mut state.store.lineage;
            edges.retain(|e| (&e.from_fqn, &e.to_fqn) != (&edge.from_fqn, &edge.to_fqn));
            edges.push(edge);
            (StatusCode::OK, "").into_response()
        }
        Err(r) => error(r.status, &r.message),
    }
}

async fn add_pipeline_status(
    State(s): State<Arc<Shared>>,
    Path(fqn): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let status = match json_body(&headers, &body) {
        Ok(v) => v,
        Err(r) => return error(r.status, &r.message),
    };
    answer(pipeline_status::add(&mut s.lock().store, &fqn, &status))
}

async fn user_by_name(State(s): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    answer(users::get_by_name(&s.lock().store.users, "user", &name))
}

async fn team_by_name(State(s): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    answer(users::get_by_name(&s.lock().store.users, "team", &name))
}

async fn get_by_name(
    c: Collection,
    State(s): State<Arc<Shared>>,
    Path(fqn): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    answer(read::get_one(&s.lock().store, c, Key::Fqn(&fqn), &q))
}

/// `DELETE /v1/<collection>/name/{fqn}?recursive&hardDelete` (`EntityResource.deleteByName`):
/// soft unless `hardDelete`; one with live children refused unless `recursive` (both default
/// false); a missing or already deleted one is a 404. Answers the entity as deleted.
async fn delete_by_name(
    c: Collection,
    State(s): State<Arc<Shared>>,
    Path(fqn): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flag = |key: &str| match q.get(key).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(Refusal::bad_request(format!(
            "query param {key} must be a boolean, not {other}"
        ))),
    };
    let mut st = s.lock();
    let outcome = (|| {
        let (recursive, hard) = (flag("recursive")?, flag("hardDelete")?);
        let stored = st
            .store
            .find(c, &fqn)
            .filter(|e| !e.deleted)
            .map(|e| e.fqn.clone())
            .ok_or_else(|| Refusal::not_found(c, &fqn))?;
        st.store.delete(c, &stored, recursive, hard)?;
        let deleted = st.store.find(c, &stored).cloned();
        Ok(deleted.map_or(Value::Null, |e| read::view(c, &e, &Fields::all(c))))
    })();
    answer(outcome)
}

async fn get_by_id(
    c: Collection,
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    answer(read::get_one(&s.lock().store, c, Key::Id(&id), &q))
}

async fn list(
    c: Collection,
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    answer(read::list(&s.lock().store, c, &q))
}

/// `PUT /v1/<collection>`: create or update one entity from its Create request (201 when
/// created, 200 otherwise), answered with the entity.
async fn put_one(
    c: Collection,
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let v = match json_body(&headers, &body) {
        Ok(v) => v,
        Err(r) => return error(r.status, &r.message),
    };
    let errors = bulk::schema_errors(c, &v);
    if !errors.is_empty() {
        return error(400, &errors);
    }
    match s.lock().store.upsert(c, &v) {
        Ok((outcome, e)) => reply(outcome.status(), &read::view(c, &e, &Fields::all(c))),
        Err(r) => error(r.status, &r.message),
    }
}

/// `PATCH /v1/<collection>/{id}` with `Content-Type: application/json-patch+json`.
async fn patch(
    c: Collection,
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ops = match json_body_of(&headers, &body, "application/json-patch+json") {
        Ok(v) => v,
        Err(r) => return error(r.status, &r.message),
    };
    let result = patch::patch(c, &id, &ops, &mut s.lock());
    answer(result.map(|e| read::view(c, &e, &Fields::all(c))))
}

async fn put_bulk(
    c: Collection,
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Async bulk answers before the writes happen; omrun must not use it, and the stand-in does
    // not pretend to support it.
    if q.get("async").is_some_and(|a| a != "false") {
        return error(400, "stand-in: only async=false bulk calls are implemented");
    }
    let override_metadata = q.get("overrideMetadata").is_some_and(|o| o == "true");
    let items = match json_body(&headers, &body) {
        Ok(Value::Array(items)) => items,
        Ok(other) => {
            return error(
                400,
                &format!(
                    "Unable to process JSON: a bulk body is an array of {}, not {}",
                    c.request_kind(),
                    kind_of(&other)
                ),
            );
        }
        Err(r) => return error(r.status, &r.message),
    };
    // Schema checks are the slow part: made before taking the lock.
    let errors: Vec<String> = items.iter().map(|i| bulk::schema_errors(c, i)).collect();
    let result = bulk::apply(c, &items, &errors, override_metadata, &mut s.lock());
    reply(200, &result)
}

async fn delete_stale(
    c: Collection,
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let v = match json_body(&headers, &body) {
        Ok(v) => v,
        Err(r) => return error(r.status, &r.message),
    };
    answer(stale::delete_stale(c, &v, &mut s.lock()))
}

async fn unrouted(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let mut r = refuse_token(&s, req.headers()).unwrap_or_else(|| {
        error(
            404,
            &format!(
                "stand-in: no route for {} {} (not an OpenMetadata call the stand-in implements)",
                req.method(),
                req.uri().path()
            ),
        )
    });
    r.extensions_mut().insert(Unrouted);
    r
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
