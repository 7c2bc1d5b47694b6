//! What a run tells its user: progress while it runs, a summary at the end, and the same as JSON
//! (`--report-json`) with every failed entity named.

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// `succeeded`, `failed` (some entity failed), `stopped` (the run broke off: the source or
    /// sink unreachable, or nothing found), `interrupted` (a signal).
    #[serde(default)]
    pub status: String,
    /// This omrun's version.
    #[serde(default)]
    pub omrun_version: String,
    pub mode: String,
    pub parallelism: usize,
    /// The plugin's name, version, contract and file digest.
    pub plugin: String,
    #[serde(default)]
    pub plugin_version: String,
    #[serde(default)]
    pub plugin_sha256: String,
    #[serde(default)]
    pub contract: String,
    /// The sha256 of the config's text, to tell runs of different configs apart.
    #[serde(default)]
    pub config_sha256: String,
    /// Where the run wrote: the JSON Lines file, or OpenMetadata's API.
    #[serde(default)]
    pub output: String,
    /// The shard an Argo worker pod processed (`2/8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// When the run started, in seconds since the Unix epoch (Argo's finalize spans its pods).
    #[serde(default)]
    pub started_at_unix: f64,
    /// The same, and the end, as RFC 3339 UTC times.
    #[serde(default)]
    pub started_at: String,
    #[serde(default)]
    pub ended_at: String,
    /// Entities written, by kind (`table`, `databaseSchema`, `chart`…).
    #[serde(default)]
    pub written: std::collections::BTreeMap<String, usize>,
    /// Failures met while listing the source (kind `run` or `database`): the run could not see
    /// everything, so nothing was marked deleted where they are.
    #[serde(default)]
    pub discovery_failures: usize,
    /// Tables (views included) discovered.
    pub found: usize,
    /// Tables written to the sink.
    pub processed: usize,
    /// Tables an interrupted earlier attempt of this run had written (`--resume`): skipped.
    #[serde(default)]
    pub resumed: usize,
    /// Entities of any kind that finally failed; each is in `failures`.
    pub failed: usize,
    /// Retries made (an entity tried three times counts two).
    pub retried: usize,
    /// Databases and schemas written to the sink.
    pub containers: usize,
    pub duration_seconds: f64,
    /// Of which listing the entities (names only).
    pub discovery_seconds: f64,
    /// Tables processed per second of wall time.
    pub entities_per_second: f64,
    pub failures: Vec<Failure>,
    /// Failures counted in `failed` but left out of `failures` to keep the report small (an Argo
    /// output parameter); the pod's log names each of them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failures_omitted: usize,
    /// What was written without a part it could not carry, e.g. a foreign key to a table the
    /// destination does not hold (filtered out, failed): the entity is in, the part is not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skip>,
    /// An Argo worker's tables whose foreign keys wait for the finalize pod.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub deferred_keys: usize,
    /// Why the run stopped before the end (the source or the sink unreachable): what it had not
    /// processed is neither `processed` nor `failed`, and `--resume` continues it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub fqn: String,
    pub kind: String,
    pub error: String,
    pub attempts: u32,
}

/// A part of an entity left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skip {
    /// The entity written without it.
    pub fqn: String,
    pub kind: String,
    /// What was left out and why.
    pub what: String,
}

impl Report {
    /// The same report listing at most `max` failures, the rest counted in `failures_omitted`.
    pub fn truncated(&self, max: usize) -> Report {
        let mut report = self.clone();
        if report.failures.len() > max {
            report.failures_omitted += report.failures.len() - max;
            report.failures.truncate(max);
        }
        report.skipped.truncate(max);
        report
    }

    pub fn log_summary(&self) {
        tracing::info!(
            "Duration: {:.2} seconds (discovery {:.2} s)",
            self.duration_seconds,
            self.discovery_seconds
        );
        tracing::info!(
            "Throughput: {:.1} entities/second",
            self.entities_per_second
        );
        tracing::info!("Processed: {}", self.processed);
        if !self.written.is_empty() {
            let counts: Vec<String> = self
                .written
                .iter()
                .map(|(kind, n)| format!("{n} {kind}"))
                .collect();
            let to = match self.output.as_str() {
                "" => String::new(),
                output => format!(" to {output}"),
            };
            tracing::info!("Wrote {}{to}", counts.join(", "));
        }
        if self.resumed > 0 {
            tracing::info!(
                "Resumed: {} (written by the interrupted run, skipped)",
                self.resumed
            );
        }
        tracing::info!("Failed: {}", self.failed);
        tracing::info!("Retried: {}", self.retried);
        for failure in &self.failures {
            tracing::error!(
                "Failed {} {} after {} attempt(s): {}",
                failure.kind,
                failure.fqn,
                failure.attempts,
                failure.error
            );
        }
        for skip in &self.skipped {
            tracing::warn!("Wrote {} {} without its {}", skip.kind, skip.fqn, skip.what);
        }
        if self.failures_omitted > 0 {
            tracing::error!(
                "… and {} more failure(s), named in the worker pods' logs",
                self.failures_omitted
            );
        }
    }
}

/// Counts shared by the workers of one run.
pub struct Tally {
    started: Instant,
    found: AtomicUsize,
    processed: AtomicUsize,
    resumed: AtomicUsize,
    retried: AtomicUsize,
    containers: AtomicUsize,
    discovery: Mutex<Duration>,
    failures: Mutex<Vec<Failure>>,
    skipped: Mutex<Vec<Skip>>,
    deferred_keys: AtomicUsize,
    written: Mutex<std::collections::BTreeMap<String, usize>>,
    streak: Mutex<Streak>,
    progress: Progress,
}

/// Failures in a row that say the source or the sink cannot be reached.
#[derive(Default)]
struct Streak {
    count: usize,
    since: Option<Instant>,
    stopped: Option<String>,
}

/// After this many entities in a row failed for an unreachable source or sink, the run stops:
/// retrying the rest would only fill the log with one error per entity.
pub const UNREACHABLE_STREAK: usize = 25;

/// Whether an error says the source or the sink could not be reached (rather than that one
/// entity is bad): a lost or refused connection, no answer in time, a full disk.
fn is_unreachable(error: &str) -> bool {
    let error = error.to_ascii_lowercase();
    [
        "connection refused",
        "connection reset",
        "connection was lost",
        "connection closed",
        "error connecting",
        "could not connect",
        "cannot connect",
        "cannot open the source",
        "no answer within",
        "did not answer",
        "no space left",
        "broken pipe",
        "timed out",
    ]
    .iter()
    .any(|sign| error.contains(sign))
}

impl Tally {
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            found: AtomicUsize::new(0),
            processed: AtomicUsize::new(0),
            resumed: AtomicUsize::new(0),
            retried: AtomicUsize::new(0),
            containers: AtomicUsize::new(0),
            discovery: Mutex::new(Duration::ZERO),
            failures: Mutex::new(Vec::new()),
            skipped: Mutex::new(Vec::new()),
            deferred_keys: AtomicUsize::new(0),
            written: Mutex::default(),
            streak: Mutex::new(Streak::default()),
            progress: Progress::default(),
        }
    }

    /// How long listing the entities took.
    pub fn discovered_in(&self, took: Duration) {
        *self.discovery.lock().unwrap_or_else(|p| p.into_inner()) = took;
    }

    /// Adds discovered tables (a streaming source finds them batch by batch).
    pub fn found(&self, tables: usize) {
        let total = self.found.fetch_add(tables, Ordering::Relaxed) + tables;
        self.progress.start(total);
    }

    pub fn found_so_far(&self) -> usize {
        self.found.load(Ordering::Relaxed)
    }

    /// One entity of `kind` reached the sink.
    pub fn wrote(&self, kind: &str) {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        match written.get_mut(kind) {
            Some(n) => *n += 1,
            None => {
                written.insert(kind.to_owned(), 1);
            }
        }
    }

    pub fn processed(&self, tables: usize, containers: usize) {
        if tables > 0 {
            let mut streak = self.streak.lock().unwrap_or_else(|p| p.into_inner());
            streak.count = 0;
            streak.since = None;
        }
        self.processed.fetch_add(tables, Ordering::Relaxed);
        self.containers.fetch_add(containers, Ordering::Relaxed);
        self.progress.advance(tables);
    }

    /// Tables an earlier attempt wrote, skipped by a resumed run (they count towards progress).
    pub fn resumed(&self, tables: usize) {
        if tables > 0 {
            self.resumed.fetch_add(tables, Ordering::Relaxed);
            self.progress.advance(tables);
        }
    }

    pub fn retried(&self, count: usize) {
        self.retried.fetch_add(count, Ordering::Relaxed);
    }

    pub fn failed(&self, failure: Failure) {
        self.progress.failed();
        if failure.kind == "table" {
            self.progress.advance(1);
        }
        {
            let mut streak = self.streak.lock().unwrap_or_else(|p| p.into_inner());
            if !is_unreachable(&failure.error) {
                streak.count = 0;
                streak.since = None;
            } else {
                streak.count += 1;
                let since = *streak.since.get_or_insert_with(Instant::now);
                if streak.count >= UNREACHABLE_STREAK && streak.stopped.is_none() {
                    let why = format!(
                        "the source or the sink is unreachable: {} entities failed in a row \
                         since {:.1} s ago (the last: {})",
                        streak.count,
                        since.elapsed().as_secs_f64(),
                        failure.error
                    );
                    tracing::error!("Stopping: {why}");
                    streak.stopped = Some(why);
                }
            }
        }
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(failure);
    }

    /// An entity was written without part of it (see [`Skip`]).
    pub fn skipped(&self, skip: Skip) {
        self.skipped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(skip);
    }

    /// Tables an Argo worker leaves for finalize to complete.
    pub fn deferred_keys(&self, tables: usize) {
        self.deferred_keys.fetch_add(tables, Ordering::Relaxed);
    }

    /// Stops the run taking work (a signal): what is in flight finishes, the rest is left to
    /// `--resume`.
    pub fn stop(&self, why: String) {
        let mut streak = self.streak.lock().unwrap_or_else(|p| p.into_inner());
        streak.stopped.get_or_insert(why);
    }

    /// Why the run stopped taking work, once it did (see [`UNREACHABLE_STREAK`]).
    pub fn stopped(&self) -> Option<String> {
        let streak = self.streak.lock().unwrap_or_else(|p| p.into_inner());
        streak.stopped.clone()
    }

    /// The FQNs of everything that failed so far.
    pub fn failed_fqns(&self) -> std::collections::HashSet<String> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.iter().map(|f| f.fqn.clone()).collect()
    }

    pub fn finish(&self, mode: &str, parallelism: usize, plugin: &str) -> Report {
        self.progress.finish();
        let elapsed = self.started.elapsed().as_secs_f64();
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        failures.sort_by(|a, b| a.fqn.cmp(&b.fqn));
        let mut skipped = self
            .skipped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        skipped.sort_by(|a, b| (&a.fqn, &a.what).cmp(&(&b.fqn, &b.what)));
        let processed = self.processed.load(Ordering::Relaxed);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |now| now.as_secs_f64());
        let started_at_unix = now - elapsed;
        let discovery_failures = failures
            .iter()
            .filter(|f| f.kind == "run" || f.kind == "database")
            .count();
        Report {
            status: String::new(),
            omrun_version: env!("CARGO_PKG_VERSION").to_owned(),
            mode: mode.to_owned(),
            parallelism,
            plugin: plugin.to_owned(),
            plugin_version: String::new(),
            plugin_sha256: String::new(),
            contract: String::new(),
            config_sha256: String::new(),
            output: String::new(),
            shard: None,
            started_at_unix,
            started_at: rfc3339(started_at_unix),
            ended_at: rfc3339(now),
            written: self
                .written
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            discovery_failures,
            found: self.found.load(Ordering::Relaxed),
            processed,
            resumed: self.resumed.load(Ordering::Relaxed),
            failed: failures.len(),
            retried: self.retried.load(Ordering::Relaxed),
            containers: self.containers.load(Ordering::Relaxed),
            duration_seconds: elapsed,
            discovery_seconds: self
                .discovery
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_secs_f64(),
            entities_per_second: if elapsed > 0.0 {
                processed as f64 / elapsed
            } else {
                0.0
            },
            failures,
            failures_omitted: 0,
            skipped,
            deferred_keys: self.deferred_keys.load(Ordering::Relaxed),
            stopped: self.stopped(),
        }
    }
}

impl Default for Tally {
    fn default() -> Self {
        Self::new()
    }
}

/// `2026-12-03T10:05:28.123Z` for seconds since the Unix epoch (UTC; days to a civil date as in
/// Howard Hinnant's `civil_from_days`).
pub fn rfc3339(unix: f64) -> String {
    let millis = (unix.max(0.0) * 1000.0).round() as i64;
    let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, sec, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}.{ms:03}Z")
}

/// A bar on a terminal; elsewhere (CI, files) a plain line every ten seconds.
#[derive(Default)]
struct Progress {
    state: Mutex<ProgressState>,
}

#[derive(Default)]
struct ProgressState {
    total: usize,
    done: usize,
    failed: usize,
    started: Option<Instant>,
    last_line: Option<Instant>,
}

const PLAIN_PROGRESS_EVERY: Duration = Duration::from_secs(10);

impl Progress {
    /// Sets the total (it may grow, e.g. for a source that streams its entities).
    fn start(&self, total: usize) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.total = total;
        state.last_line.get_or_insert_with(Instant::now);
        state.started.get_or_insert_with(Instant::now);
        let mut bar = active_bar().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bar) = bar.as_ref() {
            bar.set_length(total as u64);
        } else if std::io::stderr().is_terminal() {
            let progress = ProgressBar::new(total as u64).with_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} tables  {per_sec}  {msg}  {elapsed_precise}  eta {eta}",
                )
                .expect("static template"),
            );
            *bar = Some(progress);
        }
    }

    fn advance(&self, by: usize) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.done += by;
        let bar = active_bar()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(bar) = bar {
            bar.set_position(state.done as u64);
        } else if state
            .last_line
            .is_some_and(|t| t.elapsed() >= PLAIN_PROGRESS_EVERY)
        {
            state.last_line = Some(Instant::now());
            let seconds = state.started.map_or(0.0, |t| t.elapsed().as_secs_f64());
            let rate = if seconds > 0.0 {
                state.done as f64 / seconds
            } else {
                0.0
            };
            tracing::info!(
                "Progress: {}/{} tables ({rate:.1}/s, {} failed)",
                state.done,
                state.total,
                state.failed
            );
        }
    }

    /// One more entity failed: the bar says how many have.
    fn failed(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.failed += 1;
        if let Some(bar) = active_bar()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            bar.set_message(format!("{} failed", state.failed));
        }
    }

    fn finish(&self) {
        if let Some(bar) = active_bar()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            bar.finish_and_clear();
        }
    }
}

/// The bar on screen, if any: log lines are written around it (see `with_bar_suspended`).
fn active_bar() -> &'static Mutex<Option<ProgressBar>> {
    static BAR: OnceLock<Mutex<Option<ProgressBar>>> = OnceLock::new();
    BAR.get_or_init(|| Mutex::new(None))
}

/// Runs `write` with the progress bar (if any) hidden, so a log line does not tear it.
pub fn with_bar_suspended<R>(write: impl FnOnce() -> R) -> R {
    let bar = active_bar()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    match bar {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(error: &str) -> Failure {
        Failure {
            fqn: "svc.db.s.t".into(),
            kind: "table".into(),
            error: error.into(),
            attempts: 2,
        }
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400.5), "2000-02-29T00:00:00.500Z");
        assert_eq!(rfc3339(1_796_292_328.123), "2026-12-03T10:05:28.123Z");
    }

    #[test]
    fn a_streak_of_unreachable_failures_stops_the_run_and_anything_else_resets_it() {
        let tally = Tally::new();
        let gone = "SQL error: error connecting to server: Connection refused (os error 111)";
        for _ in 1..UNREACHABLE_STREAK {
            tally.failed(failure(gone));
        }
        // One table written, or one bad entity, is not "in a row".
        tally.processed(1, 0);
        for _ in 1..UNREACHABLE_STREAK {
            tally.failed(failure(gone));
        }
        tally.failed(failure(
            "plugin trapped in `process` (wasm `unreachable` …)",
        ));
        assert_eq!(tally.stopped(), None);
        for _ in 0..UNREACHABLE_STREAK {
            tally.failed(failure(gone));
        }
        let why = tally.stopped().expect("stopped");
        assert!(why.contains("25 entities failed in a row") && why.contains("(os error 111)"));
    }
}
