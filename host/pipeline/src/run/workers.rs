//! The worker pool of the discovering pipeline: `workers` instances, each with its own sandboxed
//! instance and source connection, pull batches of refs from one queue, describe them, and write
//! them parents first. A batch that fails is retried per `retryPolicy` (split, so one bad entity
//! fails alone); what still fails is named in the report.

use super::Connector;
use super::foreign_keys::Pass;
use super::queue::WorkQueue;
use super::refs::RefList;
use super::{Part, Run};
use omrun_model::{Entity, EntityKind, EntityRef, Table};
use omrun_runtime::plugin::CallError;
use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex};

/// Refs processed together in one `process` call.
struct Batch {
    refs: Vec<EntityRef>,
    /// 1 for the first try.
    attempt: u32,
}

/// Runs `refs` through `workers` workers; returns the instances still usable, for the next phase.
pub(super) async fn phase(
    pipeline: &Arc<Pipeline>,
    refs: RefList,
    workers: usize,
    mut instances: Vec<Box<dyn Connector>>,
) -> Vec<Box<dyn Connector>> {
    if refs.is_empty() {
        return instances;
    }
    let batch_size = pipeline
        .run
        .batch_size
        .unwrap_or_else(|| default_batch_size(refs.len(), workers));
    // Made into batches as workers take them: the refs are most of what a big run holds.
    let mut refs = refs.into_refs();
    let batches = std::iter::from_fn(move || {
        let batch: Vec<EntityRef> = refs.by_ref().take(batch_size).collect();
        (!batch.is_empty()).then_some(Batch {
            refs: batch,
            attempt: 1,
        })
    });
    let queue = WorkQueue::new(batches);
    pipeline
        .working
        .store(workers, std::sync::atomic::Ordering::SeqCst);
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (pipeline, queue, instance) = (pipeline.clone(), queue.clone(), instances.pop());
            tokio::spawn(async move { pipeline.work(&queue, instance).await })
        })
        .collect();
    let mut usable = Vec::new();
    for handle in handles {
        match handle.await {
            Ok(Some(instance)) => usable.push(instance),
            Ok(None) => {}
            Err(e) => tracing::error!("a worker stopped unexpectedly: {e}"),
        }
    }
    usable
}

/// Small enough that every worker gets several batches (the queue evens out slow ones), large
/// enough that catalog queries stay set-based.
fn default_batch_size(refs: usize, workers: usize) -> usize {
    refs.div_ceil(workers * 4).clamp(1, 100)
}

pub(super) struct Pipeline {
    run: Arc<Run>,
    /// Containers the sink has: a child is written only when its parents are.
    written: Mutex<HashSet<EntityRef>>,
    /// The foreign-key pass the batches belong to (see foreign_keys.rs).
    pass: Mutex<Pass>,
    /// Tables that wait for the next completing round of their foreign keys.
    deferred: Mutex<Waiting>,
    /// Workers of the current phase still taking batches.
    working: std::sync::atomic::AtomicUsize,
}

/// What became of a worker's attempt to open an instance before a batch.
enum Opening {
    Opened(Box<dyn Connector>),
    /// The source allows no more connections and other workers go on: the batch is back in the
    /// queue and this worker stops.
    GaveBack(String),
    /// Any other failure: the batch is retried or failed per `retryPolicy`.
    Failed(String),
}

/// Whether opening the source failed because it allows no more connections.
fn is_connection_limit(error: &str) -> bool {
    // PostgreSQL: 53300 too_many_connections (server, role or database limit). MySQL/MariaDB:
    // 1040 "Too many connections" (SQLSTATE 08004, which other refusals share, hence the text)
    // and 1226 "… has exceeded the 'max_user_connections' resource" (SQLSTATE 42000, likewise).
    error.contains("SQLSTATE 53300")
        || error.contains("Too many connections")
        || error.contains("'max_user_connections' resource")
}

/// How many waiting tables are kept as described, at most (a 20-column table takes a few KiB):
/// describing them again would cost the source and the plugin a third more work on a catalog
/// where a third of the tables name a table listed after them. Beyond this, the others are
/// described again, so memory stays bounded whatever the catalog.
const HOLD_LIMIT: usize = 20_000;

/// Held tables written per call of the sink (it spreads them over its concurrent bulk calls).
pub(super) const HELD_PER_WRITE: usize = 1_000;

/// The tables waiting for a completing round: the first `HOLD_LIMIT` as described.
#[derive(Default)]
pub(super) struct Waiting {
    tables: Vec<(EntityRef, Option<Table>)>,
    held: usize,
}

impl Pipeline {
    pub(super) fn new(run: Arc<Run>) -> Self {
        Self {
            run,
            written: Mutex::new(HashSet::new()),
            pass: Mutex::new(Pass::First),
            deferred: Mutex::new(Waiting::default()),
            working: Default::default(),
        }
    }

    /// The foreign-key pass the next batches belong to.
    pub(super) fn set_pass(&self, pass: Pass) {
        *self.pass.lock().unwrap_or_else(|e| e.into_inner()) = pass;
    }

    async fn work(
        &self,
        queue: &Arc<WorkQueue<Batch>>,
        mut instance: Option<Box<dyn Connector>>,
    ) -> Option<Box<dyn Connector>> {
        while let Some(batch) = queue.next().await {
            // Stopped (the source or the sink is gone): the rest is drained, left to `--resume`.
            if self.run.tally.stopped().is_some() {
                queue.done();
                continue;
            }
            if instance.is_none() {
                match self.open_or_give_back(&batch, queue).await {
                    Opening::Opened(opened) => instance = Some(opened),
                    // As `process` does when it cannot open one.
                    Opening::Failed(why) => {
                        self.retry_or_fail(
                            batch,
                            &format!("cannot open the source: {why}"),
                            queue,
                            false,
                        );
                        queue.done();
                        continue;
                    }
                    Opening::GaveBack(why) => {
                        // The batch went back to the queue, its attempt not spent.
                        queue.done();
                        let left = self
                            .working
                            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst)
                            - 1;
                        tracing::warn!(
                            "A worker stopped: the source accepts no more connections ({why}); \
                             {left} worker(s) go on"
                        );
                        return None;
                    }
                }
            }
            instance = self.process(batch, instance, queue).await;
            queue.done();
        }
        instance
    }

    /// For a worker without an instance: opens one, or none when the source refuses another connection
    /// (PostgreSQL's 53300 `too many clients`/`too many connections for role`, MySQL's 1040):
    /// the batch goes back to the queue and the worker should stop, so the run goes on with the
    /// connections the source allows instead of failing entities. The last worker never stops:
    /// it waits a little and tries again.
    async fn open_or_give_back(&self, batch: &Batch, queue: &Arc<WorkQueue<Batch>>) -> Opening {
        let mut pause = std::time::Duration::from_millis(200);
        loop {
            let why = match self.run.open_instance().await {
                Ok(instance) => return Opening::Opened(instance),
                Err(e) if is_connection_limit(&e.to_string()) => e.to_string(),
                Err(e) => return Opening::Failed(e.to_string()),
            };
            if self.working.load(std::sync::atomic::Ordering::SeqCst) > 1 {
                queue.retry_after(
                    Batch {
                        refs: batch.refs.clone(),
                        attempt: batch.attempt,
                    },
                    std::time::Duration::ZERO,
                );
                return Opening::GaveBack(why);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(std::time::Duration::from_secs(5));
        }
    }

    /// Processes one batch; returns the instance if it is still usable.
    async fn process(
        &self,
        batch: Batch,
        instance: Option<Box<dyn Connector>>,
        queue: &Arc<WorkQueue<Batch>>,
    ) -> Option<Box<dyn Connector>> {
        let mut instance = match instance.filter(|i| i.is_usable()) {
            Some(instance) => instance,
            None => match self.run.open_instance().await {
                Ok(instance) => instance,
                Err(e) => {
                    self.retry_or_fail(
                        batch,
                        &format!("cannot open the source: {e}"),
                        queue,
                        false,
                    );
                    return None;
                }
            },
        };
        match instance.process(&batch.refs).await {
            Ok(results) => {
                let failed = self.write(&batch.refs, results).await;
                if !failed.is_empty() {
                    self.retry_or_fail_each(failed, batch.attempt, queue);
                }
                Some(instance)
            }
            Err(CallError::Plugin(why)) => {
                self.retry_or_fail(batch, &why, queue, false);
                Some(instance)
            }
            Err(CallError::Crashed(why)) => {
                // One entity may have crashed the whole batch: retry one by one to isolate it.
                self.retry_or_fail(batch, &why, queue, true);
                None
            }
        }
    }

    /// Writes what the plugin returned; returns the refs the plugin failed on, with its errors.
    /// Entities the sink refuses are reported as failed (the sink already retried them).
    async fn write(
        &self,
        refs: &[EntityRef],
        results: Vec<Result<Vec<Entity>, String>>,
    ) -> Vec<(EntityRef, String)> {
        let written = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut plugin_failures = Vec::new();
        let mut answered = Vec::new();
        for (r, result) in refs.iter().zip(results) {
            match result {
                Ok(entities) if entities.is_empty() => plugin_failures
                    .push((r.clone(), "the plugin returned no entity for it".to_owned())),
                Ok(entities) => {
                    // Names OpenMetadata would refuse (empty, too long) fail here, clearly.
                    if let Some(why) = entities.iter().find_map(Entity::invalid_name) {
                        plugin_failures.push((r.clone(), why));
                        continue;
                    }
                    let parents = entities.iter().flat_map(|e| e.to_ref().parents());
                    match parents.into_iter().find(|p| !written.contains(p)) {
                        Some(parent) => {
                            self.run
                                .fail(r, &format!("its parent {parent} was not written"), 1)
                        }
                        None => answered.push((r.clone(), entities)),
                    }
                }
                Err(why) => plugin_failures.push((r.clone(), why)),
            }
        }
        self.stored(answered).await;
        plugin_failures
    }

    /// Stores what was answered in the current pass; keeps what it wrote and what it deferred.
    pub(super) async fn stored(&self, answered: Vec<(EntityRef, Vec<Entity>)>) {
        let pass = *self.pass.lock().unwrap_or_else(|e| e.into_inner());
        let stored = self.run.store(answered, pass).await;
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(stored.containers);
        let mut waiting = self.deferred.lock().unwrap_or_else(|e| e.into_inner());
        for (r, table) in stored.deferred {
            // An Argo worker leaves its waiting tables to finalize.
            let hold = waiting.held < HOLD_LIMIT && !matches!(self.run.part, Part::Leaves(_));
            waiting.held += usize::from(hold);
            waiting.tables.push((r, hold.then_some(table)));
        }
    }

    /// The tables waiting for the next round, taken.
    pub(super) fn take_waiting(&self) -> Vec<(EntityRef, Option<Table>)> {
        std::mem::take(&mut *self.deferred.lock().unwrap_or_else(|e| e.into_inner())).tables
    }

    /// Writes containers nobody described (names only).
    pub(super) async fn write_bare(&self, refs: Vec<EntityRef>) {
        let answered = self
            .keep_with_parents(refs.into_iter().collect())
            .into_refs()
            .filter_map(|r| Entity::bare_container(&r).map(|entity| (r, vec![entity])))
            .collect();
        self.stored(answered).await;
    }

    /// Containers another pod wrote.
    pub(super) fn assume_written(&self, containers: BTreeSet<EntityRef>) {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(containers);
    }

    /// The containers of `kind` written so far.
    pub(super) fn written_of(&self, kind: EntityKind) -> Vec<EntityRef> {
        let written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        written.iter().filter(|r| r.kind == kind).cloned().collect()
    }

    /// The refs whose parents were written; the others are reported as failed.
    pub(super) fn keep_with_parents(&self, mut refs: RefList) -> RefList {
        let written = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        refs.retain(
            |r| match r.parents().into_iter().find(|p| !written.contains(p)) {
                Some(parent) => {
                    self.run
                        .fail(r, &format!("not processed: its parent {parent} failed"), 0);
                    false
                }
                None => true,
            },
        );
        refs
    }

    fn retry_or_fail(
        &self,
        batch: Batch,
        why: &str,
        queue: &Arc<WorkQueue<Batch>>,
        one_by_one: bool,
    ) {
        if batch.attempt >= self.run.retry.max_attempts {
            for r in &batch.refs {
                self.run.fail(r, why, batch.attempt);
            }
            return;
        }
        let (attempt, delay) = (batch.attempt + 1, self.run.retry.backoff(batch.attempt + 1));
        let count = batch.refs.len();
        tracing::warn!(
            "Retrying {count} {} in {:.1} s (attempt {attempt} of {}): {why}",
            if count == 1 { "entity" } else { "entities" },
            delay.as_secs_f64(),
            self.run.retry.max_attempts
        );
        self.run.tally.retried(batch.refs.len());
        if one_by_one {
            for r in batch.refs {
                queue.retry_after(
                    Batch {
                        refs: vec![r],
                        attempt,
                    },
                    delay,
                );
            }
        } else {
            queue.retry_after(
                Batch {
                    refs: batch.refs,
                    attempt,
                },
                delay,
            );
        }
    }

    /// Retries the refs a plugin failed on as one batch, keeping the last error of each.
    fn retry_or_fail_each(
        &self,
        failed: Vec<(EntityRef, String)>,
        attempt: u32,
        queue: &Arc<WorkQueue<Batch>>,
    ) {
        if attempt >= self.run.retry.max_attempts {
            for (r, why) in &failed {
                self.run.fail(r, why, attempt);
            }
            return;
        }
        let summary = match failed.as_slice() {
            [(_, why)] => why.clone(),
            [(_, why), rest @ ..] => format!("{why} (and {} more)", rest.len()),
            [] => return,
        };
        let refs = failed.into_iter().map(|(r, _)| r).collect();
        self.retry_or_fail(Batch { refs, attempt }, &summary, queue, false);
    }
}

#[cfg(test)]
mod tests {
    use super::default_batch_size;

    #[test]
    fn batches_leave_every_worker_several_and_stay_bounded() {
        assert_eq!(default_batch_size(1000, 8), 32);
        assert_eq!(default_batch_size(1000, 1), 100);
        assert_eq!(default_batch_size(3, 8), 1);
        assert_eq!(default_batch_size(100_000, 16), 100);
    }
}
