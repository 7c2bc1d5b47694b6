//! The MLflow connector (`mlflow.wasm`): OpenMetadata's `Mlflow` ML model service through MLflow's
//! REST API 2.0, over the host's wasi:http, to the host of the config's `trackingUri` only.
//!
//! - `discover`: the registered models (`GET registered-models/search`, every page), kept by
//!   `mlModelFilterPattern` on the name.
//! - `process`: per model its registered model (`GET registered-models/get`: description, latest
//!   versions), the newest version by number (from `latest_versions`, else `GET
//!   model-versions/search`), that version's run (`GET runs/get`: parameters as
//!   hyper-parameters, the artifact URI as the store) and the signature's columns as features
//!   ([`signature`]: the run's MLflow 2.x history tag, else the model's `MLmodel` file through the
//!   server's artifact proxy, see [`artifacts`]). A model without a version, or whose newest
//!   version has no run, fails, named in the report.
//!
//! What is written follows OpenMetadata's own MLflow connector (openmetadata-ingestion 2.0.7,
//! `metadata/ingestion/source/mlmodel/mlflow/metadata.py`), so existing entities stay the same.

mod api;
mod artifacts;
mod client;
mod config;
mod pyliteral;
mod signature;
mod uri;

use omrun_sdk::log;
use omrun_sdk::types::{
    Capability, Entity, EntityKind, EntityRef, MlFeature, MlHyperParameter, MlModel, MlStore,
    PluginInfo, SourceConfig,
};
use serde_json::Value;

use api::{ModelVersion, RegisteredModel, Run};
use artifacts::Fetch;
use client::Client;
use config::Config;

omrun_sdk::export_discoverable_source!(Mlflow);
omrun_sdk::declare_config_keys!(config::KEYS);

/// OpenMetadata requires an algorithm; MLflow does not say, and OpenMetadata's connector writes
/// this constant.
const ALGORITHM: &str = "mlmodel";

pub struct Mlflow {
    config: Config,
    client: Client,
}

impl omrun_sdk::DiscoverableSource for Mlflow {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "mlflow".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Mlflow".into()],
            // The host of the connection's `trackingUri`; `info` runs before any config is read,
            // so a `registryUri` elsewhere cannot be granted (see `config`).
            capabilities: vec![Capability::Http("{trackingUri}".into())],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let config = Config::parse(&config.service_connection, &config.source_config)?;
        let client = Client::new(&config.tracking_url, &config.registry_url);
        Ok(Self { config, client })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        if let Some(note) = &self.config.registry_note {
            log::info!("MLflow: {note}");
        }
        let listed = self.client.registered_models()?;
        let total = listed.len();
        let kept: Vec<EntityRef> = listed
            .into_iter()
            .filter(|m| self.config.models.keeps(&m.name))
            .map(|m| EntityRef::ml_model(m.name))
            .collect();
        if total == 0 {
            log::warn!(
                "MLflow: the registry lists no registered models; if models are expected, check \
                 that trackingUri points at the server whose registry holds them"
            );
        }
        log::info!(
            "MLflow: {total} registered models, {} kept by mlModelFilterPattern",
            kept.len()
        );
        Ok(kept)
    }

    fn process_one(&mut self, r: EntityRef) -> Result<Vec<Entity>, String> {
        let [name] = r.path.as_slice() else {
            return Err(format!("an MLflow ref is [model name], not {:?}", r.path));
        };
        match r.kind {
            EntityKind::MlModel => Ok(vec![Entity::MlModel(self.model(name)?)]),
            other => Err(format!("the MLflow connector has no {other:?} entities")),
        }
    }
}

impl Mlflow {
    /// A registered model, described by its newest version and that version's run.
    fn model(&mut self, name: &str) -> Result<MlModel, String> {
        let model = self.client.registered_model(name)?;
        let version = self.newest_version(&model).ok_or_else(|| {
            format!(
                "MLflow model `{name}`: no version could be resolved from `latest_versions` nor \
                 from searching the model versions"
            )
        })?;
        let run_id = version
            .run_id
            .clone()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                format!(
                    "MLflow model `{name}`: version {} has no run (run_id), which is what \
                     describes a model",
                    version.version
                )
            })?;
        let run = self.client.run(&run_id)?;
        let hyper_parameters = run
            .data
            .params
            .iter()
            .map(|p| MlHyperParameter {
                name: p.key.clone(),
                value: Some(p.value.clone()),
                description: None,
            })
            .collect();
        let features = self.features(name, &run_id, &run, &version);
        let store = run
            .info
            .artifact_uri
            .clone()
            .filter(|u| !u.is_empty())
            .map(|storage| MlStore {
                storage: Some(storage),
                image_repository: None,
            });
        log::debug!(
            "MLflow model `{name}`: version {} of run {run_id}",
            version.version
        );
        Ok(MlModel {
            name: model.name.clone(),
            display_name: None,
            description: model.description.filter(|d| !d.is_empty()),
            algorithm: ALGORITHM.into(),
            features,
            hyper_parameters,
            target: None,
            dashboard: None,
            store,
            server: None,
            source_url: Some(format!(
                "{}/#/models/{}",
                self.config.console_url, model.name
            )),
            owners: Vec::new(),
            tags: Vec::new(),
        })
    }

    /// The highest-numbered version among `latest_versions` (the newest of each stage) or, when
    /// the registry leaves that out or empty (registries without stages), among all versions.
    /// Versions whose number is not a number are skipped.
    fn newest_version(&mut self, model: &RegisteredModel) -> Option<ModelVersion> {
        let versions = if model.latest_versions.is_empty() {
            self.client.versions(&model.name).unwrap_or_else(|e| {
                log::warn!(
                    "MLflow: cannot search the versions of `{}`: {e}",
                    model.name
                );
                Vec::new()
            })
        } else {
            model.latest_versions.clone()
        };
        let (picked, skipped) = newest(versions);
        for number in skipped {
            log::warn!(
                "MLflow model `{}`: skipping version `{number}`, whose number is not a number",
                model.name
            );
        }
        picked
    }

    /// The features of the model's signature: from the run's MLflow 2.x history tag, else from
    /// the version's `MLmodel` file. None, with a warning, when it cannot be read.
    fn features(
        &mut self,
        name: &str,
        run_id: &str,
        run: &Run,
        version: &ModelVersion,
    ) -> Vec<MlFeature> {
        let tagged = run
            .data
            .tags
            .iter()
            .find(|t| t.key == signature::LOG_MODEL_HISTORY_TAG)
            .and_then(|t| signature::columns_of_history(&t.value, run_id));
        let columns = match tagged {
            Some(columns) => Some(columns),
            None => self
                .columns_of_artifacts(run_id, run, version)
                .unwrap_or_else(|why| {
                    log::warn!(
                        "MLflow model `{name}`: cannot read its signature from its artifacts \
                         ({why}); its features are left out"
                    );
                    None
                }),
        };
        let Some(columns) = columns else {
            return Vec::new();
        };
        signature::features(&columns).unwrap_or_else(|why| {
            log::warn!("MLflow model `{name}`: no features from its signature: {why}");
            Vec::new()
        })
    }

    /// The signature's columns from the version's `MLmodel` file; `None` when the version names
    /// no files or the file no signature.
    fn columns_of_artifacts(
        &mut self,
        run_id: &str,
        run: &Run,
        version: &ModelVersion,
    ) -> Result<Option<Value>, String> {
        let Some(source) = version.source.as_deref().filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let location = match source.strip_prefix(artifacts::LOGGED_MODEL_PREFIX) {
            Some(model_id) => match self.client.logged_model_location(model_id)? {
                Some(location) => location,
                None => return Ok(None),
            },
            None => source.to_owned(),
        };
        let tracking = self.config.tracking_url.clone();
        let mut fetch = artifacts::fetch(&location, artifacts::MLMODEL_FILE, &tracking);
        if let Fetch::InRun {
            run_id: other,
            path,
        } = &fetch
        {
            let run_artifacts = if other == run_id {
                run.info.artifact_uri.clone()
            } else {
                self.client.run(other)?.info.artifact_uri
            };
            let run_artifacts = run_artifacts
                .filter(|u| !u.is_empty())
                .ok_or_else(|| format!("run {other} has no artifact URI"))?;
            fetch = artifacts::fetch(&run_artifacts, path, &tracking);
        }
        let text = match fetch {
            Fetch::Served(path) => self.client.served_artifact(&path)?,
            Fetch::Url(url) => self.client.text(url)?,
            Fetch::Unreadable(why) => return Err(why),
            Fetch::InRun { .. } => {
                return Err(format!("{location} leads to a run inside a run"));
            }
        };
        signature::columns_of_mlmodel(&text)
    }
}

/// The version with the highest number, and the numbers skipped since they are no numbers.
fn newest(versions: Vec<ModelVersion>) -> (Option<ModelVersion>, Vec<String>) {
    let mut skipped = Vec::new();
    let picked = versions
        .into_iter()
        .filter_map(|v| match v.version.trim().parse::<i64>() {
            Ok(number) => Some((number, v)),
            Err(_) => {
                skipped.push(v.version);
                None
            }
        })
        .max_by_key(|(number, _)| *number)
        .map(|(_, v)| v);
    (picked, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(number: &str) -> ModelVersion {
        ModelVersion {
            version: number.into(),
            source: None,
            run_id: Some(format!("run-{number}")),
        }
    }

    #[test]
    fn the_newest_version_is_the_highest_number() {
        // `latest_versions` lists the newest of each stage, in no particular order.
        let (picked, skipped) = newest(vec![
            version("3"),
            version("10"),
            version("2"),
            version("v4"),
        ]);
        assert_eq!(picked.unwrap().version, "10");
        assert_eq!(skipped, ["v4"]);
        assert!(newest(vec![version("latest")]).0.is_none());
        assert!(newest(Vec::new()).0.is_none());
    }
}
