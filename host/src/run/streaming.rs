//! The pipeline for plugins that cannot discover (world `source`): one instance streams batches of
//! entities, written as they come. The plugin emits parents first; a parent it skipped is written
//! bare so that OpenMetadata can still place the child.

use super::{CannotStart, Run};
use crate::model::{Entity, EntityKind};
use crate::report::Failure;
use anyhow::bail;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub async fn run(run: Arc<Run>) -> anyhow::Result<()> {
    let mut instance = run
        .open_instance()
        .await
        .map_err(|e| CannotStart(format!("plugin {} could not open the source: {e}", run.plugin.info.name)))?;
    if let Some(failure) = run.sink.write(vec![run.requests.service()]).await.into_iter().next() {
        bail!("cannot write service {}: {}", failure.fqn, failure.error);
    }
    let mut written = HashSet::new();
    loop {
        let batch = match instance.next_batch().await {
            Ok(Some(batch)) => batch,
            Ok(None) => break,
            // The plugin's position in its stream is lost with its instance: nothing to retry.
            Err(e) => bail!("the source failed: {e}"),
        };
        let mut entities = Vec::new();
        for entity in batch {
            for parent in entity.to_ref().parents() {
                if written.insert(parent.clone()) {
                    entities.extend(Entity::bare_container(&parent));
                }
            }
            if entity.to_ref().kind.is_container() && !written.insert(entity.to_ref()) {
                continue;
            }
            entities.push(entity);
        }
        let tables = entities.iter().filter(|e| matches!(e, Entity::Table(_))).count();
        run.tally.found(tables);

        let requests: Vec<_> = entities.iter().map(|e| run.requests.entity(e)).collect();
        let refused: HashMap<String, String> =
            run.sink.write(requests).await.into_iter().map(|f| (f.fqn, f.error)).collect();
        let (mut ok_tables, mut ok_containers) = (0, 0);
        for entity in &entities {
            let r = entity.to_ref();
            let fqn = run.requests.fqn(&r);
            match refused.get(&fqn) {
                Some(error) => run.tally.failed(Failure {
                    fqn,
                    kind: r.kind.as_str().to_owned(),
                    error: format!("the sink refused it: {error}"),
                    attempts: 1,
                }),
                None if r.kind == EntityKind::Table => ok_tables += 1,
                None => ok_containers += 1,
            }
        }
        run.tally.processed(ok_tables, ok_containers);
    }
    tracing::info!("Found {} table entities", run.tally.found_so_far());
    run.sink.close().await
}
