//! The pipeline: discovery → containers → a shared work queue of leaves → stale entities, run by
//! any number of workers in one process ([`drive`]), or cut into parts ([`Part`]) that separate
//! processes run (Argo's pods). How many workers and which parts is the orchestrators' business
//! (`omrun_orchestrate`).

mod checkpoint;
mod discoverable;
mod discovery;
mod foreign_keys;
mod held;
mod queue;
mod refs;
mod shard;
mod source;
mod stale;
mod streaming;
mod workers;

pub use checkpoint::{Checkpoint, Finished, Identity, Place, Recorded, Unavailable};
pub use foreign_keys::ForeignKeys;
use foreign_keys::{Outcome, Pass, is_reference_refusal};
pub use shard::{Shard, ShardCounts};
pub use source::{Connector, Source};
pub use stale::MarkDeleted;

use crate::report::{Failure, Skip, Tally};
use omrun_config::RetryPolicy;
use omrun_model::{Entity, EntityKind, EntityRef, Names, Table};
use omrun_runtime::plugin::{CallError, SourceConfig, World};
use std::collections::HashMap;
use std::sync::Arc;

/// Everything a run needs, shared by its workers.
pub struct Run {
    /// The connector: a sandboxed plugin in a run.
    pub plugin: Arc<dyn Source>,
    pub source: SourceConfig,
    /// Where entities go, through the checkpoint that records what earlier attempts of this run
    /// finished and what this one finishes (`ingest` only: Argo retries a pod whole).
    pub sink: Recorded,
    /// The FQNs of the service's entities: their identity in the checkpoint, the report and
    /// the shards.
    pub names: Names,
    pub retry: RetryPolicy,
    /// Refs per `process` call; `None` chooses from the entity count and the worker count.
    pub batch_size: Option<usize>,
    /// `sourceConfig.config.markDeleted*`: after the run, what the sink has that the source no
    /// longer has is marked deleted.
    pub mark_deleted: MarkDeleted,
    /// A run that finds nothing may mark deleted and succeed (`--allow-empty`): else it is taken
    /// for filters that exclude everything, and neither.
    pub allow_empty: bool,
    /// The part of the pipeline this process runs: all of it, or one pod's share in Argo mode.
    pub part: Part,
    /// What the sink holds, for sending foreign keys only to tables it has (see foreign_keys.rs).
    pub keys: ForeignKeys,
    pub tally: Tally,
}

/// What one `store` leaves for later.
struct Stored {
    /// Containers written (or written by an earlier attempt), so that their children may follow.
    containers: Vec<EntityRef>,
    /// Tables that wait for the next round (not written, or written partial), as the plugin
    /// described them.
    deferred: Vec<(EntityRef, Table)>,
}

/// A batch's answers sorted by what the pass does with them (see foreign_keys.rs).
#[derive(Default)]
struct Keyed {
    /// To write now (partial tables among them).
    write: Vec<(EntityRef, Vec<Entity>)>,
    /// Tables that wait, not written now.
    wait: Vec<(EntityRef, Table)>,
    /// Tables written without some keys, as described (with every key).
    partial: HashMap<EntityRef, Table>,
    /// Tables that need no write: done as a partial round left them.
    unchanged: Vec<EntityRef>,
}

/// Which part of the pipeline a process runs. Every part lists the source first (names only, cheap),
/// so the pods of an Argo Workflow need to pass each other nothing but shard numbers and reports.
#[derive(Debug, Clone)]
pub enum Part {
    /// Sequential and local mode: containers, then leaves, then stale tables.
    All,
    /// Argo's discover pod: the service, databases and schemas, and how many leaves each shard gets.
    Containers(Arc<ShardCounts>),
    /// An Argo worker pod: the leaves of one shard; their containers were written by discover.
    Leaves(Shard),
    /// Argo's finalize pod: completes the foreign keys of the tables of `keys_in` (shards whose
    /// workers deferred some), then marks stale entities deleted, unless a shard failed
    /// (`Some(why)`).
    Finalize {
        skip_stale: Option<String>,
        keys_in: Vec<Shard>,
    },
}

impl Run {
    /// The FQN of the entity `r` names.
    pub fn fqn(&self, r: &EntityRef) -> String {
        self.names.of(r)
    }

    /// A fresh sandboxed instance with the source opened.
    async fn open_instance(&self) -> Result<Box<dyn Connector>, CallError> {
        let mut instance = self.plugin.instantiate().await?;
        instance.open(&self.source).await?;
        Ok(instance)
    }

    /// Writes the service, the parent of everything; a run cannot go on without it.
    async fn write_service(&self) -> anyhow::Result<()> {
        match self.sink.write_service(self.names.service()).await {
            Some(failure) => {
                anyhow::bail!("cannot write service {}: {}", failure.fqn, failure.error)
            }
            None => Ok(()),
        }
    }

    /// Whether an earlier attempt of this run (see `--resume`) finished `r`, so that it is not
    /// written again. Containers count only for a file: OpenMetadata takes them again as once, and a
    /// resumed run sends them again in case the server lost them since.
    fn done_before(&self, r: &EntityRef) -> bool {
        let checkpoint = self.sink.checkpoint();
        (r.kind.is_leaf() || checkpoint.positional())
            && checkpoint.is_done(r.kind.as_str(), &self.fqn(r))
    }

    /// Writes the entities answered for each ref, in order, and records in the checkpoint the
    /// refs the sink accepted. A ref any of whose entities the sink refused is reported as failed;
    /// the others are counted. Tables go with the foreign keys `pass` allows, or wait (see
    /// foreign_keys.rs).
    async fn store(&self, answered: Vec<(EntityRef, Vec<Entity>)>, pass: Pass) -> Stored {
        // What an earlier attempt finished is not written twice (a file is not idempotent). The
        // discovering pipeline never asks for it; a streaming source cannot help streaming it.
        let (before, answered): (Vec<_>, Vec<_>) =
            answered.into_iter().partition(|(r, _)| self.done_before(r));
        let mut stored = Stored {
            containers: before
                .iter()
                .filter(|(r, _)| r.kind.is_prerequisite())
                .map(|(r, _)| r.clone())
                .collect(),
            deferred: Vec::new(),
        };
        self.tally
            .resumed(before.iter().filter(|(r, _)| r.kind.is_leaf()).count());
        let Keyed {
            write: answered,
            wait,
            partial,
            unchanged,
        } = self.resolve_keys(answered, pass).await;
        stored.deferred = wait;
        // Tables a partial round left as they are.
        let mut done: Finished = Vec::with_capacity(answered.len() + unchanged.len());
        let mut leaves = 0;
        for r in unchanged {
            done.push((r.kind.as_str(), self.fqn(&r)));
            leaves += usize::from(self.counts());
        }
        if answered.is_empty() {
            self.sink.record(done).await;
            self.tally.processed(leaves, 0);
            return stored;
        }
        // One list for the sink; each ref keeps the range of its entities in it.
        let mut writes = Vec::new();
        let mut spans = Vec::with_capacity(answered.len());
        for (r, entities) in answered {
            let start = writes.len();
            writes.extend(entities);
            spans.push((r, start..writes.len()));
        }
        let written_before = stored.containers.len();
        self.sink
            .write(&writes, |refused| {
                let refused = refused.iter().map(|f| (f.fqn.as_str(), f.error.as_str()));
                let refused: HashMap<&str, &str> = refused.collect();
                for (r, span) in spans {
                    let entities = &writes[span];
                    let settled = self.settle(r, entities, &refused, &partial, &mut stored, pass);
                    if let Some((finished, counted)) = settled {
                        done.push(finished);
                        leaves += counted;
                    }
                }
                done
            })
            .await;
        self.tally
            .processed(leaves, stored.containers.len() - written_before);
        stored
    }

    /// What the sink's answer makes of the ref `r`, written as `entities`: refused (failed, or
    /// waiting for the next round when what the server holds changed under us), written without
    /// some keys (waiting to be completed), or finished — then the entry the checkpoint records
    /// and how many leaves it counts. Leaves (tables, stored procedures, dashboards) are the work
    /// counted; containers (and data models) go to `stored`. Charts come with their dashboard
    /// and are not counted apart.
    fn settle(
        &self,
        r: EntityRef,
        entities: &[Entity],
        refused: &HashMap<&str, &str>,
        partial: &HashMap<EntityRef, Table>,
        stored: &mut Stored,
        pass: Pass,
    ) -> Option<((&'static str, String), usize)> {
        let refusal = match refused.is_empty() {
            true => None,
            false => entities
                .iter()
                .find_map(|e| refused.get(self.fqn(&e.to_ref()).as_str()).copied()),
        };
        if let Some(error) = refusal {
            let table = entities.iter().find_map(|e| match e {
                Entity::Table(t) if pass == Pass::First && is_reference_refusal(error) => {
                    Some(t.clone())
                }
                _ => None,
            });
            match table {
                Some(table) => stored.deferred.push((r, table)),
                None => self.fail(&r, &format!("the sink refused it: {error}"), 1),
            }
            return None;
        }
        for entity in entities {
            if let Entity::Table(t) = entity {
                self.keys.hold(self.fqn(&r), t);
            }
        }
        if let Some(described) = partial.get(&r) {
            stored.deferred.push((r, described.clone()));
            return None;
        }
        let mut leaves = 0;
        for entity in entities {
            self.tally.wrote(entity.kind().as_str());
            match entity {
                Entity::Chart(_) => {}
                leaf if leaf.kind().is_leaf() => leaves += usize::from(self.counts()),
                container => stored.containers.push(container.to_ref()),
            }
        }
        Some(((r.kind.as_str(), self.fqn(&r)), leaves))
    }

    /// Takes out of each table the foreign keys it cannot carry yet (see foreign_keys.rs), and
    /// sorts the answers by what this pass does with them.
    async fn resolve_keys(&self, answered: Vec<(EntityRef, Vec<Entity>)>, pass: Pass) -> Keyed {
        let mut keyed = Keyed {
            write: Vec::with_capacity(answered.len()),
            ..Keyed::default()
        };
        for (r, mut entities) in answered {
            let mut write = true;
            for entity in &mut entities {
                let Entity::Table(table) = entity else {
                    continue;
                };
                let has_keys = table.constraints.iter().any(|c| c.referred_table.is_some());
                if !has_keys {
                    // Argo's finalize describes whole shards again: only tables with keys to
                    // complete are written.
                    write &= pass == Pass::First;
                    continue;
                }
                // Resolving takes keys out; a table that waits keeps them all.
                let constraints = table.constraints.clone();
                let fqn = self.fqn(&r);
                let resolved = self
                    .keys
                    .resolve(&*self.sink, &self.names, &fqn, table, pass)
                    .await;
                for what in resolved.skipped {
                    self.tally.skipped(Skip {
                        fqn: fqn.clone(),
                        kind: EntityKind::Table.as_str().to_owned(),
                        what,
                    });
                }
                if let Some(why) = resolved.failed {
                    self.fail(&r, &why, 1);
                    write = false;
                    continue;
                }
                match resolved.outcome {
                    Outcome::Complete => {}
                    Outcome::Wait => {
                        table.constraints = constraints;
                        keyed.wait.push((r.clone(), std::mem::take(table)));
                        write = false;
                    }
                    Outcome::Partial => {
                        let described = Table {
                            constraints,
                            ..table.clone()
                        };
                        keyed.partial.insert(r.clone(), described);
                    }
                    Outcome::Unchanged => {
                        keyed.unchanged.push(r.clone());
                        write = false;
                    }
                }
            }
            if write {
                keyed.write.push((r, entities));
            }
        }
        keyed
    }

    /// Whether a leaf written complete now counts as processed: once per table — an Argo
    /// finalize pod writes again tables its workers counted, or left to it (counted with their
    /// `deferredKeys`).
    fn counts(&self) -> bool {
        !matches!(self.part, Part::Finalize { .. })
    }

    /// Reports `r` as failed if this part of the pipeline is the one that writes it: every Argo
    /// pod lists the whole source, and only one may report what is wrong with an entity.
    fn fail_owned(&self, r: &EntityRef, why: &str, attempts: u32) {
        let owned = match &self.part {
            Part::All => true,
            Part::Containers(_) => r.kind.is_prerequisite(),
            Part::Leaves(shard) => !r.kind.is_prerequisite() && shard.contains(&self.fqn(r)),
            Part::Finalize { .. } => false,
        };
        if owned {
            self.fail(r, why, attempts);
        }
    }

    /// Reports `r` as finally failed.
    fn fail(&self, r: &EntityRef, why: &str, attempts: u32) {
        self.tally.failed(Failure {
            fqn: self.fqn(r),
            kind: r.kind.as_str().to_owned(),
            error: why.to_owned(),
            attempts,
        });
    }
}

/// The run stopped before processing anything because the source refused it (e.g. the plugin
/// rejected its config): retrying cannot help, and the exit status says so.
#[derive(Debug)]
pub struct CannotStart(pub String);

impl std::fmt::Display for CannotStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CannotStart {}

/// The workers a process runs the pipeline with, and the mode its report names (`sequential`,
/// `local`, `argo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workers {
    pub count: usize,
    pub mode: &'static str,
}

/// Runs `run.part` of the pipeline with `workers` instances. A source that cannot discover runs
/// sequentially; it cannot be sharded either: in an Argo Workflow the first worker ingests all of
/// it and the other pods have nothing to do, which each says.
pub async fn drive(run: Arc<Run>, workers: usize) -> anyhow::Result<()> {
    match (run.plugin.world(), &run.part) {
        (World::Discoverable, _) => discoverable::run(run, workers).await,
        (World::Sequential, Part::All) => streaming::run(run).await,
        (World::Sequential, Part::Leaves(shard)) if shard.index == 0 => {
            tracing::warn!(
                "Source does not support distributed execution: shard {shard} ingests everything sequentially"
            );
            streaming::run(run).await
        }
        (World::Sequential, _) => {
            tracing::warn!(
                "Source does not support distributed execution: shard 0/N ingests everything; nothing to do here"
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
