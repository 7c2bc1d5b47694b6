//! The parts of URIs the connector compares and shows: an http(s) URL's host and port, and a
//! URI's scheme (all of a URI an error shows when the rest may hold a password).

/// Where an http(s) URL points: host and port, as compared (lower case, the scheme's default
/// port filled in) and as shown (no user info).
#[derive(Debug)]
pub struct Authority {
    host: String,
    port: u16,
    /// `host[:port]` as written, without user info.
    pub shown: String,
}

impl Authority {
    /// The same host and port.
    pub fn same_server(&self, other: &Authority) -> bool {
        self.host == other.host && self.port == other.port
    }

    /// The port it is reached on (the scheme's default when the URL names none).
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// The authority of an `http://` or `https://` URL; `None` for anything else.
pub fn http_authority(url: &str) -> Option<Authority> {
    let (scheme, rest) = url.split_once("://")?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    authority(rest, default_port)
}

/// The authority at the start of `rest` (what follows `scheme://`), `default_port` when it
/// names none.
pub fn authority(rest: &str, default_port: u16) -> Option<Authority> {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // User info (`user:password@`) is never shown.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.rsplit_once(':') {
        // `[::1]:5000`, or `host:5000`; a bare IPv6 `[::1]` has its colons inside brackets.
        Some((host, port)) if !port.contains(']') => (host, port.parse().ok()?),
        _ => (host_port, default_port),
    };
    if host.is_empty() {
        return None;
    }
    Some(Authority {
        host: host.to_ascii_lowercase(),
        port,
        shown: host_port.to_owned(),
    })
}

/// The scheme of a URI (what is before `:`), or `plain` when it has none: all of a URI that an
/// error may show, since the rest may hold a password.
pub fn scheme(uri: &str) -> &str {
    match uri.split_once(':') {
        Some((scheme, _))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            scheme
        }
        _ => "plain",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities() {
        let a = http_authority("HTTP://User:pw@MLflow.Example.com/x?y").unwrap();
        assert_eq!(
            (a.host.as_str(), a.port, a.shown.as_str()),
            ("mlflow.example.com", 80, "MLflow.Example.com")
        );
        let b = http_authority("https://[::1]:5000").unwrap();
        assert_eq!((b.host.as_str(), b.port), ("[::1]", 5000));
        let c = http_authority("https://[::1]").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("[::1]", 443));
        assert!(
            http_authority("https://mlflow.example.com:443")
                .unwrap()
                .same_server(&http_authority("https://MLFLOW.example.com/").unwrap())
        );
        for none in [
            "ftp://h",
            "http://",
            "http://h:port",
            "mlflow:5000",
            "/tmp/x",
        ] {
            assert!(http_authority(none).is_none(), "{none}");
        }
    }

    #[test]
    fn schemes() {
        assert_eq!(scheme("mysql+pymysql://u:p@h/db"), "mysql+pymysql");
        assert_eq!(scheme("file:///tmp"), "file");
        assert_eq!(scheme("/tmp/mlruns"), "plain");
        assert_eq!(scheme("databricks"), "plain");
        assert_eq!(scheme("a b:c"), "plain");
    }
}
