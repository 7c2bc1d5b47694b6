//! The commands an Argo Workflow's pods and an Airflow DAG's tasks run: their arguments; what they
//! do is `orchestrate::parts`.

use super::ingest::{RunArgs, load_config};
use super::{CANNOT_START, exit};
use omrun_orchestrate::parts as pods;
use omrun_pipeline::run::Shard;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// The workers' reports as one JSON list (as Argo aggregates them), or `@FILE` to read them.
    #[arg(long)]
    pub reports: String,
}

pub fn discover(args: DiscoverArgs) -> ExitCode {
    let Ok(config) = load_config(&args.run.config) else {
        return ExitCode::from(CANNOT_START);
    };
    exit(pods::discover(
        &config,
        args.run.options(),
        args.shards,
        &args.out,
    ))
}

pub fn worker(args: WorkerArgs) -> ExitCode {
    let Ok(config) = load_config(&args.run.config) else {
        return ExitCode::from(CANNOT_START);
    };
    exit(pods::worker(
        &config,
        args.run.options(),
        args.shard,
        args.threads as usize,
    ))
}

pub fn finalize(args: FinalizeArgs) -> ExitCode {
    let Ok(config) = load_config(&args.run.config) else {
        return ExitCode::from(CANNOT_START);
    };
    exit(pods::finalize(
        &config,
        args.run.options(),
        args.shards,
        &args.reports,
    ))
}
