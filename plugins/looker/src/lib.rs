//! The Looker connector (`looker.wasm`): OpenMetadata's `Looker` dashboard service, read from Looker
//! API 4.0 over the host's wasi:http, to the config's `hostPort` only.
//!
//! - `discover`: the dashboards' ids (`GET /dashboards?fields=id,title`, kept by
//!   `dashboardFilterPattern` on the title) and, with `includeDataModels`, one data model per
//!   LookML explore (`GET /lookml_models?fields=name,explores(name)`), named `<model>_<explore>`.
//! - `process`: per dashboard one `GET /dashboards/{id}`: its elements become charts (returned
//!   before the dashboard, which lists them) and the explores their queries use its data
//!   models; with `includeOwners` the owner's e-mail (`GET /users/{id}`, cached). Per data model
//!   one `GET /lookml_models/{model}/explores/{explore}`: its dimensions and measures as columns.
//!
//! Names follow OpenMetadata's own Looker connector (see [`convert`]), so existing FQNs stay.

mod api;
mod client;
mod config;
mod convert;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use omrun_sdk::log;
use omrun_sdk::types::{
    Capability, Chart, Dashboard, DashboardDataModel, DashboardType, DataModelType, Entity,
    EntityKind, EntityRef, PluginInfo, SourceConfig,
};

use client::Client;
use config::Config;

omrun_sdk::export_discoverable_source!(Looker);
omrun_sdk::declare_config_keys!(config::KEYS);

pub struct Looker {
    config: Config,
    client: Client,
    /// Kept dashboards' entity names → Looker ids, once listed (by `discover`, or by a worker
    /// that meets a name it cannot map back by itself).
    dashboard_ids: Option<HashMap<String, String>>,
    /// Kept data models' names → (model, explore), once listed.
    data_models: Option<BTreeMap<String, (String, String)>>,
    /// Owners' e-mails by Looker user id (`None`: the user has none, or is gone).
    owners: HashMap<String, Option<String>>,
}

impl omrun_sdk::DiscoverableSource for Looker {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "looker".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Looker".into()],
            // The host of the source's own `hostPort`; `info` runs before any config is read.
            capabilities: vec![Capability::Http("source".into())],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let config = Config::parse(&config.service_connection, &config.source_config)?;
        let client = Client::new(&config.base_url, &config.client_id);
        Ok(Self {
            config,
            client,
            dashboard_ids: None,
            data_models: None,
            owners: HashMap::new(),
        })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        let mut refs: Vec<EntityRef> = if self.config.include_data_models {
            self.data_models()?
                .keys()
                .map(EntityRef::data_model)
                .collect()
        } else {
            Vec::new()
        };
        let models = refs.len();
        let dashboards = self.dashboard_ids()?;
        let mut names: Vec<&String> = dashboards.keys().collect();
        names.sort();
        refs.extend(names.into_iter().map(EntityRef::dashboard));
        log::info!(
            "Looker: {} dashboards and {models} data models (explores) to ingest",
            refs.len() - models
        );
        Ok(refs)
    }

    fn process_one(&mut self, r: EntityRef) -> Result<Vec<Entity>, String> {
        let [name] = r.path.as_slice() else {
            return Err(format!("a Looker ref is [name], not {:?}", r.path));
        };
        match r.kind {
            EntityKind::Dashboard => self.dashboard(name),
            EntityKind::DashboardDataModel => self.data_model(name).map(|m| vec![m]),
            other => Err(format!("the Looker connector has no {other:?} entities")),
        }
    }
}

impl Looker {
    /// The kept dashboards, listed once per instance.
    fn dashboard_ids(&mut self) -> Result<&HashMap<String, String>, String> {
        if self.dashboard_ids.is_none() {
            let list: Vec<api::DashboardBase> = self
                .client
                .get("/dashboards", &[("fields", api::LIST_DASHBOARD_FIELDS)])?;
            let kept = list
                .into_iter()
                // OpenMetadata filters on the title, or the id of an untitled dashboard.
                .filter(|d| {
                    self.config
                        .dashboards
                        .keeps(d.title.as_deref().unwrap_or(&d.id))
                })
                .map(|d| (convert::dashboard_name(&d.id), d.id))
                .collect();
            self.dashboard_ids = Some(kept);
        }
        Ok(self.dashboard_ids.as_ref().expect("listed above"))
    }

    /// The kept data models, listed once per instance; empty without `includeDataModels`.
    fn data_models(&mut self) -> Result<&BTreeMap<String, (String, String)>, String> {
        if self.data_models.is_none() {
            let mut kept = BTreeMap::new();
            if self.config.include_data_models {
                let models: Vec<api::LookmlModel> = self
                    .client
                    .get("/lookml_models", &[("fields", api::LIST_MODEL_FIELDS)])?;
                for model in models {
                    for explore in model.explores.into_iter().flatten() {
                        let name = convert::data_model_name(&model.name, &explore.name);
                        if self.config.data_models.keeps(&name) {
                            kept.insert(name, (model.name.clone(), explore.name));
                        }
                    }
                }
            }
            self.data_models = Some(kept);
        }
        Ok(self.data_models.as_ref().expect("listed above"))
    }

    /// The Looker id behind a dashboard's name. A user-defined dashboard's id is a number, its
    /// name the same; only a LookML dashboard's (`model::name`, named `model_name`) needs the
    /// listing, which a worker that did not discover makes once.
    fn dashboard_id(&mut self, name: &str) -> Result<String, String> {
        if let Some(id) = self.dashboard_ids.as_ref().and_then(|ids| ids.get(name)) {
            return Ok(id.clone());
        }
        if name.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(name.to_owned());
        }
        Ok(self
            .dashboard_ids()?
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned()))
    }

    /// A dashboard and, before it, its charts.
    fn dashboard(&mut self, name: &str) -> Result<Vec<Entity>, String> {
        let id = self.dashboard_id(name)?;
        let d: api::Dashboard = self.client.get(
            &format!("/dashboards/{}", path_segment(&id)),
            &[("fields", api::DASHBOARD_FIELDS)],
        )?;
        let elements = d.dashboard_elements.unwrap_or_default();
        let mut entities = Vec::with_capacity(elements.len() + 1);
        let mut charts = Vec::new();
        for e in &elements {
            let Some(chart_id) = e.id.clone() else {
                continue;
            };
            // Like dashboards: the title, or the id of an untitled tile.
            if !self
                .config
                .charts
                .keeps(e.title.as_deref().unwrap_or(&chart_id))
            {
                continue;
            }
            charts.push(chart_id.clone());
            entities.push(Entity::Chart(Chart {
                name: chart_id,
                display_name: e.title.clone().filter(|t| !t.is_empty()),
                description: convert::chart_description(e),
                chart_type: convert::chart_type(e),
                source_url: e.queries().find_map(|q| q.share_url.clone()),
                upstream: vec![],
            }));
        }
        // The explores its tiles query, those ingested as data models (all tiles: a chart left
        // out by the filter still draws on its explore).
        let mut used = BTreeSet::new();
        for q in elements.iter().flat_map(api::Element::queries) {
            if let (Some(model), Some(explore)) = (&q.model, &q.view) {
                used.insert(convert::data_model_name(model, explore));
            }
        }
        let known = self.data_models()?;
        let data_models = used.into_iter().filter(|m| known.contains_key(m)).collect();
        let owners = match (&d.user_id, self.config.include_owners) {
            (Some(user), true) => self.owner(user).into_iter().collect(),
            _ => Vec::new(),
        };
        entities.push(Entity::Dashboard(Dashboard {
            name: convert::dashboard_name(&d.id),
            display_name: d.title.filter(|t| !t.is_empty()),
            description: d.description.filter(|t| !t.is_empty()),
            dashboard_type: DashboardType::Dashboard,
            source_url: Some(format!("{}/dashboards/{}", self.config.base_url, d.id)),
            project: d.folder.and_then(|f| f.name),
            charts,
            data_models,
            owners,
            upstream: vec![],
        }));
        Ok(entities)
    }

    /// A user's e-mail, lower-cased as OpenMetadata matches it; asked once per user. A user that
    /// cannot be read leaves the dashboard without owner, with a warning.
    fn owner(&mut self, user: &str) -> Option<String> {
        if let Some(known) = self.owners.get(user) {
            return known.clone();
        }
        let path = format!("/users/{}", path_segment(user));
        match self.client.get::<api::User>(&path, &[("fields", "email")]) {
            Ok(u) => {
                let email = u.email.filter(|e| !e.is_empty()).map(|e| e.to_lowercase());
                self.owners.insert(user.to_owned(), email.clone());
                email
            }
            Err(e) => {
                log::warn!("Looker: no owner for user {user}: {e}");
                None
            }
        }
    }

    fn data_model(&mut self, name: &str) -> Result<Entity, String> {
        let Some((model, explore)) = self.data_models()?.get(name).cloned() else {
            return Err(format!(
                "no LookML explore named {name} (or the filter leaves it out)"
            ));
        };
        let path = format!(
            "/lookml_models/{}/explores/{}",
            path_segment(&model),
            path_segment(&explore)
        );
        let x: api::Explore = self.client.get(&path, &[("fields", api::EXPLORE_FIELDS)])?;
        Ok(Entity::DashboardDataModel(DashboardDataModel {
            name: name.to_owned(),
            // As OpenMetadata's connector: the explore's name.
            display_name: Some(x.name),
            description: x.description.filter(|d| !d.is_empty()),
            data_model_type: DataModelType::LookMlExplore,
            columns: convert::columns(x.fields.as_ref()),
            sql: x.sql_table_name.filter(|s| !s.is_empty()),
            project: x
                .project_name
                .filter(|p| !p.is_empty())
                .or(Some(model.clone())),
            source_url: Some(format!(
                "{}/explore/{}/{}",
                self.config.base_url,
                path_segment(&model),
                path_segment(&explore)
            )),
            // Lineage (the explore's `sql_table_name`s) is not read yet.
            upstream: vec![],
        }))
    }
}

/// Percent-encodes what a path segment cannot hold as is (LookML ids carry `::`, which may stay).
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
