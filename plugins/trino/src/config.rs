//! What the connector reads from OpenMetadata's `TrinoConnection` or `PrestoConnection`
//! (`serviceConnection.config`) beyond what `omrun-common-db` reads: which engine, where it is,
//! who asks, how, and over which scheme. Secrets (`authType.password`, `authType.jwt`, Presto's
//! top-level `password`) never arrive: the host removes them and fills them in on the way out
//! ([`omrun_sdk::http::secret`]).

use serde::Deserialize;
use serde_json::Value as Json;

/// Every config key the connector reads, as dotted paths under the workflow's `source`: its own
/// and those of `omrun-common-db` that a Trino or Presto connection has (neither has stored
/// procedures, nor `database`, `databaseName` or `ingestAllDatabases`: catalogs are the
/// databases). Presto's `password` and `connectionArguments` are read by the host for every
/// plugin (its secrets and driver arguments), so they need no declaring here.
pub const KEYS: &[&str] = &[
    "serviceConnection.config.type",
    "serviceConnection.config.hostPort",
    "serviceConnection.config.username",
    "serviceConnection.config.authType",
    "serviceConnection.config.catalog",
    "serviceConnection.config.databaseSchema",
    "serviceConnection.config.protocol",
    "serviceConnection.config.connectionArguments.http_scheme",
    "serviceConnection.config.connectionArguments.protocol",
    "serviceConnection.config.connectionArguments.allow_insecure_auth",
    "serviceConnection.config.connectionOptions.allow_insecure_auth",
    "sourceConfig.config.databaseFilterPattern",
    "sourceConfig.config.schemaFilterPattern",
    "sourceConfig.config.tableFilterPattern",
    "sourceConfig.config.includeTables",
    "sourceConfig.config.includeViews",
    "sourceConfig.config.useFqnForFiltering",
];

/// The default ports, as Trino's Python client and PyHive (OpenMetadata's Presto driver) have
/// them.
const DEFAULT_PORT: u16 = 8080;
const DEFAULT_TLS_PORT: u16 = 443;

/// Which engine, from the connection's `type`: both speak the same client protocol, with their
/// own header names, and keep their metadata in slightly different places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// OpenMetadata's `Trino` service (`X-Trino-*` headers).
    Trino,
    /// OpenMetadata's `Presto` service: PrestoDB, and PrestoSQL before it became Trino
    /// (`X-Presto-*` headers; a PrestoDB ignores `X-Trino-*`).
    Presto,
}

impl Flavour {
    /// The engine's name, as messages say it.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Trino => "Trino",
            Flavour::Presto => "Presto",
        }
    }

    /// The protocol's header `X-Trino-<what>` or `X-Presto-<what>`.
    pub fn header(self, what: &str) -> String {
        format!("X-{}-{what}", self.name())
    }
}

/// How requests prove who sends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The user header alone, as an unsecured coordinator takes it.
    None,
    /// Trino's `authType` is set, with its secret removed: `basicAuth` (`password`) or `jwtAuth`
    /// (`jwt`) look alike from here, so the client tries the password first and the token when
    /// the host says the config has no password ([`crate::client`]).
    Secret,
    /// Presto's `password` may be set: the host removed the key, set or not, so the client asks
    /// the host whether the config has one before it sends any.
    MaybePassword,
}

/// The connection, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub flavour: Flavour,
    /// `http://host:port` or `https://host:port`.
    pub base_url: String,
    /// `username`: the user header, and the user of basic authentication.
    pub user: String,
    pub auth: Auth,
    /// `catalog`: the one catalog to ingest (one OpenMetadata database); every catalog when
    /// absent.
    pub catalog: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(rename = "type")]
    kind: Option<String>,
    host_port: Option<String>,
    username: Option<String>,
    auth_type: Option<Json>,
    catalog: Option<String>,
    protocol: Option<String>,
    connection_arguments: Option<Json>,
    connection_options: Option<Json>,
}

impl Connection {
    /// Parses `serviceConnection.config` (JSON, secrets removed).
    ///
    /// The scheme: one written in `hostPort` wins. Then, for Trino, as OpenMetadata's connector
    /// and the `trino` client choose it: `connectionArguments.http_scheme`, then `https` whenever
    /// `authType` is set (`TrinoConnection.set_basic_auth` and `set_jwt_auth`); for Presto, as
    /// OpenMetadata's Presto connector hands it to PyHive: `protocol` (which it copies into the
    /// driver's arguments, where `connectionArguments.protocol` sets it too). Then `https` on port
    /// 443 and `http` on any other (`trino.dbapi.Connection`; PyHive's default is `http`).
    ///
    /// Credentials over plain `http`: Trino's are refused unless `allow_insecure_auth` is true (in
    /// `connectionArguments` or `connectionOptions`), as the Trino client refuses them. Presto's
    /// password is not sent over `http` unless `allow_insecure_auth` is true: PyHive refuses a
    /// password over http, and PrestoDB authenticates https requests only. The plugin cannot see
    /// whether the config holds a password (the host removes the key either way), so it sends
    /// none rather than refusing a config that may have none.
    pub fn parse(json: &str) -> Result<Self, String> {
        let raw: Raw = if json.trim().is_empty() || json.trim() == "null" {
            Raw::default()
        } else {
            serde_json::from_str(json)
                .map_err(|e| format!("invalid serviceConnection.config: {e}"))?
        };
        let flavour = match raw.kind.as_deref() {
            None | Some("Trino") => Flavour::Trino,
            Some("Presto") => Flavour::Presto,
            Some(other) => {
                return Err(format!(
                    "serviceConnection.config.type `{other}`: this plugin serves Trino and Presto"
                ));
            }
        };
        let name = flavour.name();
        let host_port = raw
            .host_port
            .map(|h| h.trim().trim_end_matches('/').to_owned())
            .filter(|h| !h.is_empty())
            .ok_or_else(|| {
                format!(
                    "serviceConnection.config.hostPort is required (host:port of the {name} \
                     coordinator)"
                )
            })?;
        let user = raw.username.filter(|u| !u.is_empty()).ok_or_else(|| {
            format!(
                "serviceConnection.config.username is required ({name}'s {})",
                flavour.header("User")
            )
        })?;
        let auth = match flavour {
            Flavour::Trino => trino_auth(raw.auth_type.as_ref())?,
            // `PrestoConnection` has no `authType`: a top-level `password` or nothing.
            Flavour::Presto => Auth::MaybePassword,
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
        let lower = |v: Option<&Json>| v.and_then(Json::as_str).map(str::to_ascii_lowercase);
        let arguments = raw.connection_arguments.as_ref();
        let (scheme_key, configured) = match flavour {
            Flavour::Trino => (
                "http_scheme",
                lower(arguments.and_then(|a| a.get("http_scheme"))),
            ),
            Flavour::Presto => (
                "protocol",
                raw.protocol
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_ascii_lowercase)
                    .or_else(|| lower(arguments.and_then(|a| a.get("protocol")))),
            ),
        };
        let scheme = scheme.or(configured).unwrap_or_else(|| {
            if auth == Auth::Secret || explicit_port == Some(DEFAULT_TLS_PORT) {
                "https".into()
            } else {
                "http".into()
            }
        });
        if scheme != "http" && scheme != "https" {
            return Err(format!(
                "{scheme_key} must be http or https, not `{scheme}`"
            ));
        }
        let plain_http = scheme == "http" && !truthy(argument("allow_insecure_auth"));
        let auth = match auth {
            Auth::Secret if plain_http => {
                return Err(
                    "TLS is required for authentication: Trino's client refuses to send \
                     credentials over http. Use https (connectionArguments.http_scheme: https), \
                     or, when the connection is encrypted below HTTP, set \
                     connectionArguments.allow_insecure_auth: true"
                        .into(),
                );
            }
            Auth::MaybePassword if plain_http => Auth::None,
            auth => auth,
        };
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
            flavour,
            base_url: format!("{scheme}://{host}:{port}"),
            user,
            auth,
            catalog: raw.catalog.filter(|c| !c.is_empty()),
        })
    }
}

/// Trino's `authType`, its secret removed: none, or one of basic and JWT authentication.
fn trino_auth(auth_type: Option<&Json>) -> Result<Auth, String> {
    match auth_type {
        None | Some(Json::Null) => Ok(Auth::None),
        Some(Json::Object(o)) if o.contains_key("azureConfig") => Err(
            "authType.azureConfig is not supported by omrun's Trino connector yet: use basicAuth \
             (password) or jwtAuth (jwt)"
                .into(),
        ),
        // `OAuth2` (noConfigAuthenticationTypes) needs a browser: nothing a batch run can do.
        Some(Json::String(s)) => Err(format!(
            "authType `{s}` is not supported by omrun's Trino connector"
        )),
        Some(_) => Ok(Auth::Secret),
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
                "connectionArguments.protocol",
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
        assert_eq!(c.flavour, Flavour::Trino);
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

    fn presto(fields: &str) -> Result<Connection, String> {
        parse(&format!(
            r#"{{"type":"Presto","hostPort":"presto.internal:8080","username":"om"{fields}}}"#
        ))
    }

    #[test]
    fn presto_s_scheme_as_openmetadata_hands_it_to_pyhive() {
        // No protocol: PyHive's http, and no password sent over it.
        let c = presto("").unwrap();
        assert_eq!(c.flavour, Flavour::Presto);
        assert_eq!(c.base_url, "http://presto.internal:8080");
        assert_eq!(c.auth, Auth::None);
        // `protocol: https`: the password, if the config has one, goes.
        let c = presto(r#","protocol":"HTTPS","catalog":"hive""#).unwrap();
        assert_eq!(c.base_url, "https://presto.internal:8080");
        assert_eq!(
            (c.auth, c.catalog.as_deref()),
            (Auth::MaybePassword, Some("hive"))
        );
        // Where OpenMetadata's connector puts `protocol` for the driver.
        let c = presto(r#","connectionArguments":{"protocol":"https"}"#).unwrap();
        assert_eq!(c.base_url, "https://presto.internal:8080");
        // `protocol` wins over the argument, a scheme in hostPort over both.
        let c = presto(r#","protocol":"http","connectionArguments":{"protocol":"https"}"#).unwrap();
        assert_eq!(
            (c.base_url.as_str(), c.auth),
            ("http://presto.internal:8080", Auth::None)
        );
        let c = parse(
            r#"{"type":"Presto","hostPort":"https://presto.internal","username":"om","protocol":"http"}"#,
        )
        .unwrap();
        assert_eq!(c.base_url, "https://presto.internal:443");
        // Port 443: https.
        let c =
            parse(r#"{"type":"Presto","hostPort":"presto.example:443","username":"om"}"#).unwrap();
        assert_eq!(
            (c.base_url.as_str(), c.auth),
            ("https://presto.example:443", Auth::MaybePassword)
        );
        // A password over http only when allowed, as for Trino.
        for allowed in [
            r#","protocol":"http","connectionArguments":{"allow_insecure_auth":true}"#,
            r#","connectionOptions":{"allow_insecure_auth":"true"}"#,
        ] {
            let c = presto(allowed).unwrap();
            assert_eq!(
                (c.base_url.as_str(), c.auth),
                ("http://presto.internal:8080", Auth::MaybePassword)
            );
        }
        // Trino's http_scheme is not Presto's.
        let c = presto(r#","connectionArguments":{"http_scheme":"https"}"#).unwrap();
        assert_eq!(c.base_url, "http://presto.internal:8080");
    }

    #[test]
    fn presto_refusals_name_the_key() {
        let e = presto(r#","protocol":"ftp""#).unwrap_err();
        assert!(e.contains("protocol") && e.contains("ftp"), "{e}");
        let e = parse(r#"{"type":"Presto","hostPort":"p:8080"}"#).unwrap_err();
        assert!(e.contains("username") && e.contains("X-Presto-User"), "{e}");
        let e = parse(r#"{"type":"Hive","hostPort":"p:8080","username":"om"}"#).unwrap_err();
        assert!(e.contains("Hive") && e.contains("Trino and Presto"), "{e}");
    }

    #[test]
    fn headers_by_flavour() {
        assert_eq!(Flavour::Trino.header("User"), "X-Trino-User");
        assert_eq!(Flavour::Presto.header("Catalog"), "X-Presto-Catalog");
    }
}
