//! Resume: a run's checkpoint of the entities it finished, so that `omrun ingest --resume` after a
//! crash (or `kill -9`) processes only what is left, and the sink ends up as after one clean run.
//!
//! The file is JSON Lines, append-only: a header saying which run it is, then one line per batch
//! whose entities the sink accepted, written only *after* the sink accepted them. Each line is one
//! `write` of the whole line, so a crash loses at most the batches in flight, which a resume redoes;
//! a torn last line is ignored.
//!
//! ```text
//! {"omrunCheckpoint":1,"config":"/etc/omrun/pg.yaml","service":"pg","plugin":"postgres",…}
//! {"done":{"table":["pg.shop.public.orders",…]},"sinkBytes":48213}
//! ```
//!
//! Every kind is recorded — the service, databases, schemas, data models as well as the leaves —
//! because a file is not idempotent: a resumed run must not write a second line for anything the
//! file already has. OpenMetadata is idempotent (PUT create-or-update), so what a crash left
//! unrecorded and a resume sends again is no duplicate there.
//!
//! A file sink's bytes and the checkpoint's lines must agree: the file may hold, past the last
//! recorded batch, lines of batches that were in flight. So each line records the file's length
//! after its batch was flushed (`sinkBytes`), writes to such a sink and their line are taken in
//! turns (no other batch's bytes can slip in between), and a resume cuts the file back to the last
//! recorded length before appending. The pipeline writes through [`Recorded`], which wraps any sink
//! and does this; the checkpoint itself knows no sink.

mod recorded;

pub use recorded::{Finished, Recorded};

use super::held::hash128;
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The format this omrun writes and reads (the header's `omrunCheckpoint`).
const FORMAT: u32 = 1;

/// The checkpoint's name for the service (entities use `EntityKind::as_str`).
const SERVICE: &str = "service";

/// What a run is: a resume must continue the same run, not mix two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The config file, absolute.
    pub config: String,
    pub service: String,
    pub plugin: String,
    pub plugin_version: String,
    /// `file <absolute path>` or `metadata-rest <hostPort>`.
    pub sink: String,
}

impl Identity {
    /// How `self` (the checkpoint's run) differs from `this` run, for the refusal.
    fn differences(&self, this: &Identity) -> Vec<String> {
        let fields = [
            ("config", &self.config, &this.config),
            ("service", &self.service, &this.service),
            ("plugin", &self.plugin, &this.plugin),
            ("plugin version", &self.plugin_version, &this.plugin_version),
            ("sink", &self.sink, &this.sink),
        ];
        fields
            .into_iter()
            .filter(|(_, then, now)| then != now)
            .map(|(what, then, now)| format!("its {what} is {then}, this run's is {now}"))
            .collect()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    omrun_checkpoint: u32,
    #[serde(flatten)]
    identity: Identity,
}

/// One batch the sink accepted.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    /// FQNs by kind.
    done: BTreeMap<String, Vec<String>>,
    /// The file sink's length after this batch was flushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sink_bytes: Option<u64>,
}

/// What a checkpoint file holds.
struct Previous {
    identity: Identity,
    done: Done,
    /// The last `sinkBytes` recorded.
    sink_bytes: Option<u64>,
    /// Bytes of whole, readable lines: a torn or unreadable tail is cut off before appending.
    good_len: u64,
}

impl Previous {
    /// `Ok(None)` for an empty file; an error for a file that is not an omrun checkpoint.
    fn parse(text: &str, path: &Path) -> anyhow::Result<Option<Previous>> {
        if text.is_empty() {
            return Ok(None);
        }
        let not_ours = || format!("{} is not an omrun checkpoint", path.display());
        // Only lines ending in a newline are whole: a crash may tear the last one.
        let mut lines = text.split_inclusive('\n').filter(|l| l.ends_with('\n'));
        let first = lines.next().with_context(not_ours)?;
        let header: Header = serde_json::from_str(first).with_context(not_ours)?;
        if header.omrun_checkpoint != FORMAT {
            bail!(
                "{} is a checkpoint of format {}; this omrun reads format {FORMAT}",
                path.display(),
                header.omrun_checkpoint
            );
        }
        let mut previous = Previous {
            identity: header.identity,
            done: Done::default(),
            sink_bytes: None,
            good_len: first.len() as u64,
        };
        for raw in lines {
            // Lines are only appended; one that does not read ends what can be trusted.
            let Ok(line) = serde_json::from_str::<Line>(raw) else {
                break;
            };
            for (kind, fqns) in line.done {
                fqns.iter().for_each(|fqn| previous.done.insert(&kind, fqn));
            }
            previous.sink_bytes = line.sink_bytes.or(previous.sink_bytes);
            previous.good_len += raw.len() as u64;
        }
        Ok(Some(previous))
    }
}

/// The entities earlier attempts finished, as a 128-bit hash of each (kind, FQN) and a count per
/// kind: 16 bytes an entity, where the names took some 100 (a resumed run of a million tables
/// held them all). A collision among a billion names is about 1 in 10^20.
#[derive(Default)]
struct Done {
    names: HashSet<u128>,
    per_kind: BTreeMap<String, usize>,
}

impl Done {
    fn insert(&mut self, kind: &str, fqn: &str) {
        if self.names.insert(hash128((kind, fqn))) {
            *self.per_kind.entry(kind.to_owned()).or_default() += 1;
        }
    }

    fn contains(&self, kind: &str, fqn: &str) -> bool {
        self.names.contains(&hash128((kind, fqn)))
    }

    fn len(&self) -> usize {
        self.names.len()
    }

    fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The checkpoint file cannot be used: its folder is read-only, or another run holds it.
#[derive(Debug)]
pub struct Unavailable {
    path: PathBuf,
    why: String,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the checkpoint {} {}", self.path.display(), self.why)
    }
}

impl std::error::Error for Unavailable {}

/// Where the checkpoint is and what the user asked for.
#[derive(Debug, Clone)]
pub struct Place {
    pub path: PathBuf,
    /// `--resume`: continue the run the checkpoint records.
    pub resume: bool,
    /// `--checkpoint PATH` was given (a default place that cannot be used is only a warning).
    pub explicit: bool,
}

impl Place {
    /// The default checkpoint of a config: `checkpoint-<serviceName>-<digest>.jsonl` in omrun's
    /// state folder (`$OMRUN_STATE_DIR`, else `$XDG_STATE_HOME/omrun`, else
    /// `~/.local/state/omrun`), the digest being the first 12 hex digits of the sha256 of the
    /// config's absolute path. Found again by the next `--resume` of the same config without any
    /// flag to remember, and never beside the config (a git checkout, a read-only ConfigMap).
    pub fn default_for(config: &Path, service: &str) -> PathBuf {
        let state = std::env::var_os("OMRUN_STATE_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_STATE_HOME").map(|d| PathBuf::from(d).join("omrun")))
            .or_else(|| {
                std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".local/state/omrun"))
            })
            .unwrap_or_else(|| PathBuf::from("."));
        Self::in_folder(&state, config, service)
    }

    fn in_folder(state: &Path, config: &Path, service: &str) -> PathBuf {
        use sha2::{Digest, Sha256};
        let absolute = std::fs::canonicalize(config)
            .or_else(|_| std::path::absolute(config))
            .unwrap_or_else(|_| config.to_owned());
        let digest = hex::encode(Sha256::digest(absolute.as_os_str().as_encoded_bytes()));
        let safe: String = service
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        state.join(format!("checkpoint-{safe}-{}.jsonl", &digest[..12]))
    }
}

/// The run's checkpoint; inert when the run keeps none (Argo's pods: Argo retries a pod whole).
pub struct Checkpoint {
    active: Option<Active>,
}

struct Active {
    path: PathBuf,
    /// Entities (kind, FQN) finished by the attempts before this one.
    before: Done,
    resuming: bool,
    /// The file sink's length to keep, when resuming a run into a file.
    sink_bytes: Option<u64>,
    /// `None` once a line could not be written: later lines could not be trusted.
    file: Mutex<Option<File>>,
    /// Taken from a positional sink's write to its line (see the module comment).
    turns: Option<tokio::sync::Mutex<()>>,
    /// Entities recorded so far, this attempt's and the ones before.
    recorded: AtomicUsize,
}

impl Checkpoint {
    pub fn none() -> Self {
        Self { active: None }
    }

    /// Opens the checkpoint at `place` for the run `this`, locked against a concurrent run. With
    /// `resume`, reads what the run it records finished (refusing another run's); without, or when
    /// there is none, starts it afresh. `positional`: the sink is a file (see the module comment).
    pub fn open(place: &Place, this: Identity, positional: bool) -> anyhow::Result<Self> {
        let path = &place.path;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| Unavailable {
                    path: path.clone(),
                    why: format!("cannot be made: {e}"),
                })?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Unavailable {
                path: path.clone(),
                why: format!("cannot be opened: {e}"),
            })?;
        // Two runs of one config (into different sinks, say) must not write one checkpoint.
        omrun_sink::file_lock::lock(&file).map_err(|refused| Unavailable {
            path: path.clone(),
            why: refused.to_string(),
        })?;
        let mut text = String::new();
        file.read_to_string(&mut text)
            .with_context(|| format!("cannot read the checkpoint {}", path.display()))?;
        let previous = Previous::parse(&text, path)?;
        let (before, sink_bytes, resuming) = match previous {
            Some(previous) if place.resume => {
                let differences = previous.identity.differences(&this);
                if !differences.is_empty() {
                    bail!(
                        "the checkpoint {} is of another run ({}): it cannot be resumed by this \
                         one; run without --resume to start over (replacing it), or pass \
                         --checkpoint PATH",
                        path.display(),
                        differences.join("; ")
                    );
                }
                file.set_len(previous.good_len)?;
                let sink_bytes = positional.then(|| previous.sink_bytes.unwrap_or(0));
                (previous.done, sink_bytes, true)
            }
            previous => {
                match previous {
                    Some(previous) if !previous.done.is_empty() => tracing::warn!(
                        "Replacing the checkpoint {} of an unfinished run ({} entities done); \
                         --resume would have continued it",
                        path.display(),
                        previous.done.len()
                    ),
                    None if place.resume => tracing::info!(
                        "No checkpoint at {}: running from the start",
                        path.display()
                    ),
                    _ => {}
                }
                let header = Header {
                    omrun_checkpoint: FORMAT,
                    identity: this,
                };
                file.set_len(0)?;
                file.seek(SeekFrom::Start(0))?;
                file.write_all(format!("{}\n", serde_json::to_string(&header)?).as_bytes())
                    .with_context(|| format!("cannot write the checkpoint {}", path.display()))?;
                (Done::default(), None, false)
            }
        };
        file.seek(SeekFrom::End(0))?;
        Ok(Self {
            active: Some(Active {
                path: path.clone(),
                recorded: AtomicUsize::new(before.len()),
                before,
                resuming,
                sink_bytes,
                file: Mutex::new(Some(file)),
                turns: positional.then(|| tokio::sync::Mutex::new(())),
            }),
        })
    }

    /// Whether the sink is a file, where what an earlier attempt wrote must not be written again
    /// (OpenMetadata takes the same request twice as once).
    pub fn positional(&self) -> bool {
        self.active.as_ref().is_some_and(|a| a.turns.is_some())
    }

    /// Whether this run continues an interrupted one.
    pub fn resuming(&self) -> bool {
        self.active.as_ref().is_some_and(|a| a.resuming)
    }

    /// Whether an earlier attempt finished this entity (`kind` as in `EntityKind::as_str`, or
    /// [`SERVICE`]).
    pub fn is_done(&self, kind: &str, fqn: &str) -> bool {
        self.active
            .as_ref()
            .is_some_and(|a| a.before.contains(kind, fqn))
    }

    /// How many entities of `kinds` earlier attempts finished.
    pub fn done_count(&self, kinds: &[&str]) -> usize {
        self.active.as_ref().map_or(0, |a| {
            let per_kind = &a.before.per_kind;
            kinds.iter().filter_map(|kind| per_kind.get(*kind)).sum()
        })
    }

    /// When resuming a run into a file: the file's bytes to keep (the batches recorded); the
    /// rest was written by batches the crash interrupted, which this run redoes.
    pub fn sink_bytes(&self) -> Option<u64> {
        self.active.as_ref().and_then(|a| a.sink_bytes)
    }

    /// Waits for this batch's turn to write to a positional sink; hold it until [`record`] is
    /// done. `None` (no waiting) for a sink where order does not matter.
    ///
    /// [`record`]: Self::record
    async fn turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.active.as_ref().and_then(|a| a.turns.as_ref()) {
            Some(turns) => Some(turns.lock().await),
            None => None,
        }
    }

    /// Records entities (kind, FQN) the sink accepted, with the sink's `length` after flushing
    /// (awaited only when there is a line to write). `clean`: the sink refused nothing in this
    /// batch. A file that refused part of a batch may hold part of it, so recording stops there:
    /// a resume goes back to the last line and redoes everything after it.
    async fn record(
        &self,
        length: impl Future<Output = anyhow::Result<Option<u64>>>,
        done: Vec<(&str, String)>,
        clean: bool,
    ) {
        let Some(active) = &self.active else { return };
        if active.turns.is_some() && !clean {
            active.stop("the sink failed to write part of a batch");
            return;
        }
        if done.is_empty() {
            return;
        }
        let sink_bytes = match length.await {
            Ok(bytes) => bytes,
            Err(e) => {
                active.stop(&format!("{e:#}"));
                return;
            }
        };
        let count = done.len();
        let mut by_kind: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (kind, fqn) in done {
            by_kind.entry(kind.to_owned()).or_default().push(fqn);
        }
        let line = Line {
            done: by_kind,
            sink_bytes,
        };
        let Ok(json) = serde_json::to_string(&line) else {
            return;
        };
        let mut file = active.file.lock().unwrap_or_else(|e| e.into_inner());
        let Some(out) = file.as_mut() else { return };
        // One write of the whole line: a crash leaves at most a torn last line, which is ignored.
        match out.write_all(format!("{json}\n").as_bytes()) {
            Ok(()) => {
                active.recorded.fetch_add(count, Ordering::Relaxed);
            }
            Err(e) => {
                drop(file);
                active.stop(&format!("cannot write {}: {e}", active.path.display()));
            }
        }
    }

    /// At the end of the run: removes the checkpoint when everything was written and nothing
    /// failed (the next run is a fresh one); otherwise keeps it, and says how to continue.
    pub fn finish(&self, clean: bool, resume_command: &str) {
        let Some(active) = &self.active else { return };
        let mut file = active.file.lock().unwrap_or_else(|e| e.into_inner());
        if clean {
            if let Err(e) = std::fs::remove_file(&active.path) {
                tracing::warn!(
                    "Could not remove the checkpoint {}: {e}",
                    active.path.display()
                );
            }
        } else {
            tracing::info!(
                "Checkpoint {}: {} entities done; `{resume_command}` continues this run",
                active.path.display(),
                active.recorded.load(Ordering::Relaxed)
            );
        }
        // Closing releases the lock.
        file.take();
    }
}

impl Active {
    fn stop(&self, why: &str) {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if file.take().is_some() {
            tracing::warn!(
                "Checkpoint {} stopped ({why}): a resume redoes what followed its last line",
                self.path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file sink's length after a batch.
    async fn length(bytes: u64) -> anyhow::Result<Option<u64>> {
        Ok(Some(bytes))
    }

    fn identity(config: &str) -> Identity {
        Identity {
            config: config.into(),
            service: "svc".into(),
            plugin: "postgres".into(),
            plugin_version: "0.1.0".into(),
            sink: "file /tmp/out.jsonl".into(),
        }
    }

    fn place(path: &Path, resume: bool) -> Place {
        Place {
            path: path.to_owned(),
            resume,
            explicit: true,
        }
    }

    fn table(fqn: &str) -> (&'static str, String) {
        ("table", fqn.to_owned())
    }

    #[tokio::test]
    async fn a_resume_reads_what_was_done_and_the_file_length_to_keep() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.jsonl");
        let first = Checkpoint::open(&place(&path, false), identity("/a.yaml"), true).unwrap();
        assert!(!first.resuming());
        first
            .record(length(100), vec![(SERVICE, "svc".into())], true)
            .await;
        first
            .record(
                length(250),
                vec![table("svc.db.s.t1"), table("svc.db.s.t2")],
                true,
            )
            .await;
        // Killed here: nothing more is written, the lock goes with the process.
        drop(first);

        let again = Checkpoint::open(&place(&path, true), identity("/a.yaml"), true).unwrap();
        assert!(again.resuming());
        assert!(again.is_done("table", "svc.db.s.t2"));
        assert!(again.is_done(SERVICE, "svc"));
        assert!(!again.is_done("table", "svc.db.s.t3"));
        assert_eq!(again.sink_bytes(), Some(250));
        assert_eq!(again.done_count(&["table"]), 2);
        assert_eq!(again.done_count(&[SERVICE]), 1);
    }

    #[tokio::test]
    async fn a_torn_last_line_is_ignored_and_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.jsonl");
        let first = Checkpoint::open(&place(&path, false), identity("/a.yaml"), true).unwrap();
        first
            .record(length(10), vec![table("svc.db.s.t1")], true)
            .await;
        drop(first);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"done":{"table":["svc.db.s.t2"]},"sinkBy"#)
            .unwrap();
        drop(file);

        let again = Checkpoint::open(&place(&path, true), identity("/a.yaml"), true).unwrap();
        assert!(!again.is_done("table", "svc.db.s.t2"));
        assert_eq!(again.sink_bytes(), Some(10));
        again
            .record(length(20), vec![table("svc.db.s.t2")], true)
            .await;
        drop(again);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            text.lines()
                .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
        );
    }

    #[test]
    fn another_runs_checkpoint_is_refused_by_a_resume_and_replaced_by_a_fresh_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.jsonl");
        drop(Checkpoint::open(&place(&path, false), identity("/a.yaml"), false).unwrap());
        let refused = Checkpoint::open(&place(&path, true), identity("/b.yaml"), false)
            .err()
            .expect("refused");
        let message = format!("{refused:#}");
        assert!(
            message.contains("another run")
                && message.contains("its config is /a.yaml, this run's is /b.yaml"),
            "{message}"
        );
        let fresh = Checkpoint::open(&place(&path, false), identity("/b.yaml"), false).unwrap();
        assert!(!fresh.resuming());
        drop(fresh);
        assert!(std::fs::read_to_string(&path).unwrap().contains("/b.yaml"));
    }

    #[test]
    fn a_file_that_is_not_a_checkpoint_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "my notes\n").unwrap();
        let refused = Checkpoint::open(&place(&path, false), identity("/a.yaml"), false)
            .err()
            .expect("refused");
        assert!(format!("{refused:#}").contains("is not an omrun checkpoint"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "my notes\n");
    }

    #[test]
    fn two_runs_cannot_share_a_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.jsonl");
        let _running = Checkpoint::open(&place(&path, false), identity("/a.yaml"), false).unwrap();
        let refused = Checkpoint::open(&place(&path, false), identity("/a.yaml"), false)
            .err()
            .expect("refused");
        assert!(format!("{refused:#}").contains("in use by another omrun run"));
    }

    #[tokio::test]
    async fn a_clean_finish_removes_the_checkpoint_and_an_unclean_one_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.jsonl");
        let kept = Checkpoint::open(&place(&path, false), identity("/a.yaml"), false).unwrap();
        kept.finish(false, "omrun ingest -c a.yaml --resume");
        assert!(path.exists());
        let removed = Checkpoint::open(&place(&path, true), identity("/a.yaml"), false).unwrap();
        removed.finish(true, "");
        assert!(!path.exists());
    }

    #[test]
    fn the_default_place_is_in_the_state_folder_named_after_service_and_config() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("pg.yaml");
        std::fs::write(&config, "").unwrap();
        let state = Path::new("/state");
        let place = Place::in_folder(state, &config, "prod/pg 1");
        let name = place.file_name().unwrap().to_str().unwrap();
        assert!(place.starts_with(state), "{place:?}");
        assert!(name.starts_with("checkpoint-prod_pg_1-") && name.ends_with(".jsonl"));
        assert_eq!(
            name.len(),
            "checkpoint-prod_pg_1-".len() + 12 + ".jsonl".len()
        );
        // The same config by another path is the same checkpoint; another config is another.
        let relative = Place::in_folder(state, &dir.path().join("./pg.yaml"), "prod/pg 1");
        assert_eq!(relative, place);
        let other = dir.path().join("other.yaml");
        std::fs::write(&other, "").unwrap();
        assert_ne!(Place::in_folder(state, &other, "prod/pg 1"), place);
    }
}
