//! The seam between the pipeline and what it runs: a [`Source`] makes [`Connector`] instances,
//! each answering `open`, `discover-page`, `process` and `next-batch`. In a run it is a sandboxed
//! plugin (`plugin::Plugin`, its instances `plugin::Instance`); in the pipeline's own tests it is a
//! fake in memory, so retries, parents-first writes, the isolation of a crashed batch, stale
//! deletion and resume are tested without WebAssembly.

use async_trait::async_trait;
use omrun_model::{Entity, EntityRef};
use omrun_runtime::plugin::{CallError, Instance, Page, Plugin, Refused, SourceConfig, World};

/// A connector the pipeline can instantiate, as often as it has workers.
#[async_trait]
pub trait Source: Send + Sync {
    /// For messages and the report.
    fn name(&self) -> &str;
    /// Whether it can discover (any orchestrator) or only stream (sequential).
    fn world(&self) -> World;
    /// A fresh instance, not yet opened.
    async fn instantiate(&self) -> Result<Box<dyn Connector>, CallError>;
}

/// One instance of a source. A call that fails with [`CallError::Crashed`] leaves it unusable.
#[async_trait]
pub trait Connector: Send {
    fn is_usable(&self) -> bool;
    /// The bytes the instance's memory takes (0 where there is none to speak of).
    fn memory_bytes(&self) -> usize {
        0
    }
    async fn open(&mut self, config: &SourceConfig) -> Result<(), CallError>;
    /// The page of discovery `cursor` names (the first without one); the last has no `next`.
    async fn discover_page(&mut self, cursor: Option<&str>) -> Result<Page, CallError>;
    /// One result per ref, in order.
    async fn process(
        &mut self,
        batch: &[EntityRef],
    ) -> Result<Vec<Result<Vec<Entity>, String>>, CallError>;
    /// The next batch; an entity the host cannot write as it was given is `Refused`, on its own.
    async fn next_batch(&mut self) -> Result<Option<Vec<Result<Entity, Refused>>>, CallError>;
}

#[async_trait]
impl Source for Plugin {
    fn name(&self) -> &str {
        &self.info.name
    }

    fn world(&self) -> World {
        self.world
    }

    async fn instantiate(&self) -> Result<Box<dyn Connector>, CallError> {
        Ok(Box::new(Plugin::instantiate(self).await?))
    }
}

#[async_trait]
impl Connector for Instance {
    fn is_usable(&self) -> bool {
        Instance::is_usable(self)
    }

    fn memory_bytes(&self) -> usize {
        Instance::memory_bytes(self)
    }

    async fn open(&mut self, config: &SourceConfig) -> Result<(), CallError> {
        Instance::open(self, config).await
    }

    async fn discover_page(&mut self, cursor: Option<&str>) -> Result<Page, CallError> {
        Instance::discover_page(self, cursor).await
    }

    async fn process(
        &mut self,
        batch: &[EntityRef],
    ) -> Result<Vec<Result<Vec<Entity>, String>>, CallError> {
        Instance::process(self, batch).await
    }

    async fn next_batch(&mut self) -> Result<Option<Vec<Result<Entity, Refused>>>, CallError> {
        Instance::next_batch(self).await
    }
}
