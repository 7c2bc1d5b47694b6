//! The pipeline for plugins that cannot discover (world `source`): one instance streams batches of
//! entities, written as they come. The plugin emits parents first; a parent it skipped is written
//! bare so that OpenMetadata can still place the child.

use super::{CannotStart, Run};
use crate::model::{Entity, EntityKind, EntityRef};
use anyhow::bail;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

pub async fn run(run: Arc<Run>) -> anyhow::Result<()> {
    let mut instance = run.open_instance().await.map_err(|e| {
        CannotStart(format!(
            "plugin {} could not open the source: {e}",
            run.plugin.info.name
        ))
    })?;
    run.write_service().await?;
    if run.checkpoint.resuming() {
        let leaves = [
            EntityKind::Table,
            EntityKind::StoredProcedure,
            EntityKind::Dashboard,
        ];
        tracing::info!(
            "Resuming: {} entities already done; this source cannot list its entities, so it \
             streams them all again and only the rest is written",
            run.checkpoint.done_count(&leaves.map(EntityKind::as_str))
        );
    }
    let mut written = HashSet::new();
    // Each schema with the tables streamed in it, for marking the others deleted at the end.
    let mut found_in: BTreeMap<EntityRef, Vec<EntityRef>> = BTreeMap::new();
    loop {
        let batch = match instance.next_batch().await {
            Ok(Some(batch)) => batch,
            Ok(None) => break,
            // The plugin's position in its stream is lost with its instance: nothing to retry.
            Err(e) => bail!("the source failed: {e}"),
        };
        let mut entities = Vec::new();
        for entity in batch {
            let r = entity.to_ref();
            match r.kind {
                EntityKind::Table => found_in
                    .entry(r.parents().remove(1))
                    .or_default()
                    .push(r.clone()),
                EntityKind::DatabaseSchema => {
                    found_in.entry(r.clone()).or_default();
                }
                _ => {}
            }
            for parent in r.parents() {
                if written.insert(parent.clone()) {
                    entities.extend(Entity::bare_container(&parent));
                }
            }
            if entity.to_ref().kind.is_container() && !written.insert(entity.to_ref()) {
                continue;
            }
            entities.push(entity);
        }
        let tables = entities
            .iter()
            .filter(|e| matches!(e, Entity::Table(_)))
            .count();
        run.tally.found(tables);
        run.store(
            entities
                .into_iter()
                .map(|e| (e.to_ref(), vec![e]))
                .collect(),
        )
        .await;
    }
    tracing::info!("Found {} table entities", run.tally.found_so_far());
    run.delete_stale(found_in).await;
    run.sink.close().await
}
