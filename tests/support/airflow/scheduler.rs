//! A whole Airflow 3 for the Airflow orchestrator's tests: its API server, scheduler (with the
//! LocalExecutor: tasks run as processes of this machine) and DAG processor, on a fresh SQLite
//! metadata database (migrated once per Airflow version into `~/.cache/omrun/airflow-template/`)
//! and an empty DAG folder of its own, in one process group that ends with the test.
//!
//! The processes get the environment the test gives (`extra_env`): the LocalExecutor's tasks
//! inherit the scheduler's, so that is the workers' environment. The DAG processor scans its
//! folder every second, so a new DAG file appears within seconds.

use super::{ADMIN, airflow_command, airflow_env, template_dir, venv};
use crate::net::{free_port, http_status};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Scheduling {
    url: String,
    home: tempfile::TempDir,
    _child: Child,
    /// Held open: the `sh` above Airflow kills its process group once it closes.
    _stdin: ChildStdin,
}

impl Scheduling {
    /// Starts Airflow with `extra_env` in every process (about 15 s).
    pub fn start(extra_env: &[(&str, &str)]) -> Scheduling {
        let home = tempfile::tempdir().expect("temporary directory");
        let dags = home.path().join("dags");
        std::fs::create_dir(&dags).unwrap();
        let db = home.path().join("airflow.db");
        std::fs::copy(empty_database(), &db).unwrap();
        super::write_ahead_log(&db);
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let airflow = venv().join("bin/airflow");
        let mut command = Command::new("sh");
        command
            .arg("-c")
            // The three in the background, each logging to its own file; when our stdin closes
            // (the test binary ended, however), the whole process group goes.
            .arg(
                "\"$1\" api-server -H 127.0.0.1 -p \"$2\" -w 1 >api-server.log 2>&1 & \
                 \"$1\" scheduler >scheduler.log 2>&1 & \
                 \"$1\" dag-processor >dag-processor.log 2>&1 & \
                 cat >/dev/null; kill -TERM 0",
            )
            .arg("sh")
            .arg(&airflow)
            .arg(port.to_string());
        airflow_env(&mut command, home.path(), &dags);
        command.envs(scheduling_settings(&url));
        command.envs(extra_env.iter().copied());
        let mut child = command
            .current_dir(home.path())
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start Airflow: {e}"));
        let stdin = child.stdin.take().unwrap();
        let airflow = Scheduling {
            url,
            home,
            _child: child,
            _stdin: stdin,
        };
        let started = Instant::now();
        while http_status(port, "/api/v2/version") != Some(200) {
            assert!(
                started.elapsed() < Duration::from_secs(180),
                "Airflow's API server did not answer within 180 s:\n{}",
                airflow.log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        airflow
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The folder its DAG processor reads.
    pub fn dags_folder(&self) -> PathBuf {
        self.home.path().join("dags")
    }

    /// The user and password of its API.
    pub fn admin(&self) -> (&'static str, &'static str) {
        ADMIN
    }

    /// The three processes' logs and every task's, for failure messages.
    pub fn log(&self) -> String {
        let mut log = String::new();
        for name in ["api-server.log", "scheduler.log", "dag-processor.log"] {
            let text = std::fs::read_to_string(self.home.path().join(name)).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(40).collect();
            log += &format!("--- {name} (last lines)\n");
            for line in tail.into_iter().rev() {
                log += line;
                log.push('\n');
            }
        }
        log + &self.task_logs()
    }

    /// Every task log (`logs/dag_id=…/run_id=…/task_id=…/[map_index=…/]attempt=N.log`).
    pub fn task_logs(&self) -> String {
        let mut files = Vec::new();
        collect(&self.home.path().join("logs"), &mut files);
        files.sort();
        let mut log = String::new();
        for file in files {
            log += &format!("--- {}\n", file.display());
            log += &std::fs::read_to_string(&file).unwrap_or_default();
        }
        log
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|x| x == "log") {
            files.push(path);
        }
    }
}

/// What makes it run DAGs, and quickly: the LocalExecutor, the task runner's way back to the API
/// server, a DAG folder scanned every second, a scheduler that looks every second.
fn scheduling_settings(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AIRFLOW__CORE__EXECUTOR", "LocalExecutor".into()),
        (
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
            format!("{url}/execution/"),
        ),
        ("AIRFLOW__CORE__PARALLELISM", "8".into()),
        ("AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL", "1".into()),
        ("AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC", "1".into()),
        ("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO".into()),
    ]
}

/// A migrated, empty metadata database of this Airflow version, made once (about 5 s).
fn empty_database() -> PathBuf {
    let dir = template_dir("empty");
    let db = dir.join("airflow.db");
    if db.is_file() {
        return db;
    }
    let work = tempfile::tempdir().expect("temporary directory");
    let dags = work.path().join("dags");
    std::fs::create_dir(&dags).unwrap();
    airflow_command(work.path(), &dags, &["db", "migrate"], true);
    std::fs::create_dir_all(&dir).unwrap();
    // Another test binary may have finished first: either copy is as good.
    let partial = dir.join(format!("airflow.db.{}", std::process::id()));
    std::fs::copy(work.path().join("airflow.db"), &partial).unwrap();
    std::fs::rename(&partial, &db).unwrap();
    db
}
