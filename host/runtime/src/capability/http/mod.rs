//! The `http` capability: outgoing HTTP over standard wasi:http (wasmtime-wasi-http's p2 host), to
//! the hosts the config grants and nowhere else.
//!
//! Every request a plugin makes reaches [`Policy::send`], the `WasiHttpHooks::send_request`
//! override, which
//! - lets it through only when its authority is granted (`Grants::http`: the source's `hostPort`);
//! - fills in the secrets it names with `__OMRUN_SECRET_<key>__` placeholders (the plugin never
//!   sees them: `without_secrets` removed them from its config), and signs the JWTs it leaves
//!   for the host to sign with a secret private key (`jwt`);
//! - resolves the name itself and refuses loopback, link-local and cloud-metadata addresses unless
//!   the grant names that address (or `localhost`) literally, then connects to exactly the
//!   addresses it checked, so a second DNS answer cannot slip past;
//! - bounds the request and response bodies and the waits.
//!
//! A refused request reaches the plugin as a bare wasi:http error code; the reason is logged here,
//! naming the plugin and the destination (`host[:port]`) but never the path or query, which may
//! carry secrets.

mod addresses;
mod bounded;
mod jwt;
mod placeholders;
mod policy;
mod probe;
#[cfg(test)]
mod tests;

use super::Grants;
use http::uri::{Authority, Scheme};
use http::{Request, Response, Uri};
use omrun_config::{Secret, is_secret_key};
use policy::Policy;
pub use probe::{PROBE_TIMEOUT, probe};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi_http::{
    Error, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView,
};

/// A response body larger than this is cut off with `http-response-body-size`.
pub const RESPONSE_BODY_LIMIT: u64 = 64 << 20;
/// A request body larger than this is refused with `http-request-body-size`.
pub const REQUEST_BODY_LIMIT: u64 = 16 << 20;
/// Connecting (DNS, TCP, TLS), waiting for the response's first byte, and between two chunks of
/// its body, each, unless the plugin asks for less in its request options. Never more than the
/// call timeout: the call would be abandoned first anyway.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How a plugin names a secret of `source.serviceConnection.config` in a header value or the URL.
pub const PLACEHOLDER_PREFIX: &str = "__OMRUN_SECRET_";
const PLACEHOLDER_SUFFIX: &str = "__";

/// Adds wasi:http (`types`, `outgoing-handler`) and nothing else: the rest of WASI comes from
/// `wasmtime_wasi::p2::add_to_linker_async`, and adding it twice is a linker error.
pub fn add_to_linker<T: WasiHttpView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)
}

// ---- grants ----

/// A host outgoing HTTP may reach: `name` or `name:port`, as a grant or a plugin's declared need.
/// Without a port it allows the scheme's default port (80 for http, 443 for https) only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HostGrant {
    /// Lower-cased; an IPv6 address without its brackets.
    host: String,
    port: Option<u16>,
}

impl HostGrant {
    /// `name`, `name:port`, `1.2.3.4:port` or `[::1]:port`.
    pub fn parse(authority: &str) -> Option<Self> {
        let authority: Authority = authority.parse().ok()?;
        Some(Self::of(&authority))
    }

    /// The host of an `http://` or `https://` URL, e.g. OpenMetadata's `hostPort:
    /// https://company.looker.com`; `None` for anything else (a database's `host:5432`).
    pub fn from_url(url: &str) -> Option<Self> {
        let uri: Uri = url.trim().parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        Some(Self::of(uri.authority()?))
    }

    /// A need's host built from the connection's settings (`settings`: dotted paths to plain
    /// values, no secret). Two forms:
    /// - the whole need names one setting, `{hostPort}` or `{credentials.gcpConfig.tokenUri}`,
    ///   whose value is a URL or `host[:port]`; after a `|`, the value to use when the config
    ///   leaves the setting out — the default OpenMetadata applies too
    ///   (`{hostPort|bigquery.googleapis.com}`);
    /// - a host name with settings in it, `{account}.snowflakecomputing.com`, each a plain part of
    ///   a host name (a `/`, `@` or `:` in the value grants nothing).
    ///
    /// `None` when a setting is unset (and has no default) or makes no host.
    pub fn from_template(template: &str, settings: &BTreeMap<String, String>) -> Option<Self> {
        let whole = template
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .filter(|inner| !inner.contains(['{', '}']));
        if let Some(inner) = whole {
            let (key, default) = match inner.split_once('|') {
                Some((key, default)) => (key, Some(default)),
                None => (inner, None),
            };
            let value = settings.get(key).map(String::as_str).or(default)?.trim();
            return Self::from_url(value)
                .or_else(|| Self::parse(value).filter(|_| !value.contains(['/', '@'])));
        }
        if !template.contains('{') {
            return None;
        }
        let mut host = String::new();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}')? + start;
            let value = settings.get(&rest[start + 1..end])?;
            let name_chars = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
            if value.is_empty() || !value.chars().all(name_chars) {
                return None;
            }
            host.push_str(&rest[..start]);
            host.push_str(value);
            rest = &rest[end + 1..];
        }
        host.push_str(rest);
        Self::parse(&host)
    }

    fn of(authority: &Authority) -> Self {
        Self {
            host: bare_host(authority.host()),
            port: authority.port_u16(),
        }
    }

    fn allows(&self, to: &Destination) -> bool {
        self.host == to.host
            && match self.port {
                Some(port) => port == to.port,
                None => to.port == to.default_port(),
            }
    }
}

impl std::fmt::Display for HostGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&shown_host(&self.host))?;
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Destination {
    /// Lower-cased; an IPv6 address without its brackets.
    host: String,
    port: u16,
    tls: bool,
    /// `host` or `host:port` as the request spelled it (no user info): what the log shows.
    shown: String,
}

impl Destination {
    fn of(uri: &Uri) -> Option<Self> {
        let tls = match uri.scheme_str()? {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        let authority = uri.authority()?;
        let host = bare_host(authority.host());
        if host.is_empty() {
            return None;
        }
        let explicit = authority.port_u16();
        let default = if tls { 443 } else { 80 };
        let shown = match explicit {
            Some(port) => format!("{}:{port}", shown_host(&host)),
            None => shown_host(&host),
        };
        Some(Self {
            host,
            port: explicit.unwrap_or(default),
            tls,
            shown,
        })
    }

    fn default_port(&self) -> u16 {
        if self.tls { 443 } else { 80 }
    }
}

fn bare_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

fn shown_host(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// `connectionArguments: {host, port, protocol}` of a connection config, which OpenMetadata hands
/// to a warehouse's own client (Snowflake's takes them to reach another endpoint): the URL to
/// probe and the host to grant.
pub fn connection_arguments_host(config: &Json) -> Option<(String, HostGrant)> {
    let arguments = config.get("connectionArguments")?;
    let host = arguments.get("host")?.as_str()?;
    let protocol = match arguments.get("protocol").and_then(Json::as_str) {
        Some(p) if p.eq_ignore_ascii_case("http") => "http",
        _ => "https",
    };
    let url = match arguments.get("port") {
        Some(Json::Number(port)) => format!("{protocol}://{host}:{port}"),
        Some(Json::String(port)) => format!("{protocol}://{host}:{port}"),
        _ => format!("{protocol}://{host}"),
    };
    let grant = HostGrant::from_url(&url)?;
    Some((url, grant))
}

/// The secrets of a connection config, by key name, at any depth: exactly what `without_secrets`
/// removes from the plugin's copy. When a name occurs more than once, the shallowest wins (a
/// top-level `password` over `authType.password`), then the first in key order.
pub fn secrets_in(config: &Json) -> BTreeMap<String, Secret> {
    let mut found = BTreeMap::new();
    let mut level = vec![config];
    while !level.is_empty() {
        let mut next = Vec::new();
        for value in level {
            match value {
                Json::Object(map) => {
                    for (key, value) in map {
                        if is_secret_key(key)
                            && let Some(text) = value.as_str()
                        {
                            found
                                .entry(key.clone())
                                .or_insert_with(|| Secret::new(text));
                        }
                        next.push(value);
                    }
                }
                Json::Array(items) => next.extend(items),
                _ => {}
            }
        }
        level = next;
    }
    found
}

// ---- the Store's side ----

/// What a Store holds for wasi:http: the crate's context and the hooks that apply the grants.
pub struct HttpState {
    ctx: WasiHttpCtx,
    hooks: Hooks,
}

impl HttpState {
    pub fn new(plugin: Arc<str>, grants: Arc<Grants>, call_timeout: Duration) -> Self {
        Self {
            ctx: WasiHttpCtx::new(),
            hooks: Hooks(Arc::new(Policy {
                plugin,
                grants,
                call_timeout,
            })),
        }
    }

    /// For `WasiHttpView::http`: the table is the Store's one, shared with the rest of WASI.
    pub fn view<'a>(&'a mut self, table: &'a mut ResourceTable) -> WasiHttpCtxView<'a> {
        WasiHttpCtxView {
            ctx: &mut self.ctx,
            table,
            hooks: &mut self.hooks,
        }
    }
}

struct Hooks(Arc<Policy>);

pub(super) type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;

impl WasiHttpHooks for Hooks {
    fn is_supported_scheme(&mut self, scheme: &Scheme) -> bool {
        let supported = *scheme == Scheme::HTTP || *scheme == Scheme::HTTPS;
        if !supported {
            tracing::warn!(
                "{}: denied HTTP request: scheme `{scheme}` is not http or https",
                self.0.plugin
            );
        }
        supported
    }

    fn send_request(
        &mut self,
        request: Request<WasiBody>,
        options: Option<RequestOptions>,
        // Reports errors of the guest's response processing; nothing here needs them.
        _: IoFuture,
    ) -> Box<dyn Future<Output = Result<(Response<WasiBody>, IoFuture), Error>> + Send> {
        Box::new(self.0.clone().send(request, options))
    }
}
