//! One request over wasi:http (the `wasip2` crate's bindings), blocking: a connector's instance is
//! single-threaded and its calls are synchronous, so an async runtime would only add weight.

use std::time::Duration;

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingBody, Method as WasiMethod, OutgoingBody, OutgoingRequest,
    RequestOptions, Scheme,
};
use wasip2::io::streams::StreamError;

use super::target::Target;
use super::{HttpError, Method, Response};

/// wasi:io's limit for one `blocking-write-and-flush`.
const WRITE_CHUNK: usize = 4096;
const READ_CHUNK: u64 = 64 * 1024;

pub(super) fn send(
    method: Method,
    target: &Target,
    headers: &[(String, String)],
    body: Option<&[u8]>,
    timeout: Option<Duration>,
) -> Result<Response, HttpError> {
    let invalid = |what: &str| HttpError::InvalidRequest(format!("{what} refused by wasi:http"));
    let entries: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.as_bytes().to_vec()))
        .collect();
    let fields = Fields::from_list(&entries)
        .map_err(|e| HttpError::InvalidRequest(format!("headers: {e:?}")))?;
    let request = OutgoingRequest::new(fields);
    request
        .set_method(&wasi_method(method))
        .map_err(|()| invalid("method"))?;
    let scheme = if target.https {
        Scheme::Https
    } else {
        Scheme::Http
    };
    request
        .set_scheme(Some(&scheme))
        .map_err(|()| invalid("scheme"))?;
    request
        .set_authority(Some(&target.authority))
        .map_err(|()| invalid("host"))?;
    request
        .set_path_with_query(Some(&target.path_and_query))
        .map_err(|()| invalid("path"))?;
    let options = timeout.map(|t| {
        let nanos = u64::try_from(t.as_nanos()).unwrap_or(u64::MAX);
        let o = RequestOptions::new();
        // Each may be unsupported by a host; the request still goes, with the host's defaults.
        let _ = o.set_connect_timeout(Some(nanos));
        let _ = o.set_first_byte_timeout(Some(nanos));
        let _ = o.set_between_bytes_timeout(Some(nanos));
        o
    });
    // A body is opened only when there is one: a GET without a body stays a plain GET.
    let outgoing = match body {
        Some(_) => Some(request.body().map_err(|()| invalid("body"))?),
        None => None,
    };

    let destination = target.destination();
    let failed = |code: ErrorCode| classify(code, &destination);
    let future = outgoing_handler::handle(request, options).map_err(failed)?;
    if let (Some(outgoing), Some(bytes)) = (outgoing, body)
        && let Err(write_error) = write_body(outgoing, bytes, &destination)
    {
        // A request the host refuses has its body closed under the writer: the response's
        // error says why (a denied host must not look like a lost connection, worth retrying).
        future.subscribe().block();
        return Err(match future.get() {
            Some(Ok(Err(code))) => failed(code),
            _ => write_error,
        });
    }
    future.subscribe().block();
    let response = future
        .get()
        .ok_or_else(|| connection(&destination, "no response after waiting"))?
        .map_err(|()| connection(&destination, "response taken twice"))?
        .map_err(failed)?;

    let status = response.status();
    let headers = {
        let fields = response.headers();
        fields
            .entries()
            .into_iter()
            .map(|(n, v)| {
                (
                    n.to_ascii_lowercase(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect()
    };
    let incoming = response
        .consume()
        .map_err(|()| HttpError::Body("the body was already taken".into()))?;
    let body = read_body(&incoming, &destination)?;
    // Trailers are not used; finishing releases the body.
    drop(IncomingBody::finish(incoming));
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn write_body(outgoing: OutgoingBody, bytes: &[u8], destination: &str) -> Result<(), HttpError> {
    {
        // The stream is the body's child: it must be gone before the body is finished.
        let stream = outgoing
            .write()
            .map_err(|()| HttpError::InvalidRequest("the request body was already taken".into()))?;
        for chunk in bytes.chunks(WRITE_CHUNK) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| stream_error(e, destination))?;
        }
    }
    OutgoingBody::finish(outgoing, None).map_err(|code| classify(code, destination))
}

fn read_body(incoming: &IncomingBody, destination: &str) -> Result<Vec<u8>, HttpError> {
    let stream = incoming
        .stream()
        .map_err(|()| HttpError::Body("the body stream was already taken".into()))?;
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(READ_CHUNK) {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(StreamError::Closed) => return Ok(body),
            Err(e) => return Err(stream_error(e, destination)),
        }
    }
}

fn stream_error(e: StreamError, destination: &str) -> HttpError {
    match e {
        StreamError::Closed => connection(destination, "the connection closed"),
        StreamError::LastOperationFailed(io) => match wasip2::http::types::http_error_code(&io) {
            Some(code) => classify(code, destination),
            None => connection(destination, &io.to_debug_string()),
        },
    }
}

/// Sorts a wasi:http error code into what a connector can act on.
fn classify(code: ErrorCode, destination: &str) -> HttpError {
    match code {
        // What the host answers for a destination the config does not grant.
        ErrorCode::HttpRequestDenied | ErrorCode::DestinationIpProhibited => HttpError::Denied {
            destination: destination.to_owned(),
        },
        ErrorCode::HttpRequestUriInvalid | ErrorCode::HttpRequestMethodInvalid => {
            HttpError::InvalidRequest(format!("{code:?} for {destination}"))
        }
        ErrorCode::HttpResponseBodySize(_)
        | ErrorCode::HttpResponseIncomplete
        | ErrorCode::HttpResponseContentCoding(_) => {
            HttpError::Body(format!("{code:?} from {destination}"))
        }
        other => connection(destination, &format!("{other:?}")),
    }
}

fn connection(destination: &str, code: &str) -> HttpError {
    HttpError::Connection {
        destination: destination.to_owned(),
        code: code.to_owned(),
    }
}

fn wasi_method(method: Method) -> WasiMethod {
    match method {
        Method::Get => WasiMethod::Get,
        Method::Post => WasiMethod::Post,
        Method::Put => WasiMethod::Put,
        Method::Patch => WasiMethod::Patch,
        Method::Delete => WasiMethod::Delete,
        Method::Head => WasiMethod::Head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_sorted_for_connectors() {
        let to = "http://127.0.0.2:80";
        for denied in [
            ErrorCode::HttpRequestDenied,
            ErrorCode::DestinationIpProhibited,
        ] {
            assert_eq!(
                classify(denied, to),
                HttpError::Denied {
                    destination: to.into()
                }
            );
        }
        let refused = classify(ErrorCode::ConnectionRefused, to);
        assert!(refused.is_transient(), "{refused:?}");
        assert!(
            refused.to_string().contains("ConnectionRefused"),
            "{refused}"
        );
        assert!(matches!(
            classify(ErrorCode::HttpResponseBodySize(Some(1 << 30)), to),
            HttpError::Body(_)
        ));
        assert!(matches!(
            classify(ErrorCode::HttpRequestUriInvalid, to),
            HttpError::InvalidRequest(_)
        ));
    }
}
