//! Missing sections and keys, and values of the wrong type or out of range.

use super::*;

/// Sections and keys a config cannot do without.
pub(super) fn missing_sections() -> Vec<Case> {
    vec![
        without("no source", "source", 0).says(&["missing key `source`"]),
        without("no sink", "sink", 0).says(&["missing key `sink`"]),
        without("no serviceConnection", "serviceConnection", 2)
            .says(&["source: missing key `serviceConnection`"]),
        without("no serviceName", "serviceName", 2).says(&["source: missing key `serviceName`"]),
        edit("no source type", "  type: postgres\n", "").says(&["source: missing key `type`"]),
        edit(
            "no serviceConnection.config",
            "  serviceConnection:\n    config:\n",
            "  serviceConnection:\n    configs:\n",
        )
        .says(&["source.serviceConnection: missing key `config`"]),
        edit("no connection type", "      type: Postgres\n", "")
            .says(&["source.serviceConnection.config: missing key `type`"]),
        edit("no sink type", "  type: file\n", "").says(&["sink: missing key `type`"]),
        edit(
            "no sink filename",
            "    filename: out.jsonl",
            "    file: out.jsonl",
        )
        .says(&["sink.config: missing key `filename`"]),
        edit(
            "source is empty",
            "source:\n  type: postgres\n",
            "source:\nx:\n  type: postgres\n",
        )
        .at("source:")
        .says(&["source: expected a mapping", "found nothing"]),
        edit("sink is null", FILE_SINK, "sink: ~\n")
            .at("sink: ~")
            .says(&["sink: expected a mapping", "`~`"]),
        edit(
            "metadata-rest sink without a server",
            FILE_SINK,
            "sink:\n  type: metadata-rest\n",
        )
        .at("type: metadata-rest")
        .says(&[
            "sink.type: ",
            "needs workflowConfig.openMetadataServerConfig",
        ])
        .map_text(|t| {
            edited(
                &t,
                "  openMetadataServerConfig:\n    hostPort: http://localhost:8585/api\n    \
                 authProvider: openmetadata\n    verifySSL: no-ssl\n    securityConfig:\n      \
                 jwtToken: ${OM_JWT_TOKEN}\n",
                "",
            )
        }),
    ]
}

/// A value of the wrong type or out of range, at many keys.
pub(super) fn wrong_types() -> Vec<Case> {
    let par = |name, value: &str, found: &str| {
        edit(name, "parallelism: 4", &format!("parallelism: {value}"))
            .at("parallelism:")
            .says(&[
                &format!("{DISTRIBUTED}.parallelism: "),
                "expected a whole number from 1 to 1024",
                &format!("found {found}"),
            ])
    };
    let retry = "workflowConfig.distributedExecution.retryPolicy";
    vec![
        par("parallelism a word", "four", "`four`"),
        par("parallelism negative", "-3", "`-3`"),
        par("parallelism zero", "0", "`0`"),
        par(
            "parallelism beyond u64",
            "99999999999999999999",
            "`99999999999999999999`",
        ),
        par("parallelism beyond the cap", "5000", "`5000`"),
        par("parallelism a fraction", "2.5", "`2.5`"),
        par("parallelism a list", "[4]", "a list"),
        par("parallelism a mapping", "{workers: 4}", "a mapping"),
        par("parallelism a block list", "\n      - 4", "a list").at("- 4"),
        edit("batchSize zero", "batchSize: 50", "batchSize: 0")
            .at("batchSize")
            .says(&[&format!("{DISTRIBUTED}.batchSize: "), "at least 1", "`0`"]),
        edit(
            "batchSize a quoted word",
            "batchSize: 50",
            "batchSize: \"fifty\"",
        )
        .at("batchSize")
        .says(&["batchSize: ", "at least 1", "`fifty`"]),
        edit("maxAttempts zero", "maxAttempts: 3", "maxAttempts: 0")
            .at("maxAttempts")
            .says(&[&format!("{retry}.maxAttempts: "), "at least 1", "`0`"]),
        edit(
            "backoffSeconds a word",
            "backoffSeconds: 1",
            "backoffSeconds: soon",
        )
        .at("backoffSeconds")
        .says(&[&format!("{retry}.backoffSeconds: "), "seconds", "`soon`"]),
        edit(
            "backoffSeconds NaN",
            "backoffSeconds: 1",
            "backoffSeconds: .nan",
        )
        .at("backoffSeconds")
        .says(&["backoffSeconds: ", "from 0 to", "`.nan`"]),
        edit(
            "backoffSeconds negative",
            "backoffSeconds: 1",
            "backoffSeconds: -1",
        )
        .at("backoffSeconds")
        .says(&["backoffSeconds: ", "from 0 to", "`-1`"]),
        edit(
            "maxBackoffSeconds beyond a Duration",
            "backoffSeconds: 1",
            "backoffSeconds: 1\n      maxBackoffSeconds: 1e308",
        )
        .at("maxBackoffSeconds")
        .says(&["maxBackoffSeconds: ", "`1e308`"]),
        edit(
            "backoffFactor infinite",
            "backoffSeconds: 1",
            "backoffSeconds: 1\n      backoffFactor: .inf",
        )
        .at("backoffFactor")
        .says(&["backoffFactor: ", "from 0 to 100", "`.inf`"]),
        edit(
            "Argo timeoutSeconds negative",
            "batchSize: 50",
            "batchSize: 50\n    timeoutSeconds: -5",
        )
        .at("timeoutSeconds")
        .says(&[&format!("{DISTRIBUTED}.timeoutSeconds: "), "`-5`"]),
        edit(
            "enabled neither true nor false",
            "enabled: true",
            "enabled: maybe",
        )
        .at("enabled:")
        .says(&[
            &format!("{DISTRIBUTED}.enabled: "),
            "true or false",
            "`maybe`",
        ]),
        edit(
            "waitForCompletion a number",
            "batchSize: 50",
            "batchSize: 50\n    waitForCompletion: 2",
        )
        .at("waitForCompletion")
        .says(&["waitForCompletion: ", "true or false", "`2`"]),
        edit(
            "includeViews a word",
            "includeViews: true",
            "includeViews: sometimes",
        )
        .at("includeViews")
        .says(&[
            "source.sourceConfig.config.includeViews: ",
            "true or false",
            "`sometimes`",
        ]),
        edit(
            "includeTables a list",
            "includeTables: true",
            "includeTables: [yes, no]",
        )
        .at("includeTables")
        .says(&["source.sourceConfig.config.includeTables: ", "a list"]),
        edit(
            "serviceName a mapping",
            "serviceName: malformed_svc",
            "serviceName: {a: b}",
        )
        .at("serviceName")
        .says(&["source.serviceName: ", "expected a string", "a mapping"]),
        edit(
            "serviceName a list",
            "serviceName: malformed_svc",
            "serviceName: [a, b]",
        )
        .at("serviceName")
        .says(&["source.serviceName: ", "expected a string", "a list"]),
        edit(
            "source a string",
            "source:\n  type: postgres\n",
            "source: postgres\nx:\n  type: postgres\n",
        )
        .at("source: postgres")
        .says(&["source: ", "expected a mapping", "`postgres`"]),
        edit("sink a list", FILE_SINK, "sink: [file]\n")
            .at("sink: [file]")
            .says(&["sink: ", "expected a mapping", "a list"]),
        edit(
            "connection config a list",
            "    config:\n      type: Postgres\n",
            "    config: [Postgres]\n    other:\n      type: Postgres\n",
        )
        .at("config: [Postgres]")
        .says(&[
            "source.serviceConnection.config: ",
            "expected a mapping",
            "a list",
        ]),
        edit(
            "hostPort a mapping",
            "hostPort: ${POSTGRES_HOST}:${POSTGRES_PORT}",
            "hostPort: {host: db, port: 5432}",
        )
        .at("hostPort: {host")
        .says(&[
            "source.serviceConnection.config.hostPort: ",
            "expected a string",
            "a mapping",
        ]),
        edit(
            "loggerLevel unknown",
            "loggerLevel: INFO",
            "loggerLevel: LOUD",
        )
        .at("loggerLevel")
        .says(&[
            "workflowConfig.loggerLevel: ",
            "DEBUG, INFO, WARN, ERROR",
            "`LOUD`",
        ]),
        edit(
            "orchestrator unknown",
            "orchestrator: local",
            "orchestrator: kubernetes",
        )
        .at("orchestrator")
        .says(&[
            &format!("{DISTRIBUTED}.orchestrator: "),
            "`kubernetes`",
            "sequential, local, argo",
        ]),
        edit(
            "orchestrator a mapping",
            "orchestrator: local",
            "orchestrator: {name: local}",
        )
        .at("orchestrator")
        .says(&["orchestrator: ", "sequential, local, argo", "a mapping"]),
        edit("sink type unknown", "  type: file\n", "  type: kafka\n")
            .at("type: kafka")
            .says(&["sink.type: ", "file, metadata-rest", "`kafka`"]),
        edit(
            "resourceRequests a list",
            "batchSize: 50",
            "batchSize: 50\n    resourceRequests: [cpu, memory]",
        )
        .at("resourceRequests")
        .says(&["resourceRequests: ", "expected a mapping", "a list"]),
        edit(
            "sink concurrency zero",
            FILE_SINK,
            "sink:\n  type: metadata-rest\n  config:\n    concurrency: 0\n",
        )
        .at("concurrency")
        .says(&["sink.config.concurrency: ", "at least 1", "`0`"]),
        edit(
            "sink timeoutSeconds infinite",
            FILE_SINK,
            "sink:\n  type: metadata-rest\n  config:\n    timeoutSeconds: .inf\n",
        )
        .at("timeoutSeconds")
        .says(&["sink.config.timeoutSeconds: ", "seconds", "`.inf`"]),
        edit(
            "jwtToken a list, never shown",
            "jwtToken: ${OM_JWT_TOKEN}",
            "jwtToken: [inline-token-8d1e]",
        )
        .at("jwtToken")
        .says(&["jwtToken: ", "expected a string", "not shown"])
        .hides("inline-token-8d1e"),
        edit(
            "a tag on a number",
            "parallelism: 4",
            "parallelism: !!str 4",
        )
        .at("parallelism")
        .says(&["parallelism: ", "1 to 1024"]),
    ]
}
