//! Where Create requests go. `requests` turns entities into OpenMetadata Create requests (the only
//! mapping); a `Sink` only transports them.

mod file;
pub mod fqn;
pub mod requests;

pub use file::FileSink;
pub use requests::{CreateRequest, RequestKind, Requests};

use crate::config::SinkSection;
use async_trait::async_trait;
use std::sync::Arc;

/// A request the sink could not store, with the reason.
#[derive(Debug, Clone)]
pub struct SinkFailure {
    pub kind: RequestKind,
    pub fqn: String,
    pub error: String,
}

/// One trait for every destination. Callers write parents before children; a sink reports per
/// request what it could not store and never drops anything silently.
#[async_trait]
pub trait Sink: Send + Sync {
    async fn write(&self, requests: Vec<CreateRequest>) -> Vec<SinkFailure>;

    /// Flushes and releases the destination; an error here means written data may be lost.
    async fn close(&self) -> anyhow::Result<()>;
}

pub fn from_config(section: &SinkSection) -> anyhow::Result<Arc<dyn Sink>> {
    match section {
        SinkSection::File(config) => Ok(Arc::new(FileSink::create(&config.filename)?)),
    }
}
