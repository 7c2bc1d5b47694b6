//! What the connector reads from OpenMetadata's `TrinoConnection` (`serviceConnection.config`)
//! beyond what `omrun-common-db` reads: where Trino is, who asks, how, and over which scheme.
//! Secrets (`authType.password`, `authType.jwt`) never arrive: the host removes them and fills
//! them in on the way out ([`omrun_sdk::http::secret`]).

use serde::Deserialize;
use serde_json::Value as Json;

/// Every config key the connector reads, as dotted paths under the workflow's `source`: its own
/// and those of `omrun-common-db` that a Trino connection has (Trino has no stored procedures,
/// and no `database`, `databaseName` or `ingestAllDatabases`: its catalogs are the databases).
pub const KEYS: &[&str] = &[
    "serviceConnection.config.hostPort",
    "serviceConnection.config.username",
    "serviceConnection.config.authType",
    "serviceConnection.config.catalog",
    "serviceConnection.config.databaseSchema",
    "serviceConnection.config.connectionArguments.http_scheme",
    "serviceConnection.config.connectionArguments.allow_insecure_auth",
    "serviceConnection.config.connectionOptions.allow_insecure_auth",
    "sourceConfig.config.databaseFilterPattern",
    "sourceConfig.config.schemaFilterPattern",
    "sourceConfig.config.tableFilterPattern",
    "sourceConfig.config.includeTables",
    "sourceConfig.config.includeViews",
    "sourceConfig.config.useFqnForFiltering",
];

/// Trino's default ports, as its Python client has them (`trino.constants`).
const DEFAULT_PORT: u16 = 8080;
const DEFAULT_TLS_PORT: u16 = 443;

/// How requests prove who sends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No `authType`: `X-Trino-User` alone, as an unsecured Trino takes it.
    None,
    /// `authType` is set, with its secret removed: `basicAuth` (`password`) or `jwtAuth` (`jwt`)
    /// look alike from here, so the client tries the password first and the token when the host
    /// says the config has no password ([`crate::client`]).
    Secret,
}

/// The connection, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// `http://host:port` or `https://host:port`.
    pub base_url: String,
    /// `username`: `X-Trino-User`, and the user of basic authentication.
    pub user: String,
    pub auth: Auth,
    /// `catalog`: the one catalog to ingest (one OpenMetadata database); every catalog when
    /// absent.
    pub catalog: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Raw {
    host_port: Option<String>,
    username: Option<String>,
    auth_type: Option<Json>,
    catalog: Option<String>,
    connection_arguments: Option<Json>,
    connection_options: Option<Json>,
}

impl Connection {
    /// Parses `serviceConnection.config` (JSON, secrets removed).
    ///
    /// The scheme is chosen as OpenMetadata's connector and the Trino client it uses choose it:
    /// a scheme written in `hostPort` wins; then `connectionArguments.http_scheme`; then `https`
    /// whenever `authType` is set (`TrinoConnection.set_basic_auth` and `set_jwt_auth`); then
    /// `https` on port 443 and `http` otherwise (`trino.dbapi.Connection`). Credentials over plain
    /// `http` are refused unless `allow_insecure_auth` is true (in `connectionArguments` or
    /// `connectionOptions`), as the Trino client refuses them.
    pub fn parse(json: &str) -> Result<Self, String> {
        let raw: Raw = if json.trim().is_empty() || json.trim() == "null" {
            Raw::default()
        } else {
            serde_json::from_str(json)
                .map_err(|e| format!("invalid serviceConnection.config: {e}"))?
        };
        let host_port = raw
            .host_port
            .map(|h| h.trim().trim_end_matches('/').to_owned())
            .filter(|h| !h.is_empty())
            .ok_or("serviceConnection.config.hostPort is required (host:port of the Trino coordinator)")?;
        let user = raw
            .username
            .filter(|u| !u.is_empty())
            .ok_or("serviceConnection.config.username is required (Trino's X-Trino-User)")?;
        let auth = match &raw.auth_type {
            None | Some(Json::Null) => Auth::None,
            Some(Json::Object(o)) if o.contains_key("azureConfig") => {
                return Err(
                    "authType.azureConfig is not supported by omrun's Trino connector yet: use \
                     basicAuth (password) or jwtAuth (jwt)"
                        .into(),
                );
            }
            // `OAuth2` (noConfigAuthenticationTypes) needs a browser: nothing a batch run can do.
            Some(Json::String(s)) => {
                return Err(format!(
                    "authType `{s}` is not supported by omrun's Trino connector"
                ));
            }
            Some(_) => Auth::Secret,
        };
        let argument = |key: &str| {
            [&raw.connection_arguments, &raw.connection_options]
                .into_iter()
                .flatten()
                .find_map(|o| o.get(key).filter(|v| !v.is_null()).cloned())
        };
        let (scheme, authority) = match host_port.split_once("://") {
            Some((scheme, rest)) => (Some(scheme.to_ascii_lowercase()), rest.to_owned()),
            None => (None, host_port.clone()),
        };
        if authority.contains('/') {
            return Err(format!(
                "serviceConnection.config.hostPort must be host:port, not `{host_port}`"
            ));
        }
        let explicit_port = port_of(&authority)?;
        let http_scheme = raw
            .connection_arguments
            .as_ref()
            .and_then(|a| a.get("http_scheme"))
            .and_then(Json::as_str)
            .map(str::to_ascii_lowercase);
        let scheme = scheme.or(http_scheme).unwrap_or_else(|| {
            if auth != Auth::None || explicit_port == Some(DEFAULT_TLS_PORT) {
                "https".into()
            } else {
                "http".into()
            }
        });
        if scheme != "http" && scheme != "https" {
            return Err(format!("http_scheme must be http or https, not `{scheme}`"));
        }
        if auth != Auth::None && scheme == "http" && !truthy(argument("allow_insecure_auth")) {
            return Err(
                "TLS is required for authentication: Trino's client refuses to send credentials \
                 over http. Use https (connectionArguments.http_scheme: https), or, when the \
                 connection is encrypted below HTTP, set connectionArguments.allow_insecure_auth: \
                 true"
                    .into(),
            );
        }
        let port = explicit_port.unwrap_or(if scheme == "https" {
            DEFAULT_TLS_PORT
        } else {
            DEFAULT_PORT
        });
        let host = authority
            .rsplit_once(':')
            .map_or(authority.as_str(), |(h, p)| {
                if p.chars().all(|c| c.is_ascii_digit()) {
                    h
                } else {
                    authority.as_str()
                }
            });
        Ok(Self {
            base_url: format!("{scheme}://{host}:{port}"),
            user,
            auth,
            catalog: raw.catalog.filter(|c| !c.is_empty()),
        })
    }
}

/// The port of `host:port` (`[v6]:port`), if it has one.
fn port_of(authority: &str) -> Result<Option<u16>, String> {
    let Some((host, port)) = authority.rsplit_once(':') else {
        return Ok(None);
    };
    if host.starts_with('[') && !host.ends_with(']') {
        return Ok(None); // an IPv6 address without a port
    }
    port.parse()
        .map(Some)
        .map_err(|_| format!("serviceConnection.config.hostPort `{authority}`: bad port"))
}

/// `true`, `"true"` (as a URL query or YAML string carries it), any case.
fn truthy(value: Option<Json>) -> bool {
    match value {
        Some(Json::Bool(b)) => b,
        Some(Json::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omrun_sdk::config_keys::fields_of;

    fn parse(json: &str) -> Result<Connection, String> {
        Connection::parse(json)
    }

    #[test]
    fn keys_are_the_fields_read() {
        let mut read: Vec<String> = fields_of::<Raw>()
            .into_iter()
            .filter(|k| k != "connectionArguments" && k != "connectionOptions")
            .map(|k| format!("serviceConnection.config.{k}"))
            .collect();
        read.extend(
            [
                "connectionArguments.http_scheme",
                "connectionArguments.allow_insecure_auth",
                "connectionOptions.allow_insecure_auth",
                // common-db's, for a Trino connection
                "databaseSchema",
            ]
            .map(|k| format!("serviceConnection.config.{k}")),
        );
        let common: Vec<&str> = omrun_common_db::config::KEYS
            .iter()
            .copied()
            .filter(|k| k.starts_with("sourceConfig.") && !k.contains("toredProcedure"))
            .collect();
        read.extend(common.iter().map(|k| k.to_string()));
        read.sort();
        let mut declared: Vec<String> = KEYS.iter().map(|k| k.to_string()).collect();
        declared.sort();
        assert_eq!(read, declared);
    }

    #[test]
    fn scheme_as_openmetadata_chooses_it() {
        let c =
            parse(r#"{"type":"Trino","hostPort":"trino.internal:8080","username":"om"}"#).unwrap();
        assert_eq!(c.base_url, "http://trino.internal:8080");
        assert_eq!((c.auth, c.catalog), (Auth::None, None));
        // authType set: https, whatever the port.
        let c =
            parse(r#"{"hostPort":"trino:8443","username":"om","authType":{},"catalog":"hive"}"#)
                .unwrap();
        assert_eq!(c.base_url, "https://trino:8443");
        assert_eq!((c.auth, c.catalog.as_deref()), (Auth::Secret, Some("hive")));
        // http_scheme in connectionArguments wins over authType (with allow_insecure_auth).
        let c = parse(
            r#"{"hostPort":"127.0.0.1:9000","username":"om","authType":{},
                "connectionArguments":{"http_scheme":"http","allow_insecure_auth":true}}"#,
        )
        .unwrap();
        assert_eq!(c.base_url, "http://127.0.0.1:9000");
        let c = parse(
            r#"{"hostPort":"127.0.0.1:9000","username":"om","authType":{},
                "connectionArguments":{"http_scheme":"http"},
                "connectionOptions":{"allow_insecure_auth":"true"}}"#,
        )
        .unwrap();
        assert_eq!(c.base_url, "http://127.0.0.1:9000");
        assert_eq!(
            parse(r#"{"hostPort":"trino.example","username":"om"}"#)
                .unwrap()
                .base_url,
            "http://trino.example:8080"
        );
        assert_eq!(
            parse(r#"{"hostPort":"trino.example:443","username":"om"}"#)
                .unwrap()
                .base_url,
            "https://trino.example:443"
        );
        assert_eq!(
            parse(r#"{"hostPort":"https://trino.example/","username":"om"}"#)
                .unwrap()
                .base_url,
            "https://trino.example:443"
        );
        assert_eq!(
            parse(r#"{"hostPort":"[::1]:8080","username":"om"}"#)
                .unwrap()
                .base_url,
            "http://[::1]:8080"
        );
    }

    #[test]
    fn refusals_name_the_key() {
        let e = parse(r#"{"username":"om"}"#).unwrap_err();
        assert!(e.contains("hostPort"), "{e}");
        let e = parse(r#"{"hostPort":"t:8080"}"#).unwrap_err();
        assert!(e.contains("username"), "{e}");
        let e = parse(
            r#"{"hostPort":"t:8080","username":"om","authType":{},"connectionArguments":{"http_scheme":"http"}}"#,
        )
        .unwrap_err();
        assert!(
            e.contains("TLS is required") && e.contains("allow_insecure_auth"),
            "{e}"
        );
        let e = parse(r#"{"hostPort":"t:x","username":"om"}"#).unwrap_err();
        assert!(e.contains("bad port"), "{e}");
        let e = parse(r#"{"hostPort":"t:1/x","username":"om"}"#).unwrap_err();
        assert!(e.contains("host:port"), "{e}");
        let e = parse(r#"{"hostPort":"t:1","username":"om","authType":"OAuth2"}"#).unwrap_err();
        assert!(e.contains("OAuth2"), "{e}");
        let e = parse(r#"{"hostPort":"t:1","username":"om","authType":{"azureConfig":{}}}"#)
            .unwrap_err();
        assert!(e.contains("azureConfig"), "{e}");
        let e = parse(
            r#"{"hostPort":"t:1","username":"om","connectionArguments":{"http_scheme":"ftp"}}"#,
        )
        .unwrap_err();
        assert!(e.contains("ftp"), "{e}");
    }
}
