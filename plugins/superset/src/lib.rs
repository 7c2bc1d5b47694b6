//! The Superset connector (`superset.wasm`): OpenMetadata's `Superset` dashboard service through
//! Superset's REST API (OpenMetadata's "API source": `connection: {provider, username,
//! password}`), over the host's wasi:http, to the config's `hostPort` only.
//!
//! - `discover`: the dashboards (`GET /api/v1/dashboard/`, page by page; kept by
//!   `dashboardFilterPattern` on the title and `includeDraftDashboard`) and, with
//!   `includeDataModels`, one data model per dataset a chart of a kept dashboard draws on (`GET
//!   /api/v1/chart/`, kept by `dataModelFilterPattern` on the table name), named by the dataset's
//!   id as OpenMetadata names them.
//! - `process`: per dashboard one `GET /api/v1/dashboard/{id}` for its layout, whose charts
//!   (from the chart listing, made once per instance) are returned before the dashboard; its
//!   owners' e-mails from the listing. Per data model one `GET /api/v1/dataset/{id}`: its
//!   columns, typed as OpenMetadata types them, its SQL, and the tables it reads as its
//!   `upstream` ([`lineage`]; one `GET /api/v1/database/{id}/connection` per database for their
//!   name).
//!
//! Names follow OpenMetadata's own Superset connector (see [`convert`]), so existing FQNs stay.

mod api;
mod client;
mod config;
mod convert;
mod lineage;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use omrun_sdk::log;
use omrun_sdk::types::{
    Capability, Chart, Dashboard, DashboardDataModel, DashboardType, DataModelType, Entity,
    EntityKind, EntityRef, PluginInfo, SourceConfig,
};

use client::Client;
use config::Config;

omrun_sdk::export_discoverable_source!(Superset);
omrun_sdk::declare_config_keys!(config::KEYS);

pub struct Superset {
    config: Config,
    client: Client,
    /// The kept dashboards by id, once listed (by `discover`, or by a worker's first dashboard).
    dashboards: Option<BTreeMap<i64, api::DashboardListed>>,
    /// Every chart by id, once listed.
    charts: Option<HashMap<i64, api::Chart>>,
    /// The kept data models: dataset id → table name, once worked out.
    data_models: Option<BTreeMap<i64, String>>,
    /// Database names by Superset database id (`None`: its connection names none).
    databases: HashMap<i64, Option<String>>,
}

impl omrun_sdk::DiscoverableSource for Superset {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "superset".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Superset".into()],
            // The host of the source's own `hostPort`; `info` runs before any config is read.
            capabilities: vec![Capability::Http("source".into())],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let config = Config::parse(&config.service_connection, &config.source_config)?;
        let client = Client::new(&config.base_url, &config.provider, &config.username);
        Ok(Self {
            config,
            client,
            dashboards: None,
            charts: None,
            data_models: None,
            databases: HashMap::new(),
        })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        let mut refs: Vec<EntityRef> = self
            .data_models()?
            .keys()
            .map(|id| EntityRef::data_model(id.to_string()))
            .collect();
        let models = refs.len();
        refs.extend(
            self.dashboards()?
                .keys()
                .map(|id| EntityRef::dashboard(id.to_string())),
        );
        log::info!(
            "Superset: {} dashboards and {models} data models (datasets) to ingest",
            refs.len() - models
        );
        Ok(refs)
    }

    fn process_one(&mut self, r: EntityRef) -> Result<Vec<Entity>, String> {
        let [name] = r.path.as_slice() else {
            return Err(format!("a Superset ref is [id], not {:?}", r.path));
        };
        let id: i64 = name
            .parse()
            .map_err(|_| format!("a Superset id is a number, not `{name}`"))?;
        match r.kind {
            EntityKind::Dashboard => self.dashboard(id),
            EntityKind::DashboardDataModel => self.data_model(id).map(|m| vec![m]),
            other => Err(format!("the Superset connector has no {other:?} entities")),
        }
    }
}

impl Superset {
    /// The kept dashboards, listed once per instance.
    fn dashboards(&mut self) -> Result<&BTreeMap<i64, api::DashboardListed>, String> {
        if self.dashboards.is_none() {
            let listed: Vec<api::DashboardListed> = self.client.list(
                "/dashboard/",
                api::DASHBOARD_LIST_COLUMNS,
                |d: &api::DashboardListed| d.id,
            )?;
            let kept = listed
                .into_iter()
                .filter(|d| self.config.include_drafts || d.published.unwrap_or(false))
                // OpenMetadata filters on the title.
                .filter(|d| {
                    self.config
                        .dashboards
                        .keeps(d.dashboard_title.as_deref().unwrap_or_default())
                })
                .map(|d| (d.id, d))
                .collect();
            self.dashboards = Some(kept);
        }
        Ok(self.dashboards.as_ref().expect("listed above"))
    }

    /// Every chart, listed once per instance.
    fn charts(&mut self) -> Result<&HashMap<i64, api::Chart>, String> {
        if self.charts.is_none() {
            let listed: Vec<api::Chart> =
                self.client
                    .list("/chart/", api::CHART_LIST_COLUMNS, |c: &api::Chart| c.id)?;
            self.charts = Some(listed.into_iter().map(|c| (c.id, c)).collect());
        }
        Ok(self.charts.as_ref().expect("listed above"))
    }

    /// The datasets the charts of kept dashboards draw on, kept by `dataModelFilterPattern`;
    /// none without `includeDataModels`. Which charts a dashboard has is read from each chart's
    /// dashboards in the chart listing (the layouts would take a call per dashboard).
    fn data_models(&mut self) -> Result<&BTreeMap<i64, String>, String> {
        if self.data_models.is_none() {
            let mut kept = BTreeMap::new();
            if self.config.include_data_models {
                let dashboards: BTreeSet<i64> = self.dashboards()?.keys().copied().collect();
                self.charts()?;
                let charts = self.charts.as_ref().expect("listed above");
                for chart in charts.values() {
                    let on_kept = chart
                        .dashboards
                        .iter()
                        .flatten()
                        .any(|d| dashboards.contains(&d.id));
                    if !on_kept {
                        continue;
                    }
                    let (Some(dataset), Some(table)) = (
                        chart.datasource_id,
                        chart.table.as_ref().and_then(|t| t.table_name.clone()),
                    ) else {
                        continue;
                    };
                    if chart.datasource_type.as_deref().unwrap_or("table") == "table"
                        && self.config.data_models.keeps(&table)
                    {
                        kept.insert(dataset, table);
                    }
                }
            }
            self.data_models = Some(kept);
        }
        Ok(self.data_models.as_ref().expect("worked out above"))
    }

    /// A dashboard and, before it, its charts.
    fn dashboard(&mut self, id: i64) -> Result<Vec<Entity>, String> {
        let Some(listed) = self.dashboards()?.get(&id).cloned() else {
            return Err(format!(
                "no Superset dashboard {id} (or the filters leave it out)"
            ));
        };
        let d: api::One<api::Dashboard> = self.client.get(&format!("/dashboard/{id}"), None)?;
        let placed = convert::charts_of_layout(d.result.position_json.as_deref())
            .map_err(|e| format!("dashboard {id}: {e}"))?;
        let base = self.config.base_url.clone();
        let mut entities = Vec::with_capacity(placed.len() + 1);
        let mut charts = Vec::new();
        let mut datasets = BTreeSet::new();
        self.charts()?;
        let all = self.charts.as_ref().expect("listed above");
        for chart_id in &placed {
            let Some(c) = all.get(chart_id) else {
                log::warn!("Superset dashboard {id}: chart {chart_id} not found, left out");
                continue;
            };
            if let Some(ds) = c.datasource_id {
                datasets.insert(ds);
            }
            if !self
                .config
                .charts
                .keeps(c.slice_name.as_deref().unwrap_or_default())
            {
                continue;
            }
            let name = c.id.to_string();
            if charts.contains(&name) {
                continue;
            }
            charts.push(name.clone());
            entities.push(Entity::Chart(Chart {
                name,
                display_name: c.slice_name.clone(),
                description: c.description.clone().filter(|d| !d.is_empty()),
                chart_type: convert::chart_type(c.viz_type.as_deref()),
                source_url: c.url.as_ref().map(|u| format!("{base}{u}")),
                upstream: vec![],
            }));
        }
        let known = self.data_models()?;
        let data_models = datasets
            .into_iter()
            .filter(|ds| known.contains_key(ds))
            .map(|ds| ds.to_string())
            .collect();
        let owners = if self.config.include_owners {
            listed
                .owners
                .iter()
                .flatten()
                .filter_map(|o| o.email.clone())
                .filter(|e| !e.is_empty())
                .collect()
        } else {
            Vec::new()
        };
        log::debug!("Superset dashboard {id}: owners {owners:?}");
        entities.push(Entity::Dashboard(Dashboard {
            name: id.to_string(),
            display_name: listed.dashboard_title,
            description: None,
            dashboard_type: DashboardType::Dashboard,
            source_url: listed.url.map(|u| format!("{base}{u}")),
            project: None,
            charts,
            data_models,
            owners,
            upstream: vec![],
        }));
        Ok(entities)
    }

    fn data_model(&mut self, id: i64) -> Result<Entity, String> {
        let q = format!("(columns:!({}))", api::DATASET_COLUMNS);
        let d: api::One<api::Dataset> = self.client.get(&format!("/dataset/{id}"), Some(&q))?;
        let d = d.result;
        let label = d.table_name.clone().unwrap_or_else(|| id.to_string());
        let (columns, left_out) = convert::columns(d.columns.as_deref().unwrap_or_default());
        for why in left_out {
            log::warn!("Superset dataset {id} ({label}): {why}");
        }
        let names: Vec<String> = columns
            .iter()
            .filter(|c| c.parent.is_none())
            .map(|c| c.name.clone())
            .collect();
        let database = match d.database.as_ref().and_then(|db| db.id) {
            Some(db) => self.database_name(db),
            None => None,
        }
        .or_else(|| d.catalog.clone());
        let upstream = lineage::upstream(
            database.as_deref(),
            d.schema.as_deref(),
            d.table_name.as_deref(),
            d.sql.as_deref(),
            &names,
        );
        log::debug!("Superset dataset {id} ({label}) reads {upstream:?}");
        Ok(Entity::DashboardDataModel(DashboardDataModel {
            name: d.id.to_string(),
            display_name: d.table_name,
            description: d.description.filter(|t| !t.is_empty()),
            data_model_type: DataModelType::SupersetDataModel,
            columns,
            sql: d.sql.filter(|s| !s.is_empty()),
            project: None,
            source_url: d.url.map(|u| format!("{}{u}", self.config.base_url)),
            upstream,
        }))
    }

    /// The database a Superset database connects to, as Superset parses its SQLAlchemy URI;
    /// asked once per database. One that cannot be read is `None`, with a warning.
    fn database_name(&mut self, id: i64) -> Option<String> {
        if let Some(known) = self.databases.get(&id) {
            return known.clone();
        }
        let name = match self
            .client
            .get::<api::One<api::Connection>>(&format!("/database/{id}/connection"), None)
        {
            Ok(c) => c.result.parameters.and_then(|p| p.database),
            Err(e) => {
                log::warn!("Superset: no database name for database {id}: {e}");
                None
            }
        };
        self.databases.insert(id, name.clone());
        name
    }
}
