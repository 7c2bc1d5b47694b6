//! The Power BI connector (`powerbi.wasm`): OpenMetadata's `PowerBI` dashboard service, read from
//! the Power BI REST API with a Microsoft Entra ID app's client credentials, over the host's
//! wasi:http to the config's `apiURL` and `authorityURI` only.
//!
//! **Discovery and processing.** Power BI's metadata comes in one big answer per group of
//! workspaces: with `useAdminApis` (the default) the admin scanner API — list the workspaces
//! (`GET admin/groups`, `$top`/`$skip` pages), keep those `projectFilterPattern` keeps, scan them
//! 100 at a time (`POST admin/workspaces/getInfo`, poll `scanStatus/{id}` until `Succeeded`, `GET
//! scanResult/{id}`) — else the per-workspace API (`GET groups`, then each workspace's dashboards
//! and their tiles, reports, datasets and their tables). Either way `discover` reads it all: the
//! names it returns (Power BI ids) come from it, and a dashboard cannot be found by id alone
//! (its workspace is needed). The instance keeps the workspaces it read, so `process` answers
//! from memory and makes only the per-entity calls: a report's pages (`GET groups/{g}/reports/{r}/
//! pages`, its charts and URL) and a dataflow's definition (`GET admin/dataflows/{id}/export`, its
//! columns). A worker that did not discover (local workers, Argo pods) reads the workspaces once
//! itself, the first time it meets a name. A scan id could not be handed over instead: a ref is
//! only a name.
//!
//! - Data models (`includeDataModels`): datasets (`PowerBIDataModel`, their tables with columns
//!   and measures as columns), dataflows (`PowerBIDataFlow`), datamarts (`PowerBIDatamart`).
//! - Dashboards: reports (`Report`, their pages as charts) and dashboards (`Dashboard`, their tiles
//!   as charts), `project` the workspace's name; owners (`includeOwners`) by e-mail.
//!
//! Names, URLs and owners follow OpenMetadata's own Power BI connector (see [`convert`]).

mod api;
mod client;
mod config;
mod convert;
mod lineage;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use omrun_sdk::log;
use omrun_sdk::types::{
    Capability, Chart, ChartType, Dashboard, DashboardDataModel, DashboardType, DataModelType,
    Entity, EntityKind, EntityRef, PluginInfo, SourceConfig,
};

use api::Workspace;
use client::Client;
use config::Config;

omrun_sdk::export_discoverable_source!(PowerBi);
omrun_sdk::declare_config_keys!(config::KEYS);

/// What a scan asks for: everything OpenMetadata's connector asks for.
const SCAN_FLAGS: &str = "datasetExpressions=True&datasetSchema=True&datasourceDetails=True\
    &getArtifactUsers=True&lineage=True";
/// How long a scan may take (OpenMetadata's `wait_for_scan_complete` timeout).
const SCAN_TIMEOUT: Duration = Duration::from_secs(180);
/// The longest pause between two status polls (OpenMetadata polls every 3 s).
const MAX_POLL_WAIT: Duration = Duration::from_secs(3);

pub struct PowerBi {
    config: Config,
    client: Client,
    /// The workspaces read and their kept items, once per instance.
    catalog: Option<Catalog>,
}

/// Where an item is: its workspace's index and its own in that workspace's list.
#[derive(Debug, Clone, Copy)]
enum Item {
    Report(usize, usize),
    Dashboard(usize, usize),
    Dataset(usize, usize),
    Dataflow(usize, usize),
    Datamart(usize, usize),
}

struct Catalog {
    workspaces: Vec<Workspace>,
    /// Kept items by id (the entity name).
    items: HashMap<String, Item>,
    /// Kept data models, then kept dashboards, in the order read.
    data_models: Vec<String>,
    dashboards: Vec<String>,
}

impl omrun_sdk::DiscoverableSource for PowerBi {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "powerbi".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["PowerBI".into()],
            // The API and the authority, with OpenMetadata's defaults; `hostPort` (the web app)
            // only names the source URLs.
            capabilities: vec![
                Capability::Http("{apiURL|https://api.powerbi.com}".into()),
                Capability::Http("{authorityURI|https://login.microsoftonline.com/}".into()),
            ],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let config = Config::parse(&config.service_connection, &config.source_config)?;
        let client = client::new(&config);
        Ok(Self {
            config,
            client,
            catalog: None,
        })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        let catalog = self.catalog()?;
        let mut refs: Vec<EntityRef> = catalog
            .data_models
            .iter()
            .map(EntityRef::data_model)
            .collect();
        refs.extend(catalog.dashboards.iter().map(EntityRef::dashboard));
        log::info!(
            "Power BI: {} dashboards and reports and {} data models in {} workspaces to ingest",
            catalog.dashboards.len(),
            catalog.data_models.len(),
            catalog.workspaces.len()
        );
        Ok(refs)
    }

    fn process_one(&mut self, r: EntityRef) -> Result<Vec<Entity>, String> {
        let [name] = r.path.as_slice() else {
            return Err(format!("a Power BI ref is [name], not {:?}", r.path));
        };
        let item = self.catalog()?.items.get(name).copied().ok_or_else(|| {
            format!("no Power BI item with id {name} (or the filters leave it out)")
        })?;
        match (r.kind, item) {
            (EntityKind::Dashboard, Item::Report(w, i)) => self.report(w, i),
            (EntityKind::Dashboard, Item::Dashboard(w, i)) => Ok(self.dashboard(w, i)),
            (
                EntityKind::DashboardDataModel,
                Item::Dataset(..) | Item::Dataflow(..) | Item::Datamart(..),
            ) => Ok(vec![self.data_model(item)]),
            (kind, _) => Err(format!("Power BI item {name} is no {kind:?}")),
        }
    }
}

impl PowerBi {
    /// The workspaces and their kept items, read once per instance.
    fn catalog(&mut self) -> Result<&Catalog, String> {
        if self.catalog.is_none() {
            let started = Instant::now();
            let workspaces = if self.config.use_admin_apis {
                self.scanned_workspaces()?
            } else {
                self.workspaces_one_by_one()?
            };
            let catalog = self.index(workspaces);
            log::debug!("Power BI: workspaces read in {:?}", started.elapsed());
            self.catalog = Some(catalog);
        }
        Ok(self.catalog.as_ref().expect("read above"))
    }

    /// The workspaces `projectFilterPattern` keeps, `$top`/`$skip` page by page.
    fn groups(&mut self) -> Result<Vec<api::Group>, String> {
        let path = if self.config.use_admin_apis {
            "/admin/groups"
        } else {
            "/groups"
        };
        let top = self.config.page_size.to_string();
        let mut all = Vec::new();
        loop {
            let skip = all.len().to_string();
            let page: api::Groups = self
                .client
                .get(path, &[("$top", top.as_str()), ("$skip", skip.as_str())])?;
            let got = page.value.len();
            all.extend(page.value);
            // Without `@odata.count`, a short page is the last.
            let done = match page.count {
                Some(count) => all.len() >= count,
                None => got < self.config.page_size as usize,
            };
            if got == 0 || done {
                break;
            }
        }
        let listed = all.len();
        all.retain(|g| {
            self.config
                .projects
                .keeps(g.name.as_deref().unwrap_or_default())
        });
        log::info!(
            "Power BI: {} of {listed} workspaces kept by projectFilterPattern",
            all.len()
        );
        Ok(all)
    }

    /// Admin: every kept workspace scanned, `scan_size` a scan; the active ones.
    fn scanned_workspaces(&mut self) -> Result<Vec<Workspace>, String> {
        let groups = self.groups()?;
        let ids: Vec<String> = groups.into_iter().map(|g| g.id).collect();
        let mut workspaces = Vec::new();
        let chunks: Vec<&[String]> = ids.chunks(self.config.scan_size).collect();
        for (n, chunk) in chunks.iter().enumerate() {
            log::info!(
                "Power BI: scanning {} workspaces ({} of {})",
                chunk.len(),
                n + 1,
                chunks.len()
            );
            let result = self.scan(chunk)?;
            let scanned = result.workspaces.len();
            workspaces.extend(
                result
                    .workspaces
                    .into_iter()
                    .filter(|w| w.state.as_deref() == Some("Active")),
            );
            if scanned < chunk.len() {
                log::warn!(
                    "Power BI: a scan of {} workspaces returned {scanned}",
                    chunk.len()
                );
            }
        }
        Ok(workspaces)
    }

    /// One scan: started, polled until it succeeds, read.
    fn scan(&mut self, ids: &[String]) -> Result<api::ScanResult, String> {
        let body = serde_json::json!({ "workspaces": ids });
        let started: api::Scan = self
            .client
            .post(&format!("/admin/workspaces/getInfo?{SCAN_FLAGS}"), &body)?;
        let since = Instant::now();
        let mut wait = Duration::from_millis(250);
        loop {
            let status: api::Scan = self
                .client
                .get(&format!("/admin/workspaces/scanStatus/{}", started.id), &[])?;
            match status.status.as_deref() {
                Some(s) if s.eq_ignore_ascii_case("succeeded") => break,
                Some(s) if s.eq_ignore_ascii_case("failed") => {
                    return Err(format!("Power BI scan {} failed", started.id));
                }
                _ if since.elapsed() > SCAN_TIMEOUT => {
                    return Err(format!(
                        "Power BI scan {} did not succeed within {SCAN_TIMEOUT:?}",
                        started.id
                    ));
                }
                _ => {
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(MAX_POLL_WAIT);
                }
            }
        }
        Ok(self
            .client
            .get(&format!("/admin/workspaces/scanResult/{}", started.id), &[])?)
    }

    /// Without admin rights: each kept workspace's items, call by call, as OpenMetadata reads
    /// them (dashboards and their tiles, reports, datasets and their tables).
    fn workspaces_one_by_one(&mut self) -> Result<Vec<Workspace>, String> {
        let groups = self.groups()?;
        let mut workspaces = Vec::with_capacity(groups.len());
        for g in groups {
            let base = format!("/groups/{}", g.id);
            let mut dashboards: Vec<api::Dashboard> = self
                .client
                .get::<api::List<_>>(&format!("{base}/dashboards"), &[])?
                .value;
            for d in &mut dashboards {
                let tiles: api::List<api::Tile> = self
                    .client
                    .get(&format!("{base}/dashboards/{}/tiles", d.id), &[])?;
                d.tiles = tiles.value;
            }
            let reports = self
                .client
                .get::<api::List<_>>(&format!("{base}/reports"), &[])?
                .value;
            let mut datasets: Vec<api::Dataset> = self
                .client
                .get::<api::List<_>>(&format!("{base}/datasets"), &[])?
                .value;
            for d in &mut datasets {
                // Only push datasets have this; others answer an error, and no tables.
                match self
                    .client
                    .get::<api::List<api::Table>>(&format!("{base}/datasets/{}/tables", d.id), &[])
                {
                    Ok(tables) => d.tables = tables.value,
                    Err(e) => log::debug!("Power BI: no tables for dataset {}: {e}", d.id),
                }
            }
            workspaces.push(Workspace {
                id: g.id,
                name: g.name,
                state: Some("Active".into()),
                reports,
                dashboards,
                datasets,
                ..Workspace::default()
            });
        }
        Ok(workspaces)
    }

    /// The items the filters keep, by id.
    fn index(&self, workspaces: Vec<Workspace>) -> Catalog {
        let c = &self.config;
        let mut catalog = Catalog {
            workspaces: Vec::new(),
            items: HashMap::new(),
            data_models: Vec::new(),
            dashboards: Vec::new(),
        };
        let named = |name: &Option<String>| name.clone().filter(|n| !n.is_empty());
        for (w, ws) in workspaces.iter().enumerate() {
            let add_model = |id: &str, name: &Option<String>, item: Item, cat: &mut Catalog| {
                if c.include_data_models && named(name).is_some_and(|n| c.data_models.keeps(&n)) {
                    cat.items.insert(id.to_owned(), item);
                    cat.data_models.push(id.to_owned());
                }
            };
            for (i, d) in ws.datasets.iter().enumerate() {
                add_model(&d.id, &d.name, Item::Dataset(w, i), &mut catalog);
            }
            for (i, d) in ws.dataflows.iter().enumerate() {
                add_model(&d.id, &d.name, Item::Dataflow(w, i), &mut catalog);
            }
            for (i, d) in ws.datamarts.iter().enumerate() {
                add_model(&d.id, &d.name, Item::Datamart(w, i), &mut catalog);
            }
            // Reports, then dashboards, as OpenMetadata lists them.
            let add_dashboard = |id: &str, name: &Option<String>, item: Item, cat: &mut Catalog| {
                if named(name).is_some_and(|n| c.dashboards.keeps(&n)) {
                    cat.items.insert(id.to_owned(), item);
                    cat.dashboards.push(id.to_owned());
                }
            };
            for (i, r) in ws.reports.iter().enumerate() {
                add_dashboard(&r.id, &r.name, Item::Report(w, i), &mut catalog);
            }
            for (i, d) in ws.dashboards.iter().enumerate() {
                add_dashboard(&d.id, &d.display_name, Item::Dashboard(w, i), &mut catalog);
            }
        }
        catalog.workspaces = workspaces;
        catalog
    }

    fn workspace(&self, w: usize) -> &Workspace {
        &self.catalog.as_ref().expect("read before").workspaces[w]
    }

    /// A report and, before it, its pages as charts.
    fn report(&mut self, w: usize, i: usize) -> Result<Vec<Entity>, String> {
        let (ws_id, report) = {
            let ws = self.workspace(w);
            (ws.id.clone(), ws.reports[i].clone())
        };
        let path = format!("/groups/{ws_id}/reports/{}/pages", report.id);
        let pages = match self.client.get::<api::List<api::Page>>(&path, &[]) {
            Ok(p) => p.value,
            // A service principal that is not a member of the workspace may scan it but not read
            // its reports' pages: the report comes without them.
            Err(e) if matches!(e.status, Some(401 | 403 | 404)) => {
                log::warn!("Power BI: no pages for report {}: {e}", report.id);
                Vec::new()
            }
            Err(e) => return Err(e.into()),
        };
        let web = &self.config.web_url;
        let mut entities = Vec::new();
        let mut charts = Vec::new();
        for page in &pages {
            let Some(page_name) = page.name.as_deref().filter(|n| !n.is_empty()) else {
                continue;
            };
            let shown = page
                .display_name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or(page_name.to_owned());
            if !self.config.charts.keeps(&shown) {
                continue;
            }
            let name = convert::page_chart_name(&report.id, page_name);
            charts.push(name.clone());
            entities.push(Entity::Chart(Chart {
                name,
                display_name: Some(shown),
                description: None,
                chart_type: ChartType::Other,
                source_url: Some(convert::report_url(web, &ws_id, &report, Some(page_name))),
                upstream: vec![],
            }));
        }
        let first_page = pages.first().and_then(|p| p.name.as_deref());
        let owners = if self.config.include_owners {
            convert::owners(
                &report.users,
                |u| u.report_user_access_right.as_ref(),
                report.modified_by.as_deref(),
            )
        } else {
            Vec::new()
        };
        entities.push(Entity::Dashboard(Dashboard {
            name: report.id.clone(),
            display_name: report.name.clone(),
            description: report.description.clone().filter(|d| !d.is_empty()),
            dashboard_type: DashboardType::Report,
            source_url: Some(convert::report_url(web, &ws_id, &report, first_page)),
            project: self.workspace(w).name.clone(),
            charts,
            data_models: vec![],
            owners,
            upstream: vec![],
        }));
        Ok(entities)
    }

    /// A dashboard and, before it, its tiles as charts.
    fn dashboard(&self, w: usize, i: usize) -> Vec<Entity> {
        let ws = self.workspace(w);
        let d = &ws.dashboards[i];
        let web = &self.config.web_url;
        let mut entities = Vec::new();
        let mut charts = Vec::new();
        for tile in &d.tiles {
            let shown = tile
                .title
                .clone()
                .filter(|t| !t.is_empty())
                .unwrap_or(tile.id.clone());
            if !self.config.charts.keeps(&shown) {
                continue;
            }
            charts.push(tile.id.clone());
            entities.push(Entity::Chart(Chart {
                name: tile.id.clone(),
                display_name: Some(shown),
                description: None,
                chart_type: ChartType::Other,
                source_url: Some(convert::tile_url(web, &ws.id, tile, &d.id)),
                upstream: vec![],
            }));
        }
        let owners = if self.config.include_owners {
            convert::owners(&d.users, |u| u.dashboard_user_access_right.as_ref(), None)
        } else {
            Vec::new()
        };
        entities.push(Entity::Dashboard(Dashboard {
            name: d.id.clone(),
            display_name: d.display_name.clone(),
            description: None,
            dashboard_type: DashboardType::Dashboard,
            source_url: Some(convert::dashboard_url(web, &ws.id, &d.id)),
            project: ws.name.clone(),
            charts,
            data_models: vec![],
            owners,
            upstream: vec![],
        }));
        entities
    }

    /// A dataset, dataflow or datamart.
    fn data_model(&mut self, item: Item) -> Entity {
        let (w, kind) = match item {
            Item::Dataset(w, _) => (w, "datasets"),
            Item::Dataflow(w, _) => (w, "dataflows"),
            Item::Datamart(w, _) => (w, "datamarts"),
            Item::Report(..) | Item::Dashboard(..) => unreachable!("not a data model"),
        };
        let ws = self.workspace(w);
        let (ws_id, project) = (ws.id.clone(), ws.name.clone());
        // Only datasets have upstream tables (their tables' source expressions).
        let mut upstream = Vec::new();
        let (id, name, description, data_model_type, columns) = match item {
            Item::Dataset(_, i) => {
                let d = &ws.datasets[i];
                let columns = convert::dataset_columns(d);
                upstream = lineage::upstream(d);
                let model = DataModelType::PowerBiDataModel;
                (
                    d.id.clone(),
                    d.name.clone(),
                    d.description.clone(),
                    model,
                    columns,
                )
            }
            Item::Dataflow(_, i) => {
                let d = ws.dataflows[i].clone();
                let path = format!("/admin/dataflows/{}/export", d.id);
                // As OpenMetadata: a dataflow whose definition cannot be read has no columns.
                let columns = match self.client.get::<api::DataflowExport>(&path, &[]) {
                    Ok(export) => convert::dataflow_columns(&export),
                    Err(e) => {
                        log::warn!("Power BI: no definition for dataflow {}: {e}", d.id);
                        Vec::new()
                    }
                };
                let model = DataModelType::PowerBiDataFlow;
                (d.id, d.name, d.description, model, columns)
            }
            Item::Datamart(_, i) => {
                let d = &ws.datamarts[i];
                let model = DataModelType::PowerBiDatamart;
                (
                    d.id.clone(),
                    d.name.clone(),
                    d.description.clone(),
                    model,
                    vec![],
                )
            }
            Item::Report(..) | Item::Dashboard(..) => unreachable!("not a data model"),
        };
        Entity::DashboardDataModel(DashboardDataModel {
            source_url: Some(convert::data_model_url(
                &self.config.web_url,
                &ws_id,
                kind,
                &id,
            )),
            name: id,
            display_name: name,
            description: description.filter(|d| !d.is_empty()),
            data_model_type,
            columns,
            sql: None,
            project,
            upstream,
        })
    }
}
