//! Is an HTTP source there at all? One DNS lookup and one TCP connection before the run starts,
//! so a host that does not resolve, refuses or does not answer stops the run at once with a
//! sentence a person can act on — instead of every request of every worker failing, retried by
//! the host and then by the plugin.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;

/// How long the probe waits for DNS and for the connection, each.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Resolves the host of `url` (an http(s) URL) and connects to it. The error says what failed in
/// plain words, naming the host and port (never the path or query).
pub async fn probe(url: &str, timeout: Duration) -> Result<(), String> {
    let uri: http::Uri = url
        .trim()
        .parse()
        .map_err(|_| format!("`{url}` is not a URL"))?;
    let host = uri.host().ok_or_else(|| format!("`{url}` has no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        });
    let shown = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let seconds = timeout.as_secs();
    let addrs: Vec<SocketAddr> =
        tokio::time::timeout(timeout, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| format!("no DNS answer for `{host}` within {seconds} s"))?
            .map_err(|_| {
                format!("`{host}` does not resolve (DNS): check the host name in hostPort")
            })?
            .collect();
    if addrs.is_empty() {
        return Err(format!("`{host}` has no address (DNS)"));
    }
    match tokio::time::timeout(timeout, TcpStream::connect(&addrs[..])).await {
        Err(_) => Err(format!(
            "{shown} does not answer: no connection within {seconds} s (a firewall, or the wrong \
             host?)"
        )),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Err(format!(
            "{shown} refused the connection: nothing listens on port {port} there"
        )),
        Ok(Err(e)) => Err(format!("cannot connect to {shown}: {e}")),
        Ok(Ok(_)) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listening_port_passes() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        probe(&format!("http://127.0.0.1:{port}/api"), PROBE_TIMEOUT)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_closed_port_is_refused_in_words() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let e = probe(&format!("https://127.0.0.1:{port}"), PROBE_TIMEOUT)
            .await
            .unwrap_err();
        assert_eq!(
            e,
            format!(
                "127.0.0.1:{port} refused the connection: nothing listens on port {port} there"
            )
        );
    }

    #[tokio::test]
    async fn a_name_that_does_not_resolve_says_dns() {
        // `.invalid` never resolves (RFC 2606).
        let e = probe("https://looker.example.invalid/path?token=x", PROBE_TIMEOUT)
            .await
            .unwrap_err();
        assert!(
            e.contains("`looker.example.invalid`") && e.contains("DNS"),
            "{e}"
        );
        assert!(!e.contains("token"), "{e}");
    }
}
