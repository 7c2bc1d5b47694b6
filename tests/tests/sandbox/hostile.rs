//! A plugin that misbehaves on purpose (tests/plugins/hostile) is contained: with small
//! `workflowConfig.pluginLimits`, each hostile table fails on its own — named in the report with
//! the reason and its attempts — while the host neither crashes nor hangs and every other table is
//! written. What it reaches for (a sql label, files, the environment, HTTP hosts) it does not get.

use std::time::{Duration, Instant};

use omrun_tests::{Omrun, RunOutput, Workdir, fqn, test_plugin, yaml_str};
use serde_json::Value;

const SERVICE: &str = "hostile";
const OK: &[&str] = &["ok_1", "ok_2", "ok_3", "ok_4", "ok_5", "ok_6"];
const HOSTILE: &[&str] = &[
    "loop_1",
    "alloc_1",
    "panic_1",
    "empty_1",
    "huge_1",
    "columns_1",
    "sql_1",
    "file_1",
    "env_1",
    "http_1",
];
const CALL_TIMEOUT_SECONDS: u64 = 3;
const MAX_ATTEMPTS: u64 = 2;

fn table(name: &str) -> String {
    fqn(&[SERVICE, "hostile", "main", name])
}

/// The hostile plugin over `tables`, 4 workers, one table per batch, 256 MiB and 3 s per call,
/// two attempts with a short backoff.
fn run(work: &Workdir, tables: &[&str], discover_loop: bool) -> (RunOutput, Duration) {
    let output = work.join("out.jsonl");
    let config = format!(
        "source:
  type: hostile
  serviceName: {SERVICE}
  serviceConnection:
    config:
      type: CustomDatabase
      hostPort: localhost:1
      discoverLoop: {discover_loop}
      tables: {tables}
  sourceConfig:
    config:
      type: DatabaseMetadata
sink:
  type: file
  config:
    filename: {output}
workflowConfig:
  loggerLevel: INFO
  pluginLimits:
    memory: 256Mi
    callTimeoutSeconds: {CALL_TIMEOUT_SECONDS}
  distributedExecution:
    enabled: true
    orchestrator: local
    parallelism: 4
    batchSize: 1
    retryPolicy:
      maxAttempts: {MAX_ATTEMPTS}
      backoffSeconds: 0.01
",
        tables = serde_json::to_string(tables).unwrap(),
        output = yaml_str(&output.to_string_lossy()),
    );
    let config = work.write("config.yaml", config);
    let started = Instant::now();
    let out = Omrun::ingest(work.path(), &config)
        .plugin(test_plugin("hostile"))
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    (out, started.elapsed())
}

#[test]
fn each_hostile_table_fails_alone_with_its_reason_and_the_others_are_written() {
    let work = Workdir::new();
    // Hostile tables between healthy ones, so every worker meets both.
    let mut tables: Vec<&str> = Vec::new();
    for (i, hostile) in HOSTILE.iter().enumerate() {
        tables.push(hostile);
        if let Some(ok) = OK.get(i) {
            tables.push(ok);
        }
    }
    let (out, took) = run(&work, &tables, false);
    out.assert_code(1);
    // The loop costs a timeout per attempt; everything else runs beside it.
    let bound = Duration::from_secs(CALL_TIMEOUT_SECONDS * MAX_ATTEMPTS + 30);
    assert!(
        took < bound,
        "took {took:?} (bound {bound:?}):\n{}",
        out.describe()
    );

    let report = out.report();
    let failure = |name: &str| -> (String, u64) {
        let f = report["failures"]
            .as_array()
            .expect("failures")
            .iter()
            .find(|f| f["fqn"] == table(name))
            .unwrap_or_else(|| panic!("{name} is not among the failures: {report:#}"));
        assert_eq!(f["kind"], "table", "{f}");
        (
            f["error"].as_str().unwrap_or_default().to_owned(),
            f["attempts"].as_u64().unwrap_or_default(),
        )
    };
    let expected: &[(&str, &[&str])] = &[
        ("loop_1", &["`process` did not finish within 3 s"]),
        (
            "alloc_1",
            &[
                "plugin trapped in `process`",
                "forcing trap when growing memory",
            ],
        ),
        (
            "panic_1",
            &["plugin trapped in `process`", "deliberate panic on panic_1"],
        ),
        (
            "empty_1",
            &["the plugin returned a table with an empty name"],
        ),
        (
            "huge_1",
            &[
                "the plugin returned a table named `huge_xxx",
                "of 100000005 bytes: OpenMetadata accepts names of at most 256 characters",
            ],
        ),
        ("sql_1", &["sql connection `stolen` is not granted"]),
        // No preopened directory: the file does not exist for the plugin.
        (
            "file_1",
            &["reading /etc/passwd: No such file or directory"],
        ),
        (
            "http_1",
            &[
                "omrun denied the request to http://169.254.169.254: the config does not grant",
                "omrun denied the request to http://127.0.0.1:1: the config does not grant",
                "omrun denied the request to http://example.com: the config does not grant",
            ],
        ),
    ];
    for (name, parts) in expected {
        let (error, attempts) = failure(name);
        for part in *parts {
            assert!(error.contains(part), "{name}: `{part}` not in `{error}`");
        }
        assert_eq!(
            attempts, MAX_ATTEMPTS,
            "{name} is retried per retryPolicy: {error}"
        );
    }
    assert_eq!(report["failed"], expected.len(), "{report:#}");
    assert_eq!(report["processed"], OK.len() + 2, "{report:#}");
    out.assert_stderr_line("hostile: denied sql connection `stolen`: not granted by the config");
    out.assert_stderr_line(
        "hostile: denied HTTP request to 169.254.169.254: not granted by the config",
    );

    // Every healthy table is written; 20,000 columns are fine; the environment is empty.
    let records = out.records();
    let written = records.table_fqns();
    for name in OK.iter().chain(&["columns_1", "env_1"]) {
        assert!(
            written.contains(&table(name)),
            "{name} not written:\n{}",
            out.describe()
        );
    }
    assert_eq!(written.len(), OK.len() + 2, "{written:?}");
    let request = |name: &str| -> Value {
        records
            .of_kind("CreateTableRequest")
            .find(|r| r.request["name"] == name)
            .unwrap_or_else(|| panic!("no request for {name}"))
            .request
            .clone()
    };
    assert_eq!(
        request("columns_1")["columns"].as_array().map(Vec::len),
        Some(20_000)
    );
    assert_eq!(
        request("env_1")["description"],
        "saw 0 environment variables"
    );
}

#[test]
fn a_discovery_that_never_ends_stops_the_run_after_its_attempts() {
    let work = Workdir::new();
    let (out, took) = run(&work, &["ok_1"], true);
    out.assert_code(1);
    assert_eq!(
        out.single_error(),
        "error: discovery failed after 2 attempt(s): `discover` did not finish within 3 s",
        "{}",
        out.describe()
    );
    let bound = Duration::from_secs(CALL_TIMEOUT_SECONDS * MAX_ATTEMPTS + 20);
    assert!(took < bound, "took {took:?} (bound {bound:?})");
}

/// What a plugin declares in `info()` and the config does not grant stops the run before it
/// starts (see also http_capability.rs for an HTTP need): faulty-sqlite needs sql `source`, which
/// a `CustomDatabase` connection does not grant.
#[test]
fn a_plugin_needing_what_the_config_does_not_grant_is_refused_before_the_run() {
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let config = work.write(
        "config.yaml",
        format!(
            "source:\n  type: faulty\n  serviceName: faulty\n  serviceConnection:\n    config:\n      \
             type: CustomDatabase\n      hostPort: localhost:1\nsink:\n  type: file\n  config:\n    \
             filename: {}\n",
            yaml_str(&output.to_string_lossy())
        ),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(test_plugin("faulty_sqlite"))
        .run();
    out.assert_code(2);
    assert!(
        out.single_error().contains(
            "plugin faulty-sqlite needs sql connection `source` which the config does not grant"
        ),
        "{}",
        out.describe()
    );
    assert!(!output.exists(), "nothing was written");
}
