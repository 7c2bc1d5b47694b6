//! Airflow mode: the run as an Airflow DAG whose tasks are the pipeline's parts (`crate::parts`):
//! discover, a worker task mapped over its shard list, finalize. `render` writes the DAG file;
//! `client` talks to Airflow's REST API, `dag_runs` is what omrun asks of it. `omrun ingest`
//! writes the file into the DAG folder, waits for Airflow to parse it, triggers a run and follows
//! it to its end.

pub mod client;
mod credentials;
pub mod dag_runs;
pub mod render;

use super::{Orchestrator, Outcome, Plan};
use client::AirflowClient;
use omrun_config::{AirflowSettings, Config};
use render::Dag;
use std::path::Path;
use std::time::Duration;

/// Renders, places, triggers and follows the DAG.
pub struct Airflow;

impl Orchestrator for Airflow {
    fn execute(&self, plan: &Plan) -> Outcome {
        if plan.checkpoint.as_ref().is_some_and(|place| place.resume) {
            return Outcome::CannotStart(
                "--resume does not apply to orchestrator airflow: Airflow retries a failed task \
                 (retryPolicy); trigger the DAG again to run it again"
                    .into(),
            );
        }
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => return Outcome::CannotStart(e.to_string()),
        };
        runtime.block_on(run(&plan.config, plan.parallelism as u32))
    }
}

async fn run(config: &Config, shards: u32) -> Outcome {
    let distributed = &config.workflow.distributed_execution;
    let settings = distributed.airflow.clone().unwrap_or_default();
    let Some(url) = settings.url.as_deref() else {
        return Outcome::CannotStart(format!(
            "{}: orchestrator `airflow` needs workflowConfig.distributedExecution.airflow.url (its \
             API server) to run the DAG (or render it with `omrun airflow render` and run it \
             yourself)",
            config.path.display()
        ));
    };
    let prepared = render::render(config, shards)
        .and_then(|dag| Ok((dag, AirflowClient::new(&settings, url)?)));
    let (dag, client) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => return Outcome::CannotStart(format!("{e:#}")),
    };
    tracing::info!(
        "Using AIRFLOW distributed execution: the DAG {} on {url}",
        dag.id
    );
    let poll = Duration::from_secs_f64(settings.poll_seconds.unwrap_or(5.0).max(0.05));
    if let Err(e) = deploy(&client, &dag, &settings, poll).await {
        return Outcome::CannotStart(format!("{e:#}"));
    }
    let run_id = match client.trigger(&dag.id).await {
        Ok(run_id) => run_id,
        Err(e) => return Outcome::CannotStart(format!("{e:#}")),
    };
    let link = client.link(&dag.id, &run_id);
    tracing::info!("Triggered DAG run {run_id}: {link}");
    if distributed.wait_for_completion == Some(false) {
        return Outcome::Succeeded;
    }
    let deadline = distributed.timeout_seconds.map(Duration::from_secs);
    let ended = match client.follow(&dag.id, &run_id, poll, deadline).await {
        Ok(ended) => ended,
        Err(e) => return Outcome::Broken(format!("{e:#} ({link})")),
    };
    match &ended.report {
        Some(report) => report.log_summary(),
        None => tracing::warn!("DAG run {run_id} left no report: its finalize task did not run"),
    }
    tracing::info!("DAG run {run_id} {}: {link}", ended.state);
    let failed = ended.report.as_ref().is_none_or(|r| r.failed > 0);
    match (ended.state.as_str(), failed) {
        ("success", false) => Outcome::Succeeded,
        (state, _) => {
            let why = match &ended.report {
                Some(report) if report.failed > 0 => format!(": {} entities failed", report.failed),
                Some(_) => String::new(),
                None => ": no report".into(),
            };
            Outcome::Broken(format!("DAG run {run_id} {state}{why} ({link})"))
        }
    }
}

/// Makes Airflow hold this DAG: writes the file into `dagsFolder` (when it changed) and waits for
/// the DAG processor to parse it. Without `dagsFolder` the file is deployed some other way
/// (git-sync, an image): Airflow must already hold this very rendering.
async fn deploy(
    client: &AirflowClient,
    dag: &Dag,
    settings: &AirflowSettings,
    poll: Duration,
) -> anyhow::Result<()> {
    let before = client.import_errors(&dag.file_name()).await?;
    match &settings.dags_folder {
        Some(folder) => place(dag, folder)?,
        None => tracing::info!(
            "No airflow.dagsFolder: running the DAG {} Airflow holds, which must be this config's \
             rendering ({})",
            dag.id,
            dag.digest
        ),
    }
    let deadline = Duration::from_secs(settings.parse_timeout_seconds.unwrap_or(600));
    client.wait_for_dag(dag, &before, poll, deadline).await
}

/// Writes the DAG file unless it is already there as is; by a rename, so the DAG processor never
/// reads half a file.
fn place(dag: &Dag, folder: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    anyhow::ensure!(
        folder.is_dir(),
        "airflow.dagsFolder {} is not a folder",
        folder.display()
    );
    let path = folder.join(dag.file_name());
    if std::fs::read_to_string(&path).is_ok_and(|text| text == dag.text) {
        tracing::info!("{} is up to date", path.display());
        return Ok(());
    }
    // Not `.py`: Airflow does not look at it.
    let partial = folder.join(format!(".{}.omrun-partial", dag.id));
    std::fs::write(&partial, &dag.text)
        .and_then(|()| std::fs::rename(&partial, &path))
        .with_context(|| format!("cannot write the DAG file {}", path.display()))?;
    tracing::info!("Wrote the DAG file {}", path.display());
    Ok(())
}
