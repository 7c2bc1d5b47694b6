//! A successful ingestion run with everything the contract promises about it checked: exit 0, the
//! mode and summary lines on stderr, the `--report-json` report, and the sink output (validated line
//! by line, see [`Records::read`]) agreeing with the report.

use serde_json::Value;

use crate::config::{PgConfig, SqliteConfig, Workdir, Workflow};
use crate::jsonl::Records;
use crate::pg::TestDb;
use crate::run::{Omrun, RunOutput};

/// How to run: `--orchestrator sequential` or `--orchestrator local --parallelism N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Sequential,
    Local(u32),
}

impl Mode {
    pub fn label(self) -> String {
        match self {
            Mode::Sequential => "sequential".into(),
            Mode::Local(n) => format!("local{n}"),
        }
    }
}

/// A finished, successful run.
pub struct Run {
    pub out: RunOutput,
    pub records: Records,
    pub report: Value,
}

/// Runs `plugin` with the config `cfg` (its sink output is set here to `<name>-<mode>.jsonl`) in
/// `mode` (given on the command line, overriding the config), with the environment `env` adds,
/// and checks the run.
pub fn run_scenario<C: Workflow>(
    work: &Workdir,
    name: &str,
    mut cfg: C,
    mode: Mode,
    plugin: &str,
    env: impl FnOnce(Omrun) -> Omrun,
) -> Run {
    let name = format!("{name}-{}", mode.label());
    let output = work.join(&format!("{name}.jsonl"));
    cfg.common_mut().output = output.clone();
    let config = work.write(&format!("{name}.yaml"), cfg.yaml());
    let report = work.join(&format!("{name}.report.json"));
    let cmd =
        mode_args(Omrun::ingest(work.path(), &config), mode).plugin(crate::paths::plugin(plugin));
    let out = env(cmd).output(&output).report_json(&report).run();
    checked(out, mode, plugin)
}

/// The postgres plugin on `db`.
pub fn run_postgres(work: &Workdir, db: &TestDb, name: &str, cfg: PgConfig, mode: Mode) -> Run {
    run_scenario(work, name, cfg, mode, "postgres", |cmd| cmd.db(db))
}

/// The mysql plugin on the test MariaDB.
pub fn run_mysql(
    work: &Workdir,
    server: &crate::MariaServer,
    name: &str,
    cfg: crate::MysqlConfig,
    mode: Mode,
) -> Run {
    run_scenario(work, name, cfg, mode, "mysql", |cmd| cmd.mysql_env(server))
}

/// The sqlite plugin (the database file is in `cfg`).
pub fn run_sqlite(work: &Workdir, name: &str, cfg: SqliteConfig, mode: Mode) -> Run {
    run_scenario(work, name, cfg, mode, "sqlite", |cmd| cmd)
}

fn mode_args(cmd: Omrun, mode: Mode) -> Omrun {
    match mode {
        Mode::Sequential => cmd.mode("sequential", None),
        Mode::Local(n) => cmd.mode("local", Some(n)),
    }
}

/// Checks a run that must have succeeded in `mode` with `plugin`; returns it with its records.
pub fn checked(out: RunOutput, mode: Mode, plugin: &str) -> Run {
    out.assert_success();
    let records = out.records();
    let report = out.report();
    check_report_and_log(&out, &records, &report, mode, plugin);
    Run {
        out,
        records,
        report,
    }
}

fn int(report: &Value, key: &str, out: &RunOutput) -> u64 {
    report[key].as_u64().unwrap_or_else(|| {
        panic!(
            "report `{key}` is not a non-negative integer: {report}\n{}",
            out.describe()
        )
    })
}

/// The report and the summary lines agree with each other and with the sink output.
pub fn check_report_and_log(
    out: &RunOutput,
    records: &Records,
    report: &Value,
    mode: Mode,
    plugin: &str,
) {
    let tables = records.count("CreateTableRequest") as u64;
    let procedures = records.count("CreateStoredProcedureRequest") as u64;
    // Tables and stored procedures are the work; databases and schemas are its containers.
    let leaves = tables + procedures;
    let (mode_name, parallelism, banner) = match mode {
        Mode::Sequential => ("sequential", 1, "Using SEQUENTIAL execution"),
        Mode::Local(n) => (
            "local",
            n as u64,
            "Using LOCAL thread-based distributed execution",
        ),
    };
    assert_eq!(report["mode"], mode_name, "report mode: {report}");
    assert_eq!(
        int(report, "parallelism", out),
        parallelism,
        "report parallelism: {report}"
    );
    assert_eq!(report["plugin"], plugin, "report plugin: {report}");
    assert_eq!(
        int(report, "found", out),
        leaves,
        "report `found` vs CreateTableRequest and CreateStoredProcedureRequest lines: {report}"
    );
    assert_eq!(
        int(report, "processed", out),
        leaves,
        "report `processed` vs CreateTableRequest and CreateStoredProcedureRequest lines: {report}"
    );
    assert_eq!(int(report, "failed", out), 0, "report `failed`: {report}");
    int(report, "retried", out);
    assert_eq!(
        report["failures"],
        serde_json::json!([]),
        "report `failures`: {report}"
    );
    for key in ["durationSeconds", "entitiesPerSecond"] {
        let v = report[key]
            .as_f64()
            .unwrap_or_else(|| panic!("report `{key}` is not a number: {report}"));
        assert!(v.is_finite() && v >= 0.0, "report `{key}` = {v}: {report}");
    }

    out.assert_stderr_line(banner);
    if let Mode::Local(n) = mode {
        out.assert_stderr_line(&format!("Processing with {n} worker threads"));
    }
    out.assert_stderr_line(&match procedures {
        0 => format!("Found {tables} table entities"),
        n => format!("Found {tables} table entities and {n} stored procedure(s)"),
    });
    assert_eq!(
        out.stderr_value("Processed:").as_deref(),
        Some(leaves.to_string().as_str()),
        "{}",
        out.describe()
    );
    assert_eq!(
        out.stderr_value("Failed:").as_deref(),
        Some("0"),
        "{}",
        out.describe()
    );
    assert!(
        out.stderr_value("Retried:").is_some(),
        "no `Retried:` line:\n{}",
        out.describe()
    );
    assert!(
        out.stderr_value("Duration:").is_some(),
        "no `Duration:` line:\n{}",
        out.describe()
    );
    assert!(
        out.stderr_value("Throughput:").is_some(),
        "no `Throughput:` line:\n{}",
        out.describe()
    );
}

/// The message of a caught panic, for fixtures shared by a file's tests.
fn panic_message(e: Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "non-string panic".into())
}

/// The value `make` builds once for all the tests of a file (fixture runs, say). When building it
/// panics, every test reports that panic's message instead of trying again.
pub fn once_per_file<T: Sync>(
    cell: &'static std::sync::OnceLock<Result<T, String>>,
    make: impl FnOnce() -> T,
) -> &'static T {
    let made = cell.get_or_init(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(make)).map_err(panic_message)
    });
    match made {
        Ok(value) => value,
        Err(msg) => panic!("the fixture runs failed: {msg}"),
    }
}

/// One fixture ingested twice — sequentially and on local workers — for a test file whose tests
/// check both runs alike (made once per file with [`once_per_file`]).
pub struct BothModes {
    pub sequential: Run,
    pub local: Run,
    /// Holds the runs' output files for as long as the tests read them.
    _work: Workdir,
}

impl BothModes {
    /// Runs `run` sequentially, then in local mode with `workers`, in `work`.
    pub fn run(work: Workdir, workers: u32, run: impl Fn(&Workdir, Mode) -> Run) -> Self {
        let sequential = run(&work, Mode::Sequential);
        let local = run(&work, Mode::Local(workers));
        Self {
            sequential,
            local,
            _work: work,
        }
    }

    /// Both runs with their mode's name, for `for (mode, run) in …`.
    pub fn each(&self) -> [(&'static str, &Run); 2] {
        [("sequential", &self.sequential), ("local", &self.local)]
    }
}
