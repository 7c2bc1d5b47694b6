//! The commands an Argo Workflow's pods run (see docs/argo.md): `discover` writes the containers
//! and the shard list, each `worker` processes one shard, `finalize` marks stale tables deleted and
//! sums up. They are the pipeline of `omrun ingest` cut in three, on the same binary and plugin.

use super::ingest::{RunArgs, execute, load_config};
use super::{CANNOT_START, fail};
use crate::argo::reports::WorkerReports;
use crate::report::Report;
use crate::run::{ArgoPod, Part, Shard, ShardCounts};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Failures listed in a pod's report file: Argo output parameters must stay small (the pod's log
/// names every failure).
const WORKER_REPORT_FAILURES: usize = 50;
const FINALIZE_REPORT_FAILURES: usize = 200;

#[derive(Debug, clap::Args)]
pub struct DiscoverArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// How many shards the workers split the entities into.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub shards: u32,
    /// Where to write the shard list (`[{"shard": "0/8", "entities": 1250}, …]`).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// This worker's shard, INDEX/COUNT (0-based), as in discover's shard list.
    #[arg(long)]
    pub shard: Shard,
    /// Plugin instances (and source connections) in this pod.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: u32,
}

#[derive(Debug, clap::Args)]
pub struct FinalizeArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// The workflow's shard count.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub shards: u32,
    /// The workers' reports as Argo aggregates them (a JSON list), or `@FILE` to read them.
    #[arg(long)]
    pub reports: String,
}

pub fn discover(mut args: DiscoverArgs) -> ExitCode {
    let Ok(config) = load_config(&args.run.config) else {
        return ExitCode::from(CANNOT_START);
    };
    let report_path = args.run.report_json.take();
    let counts = Arc::new(ShardCounts::new(args.shards));
    execute(
        &config,
        &args.run,
        Part::Containers(counts.clone()),
        1,
        None,
        |_| Ok(Box::new(ArgoPod { threads: 1 })),
        |report| {
            let shards = counts.descriptors();
            std::fs::write(&args.out, serde_json::to_string(&shards)? + "\n")
                .with_context(|| format!("cannot write the shard list {}", args.out.display()))?;
            tracing::info!("Wrote {} shard(s) to {}", args.shards, args.out.display());
            write_small_report(report_path.as_deref(), report, WORKER_REPORT_FAILURES)
        },
    )
}

pub fn worker(mut args: WorkerArgs) -> ExitCode {
    let Ok(config) = load_config(&args.run.config) else {
        return ExitCode::from(CANNOT_START);
    };
    let report_path = args.run.report_json.take();
    let (shard, threads) = (args.shard, args.threads as usize);
    execute(
        &config,
        &args.run,
        Part::Leaves(shard),
        threads,
        None,
        |_| Ok(Box::new(ArgoPod { threads })),
        |report| {
            report.shard = Some(shard.to_string());
            write_small_report(report_path.as_deref(), report, WORKER_REPORT_FAILURES)
        },
    )
}

pub fn finalize(mut args: FinalizeArgs) -> ExitCode {
    let Ok(config) = load_config(&args.run.config) else {
        return ExitCode::from(CANNOT_START);
    };
    let reports = match read_reports(&args.reports, args.shards) {
        Ok(reports) => reports,
        Err(e) => return fail(CANNOT_START, &format!("{e:#}")),
    };
    let report_path = args.run.report_json.take();
    execute(
        &config,
        &args.run,
        Part::Finalize {
            skip_stale: reports.unclean(),
            keys_in: reports.with_deferred_keys(),
        },
        1,
        None,
        |_| Ok(Box::new(ArgoPod { threads: 1 })),
        |report| {
            *report = reports.aggregate(report);
            write_small_report(report_path.as_deref(), report, FINALIZE_REPORT_FAILURES)
        },
    )
}

fn read_reports(argument: &str, shards: u32) -> anyhow::Result<WorkerReports> {
    let text = match argument.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the workers' reports from {path}"))?,
        None => argument.to_owned(),
    };
    WorkerReports::parse(&text, shards)
}

/// Writes the report with at most `failures` listed: it becomes an Argo output parameter.
fn write_small_report(path: Option<&Path>, report: &Report, failures: usize) -> anyhow::Result<()> {
    let Some(path) = path else { return Ok(()) };
    let json = serde_json::to_string(&report.truncated(failures))?;
    std::fs::write(path, json + "\n")
        .with_context(|| format!("cannot write report {}", path.display()))
}
