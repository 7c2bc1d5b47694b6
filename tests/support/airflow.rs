//! A real Apache Airflow 3 (PyPI `apache-airflow` 3.3.2, from the virtualenv
//! `scripts/server-venv.sh airflow` makes) for the Airflow connector's tests, with the DAGs of
//! `tests/support/airflow/dags/` and runs of them.
//!
//! Seeding takes about a minute and a half (each `airflow dags test` ~11 s), so the metadata
//! database (SQLite) is made once per Airflow version and seed (the DAG files and their folder)
//! into `~/.cache/omrun/airflow-template/`, and copied for each server:
//! - `airflow db migrate`;
//! - `airflow dags reserialize`: the DAG processor's parse, once, writing the serialized DAGs the
//!   API serves (a DAG file that does not import fails the seeding, naming the error);
//! - `airflow dags test DAG DATE`: a whole run, in process, with its task instances ([`RUNS`]).
//!
//! [`shared`] then starts one API server per test binary on a copy (no DAG processor or
//! scheduler: nothing changes under the tests), on a free port, with Airflow 3's default
//! SimpleAuthManager and the user [`ADMIN`], in its own process group under a `sh` that kills the
//! group when the test binary's end closes its standard input.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::net::{free_port, http_status};
use crate::paths::repo_root;

pub mod scheduler;

/// The user Airflow's SimpleAuthManager knows, and its password.
pub const ADMIN: (&str, &str) = ("admin", "Airfl0w-test-pw");

/// The seed's runs: `(dag_id, logical date)`, run in this order by `airflow dags test`.
/// `sometimes_fails` fails (its `check` task exits 1); `paused_report` never runs.
pub const RUNS: &[(&str, &str)] = &[
    ("linear_etl", "2026-02-01"),
    ("linear_etl", "2026-02-02"),
    ("linear_etl", "2026-02-03"),
    ("fan_out_in", "2026-02-01"),
    ("grouped", "2026-02-01"),
    ("sometimes_fails", "2026-02-01"),
];

/// The seed's DAG ids, sorted (as Airflow lists them).
pub const DAGS: &[&str] = &[
    "fan_out_in",
    "grouped",
    "linear_etl",
    "paused_report",
    "sometimes_fails",
];

/// The virtualenv holding Airflow (`paths::server_venv`).
pub fn venv() -> PathBuf {
    crate::paths::server_venv("airflow")
}

/// The folder of the seed DAGs.
pub fn dags_folder() -> PathBuf {
    repo_root().join("tests/support/airflow/dags")
}

/// A running Airflow API server.
pub struct Airflow {
    url: String,
    dir: tempfile::TempDir,
    _child: Child,
    /// Held open: the `sh` above Airflow kills its process group once it closes.
    _stdin: ChildStdin,
}

impl Airflow {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its log (the API server's output).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("api-server.log")).unwrap_or_default()
    }

    /// Starts an API server on a copy of the metadata database `database`.
    pub fn start(database: &Path) -> Airflow {
        let venv = venv();
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = dir.path().join("airflow.db");
        std::fs::copy(database, &db)
            .unwrap_or_else(|e| panic!("copy {} to {}: {e}", database.display(), db.display()));
        write_ahead_log(&db);
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("api-server.log")).unwrap();
        let mut command = Command::new("sh");
        command
            .arg("-c")
            // Airflow in the background; when our stdin closes (the test binary ended, however),
            // the whole process group goes.
            .arg("\"$@\" & cat >/dev/null; kill -TERM 0")
            .arg("sh")
            .arg(venv.join("bin/airflow"))
            .args(["api-server", "-H", "127.0.0.1", "-p", &port.to_string()])
            // One worker: the tests' load is light, and the machine small.
            .args(["-w", "1"]);
        airflow_env(&mut command, dir.path(), &dags_folder());
        let mut child = command
            .current_dir(dir.path())
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start Airflow's API server: {e}"));
        let stdin = child.stdin.take().unwrap();
        let server = Airflow {
            url: format!("http://127.0.0.1:{port}"),
            dir,
            _child: child,
            _stdin: stdin,
        };
        let started = Instant::now();
        while http_status(port, "/api/v2/version") != Some(200) {
            assert!(
                started.elapsed() < Duration::from_secs(180),
                "Airflow's API server did not answer /api/v2/version within 180 s:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        server
    }
}

/// The shared Airflow on a copy of the seeded database, started on first use (about 15 s, plus
/// the seeding the first time).
pub fn shared() -> &'static Airflow {
    static SHARED: OnceLock<Airflow> = OnceLock::new();
    SHARED.get_or_init(|| Airflow::start(&template()))
}

/// Airflow's settings for a server or a command whose home is `home`: everything in `home`, the
/// DAGs of `dags`, SimpleAuthManager with [`ADMIN`] (its password from a file there), none of the
/// caller's `AIRFLOW*` variables.
fn airflow_env(command: &mut Command, home: &Path, dags: &Path) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AIRFLOW") {
            command.env_remove(key);
        }
    }
    let passwords = home.join("passwords.json");
    std::fs::write(
        &passwords,
        serde_json::json!({ (ADMIN.0): ADMIN.1 }).to_string(),
    )
    .unwrap();
    let settings = [
        ("AIRFLOW_HOME", home.display().to_string()),
        // SQLite's writers wait for each other (see `write_ahead_log`); Python's default wait
        // (5 s) ran out when a busy machine ran several DAGs at once. A minute.
        (
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
            format!("sqlite:///{}?timeout=60", home.join("airflow.db").display()),
        ),
        ("AIRFLOW__CORE__DAGS_FOLDER", dags.display().to_string()),
        ("AIRFLOW__CORE__LOAD_EXAMPLES", "False".into()),
        (
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
            format!("{}:admin", ADMIN.0),
        ),
        (
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
            passwords.display().to_string(),
        ),
        // Fixed, so that every process of the server signs and checks tokens alike.
        (
            "AIRFLOW__API_AUTH__JWT_SECRET",
            "omrun-test-airflow-jwt-secret-0123456789".into(),
        ),
        ("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING".into()),
    ];
    command.envs(settings);
}

/// Puts the SQLite metadata database `db` (a copy, before Airflow opens it) in write-ahead-log
/// mode, which stays with the file: readers then never block a writer, nor a writer the readers.
/// In the default mode a write waits for every open read to end, and the scheduler, the DAG
/// processor, the API server and the tasks read all the time: on a busy machine writes timed out
/// (Airflow's `Database error`).
pub(crate) fn write_ahead_log(db: &Path) {
    let out = Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode=WAL').fetchone()[0])",
        ])
        .arg(db)
        .output()
        .unwrap_or_else(|e| panic!("python for {}: {e}", db.display()));
    let mode = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        mode.trim(),
        "wal",
        "{} not in WAL mode: {}",
        db.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `~/.cache/omrun/airflow-template/<Airflow version>-<what>`: a metadata database made once.
fn template_dir(what: &str) -> PathBuf {
    let version = std::fs::read_to_string(venv().join(".omrun-installed"))
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("apache-airflow")
        .replace("==", "-");
    let home = PathBuf::from(std::env::var_os("HOME").expect("HOME"));
    home.join(".cache/omrun/airflow-template")
        .join(format!("{version}-{what}"))
}

/// Runs `airflow ARGS…` with home `home` and DAG folder `dags`; its output, or a panic with it.
fn airflow_command(home: &Path, dags: &Path, args: &[&str], expect_success: bool) -> String {
    let mut command = Command::new(venv().join("bin/airflow"));
    command.args(args);
    airflow_env(&mut command, home, dags);
    let out = command
        .current_dir(home)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("airflow {}: {e}", args.join(" ")));
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.status.success(),
        expect_success,
        "airflow {} {}:\n{log}",
        args.join(" "),
        if expect_success {
            "failed"
        } else {
            "succeeded, but its run should fail"
        }
    );
    log
}

/// The seeded metadata database of this Airflow version and seed, made once (about 90 s).
fn template() -> PathBuf {
    let dir = template_dir(&format!("{:016x}", seed_hash()));
    let db = dir.join("airflow.db");
    if db.is_file() {
        return db;
    }
    let work = tempfile::tempdir().expect("temporary directory");
    let run = |args: &[&str], expect_success: bool| {
        airflow_command(work.path(), &dags_folder(), args, expect_success)
    };
    run(&["db", "migrate"], true);
    run(&["dags", "reserialize"], true);
    let errors = run(&["dags", "list-import-errors", "-o", "json"], true);
    assert!(
        errors.lines().any(|line| line.trim() == "[]"),
        "a seed DAG does not import:\n{errors}"
    );
    for (dag, date) in RUNS {
        run(&["dags", "test", dag, date], *dag != "sometimes_fails");
    }
    std::fs::create_dir_all(&dir).unwrap();
    // Another test binary may have finished first: either copy is as good.
    let partial = dir.join(format!("airflow.db.{}", std::process::id()));
    std::fs::copy(work.path().join("airflow.db"), &partial).unwrap();
    std::fs::rename(&partial, &db).unwrap();
    db
}

/// FNV-1a over the seed: the DAG folder's path (the database records it) and every DAG file's
/// name and content, and the runs.
fn seed_hash() -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes.iter().chain([0xff_u8].iter()) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let folder = dags_folder();
    eat(folder.to_string_lossy().as_bytes());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    for file in files {
        eat(file.file_name().unwrap().as_encoded_bytes());
        eat(&std::fs::read(&file).unwrap());
    }
    for (dag, date) in RUNS {
        eat(dag.as_bytes());
        eat(date.as_bytes());
    }
    hash
}

/// What OpenMetadata's own Airflow connector (its REST source, openmetadata-ingestion 2.0.7.0,
/// through `tests/support/om_connector.py` with `tests/support/airflow/om_patches.py`) sends for
/// the shared Airflow as `service`, writing into the OpenMetadata stand-in `om`: every Create
/// request its sink is handed, in order, as `{"kind", "request"}` (its pipeline statuses are in
/// the stand-in). Panics with its log unless it succeeds.
pub fn openmetadata_ingest(
    om: &crate::openmetadata::StandIn,
    service: &str,
) -> Vec<serde_json::Value> {
    let source = format!(
        "source:\n  type: airflow\n  serviceName: {service}\n  serviceConnection:\n    config:\n      \
         type: Airflow\n      hostPort: {}\n      connection:\n        type: RestAPI\n        \
         authConfig:\n          username: {}\n          password: {}\n  sourceConfig:\n    \
         config:\n      type: PipelineMetadata\n",
        shared().url(),
        ADMIN.0,
        ADMIN.1
    );
    let patches = repo_root().join("tests/support/airflow/om_patches.py");
    crate::om_ingest::run_connector(
        "Airflow",
        &source,
        om,
        std::ffi::OsStr::new(""),
        Some(&patches),
    )
}
