//! `omrun airflow render`. Running a config as a DAG is `omrun ingest` with `orchestrator:
//! airflow` (`orchestrate::airflow`).

use super::{CANNOT_START, FAILED, fail};
use omrun_orchestrate::airflow::render;
use omrun_orchestrate::argo::render::Rendering;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct AirflowArgs {
    #[command(subcommand)]
    command: AirflowCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AirflowCommand {
    /// Print the DAG file a config runs as in Airflow mode (Python), or, for Kubernetes tasks,
    /// the ConfigMap their pods read the config from.
    Render {
        /// The workflow config; its `${VAR}`s stay references, resolved on the workers.
        #[arg(short, long, value_name = "CONFIG")]
        config: PathBuf,
        /// Overrides `distributedExecution.parallelism` (the shard count).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=omrun_config::MAX_PARALLELISM as i64))]
        parallelism: Option<u32>,
        /// Write the DAG into this folder (as `<dagId>.py`) instead of printing it.
        #[arg(long, value_name = "FOLDER", conflicts_with = "config_map")]
        out: Option<PathBuf>,
        /// The ConfigMap holding the config file (Kubernetes tasks), YAML for `kubectl apply -f -`.
        #[arg(long)]
        config_map: bool,
    },
}

pub fn run(args: AirflowArgs) -> ExitCode {
    let AirflowCommand::Render {
        config,
        parallelism,
        out,
        config_map,
    } = args.command;
    // The variables are the workers' business.
    let config = match omrun_config::load_unresolved(&config) {
        Ok((config, warnings)) => {
            // Keys it does not know (a misspelt `dagsFolder`, say) would otherwise pass unseen.
            for warning in warnings {
                eprintln!("warning: {}: {warning}", config.path.display());
            }
            config
        }
        Err(e) => return fail(CANNOT_START, &e),
    };
    let shards = parallelism.unwrap_or(config.workflow.distributed_execution.parallelism);
    if config_map {
        let document = Rendering::new(&config, shards)
            .and_then(|r| Ok(serde_saphyr::to_string(&r.config_map())?));
        return match document {
            Ok(text) => super::print(&text),
            Err(e) => fail(CANNOT_START, &format!("{e:#}")),
        };
    }
    let dag = match render::render(&config, shards) {
        Ok(dag) => dag,
        Err(e) => return fail(CANNOT_START, &format!("{e:#}")),
    };
    match out {
        None => super::print(&dag.text),
        Some(folder) => {
            let path = folder.join(dag.file_name());
            match std::fs::write(&path, &dag.text) {
                Ok(()) => {
                    eprintln!("Wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(FAILED, &format!("cannot write {}: {e}", path.display())),
            }
        }
    }
}
