//! `sink: {type: file}`: JSON Lines, one `{"kind": "<Create…Request>", "request": {…}}` per line,
//! each call's requests parents first (in `RequestKind` order, as the OpenMetadata sink sends
//! them): a file can be replayed line by line. So the classification and the tag a label names
//! come before the first entity carrying it, once per run (a resumed run writes them again: a
//! replayed `PUT` of the same request changes nothing).
//!
//! A pipeline's runs follow it, each as `{"kind": "PipelineStatus", "pipeline": "<its FQN>",
//! "request": {…}}`: the body OpenMetadata's `PUT /v1/pipelines/{fqn}/status` takes.
//!
//! Lineage edges of a dashboard service follow the entities they point to, as
//! `{"kind": "LineageEdge", "request": {"from", "to", "columnsLineage"?, "source"}}` with both ends
//! by name ([`crate::lineage`]): OpenMetadata's `AddLineageRequest` needs ids only a server gives.

use super::lineage;
use super::requests::labels_of;
use super::{CreateRequest, RequestKind, Requests, Sink, SinkFailure, Staged, StoredTable};
use anyhow::{Context, bail};
use async_trait::async_trait;
use omrun_model::Entity;
use omrun_model::fqn;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The `kind` of a lineage edge's line.
pub const LINEAGE_KIND: &str = "LineageEdge";

pub struct FileSink {
    path: PathBuf,
    requests: Requests,
    out: Mutex<BufWriter<File>>,
    /// The tables a resumed file already holds, by schema FQN: foreign keys of the tables still to
    /// come may name them.
    held: HashMap<String, Vec<StoredTable>>,
    /// The classifications and tags written so far, by kind and FQN.
    tags: Mutex<HashSet<(RequestKind, String)>>,
}

impl FileSink {
    /// Creates (or truncates) the file, and its folder if missing.
    pub fn create(path: &Path, requests: Requests) -> anyhow::Result<Self> {
        Self::open(path, None, requests)
    }

    /// [`create`](Self::create), or with `keep`, continues the file of an interrupted run: its
    /// first `keep` bytes are the batches the run's checkpoint recorded; what follows was written
    /// by batches the crash cut short, which the resumed run writes again, so it is cut off.
    ///
    /// The file is locked for the run: a second run into it is refused, naming the first.
    pub fn open(path: &Path, keep: Option<u64>, requests: Requests) -> anyhow::Result<Self> {
        let Some(keep) = keep else {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            // Emptied only once locked: a run refused must not have cut the other's file.
            let file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .with_context(|| format!("cannot create sink file {}", path.display()))?;
            lock(&file, path)?;
            file.set_len(0)
                .with_context(|| format!("cannot empty sink file {}", path.display()))?;
            return Ok(Self::on(path, file, requests));
        };
        let file = OpenOptions::new()
            .write(true)
            .create(keep == 0)
            .truncate(false)
            .open(path)
            .with_context(|| format!("cannot resume sink file {}", path.display()))?;
        lock(&file, path)?;
        let len = file.metadata()?.len();
        if len < keep {
            bail!(
                "cannot resume: the sink file {} has {len} bytes, fewer than the {keep} its \
                 checkpoint recorded; it changed since the interrupted run: run without --resume",
                path.display()
            );
        }
        file.set_len(keep)
            .with_context(|| format!("cannot resume sink file {}", path.display()))?;
        let mut file = file;
        file.seek(SeekFrom::End(0))?;
        let held = tables_in(path, keep)
            .with_context(|| format!("cannot resume sink file {}", path.display()))?;
        Ok(Self {
            held,
            ..Self::on(path, file, requests)
        })
    }

    fn on(path: &Path, file: File, requests: Requests) -> Self {
        Self {
            path: path.to_owned(),
            requests,
            out: Mutex::new(BufWriter::new(file)),
            held: HashMap::new(),
            tags: Mutex::default(),
        }
    }

    /// The writer, with everything written so far flushed to the file.
    fn flushed(&self) -> anyhow::Result<MutexGuard<'_, BufWriter<File>>> {
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        out.flush()
            .with_context(|| format!("cannot write to {}", self.path.display()))?;
        Ok(out)
    }
}

/// The tables among the first `len` bytes of a sink file, by schema FQN.
fn tables_in(path: &Path, len: u64) -> anyhow::Result<HashMap<String, Vec<StoredTable>>> {
    let table = RequestKind::Table.request_name();
    let mut held: HashMap<String, Vec<StoredTable>> = HashMap::new();
    for line in BufReader::new(File::open(path)?.take(len)).lines() {
        let line: Value = serde_json::from_str(&line?)?;
        if line["kind"] != table {
            continue;
        }
        let request = &line["request"];
        let (Some(schema), Some(name)) =
            (request["databaseSchema"].as_str(), request["name"].as_str())
        else {
            continue;
        };
        let fqn = format!("{schema}.{}", fqn::quote(name));
        held.entry(schema.to_owned())
            .or_default()
            .push(StoredTable::from_json(fqn, request));
    }
    Ok(held)
}

/// One line, without copying the request into a wrapper value. A pipeline's run names its
/// pipeline by FQN (`pipeline`), as the endpoint it goes to does.
pub(super) fn line(r: &CreateRequest) -> String {
    let kind = r.kind.request_name();
    match r.kind {
        RequestKind::PipelineStatus => format!(
            "{{\"kind\":\"{kind}\",\"pipeline\":{},\"request\":{}}}",
            Value::from(r.fqn.as_str()),
            r.body
        ),
        _ => format!("{{\"kind\":\"{kind}\",\"request\":{}}}", r.body),
    }
}

impl FileSink {
    /// Writes `(fqn, line)`s in order, serialised before (writes to a BufWriter are short enough to
    /// hold the lock); a line that cannot be written fails its FQN.
    fn write_lines(&self, lines: Vec<(String, String)>) -> Vec<SinkFailure> {
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut failures = Vec::new();
        for (fqn, line) in lines {
            if let Err(e) = writeln!(out, "{line}") {
                failures.push(SinkFailure {
                    fqn,
                    error: format!("cannot write to {}: {e}", self.path.display()),
                });
            }
        }
        failures
    }
}

#[async_trait]
impl Sink for FileSink {
    async fn write_service(&self) -> Option<SinkFailure> {
        let service = self.requests.service();
        let lines = vec![(service.fqn.clone(), line(&service))];
        self.write_lines(lines).into_iter().next()
    }

    async fn write(&self, entities: &[Entity]) -> Vec<SinkFailure> {
        self.stage(entities).await
    }

    /// Builds and serialises every line now; the future appends them, the classifications and
    /// tags first that no earlier write has (decided then, so whichever write comes first in the
    /// file carries them).
    fn stage<'a>(&'a self, entities: &'a [Entity]) -> Staged<'a> {
        let tags: Vec<(RequestKind, String, String)> = labels_of(entities)
            .into_iter()
            .flat_map(|label| {
                [
                    self.requests.classification(label),
                    self.requests.tag(label),
                ]
            })
            .map(|r| (r.kind, r.fqn.clone(), line(&r)))
            .collect();
        let mut requests: Vec<CreateRequest> =
            entities.iter().map(|e| self.requests.entity(e)).collect();
        requests.extend(self.requests.runs_of(entities));
        // Stable: the caller's order within a kind is kept.
        requests.sort_by_key(|r| r.kind);
        let lines: Vec<(String, String)> =
            requests.iter().map(|r| (r.fqn.clone(), line(r))).collect();
        // After the entities they point to, by name: the file has no ids to give them.
        let edges: Vec<(String, String)> = lineage::edges(&self.requests, entities)
            .into_iter()
            .map(|e| {
                let line = format!(
                    "{{\"kind\":\"{LINEAGE_KIND}\",\"request\":{}}}",
                    e.by_name()
                );
                (e.to_fqn, line)
            })
            .collect();
        Box::pin(async move {
            let new_tags: Vec<(String, String)> = {
                let mut written = self.tags.lock().unwrap_or_else(|e| e.into_inner());
                (tags.into_iter())
                    .filter(|(kind, fqn, _)| written.insert((*kind, fqn.clone())))
                    .map(|(_, fqn, line)| (fqn, line))
                    .collect()
            };
            let mut failures = self.write_lines(new_tags);
            failures.extend(self.write_lines(lines));
            failures.extend(self.write_lines(edges));
            failures
        })
    }

    async fn stored_tables(&self, schema_fqn: &str) -> anyhow::Result<Vec<StoredTable>> {
        Ok(self.held.get(schema_fqn).cloned().unwrap_or_default())
    }

    async fn flushed_len(&self) -> anyhow::Result<Option<u64>> {
        let mut out = self.flushed()?;
        let len = out
            .get_mut()
            .stream_position()
            .with_context(|| format!("cannot tell the length of {}", self.path.display()))?;
        Ok(Some(len))
    }

    async fn close(&self) -> anyhow::Result<()> {
        self.flushed()?
            .get_ref()
            .sync_all()
            .with_context(|| format!("cannot sync {}", self.path.display()))
    }
}

/// Locks the sink file for this run (see `file_lock`).
fn lock(file: &File, path: &Path) -> anyhow::Result<()> {
    crate::file_lock::lock(file)
        .map_err(|refused| anyhow::anyhow!("the sink file {} {refused}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use omrun_model::Database;

    fn request(name: &str) -> Entity {
        Entity::Database(Database {
            name: name.into(),
            description: None,
            source_url: None,
        })
    }

    fn requests() -> Requests {
        Requests::new("svc", "Postgres")
    }

    #[tokio::test]
    async fn a_resumed_file_drops_what_followed_the_kept_length_and_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let sink = FileSink::create(&path, requests()).unwrap();
        sink.write(&[request("a")]).await;
        let kept = sink.flushed_len().await.unwrap().unwrap();
        // A batch in flight when the process died: written, never checkpointed; torn, even.
        sink.write(&[request("b")]).await;
        sink.close().await.unwrap();
        // The process that held it is gone, and its lock with it.
        drop(sink);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"kind\":\"CreateTa")
            .unwrap();

        let resumed = FileSink::open(&path, Some(kept), requests()).unwrap();
        resumed.write(&[request("b")]).await;
        resumed.close().await.unwrap();
        drop(resumed);
        let text = std::fs::read_to_string(&path).unwrap();
        let names: Vec<&str> = text
            .lines()
            .map(|l| if l.contains("\"a\"") { "a" } else { "b" })
            .collect();
        assert_eq!(names, ["a", "b"], "{text}");

        let shorter = FileSink::open(&path, Some(10_000), requests())
            .err()
            .expect("refused");
        assert!(format!("{shorter:#}").contains("fewer than the 10000"));
    }
}
