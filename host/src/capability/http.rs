//! The `http` capability: outgoing HTTP over standard wasi:http (wasmtime-wasi-http's p2 host), to
//! the hosts the config grants and nowhere else.
//!
//! Every request a plugin makes reaches [`Policy::send`], the `WasiHttpHooks::send_request`
//! override, which
//! - lets it through only when its authority is granted (`Grants::http`: the source's `hostPort`);
//! - fills in the secrets it names with `__OMRUN_SECRET_<key>__` placeholders (the plugin never
//!   sees them: `without_secrets` removed them from its config);
//! - resolves the name itself and refuses loopback, link-local and cloud-metadata addresses unless
//!   the grant names that address (or `localhost`) literally, then connects to exactly the
//!   addresses it checked, so a second DNS answer cannot slip past;
//! - bounds the request and response bodies and the waits.
//!
//! A refused request reaches the plugin as a bare wasi:http error code; the reason is logged here,
//! naming the plugin and the destination (`host[:port]`) but never the path or query, which may
//! carry secrets.

use super::Grants;
use crate::config::{Secret, is_secret_key};
use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderValue, Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi_http::io::TokioIo;
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

type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;

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

/// The plugin's grants and secrets, shared by the requests in flight.
struct Policy {
    plugin: Arc<str>,
    grants: Arc<Grants>,
    call_timeout: Duration,
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

impl Policy {
    async fn send(
        self: Arc<Self>,
        mut request: Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<(Response<WasiBody>, IoFuture), Error> {
        let Some(to) = Destination::of(request.uri()) else {
            tracing::warn!(
                "{}: denied HTTP request: no http(s) scheme and host",
                self.plugin
            );
            return Err(Error::HttpRequestUriInvalid);
        };
        if !self.grants.http.values().any(|grant| grant.allows(&to)) {
            tracing::warn!(
                "{}: denied HTTP request to {}: not granted by the config",
                self.plugin,
                to.shown
            );
            return Err(Error::HttpRequestDenied);
        }
        // Only now, for a granted host, do secrets go into the request.
        self.fill_secrets(&mut request, &to)?;
        if let Some(length) = content_length(request.headers())
            && length > REQUEST_BODY_LIMIT
        {
            self.over_limit("request body to", &to, REQUEST_BODY_LIMIT);
            return Err(Error::HttpRequestBodySize(Some(length)));
        }

        let wait = |asked: Option<Duration>| {
            asked
                .unwrap_or(DEFAULT_TIMEOUT)
                .min(self.call_timeout)
                .max(Duration::from_millis(1))
        };
        let options = options.unwrap_or_default();
        let connect_timeout = wait(options.connect_timeout);
        let first_byte_timeout = wait(options.first_byte_timeout);
        let between_bytes_timeout = wait(options.between_bytes_timeout);

        let stream = tokio::time::timeout(connect_timeout, self.connect(&to))
            .await
            .map_err(|_| Error::ConnectionTimeout)??;
        let (mut sender, conn) = tokio::time::timeout(
            connect_timeout,
            hyper::client::conn::http1::handshake(TokioIo::new(stream)),
        )
        .await
        .map_err(|_| Error::ConnectionTimeout)??;
        let mut conn = Box::pin(conn);

        // The request line carries the path only: scheme and authority are for proxies.
        let path = request
            .uri()
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        *request.uri_mut() = Uri::from(path);
        let limit_message = self.limit_message("request body to", &to, REQUEST_BODY_LIMIT);
        let request = request.map(|body| {
            Bounded::new(body, REQUEST_BODY_LIMIT, Error::HttpRequestBodySize, None)
                .logging(limit_message)
        });

        // The connection must be driven while the response is awaited; it keeps running after,
        // for the body, as the returned I/O future (which wasi:http polls).
        let response = tokio::time::timeout(first_byte_timeout, async {
            let mut response = std::pin::pin!(sender.send_request(request));
            let early = tokio::select! {
                biased;
                answer = &mut response => Some(answer),
                closed = &mut conn => {
                    closed?;
                    None
                }
            };
            // A connection that ended first has settled the request either way.
            match early {
                Some(answer) => answer.map_err(Error::from),
                None => response.await.map_err(Error::from),
            }
        })
        .await
        .map_err(|_| Error::ConnectionReadTimeout)??;

        if let Some(length) = content_length(response.headers())
            && length > RESPONSE_BODY_LIMIT
        {
            self.over_limit("response body from", &to, RESPONSE_BODY_LIMIT);
            return Err(Error::HttpResponseBodySize(Some(length)));
        }
        let limit_message = self.limit_message("response body from", &to, RESPONSE_BODY_LIMIT);
        let response = response.map(|body| {
            Bounded::new(
                body,
                RESPONSE_BODY_LIMIT,
                Error::HttpResponseBodySize,
                Some(between_bytes_timeout),
            )
            .logging(limit_message)
            .boxed_unsync()
        });
        let io: IoFuture = Box::new(async move { conn.await.map_err(Error::from) });
        Ok((response, io))
    }

    /// Replaces each `__OMRUN_SECRET_<key>__` in the path, query and header values with the
    /// secret: percent-encoded in the URL, as is in a header (marked sensitive). A placeholder
    /// naming no secret refuses the request: sending it literally would only fail later, less
    /// clearly.
    fn fill_secrets(&self, request: &mut Request<WasiBody>, to: &Destination) -> Result<(), Error> {
        let secrets = &self.grants.secrets;
        let refuse = |why: String| {
            tracing::warn!(
                "{}: denied HTTP request to {}: {why}",
                self.plugin,
                to.shown
            );
            Error::HttpRequestDenied
        };
        if let Some(path) = request.uri().path_and_query() {
            let filled = substitute(path.as_str(), secrets, Placement::Url)
                .map_err(|e| refuse(e.to_string()))?;
            if let Some(filled) = filled {
                let mut parts = request.uri().clone().into_parts();
                parts.path_and_query =
                    Some(PathAndQuery::try_from(filled).map_err(|_| {
                        refuse("the URL is invalid once its secrets are in".into())
                    })?);
                *request.uri_mut() = Uri::from_parts(parts)
                    .map_err(|_| refuse("the URL is invalid once its secrets are in".into()))?;
            }
        }
        for (name, value) in request.headers_mut().iter_mut() {
            // UTF-8 rather than `to_str`'s visible ASCII: a value may hold other text too.
            let Ok(text) = std::str::from_utf8(value.as_bytes()) else {
                continue;
            };
            let filled = substitute(text, secrets, Placement::Header)
                .map_err(|e| refuse(format!("header `{name}`: {e}")))?;
            if let Some(filled) = filled {
                let mut filled = HeaderValue::from_bytes(filled.as_bytes()).map_err(|_| {
                    refuse(format!(
                        "header `{name}`: a secret in it holds characters a header cannot carry"
                    ))
                })?;
                filled.set_sensitive(true);
                *value = filled;
            }
        }
        Ok(())
    }

    /// Resolves the destination, checks every address, and connects to those addresses, over
    /// TLS for https.
    async fn connect(&self, to: &Destination) -> Result<Box<dyn Stream>, Error> {
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((to.host.as_str(), to.port))
            .await
            .map_err(|e| Error::DnsError {
                rcode: Some(e.to_string()),
                info_code: None,
            })?
            .collect();
        if addrs.is_empty() {
            return Err(Error::DestinationNotFound);
        }
        if let Err((ip, what)) = vet_addresses(&to.host, &addrs) {
            tracing::warn!(
                "{}: denied HTTP request to {}: it resolves to {ip}, {what}, which only a grant \
                 naming that address literally may reach",
                self.plugin,
                to.shown
            );
            return Err(Error::DestinationIpProhibited);
        }
        let tcp = TcpStream::connect(&addrs[..]).await.map_err(|e| {
            tracing::warn!(
                "{}: HTTP request to {} failed: cannot connect: {e}",
                self.plugin,
                to.shown
            );
            match e.kind() {
                std::io::ErrorKind::ConnectionRefused => Error::ConnectionRefused,
                std::io::ErrorKind::TimedOut => Error::ConnectionTimeout,
                _ => Error::DestinationUnavailable,
            }
        })?;
        if !to.tls {
            return Ok(Box::new(tcp));
        }
        let name = rustls::pki_types::ServerName::try_from(to.host.clone())
            .map_err(|_| Error::HttpRequestUriInvalid)?;
        let tls = tokio_rustls::TlsConnector::from(tls_config())
            .connect(name, tcp)
            .await
            .map_err(|e| {
                tracing::warn!(
                    "{}: HTTP request to {} failed: TLS: {e}",
                    self.plugin,
                    to.shown
                );
                let certificate = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                    .is_some_and(|e| matches!(e, rustls::Error::InvalidCertificate(_)));
                if certificate {
                    Error::TlsCertificateError
                } else {
                    Error::TlsProtocolError
                }
            })?;
        Ok(Box::new(tls))
    }

    fn limit_message(&self, what: &str, to: &Destination, limit: u64) -> String {
        format!(
            "{}: HTTP {what} {} exceeds the {} MiB limit; stopped",
            self.plugin,
            to.shown,
            limit >> 20
        )
    }

    fn over_limit(&self, what: &str, to: &Destination, limit: u64) {
        tracing::warn!("{}", self.limit_message(what, to, limit));
    }
}

fn content_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Mozilla's roots (webpki-roots) with the aws-lc-rs provider the rest of the host uses; HTTP/1.1.
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("aws-lc-rs supports the default TLS versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Arc::new(config)
        })
        .clone()
}

trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

// ---- addresses ----

/// Why an address is off limits to a grant that does not name it: it reaches this machine, its
/// link, or the cloud provider's instance metadata (credentials).
fn reserved(ip: IpAddr) -> Option<&'static str> {
    const METADATA_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);
    const METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    match ip.to_canonical() {
        IpAddr::V4(v4) if v4 == METADATA_V4 => Some("the cloud metadata address"),
        IpAddr::V4(v4) if v4.is_loopback() => Some("a loopback address"),
        IpAddr::V4(v4) if v4.is_link_local() => Some("a link-local address"),
        // 0.0.0.0/8: connecting to it reaches this machine.
        IpAddr::V4(v4) if v4.octets()[0] == 0 => Some("an unspecified address"),
        IpAddr::V6(v6) if v6 == METADATA_V6 => Some("the cloud metadata address"),
        IpAddr::V6(v6) if v6.is_loopback() => Some("a loopback address"),
        IpAddr::V6(v6) if v6.is_unspecified() => Some("an unspecified address"),
        IpAddr::V6(v6) if v6.is_unicast_link_local() => Some("a link-local address"),
        _ => None,
    }
}

/// The re-check after DNS: a grant naming an IP address was granted that address; `localhost`
/// was granted loopback; any other name must not resolve to a reserved address. `host` is the
/// granted host (the request's host matched it).
fn vet_addresses(host: &str, addrs: &[SocketAddr]) -> Result<(), (IpAddr, &'static str)> {
    if host.parse::<IpAddr>().is_ok() {
        return Ok(());
    }
    for addr in addrs {
        let ip = addr.ip();
        match reserved(ip) {
            Some(_) if host == "localhost" && ip.to_canonical().is_loopback() => {}
            Some(what) => return Err((ip, what)),
            None => {}
        }
    }
    Ok(())
}

// ---- secret placeholders ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Percent-encoded: the value cannot change the URL's structure.
    Url,
    /// As is.
    Header,
}

#[derive(Debug, PartialEq, Eq)]
enum PlaceholderError {
    Unknown(String),
    Malformed,
}

impl std::fmt::Display for PlaceholderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlaceholderError::Unknown(key) => write!(
                f,
                "placeholder {PLACEHOLDER_PREFIX}{key}{PLACEHOLDER_SUFFIX} names no secret of \
                 source.serviceConnection.config"
            ),
            PlaceholderError::Malformed => write!(
                f,
                "a placeholder is not of the form {PLACEHOLDER_PREFIX}<key>{PLACEHOLDER_SUFFIX}"
            ),
        }
    }
}

/// `text` with its placeholders replaced, or `None` when it has none.
fn substitute(
    text: &str,
    secrets: &BTreeMap<String, Secret>,
    placement: Placement,
) -> Result<Option<String>, PlaceholderError> {
    if !text.contains(PLACEHOLDER_PREFIX) {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(PLACEHOLDER_PREFIX) {
        out.push_str(&rest[..start]);
        let after = &rest[start + PLACEHOLDER_PREFIX.len()..];
        let end = after
            .find(PLACEHOLDER_SUFFIX)
            .ok_or(PlaceholderError::Malformed)?;
        let key = &after[..end];
        let key_chars = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if key.is_empty() || !key.chars().all(key_chars) {
            return Err(PlaceholderError::Malformed);
        }
        let secret = secrets
            .get(key)
            .ok_or_else(|| PlaceholderError::Unknown(key.to_owned()))?;
        match placement {
            Placement::Url => out.push_str(&percent_encode(secret.expose())),
            Placement::Header => out.push_str(secret.expose()),
        }
        rest = &after[end + PLACEHOLDER_SUFFIX.len()..];
    }
    out.push_str(rest);
    Ok(Some(out))
}

/// Every byte but RFC 3986's unreserved characters as `%XX`.
fn percent_encode(value: &str) -> Cow<'_, str> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if value.bytes().all(unreserved) {
        return value.into();
    }
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if unreserved(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.into()
}

// ---- bounded bodies ----

/// A body cut off past `limit` bytes with `too_big`, and, with `idle`, after that long without a
/// chunk.
struct Bounded<B> {
    inner: B,
    seen: u64,
    limit: u64,
    too_big: fn(Option<u64>) -> Error,
    idle: Option<(Duration, Pin<Box<Sleep>>)>,
    /// Logged when the limit is hit: the guest only sees the error code.
    message: String,
}

impl<B> Bounded<B> {
    fn new(
        inner: B,
        limit: u64,
        too_big: fn(Option<u64>) -> Error,
        idle: Option<Duration>,
    ) -> Self {
        Self {
            inner,
            seen: 0,
            limit,
            too_big,
            idle: idle.map(|d| (d, Box::pin(tokio::time::sleep(d)))),
            message: String::new(),
        }
    }

    fn logging(mut self, message: String) -> Self {
        self.message = message;
        self
    }
}

impl<B> Body for Bounded<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Error>,
{
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.seen += data.len() as u64;
                    if this.seen > this.limit {
                        tracing::warn!("{}", this.message);
                        return Poll::Ready(Some(Err((this.too_big)(Some(this.limit)))));
                    }
                }
                if let Some((idle, sleep)) = &mut this.idle {
                    sleep.as_mut().reset(Instant::now() + *idle);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if let Some((_, sleep)) = &mut this.idle
                    && sleep.as_mut().poll(cx).is_ready()
                {
                    return Poll::Ready(Some(Err(Error::ConnectionReadTimeout)));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn to(url: &str) -> Destination {
        Destination::of(&url.parse().unwrap()).unwrap()
    }

    fn grant(authority: &str) -> HostGrant {
        HostGrant::parse(authority).unwrap()
    }

    #[test]
    fn a_grant_without_port_allows_the_default_ports_only() {
        let looker = HostGrant::from_url("https://Company.Looker.com").unwrap();
        assert_eq!(looker.to_string(), "company.looker.com");
        assert!(looker.allows(&to("https://company.looker.com/api/4.0/login")));
        assert!(looker.allows(&to("https://company.looker.com:443/")));
        assert!(looker.allows(&to("http://COMPANY.looker.com/")));
        assert!(!looker.allows(&to("https://company.looker.com:19999/")));
        assert!(!looker.allows(&to("http://company.looker.com:443/")));
        assert!(!looker.allows(&to("https://other.looker.com/")));
        assert!(!looker.allows(&to("https://company.looker.com.evil.example/")));
        // User info does not change where the request goes.
        assert!(looker.allows(&to("https://x@company.looker.com/")));
        assert_eq!(
            to("https://x:y@company.looker.com/").shown,
            "company.looker.com"
        );
    }

    #[test]
    fn a_grant_with_a_port_allows_that_port_only() {
        let local = HostGrant::from_url("http://127.0.0.1:8080/api").unwrap();
        assert_eq!(local, grant("127.0.0.1:8080"));
        assert!(local.allows(&to("http://127.0.0.1:8080/x?y=1")));
        assert!(!local.allows(&to("http://127.0.0.1:8081/")));
        assert!(!local.allows(&to("http://127.0.0.1/")));
        assert!(!local.allows(&to("http://localhost:8080/")));
        let https = grant("looker.example:443");
        assert!(https.allows(&to("https://looker.example/")));
        let v6 = HostGrant::from_url("http://[::1]:9000").unwrap();
        assert_eq!(v6.to_string(), "[::1]:9000");
        assert!(v6.allows(&to("http://[::1]:9000/")));
        assert_eq!(to("http://[::1]:9000/").shown, "[::1]:9000");
    }

    #[test]
    fn only_http_urls_are_grants() {
        assert_eq!(HostGrant::from_url("localhost:5432"), None);
        assert_eq!(HostGrant::from_url("/var/db.sqlite"), None);
        assert_eq!(HostGrant::from_url("ftp://files.example"), None);
        assert!(Destination::of(&"ftp://files.example/".parse().unwrap()).is_none());
    }

    fn at(ip: &str) -> Vec<SocketAddr> {
        vec![SocketAddr::new(ip.parse().unwrap(), 80)]
    }

    #[test]
    fn addresses_are_classified() {
        let class = |ip: &str| reserved(ip.parse().unwrap());
        assert_eq!(class("169.254.169.254"), Some("the cloud metadata address"));
        assert_eq!(class("fd00:ec2::254"), Some("the cloud metadata address"));
        assert_eq!(class("127.0.0.1"), Some("a loopback address"));
        assert_eq!(class("127.9.9.9"), Some("a loopback address"));
        assert_eq!(class("::1"), Some("a loopback address"));
        assert_eq!(class("::ffff:127.0.0.1"), Some("a loopback address"));
        assert_eq!(class("169.254.1.2"), Some("a link-local address"));
        assert_eq!(class("fe80::1"), Some("a link-local address"));
        assert_eq!(class("febf::1"), Some("a link-local address"));
        assert_eq!(class("0.0.0.0"), Some("an unspecified address"));
        assert_eq!(class("::"), Some("an unspecified address"));
        for public in [
            "8.8.8.8",
            "10.1.2.3",
            "192.168.0.1",
            "2001:db8::1",
            "fec0::1",
        ] {
            assert_eq!(class(public), None, "{public}");
        }
    }

    #[test]
    fn a_granted_name_may_not_resolve_to_a_reserved_address() {
        assert_eq!(
            vet_addresses("looker.example", &at("127.0.0.1")),
            Err(("127.0.0.1".parse().unwrap(), "a loopback address"))
        );
        let mixed = [at("93.184.216.34"), at("169.254.169.254")].concat();
        assert_eq!(
            vet_addresses("looker.example", &mixed),
            Err((
                "169.254.169.254".parse().unwrap(),
                "the cloud metadata address"
            ))
        );
        assert_eq!(
            vet_addresses("looker.example", &at("93.184.216.34")),
            Ok(())
        );
        // What the grant names literally is granted.
        assert_eq!(vet_addresses("127.0.0.1", &at("127.0.0.1")), Ok(()));
        assert_eq!(
            vet_addresses("169.254.169.254", &at("169.254.169.254")),
            Ok(())
        );
        assert_eq!(vet_addresses("::1", &at("::1")), Ok(()));
        assert_eq!(vet_addresses("localhost", &at("127.0.0.1")), Ok(()));
        assert_eq!(vet_addresses("localhost", &at("::1")), Ok(()));
        assert!(vet_addresses("localhost", &at("169.254.169.254")).is_err());
        // Other spellings of an address are names to Rust, and resolve to the address.
        assert!(vet_addresses("127.1", &at("127.0.0.1")).is_err());
    }

    #[test]
    fn tls_config_builds_with_the_hosts_provider() {
        let config = tls_config();
        assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
        assert!(Arc::ptr_eq(&config, &tls_config()), "built once");
    }

    fn secrets() -> BTreeMap<String, Secret> {
        secrets_in(&json!({
            "type": "Looker", "clientId": "id", "clientSecret": "s3cr&t/+ü =",
            "hostPort": "https://company.looker.com",
            "gitCredentials": {"token": "gh"}, "password": "top",
            "authType": {"password": "nested"}
        }))
    }

    #[test]
    fn secrets_are_found_at_any_depth_shallowest_first() {
        let found = secrets();
        let keys: Vec<&str> = found.keys().map(String::as_str).collect();
        assert_eq!(keys, ["clientSecret", "password", "token"]);
        assert_eq!(found["password"].expose(), "top");
        assert_eq!(found["token"].expose(), "gh");
    }

    #[test]
    fn placeholders_are_filled_encoded_in_urls_and_raw_in_headers() {
        let s = secrets();
        assert_eq!(
            substitute("/api/4.0/login", &s, Placement::Url),
            Ok(None),
            "nothing to fill"
        );
        assert_eq!(
            substitute(
                "/login?client_id=x&client_secret=__OMRUN_SECRET_clientSecret__",
                &s,
                Placement::Url
            ),
            Ok(Some(
                "/login?client_id=x&client_secret=s3cr%26t%2F%2B%C3%BC%20%3D".into()
            ))
        );
        assert_eq!(
            substitute(
                "token __OMRUN_SECRET_token__:__OMRUN_SECRET_password__",
                &s,
                Placement::Header
            ),
            Ok(Some("token gh:top".into()))
        );
    }

    #[test]
    fn unknown_or_malformed_placeholders_are_refused() {
        let s = secrets();
        let unknown = substitute("Bearer __OMRUN_SECRET_apiKey__", &s, Placement::Header);
        assert_eq!(unknown, Err(PlaceholderError::Unknown("apiKey".into())));
        assert_eq!(
            unknown.unwrap_err().to_string(),
            "placeholder __OMRUN_SECRET_apiKey__ names no secret of source.serviceConnection.config"
        );
        // Not a secret: the plugin has it already, and it is no placeholder's business.
        assert_eq!(
            substitute("__OMRUN_SECRET_clientId__", &s, Placement::Url),
            Err(PlaceholderError::Unknown("clientId".into()))
        );
        for bad in [
            "__OMRUN_SECRET_token",
            "__OMRUN_SECRET___",
            "__OMRUN_SECRET_a b__",
        ] {
            assert_eq!(
                substitute(bad, &s, Placement::Header),
                Err(PlaceholderError::Malformed),
                "{bad}"
            );
        }
    }
}
