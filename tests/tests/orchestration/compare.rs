//! `omrun compare` and `omrun ingest --file-sink`: the measuring commands must run the real
//! ingestion in every mode, count what it did, and never write the configured sink unless asked.

use std::path::Path;

use omrun_tests::jsonl::Records;
use omrun_tests::{Omrun, SqliteConfig, Workdir, plugin};
use serde_json::Value;

const SERVICE: &str = "omrun_compare";
const TABLES: usize = 12;

/// A SQLite file with `TABLES` tables and one view.
fn build_database(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("create the SQLite file");
    let mut sql = String::new();
    for i in 0..TABLES {
        sql.push_str(&format!(
            "CREATE TABLE t{i:02} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount NUMERIC(9,2));\n"
        ));
    }
    sql.push_str("CREATE VIEW v_all AS SELECT id, name FROM t00;\n");
    conn.execute_batch(&sql).expect("build the SQLite fixture");
}

fn rows(stdout: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(stdout)
        .unwrap_or_else(|e| panic!("compare --json printed no JSON array ({e}):\n{stdout}"))
        .as_array()
        .expect("a JSON array")
        .clone()
}

#[test]
fn compare_runs_every_mode_into_a_throwaway_sink() {
    let work = Workdir::new();
    let db = work.join("shop.db");
    build_database(&db);
    let configured_output = work.join("configured.jsonl");
    let cfg = SqliteConfig::new(SERVICE, &db, &configured_output);
    let config = work.write("compare.yaml", cfg.yaml());

    let out = Omrun::new(work.path())
        .args(["compare", "-c"])
        .arg(&config)
        .plugin(plugin("sqlite"))
        .args(["--parallelism", "2,3", "--runs", "3", "--json"])
        .run();
    out.assert_success();
    let rows = rows(&out.stdout);
    let modes: Vec<(String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["mode"].as_str().unwrap().to_string(),
                r["parallelism"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        modes,
        [
            ("sequential".to_string(), 1),
            ("local".to_string(), 2),
            ("local".to_string(), 3)
        ],
        "{}",
        out.describe()
    );
    for r in &rows {
        // Tables plus the view, in every mode.
        assert_eq!(r["entities"], (TABLES + 1) as u64, "row {r}");
        assert_eq!(r["failed"], 0, "row {r}");
        assert_eq!(r["runs"], 3, "row {r}");
        let wall = r["wallSeconds"].as_f64().unwrap();
        assert!(wall > 0.0, "row {r}");
        let rate = r["entitiesPerSecond"].as_f64().unwrap();
        assert!(
            (rate - (TABLES + 1) as f64 / wall).abs() < 1e-6 * rate.max(1.0),
            "entities/s is entities over wall time: {r}"
        );
        // Each run is its own process; its memory comes from the kernel.
        assert!(r["peakRssMib"].as_f64().unwrap() > 1.0, "row {r}");
    }
    assert_eq!(rows[0]["speedup"], 1.0, "sequential is the baseline");
    assert!(
        !configured_output.exists(),
        "compare wrote the configured sink without --use-config-sink"
    );
    // Each mode's runs were announced on stderr.
    assert_eq!(
        out.stderr
            .matches("compare: local, parallelism 3, run ")
            .count(),
        3,
        "{}",
        out.describe()
    );
}

#[test]
fn compare_writes_the_configured_sink_only_when_told() {
    let work = Workdir::new();
    let db = work.join("shop.db");
    build_database(&db);
    let configured_output = work.join("configured.jsonl");
    let config = work.write(
        "compare.yaml",
        SqliteConfig::new(SERVICE, &db, &configured_output).yaml(),
    );

    let out = Omrun::new(work.path())
        .args(["compare", "-c"])
        .arg(&config)
        .plugin(plugin("sqlite"))
        .args(["--parallelism", "2", "--use-config-sink"])
        .run();
    out.assert_success();
    // The human table: a header and one line per mode.
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("mode"), "{}", out.describe());
    assert!(lines[1].starts_with("sequential"), "{}", out.describe());
    assert!(lines[2].starts_with("local"), "{}", out.describe());
    let records = Records::read(&configured_output);
    assert_eq!(records.table_fqns().len(), TABLES + 1);
}

#[test]
fn compare_names_the_run_that_failed() {
    let work = Workdir::new();
    let missing = work.join("missing.db");
    let config = work.write(
        "compare.yaml",
        SqliteConfig::new(SERVICE, &missing, &work.join("out.jsonl")).yaml(),
    );
    let out = Omrun::new(work.path())
        .args(["compare", "-c"])
        .arg(&config)
        .plugin(plugin("sqlite"))
        .args(["--parallelism", "2"])
        .run();
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(
        out.stderr
            .contains("the sequential run (parallelism 1) failed"),
        "{}",
        out.describe()
    );
    assert!(out.stderr.contains("missing.db"), "{}", out.describe());
}

#[test]
fn file_sink_flag_replaces_the_configured_openmetadata_sink() {
    let work = Workdir::new();
    let db = work.join("shop.db");
    build_database(&db);
    let mut cfg = SqliteConfig::new(SERVICE, &db, &work.join("unused.jsonl"));
    // Nothing listens there: a run that tried OpenMetadata would fail.
    cfg.common.openmetadata = Some("http://127.0.0.1:9/api".into());
    let config = work.write("om.yaml", cfg.yaml());
    let output = work.join("instead.jsonl");

    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("sqlite"))
        .env("OM_JWT_TOKEN", "not-a-real-token")
        .secret("not-a-real-token")
        .arg("--file-sink")
        .arg(&output)
        .output(&output)
        .run();
    out.assert_success();
    let records = out.records();
    assert_eq!(records.service()["name"], SERVICE);
    assert_eq!(records.table_fqns().len(), TABLES + 1);
}
