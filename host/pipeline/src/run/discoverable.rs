//! The pipeline for plugins that discover: list names once, write the service, its databases and
//! their schemas (parents before children), then let `workers` instances pull batches of tables
//! from one queue. Failed entities are retried per `retryPolicy`; what still fails is named in the
//! report, never dropped.

use super::Connector;
use super::discovery::{Found, discover};
use super::foreign_keys::Pass;
use super::refs::RefList;
use super::stale::Seen;
use super::workers::{HELD_PER_WRITE, Pipeline, phase};
use super::{Part, Run};
use omrun_model::{Entity, EntityKind, EntityRef, Table};
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

pub async fn run(run: Arc<Run>, workers: usize) -> anyhow::Result<()> {
    let listing = std::time::Instant::now();
    let (first, found) = discover(&run).await?;
    run.tally.discovered_in(listing.elapsed());
    let Found {
        prerequisites,
        mut leaves,
    } = found;
    announce(&run, &leaves);
    let resumed = leaves.iter().filter(|r| run.done_before(r)).count();
    if run.sink.checkpoint().resuming() {
        tracing::info!(
            "Resuming: {resumed} of {} entities already done",
            leaves.len()
        );
    }

    let pipeline = Arc::new(Pipeline::new(run.clone()));
    // Parents of everything and data models, in the order they are written (EntityKind orders
    // databases, then schemas, then data models).
    let containers: BTreeSet<EntityRef> = leaves
        .parents()
        .chain(prerequisites.iter().flat_map(EntityRef::parents))
        .chain(prerequisites.iter().cloned())
        .collect();
    let listed: Vec<EntityRef> = containers.iter().cloned().collect();
    let mut instances = match &run.part {
        Part::All | Part::Containers(_) => {
            run.write_service().await?;
            // A resumed run does not write again into a file what the interrupted one wrote, nor
            // asks the plugin to describe it again (OpenMetadata gets the containers again).
            let (before, containers) = containers.into_iter().partition(|r| run.done_before(r));
            pipeline.assume_written(before);
            write_containers(&pipeline, &prerequisites, containers, first, workers).await
        }
        // Argo's discover pod wrote them before any worker or finalize started.
        Part::Leaves(_) | Part::Finalize { .. } => {
            pipeline.assume_written(containers);
            vec![first]
        }
    };
    if let Part::Containers(counts) = &run.part {
        counts.count(leaves.iter().map(|r| run.fqn(&r)));
    }

    // What was written and what the source listed in it, for marking the rest deleted at the end
    // (by a sink that does).
    let mut seen = Seen::default();
    if run.sink.deletes_stale() {
        for kind in [EntityKind::Database, EntityKind::DatabaseSchema] {
            pipeline
                .written_of(kind)
                .into_iter()
                .for_each(|c| seen.scope(c));
        }
        listed.iter().for_each(|r| seen.saw(r));
        leaves.iter().for_each(|r| seen.saw(&r));
    }

    if matches!(run.part, Part::All | Part::Leaves(_)) {
        // Stale tables were counted above among all the tables found; the work is what is left.
        leaves.retain(|r| !run.done_before(r));
        run.tally.resumed(resumed);
        // Taken: only finalize, which processes none, reads the leaves again below.
        let ready = pipeline.keep_with_parents(std::mem::take(&mut leaves));
        tracing::info!(
            "Processing with {workers} worker thread{}",
            if workers == 1 { "" } else { "s" }
        );
        instances = phase(&pipeline, ready, workers, instances).await;
    }
    let mut waiting = waiting_tables(&run, &pipeline, &leaves);
    let mut pass = Pass::Complete;
    while !waiting.is_empty() && run.tally.stopped().is_none() {
        let given = waiting.len();
        tracing::info!(
            "Completing the foreign keys of {given} table(s){}",
            if pass == Pass::Partial {
                " that refer to each other: first without those keys"
            } else {
                ""
            }
        );
        run.keys
            .round(waiting.iter().map(|(r, _)| run.fqn(r)), pass);
        let (held, unheld): (Vec<_>, Vec<_>) = waiting.into_iter().partition(|(_, t)| t.is_some());
        pipeline.set_pass(pass);
        // Held tables go as they were described; the others are described again.
        let held = held
            .into_iter()
            .filter_map(|(r, t)| t.map(|t| (r, vec![Entity::Table(t)])));
        let mut held = held.peekable();
        while held.peek().is_some() {
            pipeline
                .stored(held.by_ref().take(HELD_PER_WRITE).collect())
                .await;
        }
        let unheld: RefList = unheld.into_iter().map(|(r, _)| r).collect();
        instances = phase(&pipeline, unheld, workers, instances).await;
        let next = pipeline.take_waiting();
        pass = pass.next(given, next.len());
        waiting = next;
    }
    match &run.part {
        Part::All
        | Part::Finalize {
            skip_stale: None, ..
        } => run.delete_stale(seen).await,
        Part::Finalize {
            skip_stale: Some(why),
            ..
        } => tracing::warn!("Not marking stale entities deleted: {why}"),
        _ => {}
    }
    run.sink.close().await
}

/// The tables the completing rounds take (see foreign_keys.rs): those that waited in this
/// process — or, in Argo's finalize pod, every table of the shards whose workers left some waiting
/// (a worker's list would not fit in an Argo parameter; what a worker wrote complete is unchanged
/// on the server, whose `sourceHash` check skips it). An Argo worker leaves them to finalize and
/// reports how many.
fn waiting_tables(
    run: &Run,
    pipeline: &Pipeline,
    leaves: &RefList,
) -> Vec<(EntityRef, Option<Table>)> {
    let waiting = pipeline.take_waiting();
    match &run.part {
        Part::All => waiting,
        Part::Leaves(_) => {
            run.tally.deferred_keys(waiting.len());
            Vec::new()
        }
        Part::Finalize { keys_in, .. } => leaves
            .iter()
            .filter(|r| r.kind == EntityKind::Table)
            .filter(|r| {
                let fqn = run.fqn(r);
                keys_in.iter().any(|shard| shard.contains(&fqn))
            })
            .map(|r| (r, None))
            .collect(),
        Part::Containers(_) => Vec::new(),
    }
}

/// Counts what the run will process, and says so.
fn announce(run: &Run, leaves: &RefList) {
    if matches!(run.part, Part::Finalize { .. }) {
        return;
    }
    run.tally.found(leaves.len());
    let count = |kind| leaves.count(kind);
    let shard = match &run.part {
        Part::Leaves(shard) => format!(" in shard {shard}"),
        _ => String::new(),
    };
    // Tables as OpenMetadata's ingestion words them; the other kinds by name, those present.
    let mut parts = Vec::new();
    let tables = count(EntityKind::Table);
    if tables > 0 || leaves.is_empty() {
        parts.push(format!("{tables} table entities"));
    }
    for (kind, what) in [
        (EntityKind::StoredProcedure, "stored procedure(s)"),
        (EntityKind::Dashboard, "dashboard(s)"),
        (EntityKind::Pipeline, "pipeline(s)"),
        (EntityKind::MlModel, "ML model(s)"),
    ] {
        let n = count(kind);
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    tracing::info!("Found {}{shard}", parts.join(" and "));
}

/// Writes databases, then schemas: described by the plugin where it listed them (in
/// `prerequisites`), bare where it only implied them; then dashboard data models (many, each
/// maybe a slow API call: `workers` at once). Returns the instances still usable.
async fn write_containers(
    pipeline: &Arc<Pipeline>,
    prerequisites: &[EntityRef],
    containers: BTreeSet<EntityRef>,
    first: Box<dyn Connector>,
    workers: usize,
) -> Vec<Box<dyn Connector>> {
    let discovered: HashSet<&EntityRef> = prerequisites.iter().collect();
    let mut instances = vec![first];
    let levels = [
        (EntityKind::Database, 1),
        (EntityKind::DatabaseSchema, 1),
        (EntityKind::DashboardDataModel, workers),
    ];
    for (kind, workers) in levels {
        let level: Vec<EntityRef> = containers
            .iter()
            .filter(|r| r.kind == kind)
            .cloned()
            .collect();
        // A container a plugin implied but did not list is written bare: nothing to ask it about.
        let (listed, implied): (Vec<EntityRef>, Vec<EntityRef>) =
            level.into_iter().partition(|r| discovered.contains(r));
        pipeline.write_bare(implied).await;
        let ready = pipeline.keep_with_parents(listed.into_iter().collect());
        instances = phase(pipeline, ready, workers, instances).await;
    }
    instances
}
