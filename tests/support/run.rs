//! Running the `omrun` binary.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::jsonl::Records;
use crate::pg::{PgServer, TestDb};

/// Variables a config may reference that must come from the test, never from the caller's shell.
const SCRUBBED_ENV: &[&str] = &[
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_HOST",
    "POSTGRES_PORT",
    "POSTGRES_DATABASE",
    "SQLITE_DATABASE_PATH",
    "MYSQL_USER",
    "MYSQL_PASSWORD",
    "MYSQL_HOST",
    "MYSQL_PORT",
    "OMRUN_OUTPUT",
    "OMRUN_PLUGIN_PATH",
    "OM_JWT_TOKEN",
    "RUST_LOG",
    // The test server's address comes to omrun through the config only, never through libpq's
    // variables or the harness's own.
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "OMRUN_TEST_PG_HOST",
    "OMRUN_TEST_PG_PORT",
    "OMRUN_TEST_PG_USER",
    "OMRUN_TEST_PG_PASSWORD",
    "OMRUN_TEST_MYSQL_HOST",
    "OMRUN_TEST_MYSQL_PORT",
    "OMRUN_TEST_MYSQL_USER",
    "OMRUN_TEST_MYSQL_PASSWORD",
];

/// A command line for `omrun`, built up and then [`run`](Omrun::run).
pub struct Omrun {
    args: Vec<OsString>,
    env: Vec<(String, Option<OsString>)>,
    cwd: PathBuf,
    secrets: Vec<String>,
    output: Option<PathBuf>,
    report: Option<PathBuf>,
    timeout: Duration,
}

impl Omrun {
    /// `omrun ARGS…` run in `cwd`.
    pub fn new(cwd: &Path) -> Omrun {
        let timeout = std::env::var("OMRUN_TEST_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(900);
        Omrun {
            args: vec![],
            env: vec![],
            cwd: cwd.to_path_buf(),
            secrets: vec![],
            output: None,
            report: None,
            timeout: Duration::from_secs(timeout),
        }
    }

    /// `omrun ingest -c CONFIG` in `cwd`; `config` is passed as given (relative paths stay relative,
    /// so error messages can be checked against it).
    pub fn ingest(cwd: &Path, config: impl AsRef<Path>) -> Omrun {
        Omrun::new(cwd).arg("ingest").arg("-c").arg(config.as_ref())
    }

    pub fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.args.push(a.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// `--plugin PATH`.
    pub fn plugin(self, path: impl Into<OsString>) -> Self {
        self.arg("--plugin").arg(path)
    }

    /// `--orchestrator MODE [--parallelism N]`.
    pub fn mode(self, orchestrator: &str, parallelism: Option<u32>) -> Self {
        let s = self.arg("--orchestrator").arg(orchestrator);
        match parallelism {
            Some(n) => s.arg("--parallelism").arg(n.to_string()),
            None => s,
        }
    }

    /// `--report-json PATH`; the report is then checked for secrets and readable with
    /// [`RunOutput::report`].
    pub fn report_json(mut self, path: &Path) -> Self {
        self.report = Some(path.to_path_buf());
        self.arg("--report-json").arg(path)
    }

    /// Declares the file sink's output file (for [`RunOutput::records`] and the secret check).
    pub fn output(mut self, path: &Path) -> Self {
        self.output = Some(path.to_path_buf());
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.env.push((key.to_string(), Some(value.into())));
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.env.push((key.to_string(), None));
        self
    }

    /// A string that must not appear in stdout, stderr, the sink output or the report.
    pub fn secret(mut self, s: &str) -> Self {
        self.secrets.push(s.to_string());
        self
    }

    /// The `POSTGRES_*` variables the test configs reference, for `db` on the test server; its
    /// password becomes a secret.
    pub fn postgres_env(self, server: &PgServer, database: &str) -> Self {
        self.env("POSTGRES_USER", &server.user)
            .env("POSTGRES_PASSWORD", &server.password)
            .env("POSTGRES_HOST", &server.host)
            .env("POSTGRES_PORT", server.port.to_string())
            .env("POSTGRES_DATABASE", database)
            .secret(&server.password)
    }

    /// The `MYSQL_*` variables the MySQL test configs reference; the password becomes a secret.
    pub fn mysql_env(self, server: &crate::MariaServer) -> Self {
        self.env("MYSQL_USER", &server.user)
            .env("MYSQL_PASSWORD", &server.password)
            .env("MYSQL_HOST", &server.host)
            .env("MYSQL_PORT", server.port.to_string())
            .secret(&server.password)
    }

    /// Connect as `role` instead of the server's superuser; its password becomes a secret.
    pub fn role(self, role: &crate::TestRole) -> Self {
        self.env("POSTGRES_USER", &role.name)
            .env("POSTGRES_PASSWORD", &role.password)
            .secret(&role.password)
    }

    /// [`postgres_env`](Self::postgres_env) for a test database.
    pub fn db(self, db: &TestDb) -> Self {
        self.postgres_env(&db.server, &db.name)
    }

    /// Runs omrun to completion (killing it after the hang guard, default 900 s, which fails the
    /// test), then checks that no secret appears in anything it wrote.
    pub fn run(self) -> RunOutput {
        self.spawn().wait()
    }

    /// Starts omrun and returns at once: a test may watch it, and kill it, before it ends.
    pub fn spawn(self) -> Running {
        let bin = crate::paths::omrun_bin();
        let mut cmd = Command::new(&bin);
        cmd.args(&self.args).current_dir(&self.cwd);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for k in SCRUBBED_ENV {
            cmd.env_remove(k);
        }
        cmd.env("OMRUN_CACHE_DIR", crate::paths::cache_dir());
        // Checkpoints stay in the test's folder, not in the user's state folder.
        cmd.env("OMRUN_STATE_DIR", state_dir(&self.cwd));
        cmd.env("NO_COLOR", "1");
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let command_line = format!(
            "(cd {} && {} {})",
            self.cwd.display(),
            bin.display(),
            self.args
                .iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ")
        );

        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        // Read as it comes, so a test can watch a running omrun's log.
        let collect = |mut pipe: Box<dyn Read + Send>| {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let sink = seen.clone();
            let reader = std::thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                    sink.lock().unwrap().extend_from_slice(&chunk[..n]);
                }
            });
            (seen, reader)
        };
        let (stdout, out_reader) = collect(Box::new(child.stdout.take().unwrap()));
        let (stderr, err_reader) = collect(Box::new(child.stderr.take().unwrap()));
        Running {
            child,
            started: Instant::now(),
            command: command_line,
            stdout,
            stderr,
            readers: vec![out_reader, err_reader],
            omrun: self,
        }
    }
}

/// An omrun started with [`Omrun::spawn`].
pub struct Running {
    child: Child,
    started: Instant,
    command: String,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    omrun: Omrun,
}

impl Running {
    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        // Looked at, not reaped: `wait` reaps it, to read its peak memory.
        // SAFETY: a zeroed siginfo_t is valid for waitid to fill in.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        // SAFETY: a valid pointer to a local; the pid is our own child.
        let looked = unsafe { libc::waitid(libc::P_PID, self.child.id(), &mut info, flags) };
        assert_eq!(looked, 0, "waitid: {}", std::io::Error::last_os_error());
        // SAFETY: filled in by waitid; 0 while the child runs.
        unsafe { info.si_pid() == 0 }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until its stderr holds `needle`; fails the test if it ends first or after `limit`.
    pub fn wait_for_stderr(&mut self, needle: &str, limit: Duration) {
        let started = Instant::now();
        while !self.stderr_so_far().contains(needle) {
            assert!(
                self.is_running(),
                "ended before {needle:?}:\n{}",
                self.stderr_so_far()
            );
            assert!(started.elapsed() < limit, "no {needle:?} within {limit:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// What it wrote to stderr so far.
    pub fn stderr_so_far(&self) -> String {
        strip_ansi(&String::from_utf8_lossy(&self.stderr.lock().unwrap()))
    }

    /// Kills it with SIGKILL (no chance to clean up, as after `kill -9`) and waits for its end.
    pub fn kill(mut self) -> RunOutput {
        self.child.kill().expect("kill omrun");
        self.wait()
    }

    /// Waits for it to end (killing it after the hang guard, which fails the test), then checks
    /// that no secret appears in anything it wrote.
    pub fn wait(mut self) -> RunOutput {
        let status = loop {
            match reap(&self.child, false) {
                Some(ended) => break Some(ended),
                None if self.started.elapsed() > self.omrun.timeout => {
                    let _ = self.child.kill();
                    let _ = reap(&self.child, true);
                    break None;
                }
                None => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        for reader in self.readers {
            reader.join().unwrap();
        }
        let stdout = String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned();
        let stderr = strip_ansi(&String::from_utf8_lossy(&self.stderr.lock().unwrap()));
        let command_line = self.command;
        let Some((status, peak_rss_kib)) = status else {
            panic!(
                "hang guard: {command_line} still running after {:?}, killed.\nstdout:\n{stdout}\nstderr:\n{stderr}",
                self.omrun.timeout
            );
        };
        let out = RunOutput {
            command: command_line,
            code: status.code(),
            peak_rss_kib,
            stdout,
            stderr,
            output: self.omrun.output,
            report: self.omrun.report,
        };
        out.assert_no_secrets(&self.omrun.secrets);
        out
    }
}

/// Reaps `child` if it ended (waiting for it if `block`): its exit status and the most memory it
/// held at once (its peak resident set, KiB), which `wait4` reports and `Child::wait` does not.
fn reap(child: &Child, block: bool) -> Option<(ExitStatus, u64)> {
    let pid = child.id() as libc::pid_t;
    let mut raw = 0;
    // SAFETY: a zeroed rusage is a valid value of a plain C struct, filled in by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let flags = if block { 0 } else { libc::WNOHANG };
    // SAFETY: valid pointers to locals; `pid` is our own child, not yet reaped (only this reaps).
    match unsafe { libc::wait4(pid, &mut raw, flags, &mut usage) } {
        0 => None,
        ended if ended == pid => Some((ExitStatus::from_raw(raw), usage.ru_maxrss as u64)),
        _ => panic!("wait4 for omrun: {}", std::io::Error::last_os_error()),
    }
}

/// Removes ANSI escape sequences (colours), in case the host colours its logs.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// What one omrun run did.
pub struct RunOutput {
    pub command: String,
    /// Exit code; `None` if killed by a signal.
    pub code: Option<i32>,
    /// The most memory omrun held at once: its peak resident set, KiB.
    pub peak_rss_kib: u64,
    pub stdout: String,
    pub stderr: String,
    pub output: Option<PathBuf>,
    pub report: Option<PathBuf>,
}

impl RunOutput {
    /// The command, exit status and output, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "{}\nexit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }

    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit status {code}:\n{}",
            self.describe()
        );
        self
    }

    pub fn assert_success(&self) -> &Self {
        self.assert_code(0)
    }

    /// Panics unless stderr has a line containing `needle`.
    pub fn assert_stderr_line(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.lines().any(|l| l.contains(needle)),
            "no stderr line contains {needle:?}:\n{}",
            self.describe()
        );
        self
    }

    /// The lines of stderr that start with `error:`.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect()
    }

    /// The one `error:` line of stderr (panics if there is not exactly one).
    pub fn single_error(&self) -> &str {
        let lines = self.error_lines();
        assert_eq!(
            lines.len(),
            1,
            "expected exactly one `error:` line on stderr:\n{}",
            self.describe()
        );
        lines[0]
    }

    /// The sink output, read and validated (see [`Records::read`]).
    pub fn records(&self) -> Records {
        let path = self
            .output
            .as_ref()
            .expect("Omrun::output(path) was not declared for this run");
        assert!(
            path.is_file(),
            "the sink output {} was not written:\n{}",
            path.display(),
            self.describe()
        );
        Records::read(path)
    }

    /// The `--report-json` report.
    pub fn report(&self) -> Value {
        let path = self
            .report
            .as_ref()
            .expect("Omrun::report_json(path) was not given for this run");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            panic!(
                "the report {} was not written ({e}):\n{}",
                path.display(),
                self.describe()
            )
        });
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("the report {} is not JSON ({e}): {text}", path.display()))
    }

    /// A `[LEVEL] message` line's numeric value, e.g. `stderr_number("Processed:")` for `[INFO]
    /// Processed: 12`.
    pub fn stderr_value(&self, label: &str) -> Option<String> {
        self.stderr.lines().find_map(|l| {
            let idx = l.find(label)?;
            l[idx + label.len()..]
                .split_whitespace()
                .next()
                .map(str::to_string)
        })
    }

    fn assert_no_secrets(&self, secrets: &[String]) {
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            let mut places = vec![
                ("stdout".to_string(), self.stdout.clone()),
                ("stderr".to_string(), self.stderr.clone()),
            ];
            for p in [&self.output, &self.report].into_iter().flatten() {
                if let Ok(bytes) = std::fs::read(p) {
                    places.push((
                        p.display().to_string(),
                        String::from_utf8_lossy(&bytes).into_owned(),
                    ));
                }
            }
            for (place, text) in places {
                if let Some(at) = text.find(secret.as_str()) {
                    let start = text[..at]
                        .char_indices()
                        .rev()
                        .nth(80)
                        .map_or(0, |(i, _)| i);
                    panic!(
                        "a secret (the database password) appears in {place} of {}:\n...{}...",
                        self.command,
                        &text[start..(at + secret.len()).min(text.len())]
                    );
                }
            }
        }
    }
}

/// Where an omrun started in `cwd` keeps its state (checkpoints): `OMRUN_STATE_DIR`.
pub fn state_dir(cwd: &Path) -> PathBuf {
    cwd.join(".omrun-state")
}

/// The default checkpoint of `config` (service `service`) for an omrun started in `cwd`:
/// `checkpoint-<service>-<12 hex digits of the sha256 of the config's absolute path>.jsonl` in
/// its state folder, computed here with `sha256sum`, independently of omrun.
pub fn default_checkpoint(cwd: &Path, config: &Path, service: &str) -> PathBuf {
    use std::io::Write;
    let absolute = std::fs::canonicalize(cwd.join(config)).expect("the config exists");
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(absolute.as_os_str().as_encoded_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let digest = String::from_utf8(out.stdout).unwrap();
    state_dir(cwd).join(format!("checkpoint-{service}-{}.jsonl", &digest[..12]))
}
