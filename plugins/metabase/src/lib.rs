//! The Metabase connector (`metabase.wasm`): OpenMetadata's `Metabase` dashboard service, read
//! from Metabase's REST API over the host's wasi:http, to the config's `hostPort` only.
//!
//! - `discover`: the collections (`GET /api/collection`, the root one included), the dashboards
//!   of each (`GET /api/collection/{id}/items?models=dashboard`, as OpenMetadata lists them), kept
//!   by `dashboardFilterPattern` on the name and `projectFilterPattern` on the collection's name;
//!   OpenMetadata's `default` dashboard for the cards on no dashboard; with `includeDataModels`,
//!   one data model per Metabase model (`GET /api/card`, cards of type `model`), kept by
//!   `dataModelFilterPattern` on the name.
//! - `process`: per dashboard one `GET /api/dashboard/{id}`: its cards become charts (returned
//!   before the dashboard, which lists them; `chartFilterPattern` on the card's name), the models
//!   they show or are built on its data models; with `includeOwners` the creator's e-mail
//!   (`GET /api/user/{id}`, cached). `default`: the cards of `GET /api/card` on none of the
//!   dashboards the dashboard filter keeps (one `GET /api/dashboard/{id}` each). Per data model
//!   one `GET /api/card/{id}`: its `result_metadata` as columns, its SQL, and the tables it reads
//!   ([`lineage`]).
//!
//! Names, URLs and types follow OpenMetadata's own Metabase connector (see [`convert`]).

mod api;
mod client;
mod config;
mod convert;
mod lineage;

use std::collections::{BTreeSet, HashMap, HashSet};

use omrun_sdk::log;
use omrun_sdk::types::{
    Capability, Chart, Dashboard, DashboardDataModel, DashboardType, DataModelType, Entity,
    EntityKind, EntityRef, PluginInfo, SourceConfig, UpstreamTable,
};

use client::MetabaseAuth;
use config::Config;
use convert::DEFAULT_DASHBOARD;
use omrun_sdk::http::api::{Api, ApiError};

omrun_sdk::export_discoverable_source!(Metabase);
omrun_sdk::declare_config_keys!(config::KEYS);

pub struct Metabase {
    config: Config,
    api: Api<MetabaseAuth>,
    /// Collection names by id, the root one (`"root"`) included, once listed.
    collections: Option<Vec<(String, Option<String>)>>,
    /// The dashboards `dashboardFilterPattern` keeps, once listed: (id, collection id).
    dashboards: Option<Vec<(String, Option<String>)>>,
    /// Every card (`GET /api/card`), once listed.
    cards: Option<Vec<api::Card>>,
    /// Owners' e-mails by Metabase user id (`None`: the user has none, or is gone).
    owners: HashMap<String, Option<String>>,
    /// Database names by Metabase database id.
    databases: HashMap<String, Option<String>>,
}

impl omrun_sdk::DiscoverableSource for Metabase {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "metabase".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Metabase".into()],
            // The host of the source's own `hostPort`; `info` runs before any config is read.
            capabilities: vec![Capability::Http("source".into())],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let config = Config::parse(
            &config.service_connection,
            &config.source_config,
            &config.secrets,
        )?;
        let auth = MetabaseAuth::new(&config.base_url, config.login.clone());
        let api = Api::new("Metabase", &config.base_url, auth);
        Ok(Self {
            config,
            api,
            collections: None,
            dashboards: None,
            cards: None,
            owners: HashMap::new(),
            databases: HashMap::new(),
        })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        self.refs().map_err(|e| e.to_string())
    }

    fn process_one(&mut self, r: EntityRef) -> Result<Vec<Entity>, String> {
        let [name] = r.path.as_slice() else {
            return Err(format!("a Metabase ref is [name], not {:?}", r.path));
        };
        let result = match r.kind {
            EntityKind::Dashboard if name == DEFAULT_DASHBOARD => self.default_dashboard(),
            EntityKind::Dashboard => self.dashboard(name),
            EntityKind::DashboardDataModel => self.data_model(name).map(|m| vec![m]),
            other => return Err(format!("the Metabase connector has no {other:?} entities")),
        };
        result.map_err(|e| e.to_string())
    }
}

impl Metabase {
    /// What `discover` returns: data models first, then dashboards.
    fn refs(&mut self) -> Result<Vec<EntityRef>, ApiError> {
        let mut refs: Vec<EntityRef> = self
            .data_models()?
            .into_iter()
            .map(|c| EntityRef::data_model(c.id.clone().unwrap_or_default()))
            .collect();
        let models = refs.len();
        let dashboards = self.dashboards()?.to_vec();
        let mut kept = 0;
        for (id, collection) in &dashboards {
            let project = self.collection_name(collection.as_deref())?;
            if self.config.keeps_project(project.as_deref()) {
                refs.push(EntityRef::dashboard(id.clone()));
                kept += 1;
            }
        }
        // OpenMetadata's `default` dashboard, for the cards on none of the dashboards; it makes
        // one only when there are dashboards (and cards left over: found when processed).
        if !dashboards.is_empty()
            && self.config.dashboards.keeps(DEFAULT_DASHBOARD)
            && self.config.keeps_project(Some(DEFAULT_DASHBOARD))
        {
            refs.push(EntityRef::dashboard(DEFAULT_DASHBOARD));
        }
        log::info!("Metabase: {kept} dashboards and {models} data models (models) to ingest");
        Ok(refs)
    }

    /// Every collection, listed once per instance.
    fn collections(&mut self) -> Result<&[(String, Option<String>)], ApiError> {
        if self.collections.is_none() {
            let list: Vec<api::Collection> = self.api.get("/api/collection", &[])?;
            self.collections = Some(list.into_iter().map(|c| (c.id, c.name)).collect());
        }
        Ok(self.collections.as_deref().expect("listed above"))
    }

    /// A collection's name; `None` for the root collection (as OpenMetadata: no project).
    fn collection_name(&mut self, id: Option<&str>) -> Result<Option<String>, ApiError> {
        let Some(id) = id else {
            return Ok(None);
        };
        Ok(self
            .collections()?
            .iter()
            .find(|(c, _)| c == id)
            .and_then(|(_, name)| name.clone()))
    }

    /// The dashboards `dashboardFilterPattern` keeps, collection by collection, listed once per
    /// instance.
    fn dashboards(&mut self) -> Result<&[(String, Option<String>)], ApiError> {
        if self.dashboards.is_none() {
            let collections: Vec<String> = self
                .collections()?
                .iter()
                .map(|(id, _)| id.clone())
                .collect();
            let mut seen = HashSet::new();
            let mut kept = Vec::new();
            for collection in collections {
                let path = format!("/api/collection/{}/items", path_segment(&collection));
                let items: api::Items = self.api.get(&path, &[("models", "dashboard")])?;
                for item in items.data {
                    let name = item.name.as_deref().unwrap_or_default();
                    if !self.config.dashboards.keeps(name) || !seen.insert(item.id.clone()) {
                        continue;
                    }
                    let home = (collection != "root").then(|| collection.clone());
                    kept.push((item.id, home));
                }
            }
            self.dashboards = Some(kept);
        }
        Ok(self.dashboards.as_deref().expect("listed above"))
    }

    /// Every card, listed once per instance.
    fn cards(&mut self) -> Result<&[api::Card], ApiError> {
        if self.cards.is_none() {
            let cards: Vec<api::Card> = self.api.get("/api/card", &[])?;
            self.cards = Some(cards);
        }
        Ok(self.cards.as_deref().expect("listed above"))
    }

    /// The models `dataModelFilterPattern` keeps; none without `includeDataModels`.
    fn data_models(&mut self) -> Result<Vec<api::Card>, ApiError> {
        if !self.config.include_data_models {
            return Ok(Vec::new());
        }
        let filter = self.config.data_models.clone();
        Ok(self
            .cards()?
            .iter()
            .filter(|c| c.is_model() && c.id.is_some() && c.archived != Some(true))
            .filter(|c| filter.keeps(c.name.as_deref().unwrap_or_default()))
            .cloned()
            .collect())
    }

    /// A chart per card with an id and a name that `chartFilterPattern` keeps, each card once.
    fn charts<'a>(&self, cards: impl Iterator<Item = &'a api::Card>) -> Vec<Chart> {
        let mut seen = HashSet::new();
        let mut charts = Vec::new();
        for card in cards {
            let (Some(id), Some(name)) = (&card.id, &card.name) else {
                continue;
            };
            if name.is_empty() || !self.config.charts.keeps(name) || !seen.insert(id.clone()) {
                continue;
            }
            charts.push(Chart {
                name: id.clone(),
                display_name: Some(name.clone()),
                description: card.description.clone().filter(|d| !d.is_empty()),
                chart_type: convert::chart_type(card.display.as_deref()),
                source_url: Some(convert::card_url(&self.config.base_url, id, name)),
                upstream: vec![],
            });
        }
        charts
    }

    /// A dashboard and, before it, its charts.
    fn dashboard(&mut self, id: &str) -> Result<Vec<Entity>, ApiError> {
        let d: api::Dashboard = self
            .api
            .get(&format!("/api/dashboard/{}", path_segment(id)), &[])?;
        let cards: Vec<&api::Card> = d.dashcards.iter().filter_map(|c| c.card.as_ref()).collect();
        let charts = self.charts(cards.iter().copied());
        // The models its cards are, or are built on (`source-table: "card__N"`), that are
        // ingested as data models; every card counts, a chart left out by the filter too.
        let mut used = BTreeSet::new();
        for card in &cards {
            if card.is_model()
                && let Some(id) = &card.id
            {
                used.insert(id.clone());
            }
            for source in card.source_tables() {
                if let Some(model) = source.strip_prefix("card__") {
                    used.insert(model.to_owned());
                }
            }
        }
        let data_models = if used.is_empty() {
            Vec::new()
        } else {
            let known: HashSet<String> = self
                .data_models()?
                .into_iter()
                .filter_map(|c| c.id)
                .collect();
            used.into_iter().filter(|m| known.contains(m)).collect()
        };
        let owners = match (&d.creator_id, self.config.include_owners) {
            (Some(user), true) => self.owner(user).into_iter().collect(),
            _ => Vec::new(),
        };
        let project = self.collection_name(d.collection_id.as_deref())?;
        let name = d.name.unwrap_or_default();
        let mut entities: Vec<Entity> = Vec::with_capacity(charts.len() + 1);
        let chart_names = charts.iter().map(|c| c.name.clone()).collect();
        entities.extend(charts.into_iter().map(Entity::Chart));
        entities.push(Entity::Dashboard(Dashboard {
            source_url: Some(convert::dashboard_url(&self.config.base_url, &d.id, &name)),
            name: d.id,
            display_name: Some(name).filter(|n| !n.is_empty()),
            description: d.description.filter(|t| !t.is_empty()),
            dashboard_type: DashboardType::Dashboard,
            project,
            charts: chart_names,
            data_models,
            owners,
            upstream: vec![],
        }));
        Ok(entities)
    }

    /// OpenMetadata's `default` dashboard: the cards on none of the dashboards the dashboard
    /// filter keeps, in `GET /api/card`'s order; nothing when there are none.
    fn default_dashboard(&mut self) -> Result<Vec<Entity>, ApiError> {
        let ids: Vec<String> = self
            .dashboards()?
            .iter()
            .map(|(id, _)| id.clone())
            .collect();
        let mut shown = HashSet::new();
        for id in ids {
            let d: api::Dashboard = self
                .api
                .get(&format!("/api/dashboard/{}", path_segment(&id)), &[])?;
            shown.extend(d.dashcards.into_iter().filter_map(|c| c.card?.id));
        }
        let orphans: Vec<api::Card> = self
            .cards()?
            .iter()
            .filter(|c| c.id.as_ref().is_some_and(|id| !shown.contains(id)))
            .cloned()
            .collect();
        if orphans.is_empty() {
            return Ok(Vec::new());
        }
        let charts = self.charts(orphans.iter());
        let chart_names = charts.iter().map(|c| c.name.clone()).collect();
        let mut entities: Vec<Entity> = charts.into_iter().map(Entity::Chart).collect();
        entities.push(Entity::Dashboard(Dashboard {
            name: DEFAULT_DASHBOARD.into(),
            display_name: None,
            description: None,
            dashboard_type: DashboardType::Dashboard,
            // OpenMetadata's connector writes an empty source URL for it; there is no page.
            source_url: None,
            project: Some(DEFAULT_DASHBOARD.into()),
            charts: chart_names,
            data_models: Vec::new(),
            owners: Vec::new(),
            upstream: vec![],
        }));
        Ok(entities)
    }

    /// A user's e-mail, lower-cased as OpenMetadata matches it; asked once per user. A user that
    /// cannot be read leaves the dashboard without owner, with a warning (as OpenMetadata).
    fn owner(&mut self, user: &str) -> Option<String> {
        if let Some(known) = self.owners.get(user) {
            return known.clone();
        }
        let path = format!("/api/user/{}", path_segment(user));
        match self.api.get::<api::User>(&path, &[]) {
            Ok(u) => {
                let email = u.email.filter(|e| !e.is_empty()).map(|e| e.to_lowercase());
                self.owners.insert(user.to_owned(), email.clone());
                email
            }
            Err(e) => {
                log::warn!("Metabase: no owner for user {user}: {e}");
                None
            }
        }
    }

    fn data_model(&mut self, id: &str) -> Result<Entity, ApiError> {
        let card: api::Card = self
            .api
            .get(&format!("/api/card/{}", path_segment(id)), &[])?;
        let name = card.name.clone().unwrap_or_default();
        let upstream = self.upstream(&card);
        log::debug!("Metabase: model {id} reads {upstream:?}");
        Ok(Entity::DashboardDataModel(DashboardDataModel {
            name: id.to_owned(),
            display_name: Some(name.clone()).filter(|n| !n.is_empty()),
            description: card.description.clone().filter(|d| !d.is_empty()),
            data_model_type: DataModelType::MetabaseDataModel,
            columns: convert::columns(card.result_metadata.as_deref().unwrap_or_default()),
            sql: card.native_sql().map(str::to_owned),
            project: self.collection_name(card.collection_id.as_deref())?,
            source_url: Some(convert::model_url(&self.config.base_url, id, &name)),
            upstream,
        }))
    }

    /// The database tables a card reads (see [`lineage`]). What cannot be read is left out,
    /// with a warning: lineage never fails an entity.
    fn upstream(&mut self, card: &api::Card) -> Vec<UpstreamTable> {
        match card.query_type() {
            Some("native") => {
                let database = card.database_id.as_deref().and_then(|db| self.database(db));
                lineage::native_upstream(card.native_sql().unwrap_or_default(), database.as_deref())
            }
            Some("query") => {
                let metadata = card.result_metadata.as_deref().unwrap_or_default();
                let mut out = Vec::new();
                for source in card.source_tables() {
                    if source.starts_with("card__") {
                        continue;
                    }
                    let path = format!("/api/table/{}", path_segment(&source));
                    match self.api.get::<api::Table>(&path, &[]) {
                        Ok(t) => {
                            let Some(table) = t.name.or(t.display_name) else {
                                continue;
                            };
                            let columns: Vec<(String, String)> = metadata
                                .iter()
                                .filter(|c| c.table_id.as_deref() == Some(source.as_str()))
                                .filter_map(|c| c.name.clone().map(|n| (n.clone(), n)))
                                .collect();
                            let database = t.db.and_then(|db| db.name());
                            out.push(
                                UpstreamTable::new(database, t.schema, table).with_columns(columns),
                            );
                        }
                        Err(e) => log::warn!("Metabase: table {source} of card lineage: {e}"),
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// A database's name in its engine, asked once per database.
    fn database(&mut self, id: &str) -> Option<String> {
        if let Some(known) = self.databases.get(id) {
            return known.clone();
        }
        let path = format!("/api/database/{}", path_segment(id));
        let name = match self.api.get::<api::Database>(&path, &[]) {
            Ok(db) => db.name(),
            Err(e) => {
                log::warn!("Metabase: database {id}: {e}");
                None
            }
        };
        self.databases.insert(id.to_owned(), name.clone());
        name
    }
}

/// Percent-encodes what a path segment cannot hold as is.
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
