//! `sink: {type: file}`: JSON Lines, one `{"kind": "<Create…Request>", "request": {…}}` per line,
//! each call's requests parents first (in `RequestKind` order, as the OpenMetadata sink sends
//! them): a file can be replayed line by line.

use super::{CreateRequest, Sink, SinkFailure};
use anyhow::Context;
use async_trait::async_trait;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct FileSink {
    path: PathBuf,
    out: Mutex<BufWriter<File>>,
}

impl FileSink {
    /// Creates (or truncates) the file, and its folder if missing.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let file = File::create(path)
            .with_context(|| format!("cannot create sink file {}", path.display()))?;
        Ok(Self {
            path: path.to_owned(),
            out: Mutex::new(BufWriter::new(file)),
        })
    }
}

/// One line, without copying the request into a wrapper value.
pub(super) fn line(r: &CreateRequest) -> String {
    format!(
        "{{\"kind\":\"{}\",\"request\":{}}}",
        r.kind.request_name(),
        r.body
    )
}

#[async_trait]
impl Sink for FileSink {
    async fn write(&self, mut requests: Vec<CreateRequest>) -> Vec<SinkFailure> {
        // Stable: the caller's order within a kind is kept.
        requests.sort_by_key(|r| r.kind);
        // Serialised outside the lock (writes to a BufWriter are short enough to hold it).
        let lines: Vec<String> = requests.iter().map(line).collect();
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut failures = Vec::new();
        for (request, line) in requests.iter().zip(lines) {
            if let Err(e) = writeln!(out, "{line}") {
                failures.push(SinkFailure {
                    kind: request.kind,
                    fqn: request.fqn.clone(),
                    error: format!("cannot write to {}: {e}", self.path.display()),
                });
            }
        }
        failures
    }

    async fn close(&self) -> anyhow::Result<()> {
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        out.flush()
            .with_context(|| format!("cannot write to {}", self.path.display()))?;
        out.get_ref()
            .sync_all()
            .with_context(|| format!("cannot sync {}", self.path.display()))
    }
}
