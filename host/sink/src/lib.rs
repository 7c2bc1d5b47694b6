//! Where entities go. A `Sink` receives the service's entities and encodes them its own way; both
//! sinks here write OpenMetadata's Create requests, which `requests` builds (with `sourceHash`),
//! the one mapping from the model to OpenMetadata. A sink for another catalog would bring its own
//! encoding.
//!
//! Depends on `omrun-model` (what it writes) and `omrun-config` (where it writes), nothing else of
//! ours: a sink does not know which plugin produced the entities or how the run is orchestrated.
//! `file_lock` is here because a file sink is the lowest layer that locks a file; the pipeline's
//! checkpoint locks its file with it too.

mod conventions;
#[cfg(test)]
mod dashboard_fixture;
mod file;
pub mod file_lock;
mod lineage;
mod openmetadata;
pub mod requests;
mod source_hash;

pub use file::FileSink;
pub use openmetadata::OpenMetadataSink;
pub use requests::{CreateRequest, RequestKind, Requests};

use async_trait::async_trait;
use omrun_config::{Config, SinkSection};
use omrun_model::{Entity, EntityKind};
use serde_json::Value;
use std::sync::Arc;

/// What the sink could not store (an entity, named by its FQN, or a stale scope), with the reason.
#[derive(Debug, Clone)]
pub struct SinkFailure {
    pub fqn: String,
    pub error: String,
}

/// A scope whose entities of one kind were all processed without a failure: those the destination
/// has in it and this run did not see were deleted at the source (or filtered out), as
/// OpenMetadata's `markDeleted*` options mean. Tables and stored procedures are scoped by schema,
/// schemas by database, databases by service.
#[derive(Debug, Clone)]
pub struct StaleScope {
    /// What is marked deleted: `Table`, `StoredProcedure`, `DatabaseSchema` or `Database`.
    pub kind: EntityKind,
    /// The FQN of the schema, database or service.
    pub scope_fqn: String,
    pub seen: Vec<String>,
}

/// A table a destination holds, as much of it as foreign keys need: OpenMetadata refuses a foreign
/// key naming a table it does not hold, or a column that table lacks, and tells a key's
/// `relationshipType` by whether the referred column is unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTable {
    pub fqn: String,
    /// Column names, exactly as stored.
    pub columns: Vec<String>,
    /// The columns with a column-level `PRIMARY_KEY` or `UNIQUE` constraint.
    pub unique: Vec<String>,
}

impl StoredTable {
    /// From a table as OpenMetadata returns it, or a `CreateTableRequest`: `columns[].name` and
    /// `columns[].constraint`.
    pub fn from_json(fqn: String, table: &Value) -> Self {
        let columns = table["columns"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let name = |c: &Value| c["name"].as_str().map(str::to_owned);
        Self {
            fqn,
            columns: columns.iter().filter_map(name).collect(),
            unique: columns
                .iter()
                .filter(|c| matches!(c["constraint"].as_str(), Some("PRIMARY_KEY" | "UNIQUE")))
                .filter_map(name)
                .collect(),
        }
    }
}

/// A staged write (see [`Sink::stage`]): what is left to do, and what it could not store.
pub type Staged<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Vec<SinkFailure>> + Send + 'a>>;

/// One trait for every destination. Callers write the service first, then parents before
/// children; a sink reports per entity what it could not store and never drops anything silently.
#[async_trait]
pub trait Sink: Send + Sync {
    /// Writes the service itself, the parent of everything.
    async fn write_service(&self) -> Option<SinkFailure>;

    /// Writes entities; what could not be stored is named by the entity's FQN (`model::Names`).
    async fn write(&self, entities: &[Entity]) -> Vec<SinkFailure>;

    /// [`write`](Self::write) in two steps: what needs no order among writers is done now
    /// (building each request, its `sourceHash`, its bytes), and the future returned writes. A
    /// caller that must order the writes (the checkpoint of a file, whose bytes and lines must
    /// agree) stages outside its turn and awaits the future inside it, so writers take turns only
    /// to append. By default everything is done in the future.
    fn stage<'a>(&'a self, entities: &'a [Entity]) -> Staged<'a> {
        self.write(entities)
    }

    /// The tables the destination held before this run in a schema (deleted ones too, which
    /// foreign keys may still name): OpenMetadata's, or a resumed file's.
    async fn stored_tables(&self, _schema_fqn: &str) -> anyhow::Result<Vec<StoredTable>> {
        Ok(Vec::new())
    }

    /// Whether [`Self::delete_stale`] does anything: if not, the run does not gather what it saw
    /// (a million FQNs, for a million tables).
    fn deletes_stale(&self) -> bool {
        false
    }

    /// Marks deleted, per scope, the tables the destination has that the run did not see. Only a
    /// destination that keeps state has anything to do.
    async fn delete_stale(&self, _scopes: Vec<StaleScope>) -> Vec<SinkFailure> {
        Vec::new()
    }

    /// Hands what was written so far to the operating system (so it outlives a crash of this
    /// process) and returns the output's length: a run's checkpoint records it, and a resume cuts
    /// the output back to it. `None` for a destination without a length, where writing an
    /// entity again replaces it (OpenMetadata).
    async fn flushed_len(&self) -> anyhow::Result<Option<u64>> {
        Ok(None)
    }

    /// Entities the sink sent again (a bulk call retried after a 429 or a 5xx counts each of its
    /// entities; an item the server failed once, 1): added to the run's `retried`.
    fn retried(&self) -> usize {
        0
    }

    /// Flushes and releases the destination; an error here means written data may be lost.
    async fn close(&self) -> anyhow::Result<()>;
}

/// Where a run writes: the sink `from_config` would open, or the file `file_sink` names instead
/// (`--file-sink`). What the checkpoint names the run's sink by, and the report's `output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A JSON Lines file (positional: a resume cuts it back to what was recorded).
    File(std::path::PathBuf),
    /// OpenMetadata's API at this `hostPort`.
    MetadataRest(String),
}

impl Destination {
    pub fn of(config: &Config, file_sink: Option<&std::path::Path>) -> Destination {
        if let Some(path) = file_sink {
            return Destination::File(path.to_owned());
        }
        match &config.sink {
            SinkSection::File(file) => Destination::File(file.filename.clone()),
            SinkSection::MetadataRest(_) => Destination::MetadataRest(
                config
                    .workflow
                    .open_metadata_server_config
                    .as_ref()
                    .map_or_else(String::new, |server| server.host_port.value.clone()),
            ),
        }
    }

    /// The file, when the destination is one.
    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            Destination::File(path) => Some(path),
            Destination::MetadataRest(_) => None,
        }
    }

    /// `file <absolute path>` or `metadata-rest <hostPort>`.
    pub fn identity(&self) -> String {
        match self {
            Destination::File(path) => format!(
                "file {}",
                std::path::absolute(path)
                    .unwrap_or_else(|_| path.clone())
                    .display()
            ),
            Destination::MetadataRest(host_port) => format!("metadata-rest {host_port}"),
        }
    }
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::File(path) => write!(f, "{}", path.display()),
            Destination::MetadataRest(host_port) => f.write_str(host_port),
        }
    }
}

/// Whether the run's sink could be written, without writing: a file's folder takes a new file
/// (the file itself is left alone); OpenMetadata answers its version and accepts the token, within
/// `timeout`. What `omrun check` says of the sink.
pub async fn check(
    config: &Config,
    file_sink: Option<&std::path::Path>,
    timeout: std::time::Duration,
) -> Result<String, String> {
    let destination = Destination::of(config, file_sink);
    if let Destination::File(file) = &destination {
        let folder = match file.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => std::path::PathBuf::from("."),
        };
        return tempfile::NamedTempFile::new_in(&folder)
            .map(|_| format!("{} can be written", file.display()))
            .map_err(|e| format!("cannot write in {}: {e}", folder.display()));
    }
    let SinkSection::MetadataRest(rest) = &config.sink else {
        unreachable!("a destination that is not a file is OpenMetadata")
    };
    let server = config
        .workflow
        .open_metadata_server_config
        .as_ref()
        .ok_or("workflowConfig.openMetadataServerConfig is missing")?;
    let mut settings = rest.clone().unwrap_or_default();
    settings.timeout_seconds = Some(timeout.as_secs_f64());
    let retry = omrun_config::RetryPolicy {
        max_attempts: 1,
        ..Default::default()
    };
    let requests = Requests::new(&config.source.service_name, "");
    let sink = OpenMetadataSink::connect(server, &settings, retry, requests)
        .await
        .map_err(|e| format!("{e:#}"))?;
    Ok(format!(
        "OpenMetadata {} at {destination}, token accepted",
        sink.version()
    ))
}

/// The sink the config names, connected (the OpenMetadata sink checks the server first), writing
/// with `requests`. A file keeps its first `keep` bytes and continues after them (a resumed run),
/// or starts empty.
pub async fn from_config(
    config: &Config,
    requests: Requests,
    keep: Option<u64>,
) -> anyhow::Result<Arc<dyn Sink>> {
    match &config.sink {
        SinkSection::File(file) => Ok(Arc::new(FileSink::open(&file.filename, keep, requests)?)),
        SinkSection::MetadataRest(settings) => {
            let Some(server) = &config.workflow.open_metadata_server_config else {
                anyhow::bail!("sink `metadata-rest` needs workflowConfig.openMetadataServerConfig");
            };
            let settings = settings.clone().unwrap_or_default();
            let retry = config.workflow.distributed_execution.retry_policy.clone();
            Ok(Arc::new(
                OpenMetadataSink::connect(server, &settings, retry, requests)
                    .await?
                    .with_lineage(&config.source.source_config.config),
            ))
        }
    }
}
