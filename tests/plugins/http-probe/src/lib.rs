//! Outgoing HTTP from inside the sandbox. `serviceConnection.config.probes` lists requests
//! (`{url, headers}`); `discover` makes each one, a GET over wasi:http, and reports its outcome as
//! a database named `<index>-<outcome>`: `ok-<status>`, `denied` (the host refused it),
//! `error-<code>`, or `error-read` when reading the body failed (wasi:http gives no code then). `open` logs the service connection it was given, so a test can show that the
//! secrets are not in it.

use omrun_sdk::types::{Capability, Database, Entity, EntityRef, PluginInfo, SourceConfig};
use serde_json::Value;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{ErrorCode, Fields, Method, OutgoingRequest, Scheme};
use wasip2::io::streams::StreamError;

omrun_sdk::export_discoverable_source!(Probe);

pub struct Probe {
    probes: Vec<(String, Vec<(String, String)>)>,
}

impl omrun_sdk::DiscoverableSource for Probe {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "http-probe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["CustomDatabase".into()],
            // The host of the source's own `hostPort`.
            capabilities: vec![Capability::Http("source".into())],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        // The connector's own settings, in its connection (a `CustomDatabase` takes any).
        let connection: Value =
            serde_json::from_str(&config.service_connection).map_err(|e| e.to_string())?;
        // What the host passed, without the probes (their URLs are the test's, not the config's).
        let mut shown = connection.clone();
        if let Some(map) = shown.as_object_mut() {
            map.remove("probes");
        }
        omrun_sdk::log::info!("serviceConnection as the plugin sees it: {shown}");
        let probes = connection["probes"]
            .as_array()
            .ok_or("serviceConnection.config.probes: a list is required")?
            .iter()
            .map(|p| {
                let url = p["url"].as_str().unwrap_or_default().to_owned();
                let headers = p["headers"]
                    .as_object()
                    .map(|h| {
                        h.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                            .collect()
                    })
                    .unwrap_or_default();
                (url, headers)
            })
            .collect();
        Ok(Probe { probes })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        Ok(self
            .probes
            .iter()
            .enumerate()
            .map(|(i, (url, headers))| {
                let outcome = match get(url, headers) {
                    Ok(status) => format!("ok-{status}"),
                    Err(Failure::Code(
                        ErrorCode::HttpRequestDenied | ErrorCode::DestinationIpProhibited,
                    )) => "denied".into(),
                    Err(Failure::Code(code)) => format!("error-{}", slug(&format!("{code:?}"))),
                    Err(Failure::Other(what)) => format!("error-{what}"),
                };
                EntityRef::database(format!("{i}-{outcome}"))
            })
            .collect())
    }

    fn process(&mut self, batch: Vec<EntityRef>) -> Vec<Result<Vec<Entity>, String>> {
        batch
            .into_iter()
            .map(|r| {
                Ok(vec![Entity::Database(Database {
                    name: r.path.join("."),
                    description: None,
                    source_url: None,
                })])
            })
            .collect()
    }
}

enum Failure {
    Code(ErrorCode),
    Other(&'static str),
}

/// `HttpResponseBodySize(Some(67108864))` → `httpresponsebodysize`.
fn slug(debug: &str) -> String {
    debug
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A GET of `url`, its body read to the end; the status.
fn get(url: &str, headers: &[(String, String)]) -> Result<u16, Failure> {
    let (scheme, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (Scheme::Https, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (Scheme::Http, rest)
    } else {
        return Err(Failure::Other("url"));
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let entries: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|(k, v)| (k.clone(), v.as_bytes().to_vec()))
        .collect();
    let fields = Fields::from_list(&entries).map_err(|_| Failure::Other("headers"))?;
    let request = OutgoingRequest::new(fields);
    let set = request.set_method(&Method::Get).is_ok()
        && request.set_scheme(Some(&scheme)).is_ok()
        && request.set_authority(Some(authority)).is_ok()
        && request.set_path_with_query(Some(path)).is_ok();
    if !set {
        return Err(Failure::Other("request"));
    }
    let future = outgoing_handler::handle(request, None).map_err(Failure::Code)?;
    future.subscribe().block();
    let response = future
        .get()
        .ok_or(Failure::Other("pending"))?
        .map_err(|()| Failure::Other("taken"))?
        .map_err(Failure::Code)?;
    let status = response.status();
    let body = response.consume().map_err(|()| Failure::Other("body"))?;
    let stream = body.stream().map_err(|()| Failure::Other("body"))?;
    loop {
        match stream.blocking_read(1 << 16) {
            Ok(_) => {}
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(match wasip2::http::types::http_error_code(&e) {
                    Some(code) => Failure::Code(code),
                    None => Failure::Other("read"),
                });
            }
        }
    }
    Ok(status)
}
