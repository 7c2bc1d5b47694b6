//! Argo mode: the run as an Argo Workflow (a discover pod, sharded worker pods, a finalize pod,
//! all running this same binary, `crate::parts`): `render` writes it, `client` submits it to the
//! Argo Server and follows it. `lint` checks Workflow files for what Argo's schema lets through: a
//! tool for people editing them, and the renderer's tests.

pub mod client;
pub mod lint;
pub mod render;

use super::{Orchestrator, Outcome, Plan};
use client::ArgoClient;
use omrun_config::Config;
use render::Rendering;
use std::time::Duration;

/// Renders, submits and follows the Workflow.
pub struct Argo;

impl Orchestrator for Argo {
    fn execute(&self, plan: &Plan) -> Outcome {
        if plan.checkpoint.as_ref().is_some_and(|place| place.resume) {
            return Outcome::CannotStart(
                "--resume does not apply to orchestrator argo: Argo retries a failed pod \
                 (retryPolicy); submit the workflow again to run it again"
                    .into(),
            );
        }
        submit(&plan.config, plan.parallelism)
    }
}

/// `omrun ingest` with `orchestrator: argo`: render, submit, and (with `waitForCompletion`, the
/// default) follow the Workflow, then print the finalize pod's report like local mode's.
fn submit(config: &Config, parallelism: usize) -> Outcome {
    let distributed = &config.workflow.distributed_execution;
    let Some(server) = &distributed.argo_server else {
        return Outcome::CannotStart(format!(
            "{}: orchestrator `argo` needs workflowConfig.distributedExecution.argoServer.url to \
             submit (or render the Workflow with `omrun argo render` and submit it yourself)",
            config.path.display()
        ));
    };
    let prepared = Rendering::new(config, parallelism as u32).and_then(|rendering| {
        let workflow = rendering.workflow(false);
        Ok((
            rendering.namespace().to_owned(),
            workflow,
            ArgoClient::new(server)?,
        ))
    });
    let (namespace, workflow, client) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => return Outcome::CannotStart(format!("{e:#}")),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return Outcome::CannotStart(e.to_string()),
    };
    runtime.block_on(async {
        tracing::info!(
            "Using ARGO distributed execution: submitting to {}",
            server.url
        );
        let name = match client.submit(&namespace, &workflow).await {
            Ok(name) => name,
            Err(e) => return Outcome::CannotStart(format!("{e:#}")),
        };
        let link = client.link(&namespace, &name);
        tracing::info!("Submitted Workflow {name} in namespace {namespace}: {link}");
        if distributed.wait_for_completion == Some(false) {
            return Outcome::Succeeded;
        }
        let poll = Duration::from_secs_f64(server.poll_seconds.unwrap_or(5.0).max(0.05));
        let deadline = distributed.timeout_seconds.map(Duration::from_secs);
        let ended = match client.follow(&namespace, &name, poll, deadline).await {
            Ok(ended) => ended,
            Err(e) => return Outcome::Broken(format!("{e:#} ({link})")),
        };
        match &ended.report {
            Some(report) => report.log_summary(),
            None => tracing::warn!("Workflow {name} left no report: its finalize step did not run"),
        }
        tracing::info!("Workflow {name} {}: {link}", ended.phase);
        let failed = ended.report.as_ref().is_none_or(|r| r.failed > 0);
        match (ended.phase.as_str(), failed) {
            ("Succeeded", false) => Outcome::Succeeded,
            (phase, _) => Outcome::Broken(format!(
                "Workflow {name} {phase}{}",
                ended.message.map(|m| format!(": {m}")).unwrap_or_default()
            )),
        }
    })
}
