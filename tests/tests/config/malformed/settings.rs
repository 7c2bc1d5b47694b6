//! `${VAR}` expansion gone wrong, and the connection and server settings read before a run.

use super::*;

/// `${VAR}` expansion gone wrong, and secrets that must not be echoed.
pub(super) fn variables() -> Vec<Case> {
    vec![
        edit(
            "a variable not set",
            "database: postgres",
            "database: ${OMRUN_MALFORMED_UNSET}",
        )
        .at("database:")
        .says(&["environment variable OMRUN_MALFORMED_UNSET is not set"]),
        edit(
            "a password variable not set",
            "jwtToken: ${OM_JWT_TOKEN}",
            "jwtToken: ${OM_JWT_TOKEN}",
        )
        .env("OM_JWT_TOKEN", None)
        .at("jwtToken")
        .says(&["environment variable OM_JWT_TOKEN is not set"]),
        edit(
            "an unterminated variable",
            "database: postgres",
            "database: ${POSTGRES_DB",
        )
        .at("database:")
        .says(&["`${POSTGRES_DB` is not closed"]),
        edit(
            "an unterminated variable in a secret",
            "password: ${POSTGRES_PASSWORD}",
            "password: ${POSTGRES_PASSWORD",
        )
        .at("password:")
        .says(&["a `${` is not closed"]),
        edit(
            "an empty variable name",
            "database: postgres",
            "database: ${}",
        )
        .at("database:")
        .says(&["`${}`"]),
        edit(
            "the password in a number",
            "parallelism: 4",
            "parallelism: ${POSTGRES_PASSWORD}",
        )
        .at("parallelism")
        .says(&["parallelism: ", "`${POSTGRES_PASSWORD}`"]),
        edit(
            "the password as an orchestrator",
            "orchestrator: local",
            "orchestrator: ${POSTGRES_PASSWORD}",
        )
        .at("orchestrator")
        .says(&["`${POSTGRES_PASSWORD}`", "sequential, local, argo"]),
        edit(
            "the password as a boolean",
            "enabled: true",
            "enabled: ${POSTGRES_PASSWORD}",
        )
        .at("enabled")
        .says(&["`${POSTGRES_PASSWORD}`", "true or false"]),
        edit(
            "the password as a sink type",
            "  type: file\n",
            "  type: ${POSTGRES_PASSWORD}\n",
        )
        .at("type: ${POSTGRES_PASSWORD}")
        .says(&["sink.type: ", "file, metadata-rest"]),
        edit(
            "the password as a log level",
            "loggerLevel: INFO",
            "loggerLevel: ${POSTGRES_PASSWORD}",
        )
        .at("loggerLevel")
        .says(&["`${POSTGRES_PASSWORD}`"]),
    ]
}

/// The connection settings the host reads before connecting.
pub(super) fn connection() -> Vec<Case> {
    let key = "source.serviceConnection.config";
    let host_port = "hostPort: ${POSTGRES_HOST}:${POSTGRES_PORT}";
    vec![
        edit(
            "hostPort with a word for a port",
            host_port,
            "hostPort: localhost:fivefour",
        )
        .says(&[key, "hostPort `localhost:fivefour`", "bad port"]),
        edit(
            "hostPort with an empty port",
            host_port,
            "hostPort: 'localhost:'",
        )
        .says(&[key, "hostPort `localhost:`", "bad port"]),
        edit(
            "hostPort with a port beyond 65535",
            host_port,
            "hostPort: localhost:99999",
        )
        .says(&[key, "hostPort `localhost:99999`", "bad port"]),
        edit("sslMode unknown", "sslMode: disable", "sslMode: sometimes").says(&[
            key,
            "sslMode: expected one of disable, allow, prefer, require, verify-ca, verify-full",
            "found `sometimes`",
        ]),
        edit("no username", "      username: ${POSTGRES_USER}\n", "").says(&[
            key,
            "`username` is missing",
            "Postgres connection requires it",
        ]),
    ]
}

const SERVER: &str = "workflowConfig.openMetadataServerConfig";

/// The OpenMetadata server settings, refused before the run connects anywhere.
pub(super) fn openmetadata_server() -> Vec<Case> {
    let rest = |name, from: &str, to: &str| {
        edit(name, FILE_SINK, "sink:\n  type: metadata-rest\n").map_text(|t| edited(&t, from, to))
    };
    vec![
        edit("verifySSL unknown", "verifySSL: no-ssl", "verifySSL: maybe")
            .at("verifySSL")
            .says(&[
                &format!("{SERVER}.verifySSL: "),
                "no-ssl, validate, ignore",
                "`maybe`",
            ]),
        rest(
            "authProvider unknown",
            "authProvider: openmetadata",
            "authProvider: kerberos",
        )
        .at("authProvider")
        .says(&[
            &format!("{SERVER}.authProvider: "),
            "`kerberos`",
            "`openmetadata`",
            "`no-auth`",
        ]),
        rest(
            "jwtToken missing",
            "    securityConfig:\n      jwtToken: ${OM_JWT_TOKEN}\n",
            "",
        )
        .at("authProvider")
        .says(&[&format!("{SERVER}.securityConfig.jwtToken: "), "required"]),
        rest(
            "jwtToken empty",
            "jwtToken: ${OM_JWT_TOKEN}",
            "jwtToken: ${OM_JWT_TOKEN}",
        )
        .env("OM_JWT_TOKEN", Some(""))
        .at("authProvider")
        .says(&[&format!("{SERVER}.securityConfig.jwtToken: "), "required"]),
        rest(
            "server hostPort not a URL",
            "hostPort: http://localhost:8585/api",
            "hostPort: localhost:8585",
        )
        .at("localhost:8585")
        .says(&[
            &format!("{SERVER}.hostPort: "),
            "http(s) URL",
            "`localhost:8585`",
        ]),
    ]
}
