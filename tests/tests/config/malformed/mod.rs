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
/// How long a config error may take: a bound that tells a parse that runs away (an alias bomb
/// expanded takes minutes, or forever) from one that stops, not a performance goal — the times
/// are printed. Generous: a debug build on a loaded two-core machine took 7 s for a 60,000-value
/// list that takes under 1 s alone.
const CONFIG_ERROR_WITHIN: Duration = Duration::from_secs(30);

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

mod sections;
mod settings;
mod text;

use sections::{missing_sections, wrong_types};
use settings::{connection, openmetadata_server, variables};
use text::{bad_patterns, bombs, not_a_config};

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
        // A valid Mysql connection (it has no `database` or `sslMode`): the plugin is what is wrong.
        content: edited(BASE, "      type: Postgres\n", "      type: Mysql\n")
            .replace("      database: postgres\n      sslMode: disable\n", "")
            .into_bytes(),
        ..case
    };
    check_plugins(vec![(case, plugin)]);
}
