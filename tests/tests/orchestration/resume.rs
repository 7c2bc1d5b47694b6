//! Resume: `omrun ingest` killed with SIGKILL in the middle of a run, then `omrun ingest --resume`,
//! ends as one clean run would — the file holds the same records (none twice, none missing), every
//! table reaches OpenMetadata once — while the resumed run processes only what was left. A
//! checkpoint of another config is refused; `--resume` without a checkpoint runs from the start.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use omrun_tests::openmetadata::{Attempts, Collection, StandIn};
use omrun_tests::run::Running;
use omrun_tests::scenario::{Mode, once_per_file, run_postgres};
use omrun_tests::{
    Omrun, PgConfig, PgServer, Records, RunOutput, SqliteConfig, TestDb, Workdir, Workflow,
    fixture, fqn, plugin, test_plugin,
};
use serde_json::Value;

const TABLES: usize = 1000;
const SERVICE: &str = "omrun_resume";
const TOKEN: &str = "om-test-jwt-5e0c1b77";
/// SQLite streams fast: more tables, so that the kill surely lands mid-run.
const SQLITE_TABLES: usize = 3000;

/// The thousand-table database, built once for the tests of this file.
fn thousand_tables() -> &'static TestDb {
    static DB: OnceLock<Result<TestDb, String>> = OnceLock::new();
    once_per_file(&DB, || {
        PgServer::from_env().create_database("resume", fixture::THOUSAND_TABLES)
    })
}

/// The checkpoint a run of this file's service started in `dir` keeps by default, once it is
/// there (a path that does not exist before): in omrun's state folder, never beside the config.
fn checkpoint_of(dir: &Path) -> PathBuf {
    let prefix = format!("checkpoint-{SERVICE}-");
    let state = omrun_tests::run::state_dir(dir);
    let found: Vec<PathBuf> = std::fs::read_dir(&state)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    let name = p.file_name().unwrap().to_string_lossy();
                    name.starts_with(&prefix) && name.ends_with(".jsonl")
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        found.len() <= 1,
        "one checkpoint per service here: {found:?}"
    );
    found
        .into_iter()
        .next()
        .unwrap_or_else(|| state.join("no-checkpoint-yet"))
}

/// Tables the checkpoint records as done so far (0 when it is not there yet).
fn tables_checkpointed(checkpoint: &Path) -> usize {
    let text = std::fs::read_to_string(checkpoint).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|line| line["done"]["table"].as_array().map(Vec::len))
        .sum()
}

/// The file sink's length the checkpoint recorded last.
fn sink_bytes_checkpointed(checkpoint: &Path) -> u64 {
    let text = std::fs::read_to_string(checkpoint).unwrap();
    text.lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find_map(|line| line["sinkBytes"].as_u64())
        .expect("a file sink's checkpoint records its length")
}

/// Waits until the checkpoint in `dir` holds at least `tables` tables; the run must still be going.
fn wait_for_checkpointed(running: &mut Running, dir: &Path, tables: usize) {
    let started = Instant::now();
    while tables_checkpointed(&checkpoint_of(dir)) < tables {
        assert!(
            running.is_running(),
            "the run ended before {tables} tables were checkpointed: make it slower\n{}",
            running.stderr_so_far()
        );
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no {tables} tables checkpointed in 300 s:\n{}",
            running.stderr_so_far()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until the checkpoint holds at least `tables` tables, then kills the run with SIGKILL, as
/// `kill -9` would: no flush, no clean-up, no last words.
fn kill_mid_run(mut running: Running, dir: &Path, tables: usize) -> RunOutput {
    wait_for_checkpointed(&mut running, dir, tables);
    let killed = running.kill();
    assert_eq!(
        killed.code,
        None,
        "killed by a signal:\n{}",
        killed.describe()
    );
    assert!(
        killed.stderr_value("Processed:").is_none(),
        "the run was over before the kill landed:\n{}",
        killed.describe()
    );
    killed
}

/// N from the resumed run's `Resuming: N of M entities already done`, checking M.
fn resumed_count(out: &RunOutput, total: usize) -> usize {
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains("Resuming: "))
        .unwrap_or_else(|| panic!("no `Resuming:` line:\n{}", out.describe()));
    let words: Vec<&str> = line[line.find("Resuming: ").unwrap()..]
        .split_whitespace()
        .collect();
    assert_eq!(
        (words.get(2), words.get(3), words.get(5..7)),
        (
            Some(&"of"),
            Some(&total.to_string().as_str()),
            Some(&["already", "done"][..])
        ),
        "{line}"
    );
    words[1].parse().expect("a count")
}

fn int(report: &Value, key: &str) -> usize {
    report[key]
        .as_u64()
        .unwrap_or_else(|| panic!("report `{key}`: {report}")) as usize
}

/// The report of a resumed run that skipped `resumed` tables of `total` and failed nothing.
fn assert_resumed_report(report: &Value, total: usize, resumed: usize) {
    assert_eq!(int(report, "found"), total, "{report}");
    assert_eq!(int(report, "resumed"), resumed, "{report}");
    assert_eq!(int(report, "processed"), total - resumed, "{report}");
    assert_eq!(int(report, "failed"), 0, "{report}");
}

#[test]
fn a_run_killed_mid_way_and_resumed_writes_the_file_one_clean_run_writes() {
    let db = thousand_tables();
    let work = Workdir::new();
    // The reference: one clean run, which leaves no checkpoint behind.
    let clean = run_postgres(
        &work,
        db,
        "clean",
        PgConfig::new(SERVICE, &work.join("x")),
        Mode::Local(2),
    );
    assert_eq!(clean.records.count("CreateTableRequest"), TABLES);
    assert!(!checkpoint_of(work.path()).exists());

    // Two workers, small batches: batches of both are in flight when the kill lands.
    let output = work.join("resumed.jsonl");
    let config = work.write(
        "resumed.yaml",
        PgConfig::new(SERVICE, &output)
            .orchestrator("local", 2)
            .batch_size(5)
            .yaml(),
    );
    let ingest = || {
        Omrun::ingest(work.path(), &config)
            .plugin(plugin("postgres"))
            .db(db)
            .output(&output)
    };
    kill_mid_run(ingest().spawn(), work.path(), 30);
    let checkpoint = checkpoint_of(work.path());
    assert!(checkpoint.is_file(), "a killed run keeps its checkpoint");
    // The file has at least what the checkpoint recorded; anything more is from batches in
    // flight, which the resume cuts off and redoes.
    let recorded = sink_bytes_checkpointed(&checkpoint);
    let written = std::fs::metadata(&output).unwrap().len();
    assert!(
        written >= recorded,
        "{written} bytes < {recorded} checkpointed"
    );

    let report = work.join("resumed.report.json");
    let resumed = ingest().arg("--resume").report_json(&report).run();
    resumed.assert_success();
    let skipped = resumed_count(&resumed, TABLES);
    assert!(
        (30..TABLES).contains(&skipped),
        "skipped {skipped}:\n{}",
        resumed.describe()
    );
    assert_resumed_report(&resumed.report(), TABLES, skipped);
    assert_eq!(
        resumed.stderr_value("Resumed:").as_deref(),
        Some(skipped.to_string().as_str()),
        "{}",
        resumed.describe()
    );
    assert!(
        !checkpoint.exists(),
        "a run that finished cleanly removes its checkpoint"
    );

    // Records::read checks every line, parents first and no entity twice; the set of records is
    // exactly the clean run's.
    let records = resumed.records();
    assert_eq!(records.count("CreateTableRequest"), TABLES);
    assert_eq!(records.count("CreateDatabaseServiceRequest"), 1);
    assert_eq!(records.count("CreateDatabaseRequest"), 1);
    assert_eq!(records.count("CreateDatabaseSchemaRequest"), 1);
    assert!(
        records.canonical_set() == clean.records.canonical_set(),
        "the resumed file differs from a clean run's"
    );

    // And Records::read would have caught a table written twice.
    let text = std::fs::read_to_string(&output).unwrap();
    let twice = work.write(
        "twice.jsonl",
        format!("{text}{}\n", text.lines().last().unwrap()),
    );
    let caught = std::panic::catch_unwind(|| Records::read(&twice));
    assert!(caught.is_err(), "Records::read accepts a duplicate table");
}

#[test]
fn a_source_that_cannot_discover_is_streamed_again_and_only_the_rest_written() {
    let work = Workdir::new();
    let database = work.join("many.db");
    let tables: String = (1..=SQLITE_TABLES)
        .map(|i| format!("CREATE TABLE t_{i:04} (id INTEGER PRIMARY KEY, label VARCHAR(20));\n"))
        .collect();
    rusqlite::Connection::open(&database)
        .and_then(|c| c.execute_batch(&tables))
        .expect("build the SQLite fixture");
    let ingest = |name: &str| {
        let output = work.join(&format!("{name}.jsonl"));
        let config = work.write(
            &format!("{name}.yaml"),
            SqliteConfig::new(SERVICE, &database, &output)
                .orchestrator("sequential", 1)
                .yaml(),
        );
        Omrun::ingest(work.path(), config)
            .plugin(test_plugin("streaming_sqlite"))
            .output(&output)
    };
    let clean = ingest("clean").run();
    clean.assert_success();

    kill_mid_run(ingest("resumed").spawn(), work.path(), 30);
    let checkpoint = checkpoint_of(work.path());
    let report = work.join("resumed.report.json");
    let resumed = ingest("resumed").arg("--resume").report_json(&report).run();
    resumed.assert_success();
    resumed.assert_stderr_line("streams them all again and only the rest is written");
    let report = resumed.report();
    let skipped = int(&report, "resumed");
    assert!((30..SQLITE_TABLES).contains(&skipped), "{report}");
    assert_resumed_report(&report, SQLITE_TABLES, skipped);
    assert!(!checkpoint.exists());
    assert!(
        resumed.records().canonical_set() == clean.records().canonical_set(),
        "the resumed file differs from a clean run's"
    );
}

#[test]
fn a_run_killed_mid_way_and_resumed_writes_every_table_to_openmetadata_once() {
    let db = thousand_tables();
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    // Slow enough that the kill lands mid-run.
    om.set_latency(Duration::from_millis(20));
    let config = work.write(
        "om.yaml",
        PgConfig::new(SERVICE, &work.join("x"))
            .orchestrator("sequential", 1)
            .batch_size(10)
            .openmetadata(&om.host_port())
            .yaml(),
    );
    let ingest = || {
        Omrun::ingest(work.path(), &config)
            .plugin(plugin("postgres"))
            .db(db)
            .env("OM_JWT_TOKEN", TOKEN)
            .secret(TOKEN)
    };
    kill_mid_run(ingest().spawn(), work.path(), 30);
    let checkpoint = checkpoint_of(work.path());
    let first_requests = om.requests().len();
    om.clear_faults();

    let report = work.join("om.report.json");
    let resumed = ingest().arg("--resume").report_json(&report).run();
    resumed.assert_success();
    let skipped = resumed_count(&resumed, TABLES);
    assert_resumed_report(&resumed.report(), TABLES, skipped);
    assert!(!checkpoint.exists());

    // Every table is there once: created once, never updated (a table the killed run sent after
    // its last checkpoint line comes again with the same sourceHash, which changes nothing), and
    // none marked deleted.
    let expected: std::collections::BTreeSet<String> = (1..=TABLES)
        .map(|i| fqn(&[SERVICE, &db.name, "bulk", &format!("table_{i:04}")]))
        .collect();
    let tables = om.entities(Collection::Tables);
    let stored: std::collections::BTreeSet<String> = tables.iter().map(|t| t.fqn.clone()).collect();
    assert_eq!(stored, expected);
    assert!(tables.iter().all(|t| !t.deleted && t.version == 0.1));
    let writes = om.writes_in(Collection::Tables);
    assert_eq!(
        (writes.creates, writes.updates, writes.deletes),
        (TABLES, 0, 0)
    );

    // The resumed run sent only the tables left, the containers again (OpenMetadata takes them
    // as once, and may have lost them since), and marked stale tables against every table the
    // source has, not only the ones it processed.
    let second = &om.requests()[first_requests..];
    let sent = |path: &str| -> usize {
        second
            .iter()
            .filter(|r| r.method == "PUT" && r.path == path)
            .map(|r| {
                serde_json::from_str::<Value>(&r.body)
                    .unwrap()
                    .as_array()
                    .map_or(1, Vec::len)
            })
            .sum()
    };
    let tables_sent = sent("/api/v1/tables/bulk");
    assert!(
        tables_sent == TABLES - skipped,
        "the resumed run sent {tables_sent} tables, having skipped {skipped}"
    );
    assert_eq!(sent("/api/v1/databases/bulk"), 1);
    assert_eq!(sent("/api/v1/databaseSchemas/bulk"), 1);
    // The service is looked up again, and left alone: it is there.
    assert!(second.iter().any(|r| {
        r.method == "GET"
            && r.path
                .starts_with("/api/v1/services/databaseServices/name/")
    }));
    assert_eq!(sent("/api/v1/services/databaseServices"), 0);
    let stale: Vec<Value> = second
        .iter()
        .filter(|r| r.path == "/api/v1/tables/deleteStale")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(stale.len(), 1, "one schema");
    assert_eq!(stale[0]["seenFqns"].as_array().map(Vec::len), Some(TABLES));
}

#[test]
fn a_run_with_failures_keeps_its_checkpoint_and_only_another_config_is_refused() {
    let db = PgServer::from_env().create_database("resume_failures", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    // OpenMetadata refuses one table for good: the run ends with a failure.
    om.fail_item("orders", 400, Attempts::Always);
    let cfg = PgConfig::new(SERVICE, &work.join("x")).openmetadata(&om.host_port());
    let config = work.write("a.yaml", cfg.yaml());
    let ingest = |config: &Path| {
        Omrun::ingest(work.path(), config)
            .plugin(plugin("postgres"))
            .db(&db)
            .env("OM_JWT_TOKEN", TOKEN)
            .secret(TOKEN)
    };
    let failed = ingest(&config).run();
    failed.assert_code(1);
    let checkpoint = checkpoint_of(work.path());
    assert!(checkpoint.is_file(), "{}", failed.describe());
    let last_lines: Vec<&str> = failed.stderr.lines().rev().take(4).collect();
    assert!(
        last_lines.iter().any(|l| l.contains("--resume")
            && l.contains("continues this run")
            && l.contains(&checkpoint.display().to_string())),
        "the last lines say how to continue:\n{}",
        failed.describe()
    );

    // A run that cannot start (the token is refused) leaves the checkpoint as it was: the
    // resume below still continues the failed run.
    let before = std::fs::read(&checkpoint).unwrap();
    let refused_token = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(&db)
        .env("OM_JWT_TOKEN", "not-the-token")
        .secret(TOKEN)
        .run();
    refused_token.assert_code(2);
    assert_eq!(
        std::fs::read(&checkpoint).unwrap(),
        before,
        "a run that could not start replaced the checkpoint:\n{}",
        refused_token.describe()
    );

    // Each config has its own default checkpoint, never beside it; another config's run given
    // this one's checkpoint is refused.
    assert!(
        !std::fs::read_dir(work.path()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("checkpoint")),
        "a checkpoint beside the config"
    );
    let other = work.write("b.yaml", cfg.yaml());
    let refused = ingest(&other)
        .arg("--resume")
        .arg("--checkpoint")
        .arg(&checkpoint)
        .run();
    refused.assert_code(2);
    let error = refused.single_error();
    for needle in ["is of another run", "a.yaml", "b.yaml", "without --resume"] {
        assert!(error.contains(needle), "{needle:?} not in: {error}");
    }
    assert!(
        checkpoint.is_file(),
        "a refused resume leaves the checkpoint alone"
    );

    // The resume redoes only the table that failed.
    om.clear_faults();
    let report = work.join("a.report.json");
    let resumed = ingest(&config).arg("--resume").report_json(&report).run();
    resumed.assert_success();
    let report = resumed.report();
    let found = int(&report, "found");
    assert_eq!(resumed_count(&resumed, found), found - 1);
    assert_resumed_report(&report, found, found - 1);
    assert!(!checkpoint.exists());
    let tables: Vec<String> = om
        .entities(Collection::Tables)
        .into_iter()
        .filter(|t| !t.deleted)
        .map(|t| t.fqn)
        .collect();
    assert_eq!(tables.len(), fixture::TABLES.len(), "{tables:?}");
    assert!(tables.contains(&fqn(&[SERVICE, &db.name, "sales", "orders"])));
}

#[test]
fn resume_without_a_checkpoint_runs_from_the_start_and_says_so() {
    let db = PgServer::from_env().create_database("resume_none", fixture::SQL);
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let config = work.write("config.yaml", PgConfig::new(SERVICE, &output).yaml());
    let out = Omrun::ingest(work.path(), &config)
        .plugin(plugin("postgres"))
        .db(&db)
        .arg("--resume")
        .output(&output)
        .report_json(&work.join("report.json"))
        .run();
    out.assert_success();
    out.assert_stderr_line("No checkpoint at");
    out.assert_stderr_line("running from the start");
    assert!(
        !out.stderr.contains("Resuming:"),
        "nothing to resume:\n{}",
        out.describe()
    );
    let report = out.report();
    assert_eq!(int(&report, "resumed"), 0);
    assert_eq!(int(&report, "processed"), int(&report, "found"));
    assert_eq!(
        out.records().count("CreateTableRequest"),
        fixture::TABLES.len()
    );
    assert!(!checkpoint_of(work.path()).exists());
}

#[test]
fn a_resumed_run_writes_its_containers_again_to_a_server_that_lost_them() {
    let db = PgServer::from_env().create_database("resume_lost", fixture::SQL);
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    om.fail_item("orders", 400, Attempts::Always);
    let config = work.write(
        "lost.yaml",
        PgConfig::new(SERVICE, &work.join("x"))
            .openmetadata(&om.host_port())
            .yaml(),
    );
    let ingest = || {
        Omrun::ingest(work.path(), &config)
            .plugin(plugin("postgres"))
            .db(&db)
            .env("OM_JWT_TOKEN", TOKEN)
            .secret(TOKEN)
    };
    ingest().run().assert_code(1);

    // The server comes back empty: the service, database and schemas are gone too.
    om.lose_everything();
    om.clear_faults();
    let resumed = ingest().arg("--resume").run();
    resumed.assert_success();
    let orders = fqn(&[SERVICE, &db.name, "sales", "orders"]);
    let stored = om
        .entity(Collection::Tables, &orders)
        .expect("orders written");
    assert!(!stored.deleted);
    assert!(om.entity(Collection::DatabaseServices, SERVICE).is_some());
    assert_eq!(om.entities(Collection::Databases).len(), 1);
    assert_eq!(om.entities(Collection::DatabaseSchemas).len(), 3);
}

/// SIGTERM (Kubernetes deleting a pod, `kill`) and SIGINT (Ctrl-C) stop a run cleanly: no new
/// work, the batches in flight finish, the file holds whole lines, the checkpoint stays, the last
/// lines give the resume command, and the exit status is 128 + the signal (143, 130). `--resume`
/// then finishes the run.
#[test]
fn sigterm_and_sigint_stop_cleanly_and_the_resume_finishes() {
    let db = thousand_tables();
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let work = Workdir::new();
        let output = work.join("out.jsonl");
        let config = work.write(
            "signal.yaml",
            PgConfig::new(SERVICE, &output)
                .orchestrator("local", 2)
                .batch_size(5)
                .yaml(),
        );
        let ingest = || {
            Omrun::ingest(work.path(), &config)
                .plugin(plugin("postgres"))
                .db(db)
                .output(&output)
        };
        let mut running = ingest().spawn();
        wait_for_checkpointed(&mut running, work.path(), 30);
        let sent = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(running.pid().to_string())
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let out = running.wait();
        out.assert_code(code);
        let error = out.single_error();
        assert!(
            error.contains(&format!("stopped: interrupted by SIG{signal}"))
                && error.contains("were not processed")
                && error.contains("--resume"),
            "{error}"
        );
        let text = std::fs::read_to_string(&output).unwrap();
        assert!(text.ends_with('\n'), "a torn last line");
        for line in text.lines() {
            serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        }
        assert!(checkpoint_of(work.path()).is_file(), "the checkpoint stays");

        let resumed = ingest().arg("--resume").run();
        resumed.assert_success();
        assert_eq!(resumed.records().count("CreateTableRequest"), TABLES);
    }
}
