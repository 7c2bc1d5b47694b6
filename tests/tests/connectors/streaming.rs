//! A plugin of world `source` (it cannot discover: tests/plugins/streaming-sqlite): asked for local
//! mode, omrun says it falls back to sequential and runs it so; the plugin streams tables without
//! their database and schema, and omrun writes those parents itself, before the tables.

use std::collections::BTreeSet;

use omrun_tests::Workflow;
use omrun_tests::{Omrun, SqliteConfig, Workdir, column, fqn, test_plugin};

const SERVICE: &str = "streamed";

#[test]
fn a_source_that_cannot_discover_runs_sequentially_with_its_parents_written() {
    let work = Workdir::new();
    let file = work.join("streamed.db");
    rusqlite::Connection::open(&file)
        .and_then(|c| {
            c.execute_batch(
                "CREATE TABLE alpha (id INTEGER PRIMARY KEY, label VARCHAR(30) NOT NULL);
                 CREATE TABLE beta (id INTEGER, amount NUMERIC(8,3));
                 CREATE TABLE gamma (payload BLOB);",
            )
        })
        .expect("build the SQLite fixture");
    let output = work.join("out.jsonl");
    let config = work.write(
        "config.yaml",
        SqliteConfig::new(SERVICE, &file, &output)
            .orchestrator("local", 4)
            .yaml(),
    );

    let out = Omrun::ingest(work.path(), &config)
        .plugin(test_plugin("streaming_sqlite"))
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_success();
    out.assert_stderr_line(
        "Source does not support distributed execution, falling back to sequential",
    );
    assert_eq!(
        out.stderr.matches("falling back to sequential").count(),
        1,
        "said once:\n{}",
        out.describe()
    );

    // Records::read validates every line against the schemas and checks parents come first.
    let records = out.records();
    assert_eq!(
        records.database_fqns(),
        BTreeSet::from([fqn(&[SERVICE, "default"])])
    );
    assert_eq!(
        records.schema_fqns(),
        BTreeSet::from([fqn(&[SERVICE, "default", "main"])])
    );
    let tables: BTreeSet<String> = ["alpha", "beta", "gamma"]
        .iter()
        .map(|t| fqn(&[SERVICE, "default", "main", t]))
        .collect();
    assert_eq!(records.table_fqns(), tables);
    let beta = records.get(&fqn(&[SERVICE, "default", "main", "beta"]));
    assert_eq!(column(beta, "amount")["precision"], 8);
    assert_eq!(column(beta, "amount")["scale"], 3);

    let report = out.report();
    assert_eq!(report["mode"], "sequential", "{report}");
    assert_eq!(report["parallelism"], 1, "{report}");
    assert_eq!(report["found"], 3, "{report}");
    assert_eq!(report["processed"], 3, "{report}");
    assert_eq!(
        report["containers"], 2,
        "the bare database and schema: {report}"
    );
    assert_eq!(report["failed"], 0, "{report}");
}
