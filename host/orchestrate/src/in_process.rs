//! The pipeline in this process: one worker (sequential, the baseline) or N on threads (local),
//! each with its own sandboxed instance and source connection, pulling from one work queue.

use super::{Orchestrator, Outcome, Plan, compose};
use omrun_pipeline::run::{Part, Workers};
use omrun_runtime::plugin::World;

pub enum InProcess {
    Sequential,
    Local { workers: usize },
}

impl Orchestrator for InProcess {
    fn execute(&self, plan: &Plan) -> Outcome {
        compose::execute(
            &plan.config,
            &plan.options,
            Part::All,
            plan.parallelism,
            plan.checkpoint.clone(),
            |world| self.workers(world),
            |_| Ok(()),
        )
    }
}

impl InProcess {
    /// The workers for a plugin of `world`, announcing the choice: a plugin that cannot discover
    /// runs sequentially, and the run says so.
    fn workers(&self, world: World) -> Workers {
        let sequential = Workers {
            count: 1,
            mode: "sequential",
        };
        match (self, world) {
            (InProcess::Local { .. }, World::Sequential) => {
                tracing::warn!(
                    "Source does not support distributed execution, falling back to sequential"
                );
                sequential
            }
            (InProcess::Local { workers }, World::Discoverable) => {
                tracing::info!(
                    "Using LOCAL thread-based distributed execution ({workers} workers)"
                );
                Workers {
                    count: *workers,
                    mode: "local",
                }
            }
            (InProcess::Sequential, _) => {
                tracing::info!("Using SEQUENTIAL execution");
                sequential
            }
        }
    }
}
