//! The pipeline of `omrun ingest` cut in three, for orchestrators that fan a run out over
//! machines (Argo's pods, Airflow's tasks; docs/argo.md, docs/airflow.md): `discover` writes the
//! containers and the shard list, each `worker` processes one shard, `finalize` completes foreign
//! keys, marks stale entities deleted and sums up — the same binary and plugin in each. A part
//! keeps no checkpoint: the orchestrator retries it whole.

pub mod reports;

use crate::Outcome;
use crate::compose::{self, Options};
use anyhow::Context;
use omrun_config::Config;
use omrun_pipeline::report::Report;
use omrun_pipeline::run::{Part, Shard, ShardCounts, Workers};
use reports::WorkerReports;
use std::path::Path;
use std::sync::Arc;

/// Failures listed in a part's report file: Argo output parameters and Airflow XComs must stay
/// small (the part's log names every failure).
const WORKER_REPORT_FAILURES: usize = 50;
const FINALIZE_REPORT_FAILURES: usize = 200;

/// The report's mode: the orchestrator the config names, Argo unless it says Airflow (the parts
/// were Argo's first, and `omrun ingest --orchestrator argo` leaves the config as it is).
fn workers(config: &Config, count: usize) -> Workers {
    let mode = match config.workflow.distributed_execution.orchestrator {
        omrun_config::Orchestrator::Airflow => "airflow",
        _ => "argo",
    };
    Workers { count, mode }
}

/// The service, databases and schemas; the shard list (`[{"shard": "0/8", "entities": 1250}, …]`)
/// written to `out`.
pub fn discover(config: &Config, mut options: Options, shards: u32, out: &Path) -> Outcome {
    let report_path = options.report_json.take();
    let counts = Arc::new(ShardCounts::new(shards));
    compose::execute(
        config,
        &options,
        Part::Containers(counts.clone()),
        1,
        None,
        |_| workers(config, 1),
        |report| {
            let list = counts.descriptors();
            std::fs::write(out, serde_json::to_string(&list)? + "\n")
                .with_context(|| format!("cannot write the shard list {}", out.display()))?;
            tracing::info!("Wrote {shards} shard(s) to {}", out.display());
            write_small_report(report_path.as_deref(), report, WORKER_REPORT_FAILURES)
        },
    )
}

/// The leaves of one shard, with `threads` instances in this pod.
pub fn worker(config: &Config, mut options: Options, shard: Shard, threads: usize) -> Outcome {
    let report_path = options.report_json.take();
    compose::execute(
        config,
        &options,
        Part::Leaves(shard),
        threads,
        None,
        |_| workers(config, threads),
        |report| {
            report.shard = Some(shard.to_string());
            write_small_report(report_path.as_deref(), report, WORKER_REPORT_FAILURES)
        },
    )
}

/// After the workers: `reports` is their reports as one JSON list (as Argo aggregates them), or
/// `@FILE` to read them from.
pub fn finalize(config: &Config, mut options: Options, shards: u32, reports: &str) -> Outcome {
    let reports = match read_reports(reports, shards) {
        Ok(reports) => reports,
        Err(e) => return Outcome::CannotStart(format!("{e:#}")),
    };
    let report_path = options.report_json.take();
    compose::execute(
        config,
        &options,
        Part::Finalize {
            skip_stale: reports.unclean(),
            keys_in: reports.with_deferred_keys(),
        },
        1,
        None,
        |_| workers(config, 1),
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

/// Writes the report with at most `failures` listed: it becomes an Argo output parameter or an
/// Airflow XCom.
fn write_small_report(path: Option<&Path>, report: &Report, failures: usize) -> anyhow::Result<()> {
    let Some(path) = path else { return Ok(()) };
    let json = serde_json::to_string(&report.truncated(failures))?;
    std::fs::write(path, json + "\n")
        .with_context(|| format!("cannot write report {}", path.display()))
}
