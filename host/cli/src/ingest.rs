//! `omrun ingest`: one run of a workflow, in the mode the config (or the command line) says. This
//! reads the arguments and the config, makes the plan and maps its outcome to an exit status; the
//! run itself is `omrun_orchestrate`'s.

use super::{CANNOT_START, exit, fail};
use omrun_config::{self as config, Config, Orchestrator};
use omrun_orchestrate::{self as orchestrate, Options, Plan};
use omrun_pipeline::run::Place;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What every command that runs a workflow (`ingest`, and Argo's pod commands) takes.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// OpenMetadata workflow config (YAML); `${VAR}` and `${VAR:-default}` are expanded.
    #[arg(short, long, value_name = "CONFIG")]
    pub config: PathBuf,
    /// The connector (.wasm). Default: `<source.type>.wasm` from $OMRUN_PLUGIN_PATH, then from the
    /// folder `scripts/build-plugins.sh` writes to.
    #[arg(long, value_name = "PATH")]
    pub plugin: Option<PathBuf>,
    /// Also write the run report as JSON here.
    #[arg(long, value_name = "PATH")]
    pub report_json: Option<PathBuf>,
    /// Write the Create requests to this JSON Lines file instead of the configured sink (a dry
    /// run: nothing reaches OpenMetadata).
    #[arg(long, value_name = "PATH")]
    pub file_sink: Option<PathBuf>,
    /// Let a run that finds nothing (no table, view, stored procedure or dashboard) succeed and
    /// mark stale entities deleted: the source is empty on purpose. Without it such a run is
    /// taken for filters that exclude everything, marks nothing deleted and exits 1.
    #[arg(long)]
    pub allow_empty: bool,
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Overrides `workflowConfig.distributedExecution.orchestrator` (and enables it): one of
    /// `Orchestrator::NAMES`.
    #[arg(long, value_parser = orchestrator_name)]
    pub orchestrator: Option<Orchestrator>,
    /// Overrides `workflowConfig.distributedExecution.parallelism`.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=omrun_config::MAX_PARALLELISM as i64))]
    pub parallelism: Option<u32>,
    /// Continue the run the checkpoint records (one that crashed, was killed or had failures):
    /// what it finished is skipped, the rest is processed. Without a checkpoint, runs from the
    /// start.
    #[arg(long)]
    pub resume: bool,
    /// The run's checkpoint of finished entities. Default: `checkpoint-<serviceName>-<digest of
    /// the config's path>.jsonl` in $OMRUN_STATE_DIR, else $XDG_STATE_HOME/omrun, else
    /// ~/.local/state/omrun; removed when a run ends with nothing failed.
    #[arg(long, value_name = "PATH")]
    pub checkpoint: Option<PathBuf>,
}

impl RunArgs {
    pub fn options(&self) -> Options {
        Options {
            plugin: self.plugin.clone(),
            report_json: self.report_json.clone(),
            file_sink: self.file_sink.clone(),
            allow_empty: self.allow_empty,
        }
    }
}

pub fn run(args: IngestArgs) -> ExitCode {
    let loaded = match config::load(&args.run.config) {
        Ok(loaded) => loaded,
        // An Argo or Airflow run's variables are resolved in its pods or tasks (from the
        // Kubernetes Secret, the workers' environment, Airflow): the machine that starts it need
        // not hold them. Anything else reports the first error.
        Err(error) => match config::load_unresolved(&args.run.config) {
            Ok(unresolved)
                if matches!(
                    execution(&unresolved.0, &args).0,
                    Orchestrator::Argo | Orchestrator::Airflow
                ) =>
            {
                unresolved
            }
            _ => return fail(CANNOT_START, &error),
        },
    };
    let config = start_logging(loaded);
    let (orchestrator, parallelism) = execution(&config, &args);
    let checkpoint = Place {
        path: args
            .checkpoint
            .clone()
            .unwrap_or_else(|| Place::default_for(&args.run.config, &config.source.service_name)),
        resume: args.resume,
        explicit: args.checkpoint.is_some(),
    };
    let plan = Plan {
        options: args.run.options(),
        config,
        orchestrator,
        parallelism,
        checkpoint: Some(checkpoint),
    };
    exit(orchestrate::for_plan(&plan).execute(&plan))
}

/// Loads the config and starts logging at its level; a bad config is one line and exit status 2.
pub(crate) fn load_config(path: &Path) -> Result<Config, ExitCode> {
    let loaded = config::load(path).map_err(|e| fail(CANNOT_START, &e))?;
    Ok(start_logging(loaded))
}

/// Starts logging at the config's level and passes on the config's warnings (keys it did not
/// know, sections it could not check).
fn start_logging((config, warnings): (Config, Vec<String>)) -> Config {
    crate::logging::init(config.workflow.logger_level);
    for warning in warnings {
        tracing::warn!("{}: {warning}", config.path.display());
    }
    config
}

/// `--orchestrator`'s value, by the config's own names (one list for both).
fn orchestrator_name(name: &str) -> Result<Orchestrator, String> {
    Orchestrator::parse(name).ok_or_else(|| {
        format!(
            "unknown orchestrator `{name}`, expected one of {}",
            Orchestrator::NAMES
        )
    })
}

/// The orchestrator and worker count: command line first, then the config. Distributed execution
/// that is not enabled means sequential.
fn execution(config: &Config, args: &IngestArgs) -> (Orchestrator, usize) {
    let distributed = &config.workflow.distributed_execution;
    let orchestrator = match args.orchestrator {
        Some(requested) => requested,
        None if distributed.enabled => distributed.orchestrator,
        None => Orchestrator::Sequential,
    };
    let parallelism = args.parallelism.unwrap_or(distributed.parallelism) as usize;
    (orchestrator, parallelism)
}
