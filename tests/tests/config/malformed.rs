//! Malformed input: configs and plugins that are wrong in every way we could think of (wrong types,
//! missing sections, bad patterns, YAML that is not a config, alias bombs, huge and deeply nested
//! documents, bytes that are not text; truncated, empty and foreign WebAssembly). Each must stop
//! `omrun ingest` with exit status 2 and ONE `error:` line that says where and what — file, line,
//! key path, the value as written (never a secret's value), what was expected — within seconds,
//! and without a panic.
//!
//! No database is needed: every case stops before omrun connects (the config points at a closed
//! port, so a case that got that far would fail with "cannot connect", not its own message).
//! The config loader is also fuzzed: `cargo run -p omrun --example fuzz_config --release` (see
//! docs/reliability.md), which is not part of CI.

use omrun_tests::{Omrun, RunOutput, Workdir};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PASSWORD: &str = "pw-malformed-5e1f0c";
const JWT: &str = "jwt-malformed-93c2aa";
/// How long a config error may take (a debug build, the YAML parsed three times).
const CONFIG_ERROR_WITHIN: Duration = Duration::from_secs(5);

/// The valid config every case edits: the postgres example's shape, with every section a case
/// breaks. Secrets come from the environment, as in a real config.
const BASE: &str = "\
source:
  type: postgres
  serviceName: malformed_svc
  serviceConnection:
    config:
      type: Postgres
      username: ${POSTGRES_USER}
      authType:
        password: ${POSTGRES_PASSWORD}
      hostPort: ${POSTGRES_HOST}:${POSTGRES_PORT}
      database: postgres
      sslMode: disable
  sourceConfig:
    config:
      type: DatabaseMetadata
      includeViews: true
      includeTables: true
      databaseFilterPattern:
        includes: ['^postgres$']
      schemaFilterPattern:
        excludes: ['^pg_']
      tableFilterPattern:
        includes: ['.*']
sink:
  type: file
  config:
    filename: out.jsonl
workflowConfig:
  loggerLevel: INFO
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    verifySSL: no-ssl
    securityConfig:
      jwtToken: ${OM_JWT_TOKEN}
  distributedExecution:
    enabled: true
    orchestrator: local
    parallelism: 4
    batchSize: 50
    retryPolicy:
      maxAttempts: 3
      backoffSeconds: 1
";

const FILE_SINK: &str = "sink:\n  type: file\n  config:\n    filename: out.jsonl\n";

/// One malformed input and what its error line must say.
struct Case {
    name: &'static str,
    content: Vec<u8>,
    /// The line the error must point at (`config.yaml:LINE:`), when it is about one.
    line: Option<usize>,
    /// What the error line must contain: key path, value as written, the allowed values…
    says: Vec<String>,
    /// Extra environment (`None` unsets).
    env: Vec<(&'static str, Option<String>)>,
    /// What must not appear in the output (besides the secrets every case has).
    hides: Vec<&'static str>,
}

fn case(name: &'static str, content: impl Into<Vec<u8>>) -> Case {
    Case {
        name,
        content: content.into(),
        line: None,
        says: vec![],
        env: vec![],
        hides: vec![],
    }
}

/// BASE with `from` (which must occur once) replaced by `to`.
fn edit(name: &'static str, from: &str, to: &str) -> Case {
    case(name, edited(BASE, from, to))
}

fn edited(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

/// BASE without the key `name` at `indent` and everything nested under it.
fn without(name: &'static str, key: &str, indent: usize) -> Case {
    let prefix = format!("{}{key}:", " ".repeat(indent));
    let mut out = String::new();
    let mut skipping = false;
    for line in BASE.lines() {
        let depth = line.len() - line.trim_start().len();
        if line.starts_with(&prefix) {
            skipping = true;
            continue;
        }
        if skipping && depth > indent {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
    }
    assert_ne!(out, BASE, "{key} not found");
    case(name, out)
}

impl Case {
    /// The error points at the line holding `needle` (which must occur once).
    fn at(mut self, needle: &str) -> Self {
        let text = String::from_utf8_lossy(&self.content);
        let lines: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(n, _)| n + 1)
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "{}: {needle:?} must be on one line",
            self.name
        );
        self.line = Some(lines[0]);
        self
    }

    fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    fn says(mut self, parts: &[&str]) -> Self {
        self.says.extend(parts.iter().map(|s| s.to_string()));
        self
    }

    fn hides(mut self, secret: &'static str) -> Self {
        self.hides.push(secret);
        self
    }

    fn env(mut self, key: &'static str, value: Option<&str>) -> Self {
        self.env.push((key, value.map(str::to_owned)));
        self
    }
}

/// `omrun ingest -c config.yaml --plugin postgres.wasm` with the variables BASE uses; the
/// database address is a closed port.
fn ingest(work: &Workdir, config: &str, plugin: &Path) -> Omrun {
    Omrun::ingest(work.path(), config)
        .plugin(plugin)
        .env("POSTGRES_USER", "malformed")
        .env("POSTGRES_PASSWORD", PASSWORD)
        .env("POSTGRES_HOST", "127.0.0.1")
        .env("POSTGRES_PORT", "1")
        .env("OM_JWT_TOKEN", JWT)
        .secret(PASSWORD)
        .secret(JWT)
        .output(&work.join("out.jsonl"))
}

/// What is wrong with how omrun answered `case`, if anything.
fn verdict(case: &Case, out: &RunOutput, took: Duration, limit: Duration) -> Result<(), String> {
    if out.code != Some(2) {
        return Err(format!("exit status {:?}, expected 2", out.code));
    }
    if out.stderr.contains("panicked") || out.stderr.contains("RUST_BACKTRACE") {
        return Err("omrun panicked".into());
    }
    let errors = out.error_lines();
    let [error] = errors.as_slice() else {
        return Err(format!("{} `error:` lines, expected one", errors.len()));
    };
    let prefix = match case.line {
        Some(line) => format!("error: config.yaml:{line}:"),
        None => "error: ".into(),
    };
    if !error.starts_with(&prefix) {
        return Err(format!("the error does not start with {prefix:?}"));
    }
    if case.line.is_none() && !case.says.iter().any(|s| s.contains(".wasm")) {
        // Every config error names the file.
        if !error.contains("config.yaml") {
            return Err("the error does not name config.yaml".into());
        }
    }
    for part in &case.says {
        if !error.contains(part.as_str()) {
            return Err(format!("the error does not say {part:?}"));
        }
    }
    if took > limit {
        return Err(format!("took {took:?}, more than {limit:?}"));
    }
    if error.len() > 400 {
        return Err(format!("the error is {} characters long", error.len()));
    }
    Ok(())
}

/// Runs every case in its own directory and reports all that fail, not just the first.
fn check_all(cases: Vec<Case>, limit: Duration) {
    let plugin = omrun_tests::plugin("postgres");
    let mut names = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    let total = cases.len();
    for case in cases {
        assert!(names.insert(case.name), "duplicate case name {}", case.name);
        let work = Workdir::new();
        work.write("config.yaml", &case.content);
        let mut command = ingest(&work, "config.yaml", &plugin);
        for secret in &case.hides {
            command = command.secret(secret);
        }
        for (key, value) in &case.env {
            command = match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        let started = Instant::now();
        let out = command.run();
        let took = started.elapsed();
        match verdict(&case, &out, took, limit) {
            Ok(()) => eprintln!(
                "ok   {:<32} {:>5} ms  {}",
                case.name,
                took.as_millis(),
                out.error_lines().first().copied().unwrap_or_default()
            ),
            Err(why) => failures.push(format!(
                "--- {}: {why}\n{}",
                case.name,
                out.describe().chars().take(3000).collect::<String>()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} malformed inputs were not answered with one clear error:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Sections and keys a config cannot do without.
fn missing_sections() -> Vec<Case> {
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

impl Case {
    /// Edits the case's text further (the line, if set, is looked up again by the caller).
    fn map_text(mut self, f: impl FnOnce(String) -> String) -> Self {
        let text = String::from_utf8(self.content).expect("text");
        let before_line = self
            .line
            .map(|n| text.lines().nth(n - 1).unwrap_or_default().to_owned());
        self.content = f(text).into_bytes();
        self.line = None;
        match before_line {
            Some(needle) => self.at(&needle),
            None => self,
        }
    }
}

const DISTRIBUTED: &str = "workflowConfig.distributedExecution";

/// A value of the wrong type or out of range, at many keys.
fn wrong_types() -> Vec<Case> {
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

const FILTERS: &str = "source.sourceConfig.config";

/// Filter patterns that are not regular expressions, in each filter and list.
fn bad_patterns() -> Vec<Case> {
    vec![
        edit(
            "database include unclosed group",
            "includes: ['^postgres$']",
            "includes: ['^post(gres$']",
        )
        .at("^post(gres$")
        .says(&[
            &format!("{FILTERS}.databaseFilterPattern.includes[0]: "),
            "`^post(gres$` is not a valid regular expression",
            "unclosed group",
        ]),
        edit(
            "schema exclude unclosed class",
            "excludes: ['^pg_']",
            "excludes: ['^pg_[']",
        )
        .at("^pg_[")
        .says(&[
            &format!("{FILTERS}.schemaFilterPattern.excludes[0]: "),
            "`^pg_[`",
            "unclosed character class",
        ]),
        edit(
            "table include bare star",
            "includes: ['.*']",
            "includes: ['*']",
        )
        .at("includes: ['*']")
        .says(&[
            &format!("{FILTERS}.tableFilterPattern.includes[0]: "),
            "`*`",
        ]),
        edit(
            "table exclude second entry",
            "includes: ['.*']",
            "includes: ['.*']\n        excludes: ['ok', 'a{2,1}']",
        )
        .at("a{2,1}")
        .says(&[
            &format!("{FILTERS}.tableFilterPattern.excludes[1]: "),
            "`a{2,1}`",
        ]),
        edit(
            "stored procedure pattern",
            "includes: ['.*']",
            "includes: ['.*']\n      storedProcedureFilterPattern:\n        includes: ['(?P<x']",
        )
        .at("(?P<x")
        .says(&["storedProcedureFilterPattern.includes[0]: ", "`(?P<x`"]),
        edit(
            "pattern too big to compile",
            "includes: ['.*']",
            "includes: ['((((a{100}){100}){100}){100})']",
        )
        .at("{100}")
        .says(&["tableFilterPattern.includes[0]: ", "size limit"]),
        edit("includes a string", "includes: ['.*']", "includes: '.*'")
            .at("includes: '.*'")
            .says(&[
                &format!("{FILTERS}.tableFilterPattern.includes: "),
                "expected a list",
            ]),
        edit(
            "filter pattern a string",
            "      tableFilterPattern:\n        includes: ['.*']",
            "      tableFilterPattern: '.*'",
        )
        .at("tableFilterPattern")
        .says(&[
            &format!("{FILTERS}.tableFilterPattern: "),
            "expected a mapping",
        ]),
        edit(
            "pattern a mapping",
            "includes: ['.*']",
            "includes: [{a: b}]",
        )
        .at("includes: [{a: b}]")
        .says(&["tableFilterPattern.includes[0]: ", "expected a string"]),
    ]
}

/// Text that is not YAML, YAML that is not a mapping, and YAML mistakes.
fn not_a_config() -> Vec<Case> {
    let top = "a workflow config is a mapping with `source`, `sink` and `workflowConfig`";
    vec![
        case("empty file", "").says(&["config.yaml: the config is empty"]),
        case("only comments", "# nothing here\n\n# at all\n").says(&["the config is empty"]),
        case("a YAML list", "- source\n- sink\n")
            .at_line(1)
            .says(&[top, "a list"]),
        case("a JSON array", "[\"source\", \"sink\"]\n")
            .at_line(1)
            .says(&[top, "a list"]),
        case("a JSON string", "\"source\"\n")
            .at_line(1)
            .says(&[top, "`source`"]),
        case("a JSON number", "42\n")
            .at_line(1)
            .says(&[top, "`42`"]),
        case(
            "a JSON object of the wrong shape",
            "{\"source\": [1, 2], \"sink\": {}}\n",
        )
        .at_line(1)
        .says(&["source: ", "expected a mapping", "a list"]),
        edit("a tab in the indentation", "      username:", "\tusername:")
            .at("username")
            .says(&["a tab in the indentation"]),
        edit(
            "a key indented one space short",
            "      includeViews: true",
            "     includeViews: true",
        )
        .at("includeViews"),
        edit(
            "a duplicate key",
            "    parallelism: 4",
            "    parallelism: 4\n    parallelism: 8",
        )
        .at("parallelism: 8")
        .says(&[&format!("{DISTRIBUTED}: "), "duplicate key `parallelism`"]),
        case("a duplicate section", format!("{BASE}{FILE_SINK}"))
            .at_line(BASE.lines().count() + 1)
            .says(&["duplicate key `sink`"]),
        edit("an unclosed list", "includes: ['.*']", "includes: ['.*'").says(&["config.yaml:"]),
        edit(
            "an unclosed quote",
            "serviceName: malformed_svc",
            "serviceName: 'malformed_svc",
        )
        .says(&["config.yaml:"]),
        case("two documents", format!("{BASE}---\n{BASE}"))
            .at_line(BASE.lines().count() + 1)
            .says(&["second YAML document"]),
        edit(
            "an undefined alias",
            "parallelism: 4",
            "parallelism: *workers",
        )
        .at("*workers")
        .says(&["`*workers`", "anchor"]),
        edit(
            "a byte order mark inside",
            "serviceName: malformed_svc",
            "serviceName: \u{feff}svc",
        )
        .at("serviceName")
        .says(&["BOM"]),
        case("binary bytes", {
            let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
            png.extend(0..=255u8);
            png
        })
        .at_line(1)
        .says(&["not UTF-8", "0x89"]),
        case(
            "Latin-1 text",
            edited(BASE, "serviceName: malformed_svc", "serviceName: caf\u{e9}")
                .chars()
                .map(|c| c as u32 as u8)
                .collect::<Vec<u8>>(),
        )
        .at_line(3)
        .says(&["not UTF-8", "0xe9"]),
    ]
}

/// Alias bombs, huge and deeply nested documents: refused quickly, by the parser's budget.
fn bombs() -> Vec<Case> {
    // Billion laughs: nine levels of ten aliases each, 10^9 strings if expanded.
    let mut laughs =
        String::from("lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*lol{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("lol{i}: &lol{i} [{refs}]\n"));
    }
    let billion = format!(
        "{laughs}{}",
        edited(
            BASE,
            "      type: Postgres\n",
            "      type: Postgres\n      bomb: *lol9\n"
        )
    );
    // Nested anchors: each mapping holds the previous one, 200 deep.
    let mut chain = String::from("anchors:\n  - &d0 {k: v}\n");
    for i in 1..200 {
        chain.push_str(&format!("  - &d{i} {{k: *d{}}}\n", i - 1));
    }
    let chain = format!(
        "{chain}{}",
        edited(
            BASE,
            "      type: Postgres\n",
            "      type: Postgres\n      extra: *d199\n"
        )
    );
    // One string of 900 kB, aliased a thousand times: 900 MB if each alias were a copy.
    let big = "x".repeat(900 * 1024);
    let aliases = vec!["*big"; 1000].join(", ");
    let string_bomb = format!(
        "big: &big {big}\n{}",
        edited(
            BASE,
            "      type: Postgres\n",
            &format!("      type: Postgres\n      copies: [{aliases}]\n")
        )
    );
    // Block nesting costs its indentation: 1,000 levels are 500 kB (10,000 would be 50 MB, which
    // the size limit refuses), except for lists, which nest on one line.
    let deep_block: String = (1..=1_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    vec![
        case("billion laughs", billion).says(&["config.yaml:", "alias"]),
        case("nested anchors 200 deep", chain).says(&["config.yaml:", "nested more than 64"]),
        case("a 900 kB string aliased 1000 times", string_bomb).says(&["config.yaml:", "YAML"]),
        edit(
            "a 10 MB string",
            "serviceName: malformed_svc",
            &format!("serviceName: '{}'", "x".repeat(10 * 1024 * 1024)),
        )
        .says(&["config.yaml: the config is larger than 1024 KiB"]),
        case(
            "1,000 nested block mappings",
            format!("{BASE}extra:\n{deep_block}"),
        )
        .says(&["config.yaml:", "nested more than 64 levels"]),
        case(
            "10,000 nested block lists",
            format!("{BASE}extra:\n  {}x\n", "- ".repeat(10_000)),
        )
        .at_line(BASE.lines().count() + 2)
        .says(&["nested more than 64 levels"]),
        case(
            "10,000 nested flow lists",
            format!(
                "{BASE}extra: {}{}\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
        )
        .at_line(BASE.lines().count() + 1)
        .says(&["nested more than 64 levels"]),
        edit(
            "10,000 nested flow mappings in the connection",
            "      type: Postgres\n",
            &format!(
                "      type: Postgres\n      extra: {}1{}\n",
                "{a: ".repeat(10_000),
                "}".repeat(10_000)
            ),
        )
        .at("extra:")
        .says(&["nested more than 64 levels"]),
        case(
            "a list of 60,000 values",
            format!("{BASE}extra: [{}]\n", vec!["1"; 60_000].join(",")),
        )
        .says(&["config.yaml:", "too large"]),
    ]
}

/// `${VAR}` expansion gone wrong, and secrets that must not be echoed.
fn variables() -> Vec<Case> {
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
fn connection() -> Vec<Case> {
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
            "sslMode `sometimes`",
            "disable, allow, prefer, require, verify-ca, verify-full",
        ]),
        edit("no username", "      username: ${POSTGRES_USER}\n", "")
            .says(&[key, "username is required"]),
    ]
}

const SERVER: &str = "workflowConfig.openMetadataServerConfig";

/// The OpenMetadata server settings, refused before the run connects anywhere.
fn openmetadata_server() -> Vec<Case> {
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

#[test]
fn configs_missing_a_section() {
    check_all(missing_sections(), CONFIG_ERROR_WITHIN);
}

#[test]
fn values_of_the_wrong_type() {
    check_all(wrong_types(), CONFIG_ERROR_WITHIN);
}

#[test]
fn filter_patterns_that_are_not_regexes() {
    check_all(bad_patterns(), CONFIG_ERROR_WITHIN);
}

#[test]
fn files_that_are_not_a_config() {
    check_all(not_a_config(), CONFIG_ERROR_WITHIN);
}

#[test]
fn yaml_bombs_and_huge_documents() {
    check_all(bombs(), CONFIG_ERROR_WITHIN);
}

#[test]
fn variables_gone_wrong() {
    check_all(variables(), CONFIG_ERROR_WITHIN);
}

#[test]
fn connection_settings() {
    check_all(connection(), CONFIG_ERROR_WITHIN);
}

#[test]
fn openmetadata_server_settings() {
    check_all(openmetadata_server(), CONFIG_ERROR_WITHIN);
}

#[test]
fn at_least_fifty_malformed_configs() {
    let count = [
        missing_sections(),
        wrong_types(),
        bad_patterns(),
        not_a_config(),
        bombs(),
        variables(),
        connection(),
        openmetadata_server(),
    ]
    .iter()
    .map(Vec::len)
    .sum::<usize>();
    assert!(count >= 50, "only {count} malformed configs");
}

// --- plugins -------------------------------------------------------------------------------------
// Also covered elsewhere, not repeated here: a core module instead of a component and a text file
// (tests/tests/sandbox/plugins.rs), a plugin stamped with a contract version omrun does not know
// (tests/tests/sandbox/plugin_kit.rs).

/// The error for `plugin`, run with the valid BASE config.
fn plugin_case(name: &'static str, plugin: &Path, says: &[&str]) -> (Case, PathBuf) {
    let mut says: Vec<&str> = says.to_vec();
    let shown = plugin.display().to_string();
    says.push(&shown);
    let case = case(name, BASE).says(&says);
    (case, plugin.to_owned())
}

fn check_plugins(cases: Vec<(Case, PathBuf)>) {
    let mut failures = Vec::new();
    for (case, plugin) in cases {
        let work = Workdir::new();
        work.write("config.yaml", &case.content);
        let started = Instant::now();
        let out = ingest(&work, "config.yaml", &plugin).run();
        // Compiling a component in a debug build takes a while; only a hang is a failure here.
        match verdict(&case, &out, started.elapsed(), Duration::from_secs(120)) {
            Ok(()) => eprintln!("ok   {:<40} {}", case.name, out.error_lines()[0]),
            Err(why) => failures.push(format!("--- {}: {why}\n{}", case.name, out.describe())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn malformed_plugins() {
    let work = Workdir::new();
    let postgres = std::fs::read(omrun_tests::plugin("postgres")).unwrap();
    let truncated = work.write("truncated.wasm", &postgres[..postgres.len() / 2]);
    let header_only = work.write("header-only.wasm", &postgres[..8]);
    let mut garbled = postgres[..8].to_vec();
    garbled.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let garbled = work.write("garbled.wasm", garbled);
    let empty = work.write("empty.wasm", b"");
    let directory = work.join("directory.wasm");
    std::fs::create_dir_all(&directory).unwrap();
    let other_world = omrun_tests::test_plugin("other_world");

    check_plugins(vec![
        plugin_case(
            "truncated component",
            &truncated,
            &["is not a valid WebAssembly component"],
        ),
        plugin_case(
            "component header only (an empty component)",
            &header_only,
            &["does not implement", "discovery", "streaming"],
        ),
        plugin_case(
            "component header and noise",
            &garbled,
            &["is not a valid WebAssembly component"],
        ),
        plugin_case(
            "zero-byte file",
            &empty,
            &["is not a WebAssembly component", "empty"],
        ),
        plugin_case(
            "a directory",
            &directory,
            &["is not a regular file", "folder"],
        ),
        plugin_case(
            "a component of another world",
            &other_world,
            &["does not implement", "discovery", "streaming"],
        ),
    ]);
}

/// A plugin whose `info()` serves another service type than the config's `type`.
#[test]
fn plugin_for_another_service_type() {
    let plugin = omrun_tests::plugin("postgres");
    let (case, _) = plugin_case(
        "postgres plugin, Mysql config",
        &plugin,
        &["handles Postgres", "service type is `Mysql`"],
    );
    let case = Case {
        content: edited(BASE, "      type: Postgres\n", "      type: Mysql\n").into_bytes(),
        ..case
    };
    check_plugins(vec![(case, plugin)]);
}
