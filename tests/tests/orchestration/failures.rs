//! What a run does with entities that fail, with a plugin that fails on purpose
//! (tests/plugins/faulty-sqlite): it traps on `panic_*` tables and refuses `error_*` tables. The
//! run goes on, retries per `retryPolicy`, isolates the entity that crashed its batch, names every
//! entity that still failed in the log and the report, writes all the others, and exits 1.

use std::collections::BTreeSet;

use omrun_tests::Workflow;
use omrun_tests::{Omrun, SqliteConfig, Workdir, fqn, test_plugin};
use serde_json::Value;

const SERVICE: &str = "faulty";
const HEALTHY: &[&str] = &["a1", "a2", "a3", "b1", "b2"];

fn table(name: &str) -> String {
    fqn(&[SERVICE, "default", "main", name])
}

#[test]
fn failed_entities_are_retried_isolated_and_named_while_the_others_are_written() {
    let work = Workdir::new();
    let file = work.join("faulty.db");
    let conn = rusqlite::Connection::open(&file).expect("create the SQLite file");
    for name in HEALTHY.iter().chain(&["error_x", "panic_y"]) {
        conn.execute_batch(&format!("CREATE TABLE {name} (id INTEGER)"))
            .expect("create a table");
    }
    drop(conn);

    let output = work.join("out.jsonl");
    let yaml = SqliteConfig::new(SERVICE, &file, &output)
        .orchestrator("local", 2)
        .yaml();
    // One batch of all seven tables, so the panic takes healthy tables down with it; quick retries.
    let yaml = yaml
        .replace(
            "    parallelism: 2\n",
            "    parallelism: 2\n    batchSize: 10\n",
        )
        .replace("backoffSeconds: 1\n", "backoffSeconds: 0.01\n");
    assert!(
        yaml.contains("batchSize: 10") && yaml.contains("backoffSeconds: 0.01"),
        "{yaml}"
    );
    let config = work.write("config.yaml", yaml);

    let out = Omrun::ingest(work.path(), &config)
        .plugin(test_plugin("faulty_sqlite"))
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_code(1);

    // Everything that could be written was, once, valid and parents first.
    let records = out.records();
    let healthy: BTreeSet<String> = HEALTHY.iter().map(|t| table(t)).collect();
    assert_eq!(records.table_fqns(), healthy, "{}", out.describe());

    let report = out.report();
    assert_eq!(report["found"], 7, "{report}");
    assert_eq!(report["processed"], 5, "{report}");
    assert_eq!(report["failed"], 2, "{report}");
    // The crashed batch: all 7 retried one by one; then error_x and panic_y fail their second
    // attempt too and are retried once more each (maxAttempts 3).
    assert_eq!(report["retried"], 9, "{report}");
    let failures: Vec<&Value> = report["failures"]
        .as_array()
        .expect("failures")
        .iter()
        .collect();
    let by_fqn = |name: &str| {
        *failures
            .iter()
            .find(|f| f["fqn"] == table(name))
            .unwrap_or_else(|| panic!("{name} not in {report}"))
    };
    let error = by_fqn("error_x");
    assert_eq!(error["kind"], "table");
    assert_eq!(error["attempts"], 3);
    assert_eq!(error["error"], "deliberate error on error_x");
    let panic = by_fqn("panic_y");
    assert_eq!(panic["attempts"], 3);
    let message = panic["error"].as_str().unwrap_or_default();
    assert!(
        message.contains("plugin trapped in `process`")
            && message.contains("deliberate panic on panic_y"),
        "the trap and the plugin's panic message: {message}"
    );

    for name in ["error_x", "panic_y"] {
        assert!(
            out.stderr
                .lines()
                .any(|l| l.contains("[ERROR] Failed table") && l.contains(&table(name))),
            "{name} is named in the log:\n{}",
            out.describe()
        );
    }
    assert_eq!(
        out.stderr_value("Failed:").as_deref(),
        Some("2"),
        "{}",
        out.describe()
    );
}
