//! The pipeline for plugins that cannot discover (world `source`): one instance streams batches of
//! entities, written as they come. The plugin emits parents first; a parent it skipped is written
//! bare so that OpenMetadata can still place the child.

use super::foreign_keys::Pass;
use super::stale::Seen;
use super::{CannotStart, Run};
use anyhow::bail;
use omrun_model::{Entity, EntityKind};
use std::collections::HashSet;
use std::sync::Arc;

pub async fn run(run: Arc<Run>) -> anyhow::Result<()> {
    let mut instance = run.open_instance().await.map_err(|e| {
        CannotStart(format!(
            "plugin {} could not open the source: {e}",
            run.plugin.name()
        ))
    })?;
    run.write_service().await?;
    if run.sink.checkpoint().resuming() {
        let leaves: Vec<&str> = EntityKind::ALL
            .into_iter()
            .filter(|k| k.is_leaf())
            .map(EntityKind::as_str)
            .collect();
        tracing::info!(
            "Resuming: {} entities already done; this source cannot list its entities, so it \
             streams them all again and only the rest is written",
            run.sink.checkpoint().done_count(&leaves)
        );
    }
    let mut written = HashSet::new();
    // Each container with what was streamed in it, for marking the rest deleted at the end.
    let mut seen = Seen::default();
    let mut streamed = Vec::new();
    // Tables that wait for their foreign keys' tables: this source cannot describe them again.
    let mut deferred = Vec::new();
    while run.tally.stopped().is_none() {
        let batch = match instance.next_batch().await {
            Ok(Some(batch)) => batch,
            Ok(None) => break,
            // The plugin's position in its stream is lost with its instance: nothing to retry.
            Err(e) => bail!("the source failed: {e}"),
        };
        let mut entities = Vec::new();
        let mut refused_tables = 0;
        for entity in batch {
            let entity = match entity {
                Ok(entity) => entity,
                Err(refused) => {
                    // Seen (so not marked deleted) but failed, and named in the report.
                    streamed.push(refused.entity.clone());
                    refused_tables += usize::from(refused.entity.kind == EntityKind::Table);
                    run.fail(&refused.entity, &refused.why, 1);
                    continue;
                }
            };
            let r = entity.to_ref();
            streamed.push(r.clone());
            for parent in r.parents() {
                if written.insert(parent.clone()) {
                    seen.scope(parent.clone());
                    streamed.push(parent.clone());
                    entities.extend(Entity::bare_container(&parent));
                }
            }
            if r.kind.is_container() {
                seen.scope(r.clone());
                if !written.insert(r) {
                    continue;
                }
            }
            entities.push(entity);
        }
        let tables = entities
            .iter()
            .filter(|e| matches!(e, Entity::Table(_)))
            .count();
        run.tally.found(tables + refused_tables);
        let stored = run
            .store(
                entities
                    .into_iter()
                    .map(|e| (e.to_ref(), vec![e]))
                    .collect(),
                Pass::First,
            )
            .await;
        deferred.extend(stored.deferred);
    }
    tracing::info!("Found {} table entities", run.tally.found_so_far());
    let mut pass = Pass::Complete;
    while !deferred.is_empty() && run.tally.stopped().is_none() {
        run.keys
            .round(deferred.iter().map(|(r, _)| run.fqn(r)), pass);
        let given = deferred.len();
        let round = deferred
            .into_iter()
            .map(|(r, table)| (r, vec![Entity::Table(table)]))
            .collect();
        deferred = run.store(round, pass).await.deferred;
        pass = pass.next(given, deferred.len());
    }
    streamed.iter().for_each(|r| seen.saw(r));
    run.delete_stale(seen).await;
    run.sink.close().await
}
