//! What the Python stand-ins (`tests/support/{trino,databricks,bigquery}/standin.py`) share: each
//! runs as a `python3` process (standard library only) serving a catalog the test writes, on a
//! free port it prints first, appending one JSON line per request to a log the test reads, until
//! its standard input closes; and each has a script `scripts/<name>-standin.sh selftest|venv|serve`
//! whose `selftest` runs the vendor's own client (from a cached virtualenv) against it.
//!
//! ```text
//! let s = PythonStandIn::start("Trino", "trino", &catalog_json, &["--page-rows".into(), "2".into()]);
//! s.host_port();   // "127.0.0.1:PORT"
//! s.requests();    // the log, one JSON object per request, in order
//! ```

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};

use serde_json::Value;

use crate::paths::repo_root;

/// A running stand-in; stopped when dropped.
pub struct PythonStandIn {
    child: Child,
    /// Held open: the stand-in stops when its standard input closes (so it also stops when the
    /// test process dies without dropping this).
    stdin: Option<ChildStdin>,
    host_port: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// `tests/support/<name>/standin.py`.
pub fn standin_script(name: &str) -> PathBuf {
    repo_root().join(format!("tests/support/{name}/standin.py"))
}

impl PythonStandIn {
    /// Runs `standin.py serve --catalog <catalog, written to a file> --log <file> ARGS…` of the
    /// stand-in `name` (its folder under tests/support); `what` names it in messages.
    pub fn start<S: AsRef<OsStr>>(
        what: &str,
        name: &str,
        catalog: &Value,
        args: &[S],
    ) -> PythonStandIn {
        let dir = tempfile::tempdir().expect("temporary directory");
        let spec = dir.path().join("catalog.json");
        std::fs::write(&spec, serde_json::to_vec_pretty(catalog).unwrap()).unwrap();
        let log = dir.path().join("requests.jsonl");
        let script = standin_script(name);
        let mut child = Command::new("python3")
            .arg(&script)
            .arg("serve")
            .arg("--catalog")
            .arg(&spec)
            .arg("--log")
            .arg(&log)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start the {what} stand-in (python3 {}): {e}",
                    script.display()
                )
            });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .expect("the stand-in's address");
        let host_port = first.trim().to_string();
        assert!(
            host_port.starts_with("127.0.0.1:"),
            "the {what} stand-in did not start (it printed {first:?}); see its stderr above"
        );
        PythonStandIn {
            stdin: child.stdin.take(),
            child,
            host_port,
            log,
            _dir: dir,
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn host_port(&self) -> String {
        self.host_port.clone()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.host_port)
    }

    /// Every request answered so far, as the stand-in logged it (each stand-in's script says
    /// which fields).
    pub fn requests(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line in the stand-in's log"))
            .collect()
    }
}

impl Drop for PythonStandIn {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `scripts/<name>-standin.sh ARGS…`, its output collected.
pub fn script(name: &str, args: &[&str]) -> Output {
    let path = repo_root().join(format!("scripts/{name}-standin.sh"));
    Command::new("bash")
        .arg(&path)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {} {}: {e}", path.display(), args.join(" ")))
}

/// `scripts/<name>-standin.sh selftest`: the vendor's client against the stand-in. Panics with
/// its output unless it exits 0 with its closing `N passed, 0 failed` line; returns N.
pub fn selftest_passed(name: &str) -> usize {
    let out = script(name, &["selftest"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "scripts/{name}-standin.sh selftest failed:\n{stdout}\n{stderr}"
    );
    let summary = stdout.lines().last().unwrap_or_default();
    summary
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"))
}

/// The stand-in client's virtualenv (`scripts/<name>-standin.sh venv`, which makes it if needed).
pub fn venv(name: &str) -> PathBuf {
    let out = script(name, &["venv"]);
    assert!(
        out.status.success(),
        "scripts/{name}-standin.sh venv failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// A folder for `PYTHONPATH` holding links to just `packages` (top-level names, e.g. `trino`)
/// of the stand-in client's virtualenv — so that another environment (openmetadata-ingestion's)
/// gains the vendor's client without anything else of that virtualenv shadowing its own
/// packages. `probe` is a path under site-packages that tells which one holds the client. The
/// folder lives as long as the returned directory.
pub fn client_pythonpath(
    name: &str,
    probe: &str,
    packages: &[&str],
) -> (tempfile::TempDir, OsString) {
    let venv = venv(name);
    let site = std::fs::read_dir(venv.join("lib"))
        .unwrap_or_else(|e| panic!("the {name} virtualenv's lib ({}): {e}", venv.display()))
        .filter_map(Result::ok)
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.join(probe).exists())
        .unwrap_or_else(|| panic!("{probe} in the {name} virtualenv {}", venv.display()));
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("pythonpath");
    std::fs::create_dir(&path).unwrap();
    for package in packages {
        link(&site.join(package), &path.join(package));
    }
    (dir, path.into_os_string())
}

fn link(from: &Path, to: &Path) {
    std::os::unix::fs::symlink(from, to)
        .unwrap_or_else(|e| panic!("link {} to {}: {e}", to.display(), from.display()));
}
