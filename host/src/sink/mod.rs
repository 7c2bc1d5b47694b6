//! Where Create requests go. `requests` turns entities into OpenMetadata Create requests (the only
//! mapping); a `Sink` only transports them.

mod conventions;
#[cfg(test)]
mod dashboard_fixture;
mod file;
pub mod fqn;
mod openmetadata;
pub mod requests;
mod source_hash;

pub use file::FileSink;
pub use openmetadata::OpenMetadataSink;
pub use requests::{CreateRequest, RequestKind, Requests};

use crate::config::{Config, SinkSection};
use async_trait::async_trait;
use std::sync::Arc;

/// A request the sink could not store, with the reason.
#[derive(Debug, Clone)]
pub struct SinkFailure {
    pub kind: RequestKind,
    pub fqn: String,
    pub error: String,
}

/// A schema whose tables were all processed without a failure: tables of it that the destination
/// has and this run did not see were deleted at the source.
#[derive(Debug, Clone)]
pub struct StaleScope {
    pub schema_fqn: String,
    pub seen_table_fqns: Vec<String>,
}

/// One trait for every destination. Callers write parents before children; a sink reports per
/// request what it could not store and never drops anything silently.
#[async_trait]
pub trait Sink: Send + Sync {
    async fn write(&self, requests: Vec<CreateRequest>) -> Vec<SinkFailure>;

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

    /// Flushes and releases the destination; an error here means written data may be lost.
    async fn close(&self) -> anyhow::Result<()>;
}

/// The sink the config names, connected (the OpenMetadata sink checks the server first). A file
/// keeps its first `keep` bytes and continues after them (a resumed run), or starts empty.
pub async fn from_config(config: &Config, keep: Option<u64>) -> anyhow::Result<Arc<dyn Sink>> {
    match &config.sink {
        SinkSection::File(file) => Ok(Arc::new(FileSink::open(&file.filename, keep)?)),
        SinkSection::MetadataRest(settings) => {
            let Some(server) = &config.workflow.open_metadata_server_config else {
                anyhow::bail!("sink `metadata-rest` needs workflowConfig.openMetadataServerConfig");
            };
            let settings = settings.clone().unwrap_or_default();
            let retry = config.workflow.distributed_execution.retry_policy.clone();
            Ok(Arc::new(
                OpenMetadataSink::connect(server, &settings, retry).await?,
            ))
        }
    }
}
