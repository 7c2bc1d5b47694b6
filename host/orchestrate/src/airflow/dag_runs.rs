//! What `omrun ingest` asks of Airflow: wait for the DAG processor to parse the DAG file, trigger
//! a run, follow it, read finalize's report. A failure to reach Airflow is an error, never a
//! reason to run a big job locally instead.

use super::client::{AirflowClient, is_refusal, message};
use super::render::Dag;
use anyhow::bail;
use omrun_pipeline::report::Report;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// How a followed DAG run ended.
pub struct Ended {
    /// `success` or `failed`.
    pub state: String,
    /// Finalize's report: the whole run, summed over the workers.
    pub report: Option<Report>,
}

impl AirflowClient {
    /// Waits until Airflow has parsed this version of the DAG (its description carries the
    /// render's digest), asking for a parse when it holds an older one. An import error of the
    /// file that is new since `before` (what [`Self::import_errors`] said before the file was
    /// written) stops the wait with Airflow's message.
    pub async fn wait_for_dag(
        &self,
        dag: &Dag,
        before: &[Value],
        poll: Duration,
        deadline: Duration,
    ) -> anyhow::Result<()> {
        let started = Instant::now();
        let mut asked_to_parse = false;
        loop {
            let (status, found) = self.call(Method::GET, &["dags", &dag.id], None).await?;
            if status.is_success() {
                if found["description"]
                    .as_str()
                    .is_some_and(|d| d.contains(&dag.digest))
                {
                    if found["is_paused"] == true {
                        bail!(
                            "the DAG {} is paused in Airflow: unpause it (the toggle in its page, \
                             or `airflow dags unpause {}`) to let omrun run it",
                            dag.id,
                            dag.id
                        );
                    }
                    return Ok(());
                }
                if !asked_to_parse && let Some(token) = found["file_token"].as_str() {
                    // Airflow parses a changed file on its own schedule; ask for it now.
                    let (status, answer) = self
                        .call(Method::PUT, &["parseDagFile", token], None)
                        .await?;
                    if !status.is_success() {
                        tracing::warn!(
                            "Airflow did not take the request to parse {} again ({status}): {}",
                            dag.file_name(),
                            message(&answer)
                        );
                    }
                    asked_to_parse = true;
                }
            } else if status != StatusCode::NOT_FOUND {
                bail!(
                    "Airflow answered {status} for the DAG {}: {}",
                    dag.id,
                    message(&found)
                );
            }
            if let Some(error) = self
                .import_errors(&dag.file_name())
                .await?
                .into_iter()
                .find(|error| !before.contains(error))
            {
                let trace = error["stack_trace"].as_str().unwrap_or_default().trim();
                bail!(
                    "Airflow cannot import the DAG file {}: {}",
                    dag.file_name(),
                    trace.lines().last().unwrap_or(trace)
                );
            }
            if started.elapsed() >= deadline {
                bail!(
                    "Airflow did not parse {} within {} s (airflow.parseTimeoutSeconds): is its \
                     folder Airflow's DAG folder, and is the DAG processor running? A new file \
                     waits for the processor's next scan (dag_processor.refresh_interval)",
                    dag.file_name(),
                    deadline.as_secs()
                );
            }
            tokio::time::sleep(poll).await;
        }
    }

    /// Airflow's import errors of files named `file_name`.
    pub async fn import_errors(&self, file_name: &str) -> anyhow::Result<Vec<Value>> {
        let query = [("filename_pattern", file_name), ("limit", "100")];
        let (status, answer) = self
            .call(Method::GET, &["importErrors"], Some(&query))
            .await?;
        if !status.is_success() {
            bail!(
                "Airflow answered {status} for its import errors: {}",
                message(&answer)
            );
        }
        let ours = |error: &&Value| {
            error["filename"]
                .as_str()
                .is_some_and(|f| f.rsplit('/').next() == Some(file_name))
        };
        Ok(answer["import_errors"]
            .as_array()
            .map(|errors| errors.iter().filter(ours).cloned().collect())
            .unwrap_or_default())
    }

    /// Triggers a run of the DAG; returns its run id. The id is omrun's, so that a trigger tried
    /// again after a server error cannot start a second run: Airflow then answers 409 for the
    /// run the first attempt made.
    pub async fn trigger(&self, dag_id: &str) -> anyhow::Result<String> {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let run_id = format!(
            "omrun__{}.{:09}_{}",
            since_epoch.as_secs(),
            since_epoch.subsec_nanos(),
            std::process::id()
        );
        let body = json!({"dag_run_id": run_id, "logical_date": null, "conf": {},
                          "note": "triggered by omrun ingest"});
        let (status, answer) = self
            .send(
                Method::POST,
                &["dags", dag_id, "dagRuns"],
                None,
                Some(&body),
            )
            .await?;
        let ours = status == StatusCode::CONFLICT
            && self
                .call(Method::GET, &["dags", dag_id, "dagRuns", &run_id], None)
                .await
                .is_ok_and(|(status, _)| status.is_success());
        if !status.is_success() && !ours {
            bail!(
                "Airflow refused to run the DAG {dag_id} ({status}): {}",
                message(&answer)
            );
        }
        Ok(run_id)
    }

    /// Looks at the run every `poll` until it ends or `deadline` passes. A dropped connection or
    /// a server error is retried until the deadline; a refused token or a vanished run is not.
    pub async fn follow(
        &self,
        dag_id: &str,
        run_id: &str,
        poll: Duration,
        deadline: Option<Duration>,
    ) -> anyhow::Result<Ended> {
        let started = Instant::now();
        let run = ["dags", dag_id, "dagRuns", run_id];
        let mut last_seen = String::new();
        let mut state = String::from("queued");
        loop {
            match self.call(Method::GET, &run, None).await {
                Ok((status, found)) if status.is_success() => {
                    state = found["state"].as_str().unwrap_or("queued").to_owned();
                    let seen = format!("{state}{}", self.progress(&run).await);
                    if seen != last_seen {
                        tracing::info!("DAG run {run_id}: {seen}");
                        last_seen = seen;
                    }
                    if matches!(state.as_str(), "success" | "failed") {
                        let report = self.report(&run).await;
                        return Ok(Ended { state, report });
                    }
                }
                Ok((StatusCode::NOT_FOUND, found)) => {
                    bail!(
                        "the DAG run is gone from Airflow (deleted?): {}",
                        message(&found)
                    )
                }
                Ok((status, found)) if status.is_server_error() => {
                    tracing::warn!(
                        "Following {run_id}: Airflow answered {status}: {}; retrying",
                        message(&found)
                    )
                }
                Ok((status, found)) => bail!("Airflow answered {status}: {}", message(&found)),
                Err(e) if is_refusal(&e) => return Err(e),
                Err(e) => tracing::warn!("Following {run_id}: {e:#}; retrying"),
            }
            if let Some(deadline) = deadline
                && started.elapsed() >= deadline
            {
                bail!(
                    "DAG run {run_id} did not finish within timeoutSeconds ({} s); it is still {state} in Airflow",
                    deadline.as_secs()
                );
            }
            tokio::time::sleep(poll).await;
        }
    }

    /// `: worker 3/8 done, 1 failed`: the worker tasks' states, when there are any.
    async fn progress(&self, run: &[&str; 4]) -> String {
        let path = [run[0], run[1], run[2], run[3], "taskInstances"];
        let Ok((status, found)) = self
            .call(
                Method::GET,
                &path,
                Some(&[("task_id_pattern", "worker"), ("limit", "1000")]),
            )
            .await
        else {
            return String::new();
        };
        let workers: Vec<&Value> = found["task_instances"]
            .as_array()
            .map(|all| {
                all.iter()
                    .filter(|t| t["task_id"] == "worker" && t["map_index"] != -1)
                    .collect()
            })
            .unwrap_or_default();
        if !status.is_success() || workers.is_empty() {
            return String::new();
        }
        let count = |state: &str| workers.iter().filter(|t| t["state"] == state).count();
        let failed = count("failed") + count("upstream_failed");
        let retrying = count("up_for_retry");
        let mut line = format!(", worker {}/{} done", count("success"), workers.len());
        if retrying > 0 {
            line += &format!(", {retrying} up for retry");
        }
        if failed > 0 {
            line += &format!(", {failed} failed");
        }
        line
    }

    /// Finalize's report: its XCom `report` (process tasks push it whatever the outcome), else
    /// its return value (a Kubernetes task's).
    async fn report(&self, run: &[&str; 4]) -> Option<Report> {
        for key in ["report", "return_value"] {
            let path = [
                run[0],
                run[1],
                run[2],
                run[3],
                "taskInstances",
                "finalize",
                "xcomEntries",
                key,
            ];
            if let Ok((status, found)) = self.call(Method::GET, &path, None).await
                && status.is_success()
            {
                let report = match &found["value"] {
                    Value::String(text) => serde_json::from_str(text).ok(),
                    Value::Null => None,
                    value => serde_json::from_value(value.clone()).ok(),
                };
                if report.is_some() {
                    return report;
                }
            }
        }
        None
    }
}
