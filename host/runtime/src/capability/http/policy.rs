//! Where every request goes: `Policy::send` checks the grant, fills in secrets, resolves and
//! vets the addresses, connects and bounds the bodies.

use super::Grants;
use super::addresses::vet_addresses;
use super::bounded::Bounded;
use super::placeholders::{Placement, basic_credentials, substitute};
use super::{DEFAULT_TIMEOUT, Destination, IoFuture, REQUEST_BODY_LIMIT, RESPONSE_BODY_LIMIT};
use http::uri::PathAndQuery;
use http::{HeaderValue, Request, Response, Uri};
use http_body_util::BodyExt;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// The plugin's grants and secrets, shared by the requests in flight.
pub(super) struct Policy {
    pub(super) plugin: Arc<str>,
    pub(super) grants: Arc<Grants>,
    pub(super) call_timeout: Duration,
}

impl Policy {
    pub(super) async fn send(
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
        let mut request = self.fill_body_secrets(request, &to).await?;
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
            let filled = match name == http::header::AUTHORIZATION {
                true => basic_credentials(text, secrets).transpose(),
                false => None,
            };
            let filled = filled
                .map_or_else(
                    || substitute(text, secrets, Placement::Header),
                    |f| f.map(Some),
                )
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

    /// Fills the placeholders of a JSON or form body (a login's password, say), which is read
    /// whole for it; any other body goes as it is. A placeholder in a JSON body is escaped as a
    /// JSON string's content, in a form body percent-encoded.
    async fn fill_body_secrets(
        &self,
        request: Request<WasiBody>,
        to: &Destination,
    ) -> Result<Request<WasiBody>, Error> {
        let content_type = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        let placement = match content_type.as_deref() {
            Some(t) if t == "application/json" || t.ends_with("+json") => Placement::Json,
            Some("application/x-www-form-urlencoded") => Placement::Url,
            _ => return Ok(request),
        };
        let (mut parts, body) = request.into_parts();
        let bytes = http_body_util::Limited::new(body, REQUEST_BODY_LIMIT as usize)
            .collect()
            .await
            .map_err(|_| {
                self.over_limit("request body to", to, REQUEST_BODY_LIMIT);
                Error::HttpRequestBodySize(None)
            })?
            .to_bytes();
        let filled = match std::str::from_utf8(&bytes) {
            Ok(text) => substitute(text, &self.grants.secrets, placement).map_err(|e| {
                tracing::warn!(
                    "{}: denied HTTP request to {}: its body: {e}",
                    self.plugin,
                    to.shown
                );
                Error::HttpRequestDenied
            })?,
            Err(_) => None,
        };
        let body = match filled {
            Some(text) => {
                parts
                    .headers
                    .insert(http::header::CONTENT_LENGTH, text.len().into());
                bytes::Bytes::from(text)
            }
            None => bytes,
        };
        let body = http_body_util::Full::new(body)
            .map_err(|never| match never {})
            .boxed_unsync();
        Ok(Request::from_parts(parts, body))
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
pub(super) fn tls_config() -> Arc<rustls::ClientConfig> {
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
