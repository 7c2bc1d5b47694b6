//! A stand-in for Looker's API 4.0: the calls the Looker connector makes, and nothing else, serving
//! a synthetic [`Catalog`].
//!
//! Strict where Looker is: `POST /api/4.0/login` takes `client_id` and `client_secret` as query
//! parameters and answers 404 for a wrong pair (so a test proves the host filled in the real
//! secret); every other call needs `Authorization: token <access_token>` of an unexpired token
//! (401 otherwise). Knobs for what a connector must survive: latency per call, a rate limit (429
//! with `Retry-After` in seconds), short-lived tokens (and tokens that die before the
//! `expires_in` they advertised), and a redirect for one dashboard. Every call is logged
//! ([`LoggedRequest`]), the secret redacted from the login's query.
//!
//! Calls (under `host_port()`, i.e. `http://127.0.0.1:PORT`):
//! - `POST /api/4.0/login?client_id=…&client_secret=…`
//! - `GET  /api/4.0/dashboards`, `GET /api/4.0/dashboards/{id}`
//! - `GET  /api/4.0/lookml_models`, `GET /api/4.0/lookml_models/{model}/explores/{explore}`
//! - `GET  /api/4.0/users/{id}`
//!
//! `fields=` is accepted and ignored: whole objects are answered, as the connector must cope
//! with extra keys anyway.

mod catalog;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub use crate::standin_server::LoggedRequest;
use crate::standin_server::{Arrival, Server, Unrouted, random_uuid};
pub use catalog::{Catalog, EXPLORES_PER_MODEL, USERS, VIS_TYPES};

/// How the stand-in behaves; [`Settings::new`] gives a fast, unlimited Looker.
#[derive(Clone, Debug)]
pub struct Settings {
    pub dashboards: usize,
    pub models: usize,
    pub client_id: String,
    pub client_secret: String,
    /// How long a token is honoured.
    pub token_ttl: Duration,
    /// The `expires_in` the login answers; `None`: the real `token_ttl`. A longer one makes
    /// tokens die early, so a connector meets 401s.
    pub advertised_ttl: Option<Duration>,
    /// Added to every call.
    pub latency: Duration,
    /// At most this many calls (logins included) per window; more get 429.
    pub rate_limit: Option<(usize, Duration)>,
}

impl Settings {
    pub fn new(dashboards: usize, models: usize, client_id: &str, client_secret: &str) -> Self {
        Settings {
            dashboards,
            models,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_ttl: Duration::from_secs(3600),
            advertised_ttl: None,
            latency: Duration::ZERO,
            rate_limit: None,
        }
    }
}

struct State_ {
    settings: Settings,
    catalog: Catalog,
    /// Issued tokens and when they stop working.
    tokens: HashMap<String, Instant>,
    /// The current rate-limit window: its start and the calls in it.
    window: (Instant, usize),
    /// Dashboards answered with a 302 to this URL instead.
    redirects: HashMap<String, String>,
    log: Vec<LoggedRequest>,
}

struct Shared {
    started: Instant,
    state: Mutex<State_>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State_> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct LookerStandIn {
    server: Server,
    shared: Arc<Shared>,
}

impl LookerStandIn {
    pub fn start(settings: Settings) -> LookerStandIn {
        let shared = Arc::new(Shared {
            started: Instant::now(),
            state: Mutex::new(State_ {
                catalog: Catalog::new(0, 0, ""),
                settings,
                tokens: HashMap::new(),
                window: (Instant::now(), 0),
                redirects: HashMap::new(),
                log: Vec::new(),
            }),
        });
        let server = Server::start("looker-standin", router(shared.clone()));
        {
            // The share URLs name the server, known only now.
            let mut st = shared.lock();
            let base = format!("http://{}", server.addr());
            st.catalog = Catalog::new(st.settings.dashboards, st.settings.models, &base);
        }
        LookerStandIn { server, shared }
    }

    /// The address in the form of OpenMetadata's Looker `hostPort`: `http://127.0.0.1:PORT`.
    pub fn host_port(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    pub fn catalog(&self) -> Catalog {
        self.shared.lock().catalog.clone()
    }

    /// Every call so far, in the order answered.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.lock().log.clone()
    }

    /// Calls the stand-in does not implement.
    pub fn unexpected_requests(&self) -> Vec<LoggedRequest> {
        self.requests().into_iter().filter(|r| !r.routed).collect()
    }

    /// Answered calls to `path` (exact) with `status`.
    pub fn count(&self, method: &str, path: &str, status: u16) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path == path && r.status == status)
            .count()
    }

    /// Answers with `status`, any path.
    pub fn count_status(&self, status: u16) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.status == status)
            .count()
    }

    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().settings.latency = latency;
    }

    /// Answers `GET /api/4.0/dashboards/{id}` with a 302 to `location`.
    pub fn redirect_dashboard(&self, id: &str, location: &str) {
        self.shared
            .lock()
            .redirects
            .insert(id.to_string(), location.to_string());
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/api/4.0/dashboards", get(dashboards))
        .route("/api/4.0/dashboards/{id}", get(dashboard))
        .route("/api/4.0/lookml_models", get(models))
        .route(
            "/api/4.0/lookml_models/{model}/explores/{explore}",
            get(explore),
        )
        .route("/api/4.0/users/{id}", get(user))
        .route_layer(from_fn_with_state(shared.clone(), auth));
    api.route("/api/4.0/login", post(login))
        .fallback(unrouted)
        .method_not_allowed_fallback(unrouted)
        .layer(from_fn_with_state(shared.clone(), front))
        .with_state(shared)
}

/// Every call: latency, then the rate limit, then the route; logged whatever happens.
async fn front(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let (arrival, req) = Arrival::read(s.started, req).await;
    let latency = s.lock().settings.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let limited = {
        let mut st = s.lock();
        match st.settings.rate_limit {
            Some((calls, window)) => {
                let now = Instant::now();
                if now.duration_since(st.window.0) >= window {
                    st.window = (now, 0);
                }
                st.window.1 += 1;
                (st.window.1 > calls).then(|| {
                    let left = window.saturating_sub(now.duration_since(st.window.0));
                    left.as_secs_f64().ceil().max(1.0) as u64
                })
            }
            None => None,
        }
    };
    let resp = match limited {
        Some(retry_after) => {
            let mut r = error(429, "Too Many Requests");
            r.headers_mut()
                .insert(RETRY_AFTER, retry_after.to_string().parse().unwrap());
            r
        }
        None => next.run(req).await,
    };
    let mut entry = arrival.answered(s.started, &resp);
    entry.query = entry.query.map(|q| redact_secret(&q));
    s.lock().log.push(entry);
    resp
}

/// `client_secret=…` as `client_secret=<redacted>`: the log never holds the secret.
fn redact_secret(query: &str) -> String {
    query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some(("client_secret", _)) => "client_secret=<redacted>".to_string(),
            _ => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn auth(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if token_ok(&s, req.headers()) {
        next.run(req).await
    } else {
        error(401, "Requires authentication.")
    }
}

fn token_ok(s: &Shared, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("token "))
    else {
        return false;
    };
    s.lock()
        .tokens
        .get(token)
        .is_some_and(|until| Instant::now() < *until)
}

async fn login(State(s): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut st = s.lock();
    let id_ok = q.get("client_id") == Some(&st.settings.client_id);
    let secret_ok = q.get("client_secret") == Some(&st.settings.client_secret);
    if !(id_ok && secret_ok) {
        // What Looker answers for a wrong API key.
        return error(404, "Not found");
    }
    let token = random_uuid().replace('-', "");
    let ttl = st.settings.token_ttl;
    st.tokens.insert(token.clone(), Instant::now() + ttl);
    let advertised = st.settings.advertised_ttl.unwrap_or(ttl);
    reply(
        200,
        &json!({"access_token": token, "token_type": "Bearer", "expires_in": advertised.as_secs()}),
    )
}

async fn dashboards(State(s): State<Arc<Shared>>) -> Response {
    reply(200, &s.lock().catalog.dashboard_list())
}

async fn dashboard(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = s.lock();
    if let Some(location) = st.redirects.get(&id) {
        return (StatusCode::FOUND, [(LOCATION, location.clone())]).into_response();
    }
    match st.catalog.dashboard(&id) {
        Some(d) => reply(200, d),
        None => error(404, "Not found"),
    }
}

async fn models(State(s): State<Arc<Shared>>) -> Response {
    reply(200, &s.lock().catalog.model_list())
}

async fn explore(
    State(s): State<Arc<Shared>>,
    Path((model, explore)): Path<(String, String)>,
) -> Response {
    match s.lock().catalog.explore(&model, &explore) {
        Some(x) => reply(200, x),
        None => error(404, "Not found"),
    }
}

async fn user(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match s.lock().catalog.user(&id) {
        Some(u) => reply(200, &u),
        None => error(404, "Not found"),
    }
}

async fn unrouted(req: Request) -> Response {
    let mut r = error(
        404,
        &format!(
            "stand-in: no route for {} {} (not a Looker call the stand-in implements)",
            req.method(),
            req.uri().path()
        ),
    );
    r.extensions_mut().insert(Unrouted);
    r
}

/// Looker's error shape.
fn error(status: u16, message: &str) -> Response {
    reply(
        status,
        &json!({"message": message, "documentation_url": "https://cloud.google.com/looker/docs/r/api"}),
    )
}

fn reply(status: u16, body: &Value) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, [(CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}
