//! The Airflow connector (`airflow.wasm`): OpenMetadata's `Airflow` pipeline service through
//! Airflow's stable REST API (`/api/v2` of Airflow 3, `/api/v1` of Airflow 2; OpenMetadata's
//! `connection: {type: RestAPI, …}`), over the host's wasi:http, to the config's `hostPort` only.
//!
//! - `discover`: the DAG ids (`GET /dags`, page by page until `total_entries`), without the
//!   paused ones unless `includeUnDeployedPipelines`, kept by `pipelineFilterPattern`.
//! - `process`: per DAG `GET /dags/{id}`, its tasks (`GET /dags/{id}/tasks`) and its latest
//!   `numberOfStatus` runs (`GET /dags/{id}/dagRuns`, newest first), each with its task
//!   instances (`…/dagRuns/{run}/taskInstances`, page by page): one pipeline.
//!
//! What is written follows OpenMetadata's own connector (its REST source; see [`convert`]).

mod api;
mod client;
mod config;
mod convert;
mod time;

use std::collections::BTreeSet;

use omrun_sdk::log;
use omrun_sdk::types::{
    Capability, Entity, EntityKind, EntityRef, Pipeline, PluginInfo, SourceConfig,
};

use client::{Client, quote};
use config::{ApiVersion, Config};

omrun_sdk::export_discoverable_source!(Airflow);
omrun_sdk::declare_config_keys!(config::KEYS);

pub struct Airflow {
    config: Config,
    client: Client,
}

impl omrun_sdk::DiscoverableSource for Airflow {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "airflow".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Airflow".into()],
            // The host of the connection's own `hostPort` (Airflow's URL).
            capabilities: vec![Capability::Http("{hostPort}".into())],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let config = Config::parse(
            &config.service_connection,
            &config.source_config,
            &config.secrets,
        )?;
        let client = Client::new(
            &config.base_url,
            config.credentials.clone(),
            config.api_version,
        );
        Ok(Self { config, client })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        if self.config.verify_ssl_off {
            log::warn!(
                "Airflow: connection.verifySSL: false is not honoured: omrun always verifies the \
                 server's TLS certificate"
            );
        }
        let dags: Vec<api::Dag> = self.client.paginate("/dags", "dags")?;
        let listed = dags.len();
        let mut paused = 0;
        let mut refs = Vec::new();
        for dag in dags {
            if !self.config.include_paused && dag.is_paused == Some(true) {
                paused += 1;
                continue;
            }
            if self.config.pipelines.keeps(&dag.dag_id) {
                refs.push(EntityRef::pipeline(dag.dag_id));
            }
        }
        log::info!(
            "Airflow: {} of {listed} DAGs to ingest ({paused} paused left out, {} filtered out)",
            refs.len(),
            listed - paused - refs.len()
        );
        Ok(refs)
    }

    fn process_one(&mut self, r: EntityRef) -> Result<Vec<Entity>, String> {
        let [dag_id] = r.path.as_slice() else {
            return Err(format!("an Airflow ref is [dag_id], not {:?}", r.path));
        };
        match r.kind {
            EntityKind::Pipeline => Ok(vec![Entity::Pipeline(self.pipeline(dag_id)?)]),
            other => Err(format!("the Airflow connector has no {other:?} entities")),
        }
    }
}

impl Airflow {
    /// The DAG, its tasks and its latest runs.
    fn pipeline(&mut self, dag_id: &str) -> Result<Pipeline, String> {
        let path = format!("/dags/{}", quote(dag_id, ""));
        let dag: api::Dag = self.client.get(&path, &[])?;
        let tasks: api::Tasks = self.client.get(&format!("{path}/tasks"), &[])?;
        let version = self.client.version()?;
        let shape = convert::Shape {
            base_url: &self.config.base_url,
            version,
            include_owners: self.config.include_owners,
            include_tags: self.config.include_tags,
        };
        let mut pipeline = convert::pipeline(&dag, &tasks.tasks, &shape);
        let names: BTreeSet<&str> = tasks.tasks.iter().map(|t| t.task_id.as_str()).collect();
        // OpenMetadata writes statuses only of a pipeline with tasks.
        if !names.is_empty() {
            pipeline.runs = self.runs(&path, version, &names);
        }
        log::debug!(
            "Airflow DAG {dag_id}: {} tasks, {} runs",
            pipeline.tasks.len(),
            pipeline.runs.len()
        );
        Ok(pipeline)
    }

    /// The latest `numberOfStatus` runs of the DAG at `path`, newest first, with the statuses of
    /// its `tasks`. As in OpenMetadata's connector, runs or task instances that cannot be read
    /// are left out with a warning: the pipeline itself is still written.
    fn runs(
        &mut self,
        path: &str,
        version: ApiVersion,
        tasks: &BTreeSet<&str>,
    ) -> Vec<omrun_sdk::types::PipelineRun> {
        let order = match version {
            ApiVersion::V2 => "-logical_date",
            ApiVersion::V1 => "-execution_date",
        };
        let limit = self.config.number_of_status.to_string();
        let runs: api::DagRuns = match self.client.get(
            &format!("{path}/dagRuns"),
            &[("limit", &limit), ("order_by", order)],
        ) {
            Ok(runs) => runs,
            Err(e) => {
                log::warn!("Airflow: no runs of {path}: {e}");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for run in &runs.dag_runs {
            let Some(run_id) = run.dag_run_id.as_deref().filter(|id| !id.is_empty()) else {
                continue;
            };
            let instances_path = format!("{path}/dagRuns/{}/taskInstances", quote(run_id, ""));
            let instances: Vec<api::TaskInstance> =
                match self.client.paginate(&instances_path, "task_instances") {
                    Ok(instances) => instances,
                    Err(e) => {
                        log::warn!("Airflow: no task instances of run {run_id} of {path}: {e}");
                        Vec::new()
                    }
                };
            match convert::run(run, &instances, tasks) {
                Some(run) => out.push(run),
                None => log::debug!("Airflow: run {run_id} of {path} has no date; left out"),
            }
        }
        out
    }
}
