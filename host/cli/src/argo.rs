//! `omrun argo render|lint`. Running a config as a Workflow is `omrun ingest` with `orchestrator:
//! argo` (`orchestrate::argo`).

use super::{CANNOT_START, FAILED, fail};
use omrun_orchestrate::argo::lint::lint;
use omrun_orchestrate::argo::render::Rendering;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ArgoArgs {
    #[command(subcommand)]
    command: ArgoCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ArgoCommand {
    /// Print the Workflow a config runs as in Argo mode (YAML), or its ConfigMap.
    Render {
        /// The workflow config; its `${VAR}`s stay references, resolved in the pods from the
        /// Kubernetes Secret.
        #[arg(short, long, value_name = "CONFIG")]
        config: PathBuf,
        /// A WorkflowTemplate (named, for `argo submit --from workflowtemplate/NAME`) instead of a
        /// Workflow.
        #[arg(long, conflicts_with = "config_map")]
        template: bool,
        /// The ConfigMap holding the config file, for `kubectl apply -f -`.
        #[arg(long)]
        config_map: bool,
        /// Overrides `distributedExecution.parallelism` (the shard count).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=omrun_config::MAX_PARALLELISM as i64))]
        parallelism: Option<u32>,
        /// JSON instead of YAML.
        #[arg(long)]
        json: bool,
    },
    /// Check Workflow files for what Argo's schema lets through: unknown fields, bad enum values,
    /// task references, `parallelism` where Argo ignores it, oversized parameters, literal secrets.
    Lint {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

pub fn run(args: ArgoArgs) -> ExitCode {
    match args.command {
        ArgoCommand::Render {
            config,
            template,
            config_map,
            parallelism,
            json,
        } => {
            // The variables are the pods' business (they come from the Kubernetes Secret).
            let config = match omrun_config::load_unresolved(&config) {
                Ok((config, _)) => config,
                Err(e) => return fail(CANNOT_START, &e),
            };
            let shards = parallelism.unwrap_or(config.workflow.distributed_execution.parallelism);
            let rendering = match Rendering::new(&config, shards) {
                Ok(rendering) => rendering,
                Err(e) => return fail(CANNOT_START, &format!("{e:#}")),
            };
            let document = match config_map {
                true => rendering.config_map(),
                false => rendering.workflow(template),
            };
            let text = match json {
                true => serde_json::to_string_pretty(&document).map_err(anyhow::Error::from),
                false => serde_saphyr::to_string(&document).map_err(anyhow::Error::from),
            };
            match text {
                Ok(text) => super::print(&text),
                Err(e) => fail(FAILED, &e),
            }
        }
        ArgoCommand::Lint { files } => lint_files(&files),
    }
}

fn lint_files(files: &[PathBuf]) -> ExitCode {
    let mut problems = 0;
    for file in files {
        let document = std::fs::read_to_string(file)
            .map_err(anyhow::Error::from)
            .and_then(|text| Ok(serde_saphyr::from_str::<serde_json::Value>(&text)?));
        match document {
            Err(e) => {
                eprintln!("{}: cannot read: {e}", file.display());
                problems += 1;
            }
            Ok(document) => {
                for problem in lint(&document) {
                    eprintln!("{}: {}: {}", file.display(), problem.path, problem.message);
                    problems += 1;
                }
            }
        }
    }
    match problems {
        0 => {
            println!("{} file(s): no problem found", files.len());
            ExitCode::SUCCESS
        }
        n => fail(FAILED, &format!("{n} problem(s) found")),
    }
}
