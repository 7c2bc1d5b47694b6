//! Orchestrators: how a run is executed. The command line builds a [`Plan`] from the config and
//! its own flags; the orchestrator the plan names executes it and answers an [`Outcome`], which the
//! command line turns into an exit status. There are two:
//!
//! - [`InProcess`]: the pipeline (`omrun_pipeline::run`) in this process with N workers on threads, each
//!   with its own sandboxed instance and connection. Sequential is one worker; local is N.
//! - [`argo::Argo`]: the same pipeline cut into parts ([`parts`]), rendered as an Argo Workflow (a
//!   discover pod, N worker pods, a finalize pod, all running this binary), submitted and followed.
//! - [`airflow::Airflow`]: the same parts as the tasks of an Airflow DAG (discover, a worker
//!   mapped over the shards, finalize), placed in Airflow's DAG folder, triggered and followed.
//!
//! All assemble a run the same way (`compose`): plugin, grants, sink, checkpoint. A distributed
//! orchestrator ships the config without its secrets (`shipped`).
//!
//! A new orchestrator is a folder beside `argo` and `airflow` implementing [`Orchestrator`],
//! running its tasks as [`parts`].
//!
//! The layer above the pipeline: it depends on every other library crate of ours (`omrun-model`,
//! `omrun-config`, `omrun-runtime`, `omrun-sink`, `omrun-pipeline`), because assembling a run
//! means picking the plugin, its grants, the sink and the checkpoint; only the command line
//! (`omrun`) is above it.

pub mod airflow;
pub mod argo;
mod check;
mod compose;
mod in_process;
pub mod parts;
mod plugin_source;
mod shipped;

pub use check::{Step, check};
pub use compose::Options;
pub use in_process::InProcess;

use omrun_config::{self as config, Config};
use omrun_pipeline::run::Place;

/// What to run and how, from the config and the command line.
pub struct Plan {
    pub config: Config,
    pub options: Options,
    pub orchestrator: config::Orchestrator,
    /// Workers (local), or shards (Argo, Airflow).
    pub parallelism: usize,
    /// Where `ingest` keeps its checkpoint, and whether to resume from it.
    pub checkpoint: Option<Place>,
}

/// How a run ended, for the exit status.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// Some entities failed; the report and the log name them (exit 1).
    Failed,
    /// The run broke off, or failed as a whole (exit 1).
    Broken(String),
    /// Nothing ran: a bad config, plugin, sink or source (exit 2).
    CannotStart(String),
    /// Stopped by a signal, cleanly (exit 128 + its number).
    Interrupted {
        signal: i32,
        message: String,
    },
}

/// One way of executing a plan.
pub trait Orchestrator {
    fn execute(&self, plan: &Plan) -> Outcome;
}

/// The orchestrator the plan names.
pub fn for_plan(plan: &Plan) -> Box<dyn Orchestrator> {
    match plan.orchestrator {
        config::Orchestrator::Argo => Box::new(argo::Argo),
        config::Orchestrator::Airflow => Box::new(airflow::Airflow),
        config::Orchestrator::Local => Box::new(InProcess::Local {
            workers: plan.parallelism,
        }),
        config::Orchestrator::Sequential => Box::new(InProcess::Sequential),
    }
}
