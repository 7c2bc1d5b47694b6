//! The Tableau connector (`tableau.wasm`): OpenMetadata's `Tableau` dashboard service, read from
//! Tableau Server's or Tableau Cloud's REST API (JSON) and Metadata API (GraphQL) over the host's
//! wasi:http, to the config's `hostPort` only.
//!
//! - `discover`: the workbooks (`GET /sites/{site}/workbooks`, pages of 100; with
//!   `projectFilterPattern` the projects too, for their paths), kept by `dashboardFilterPattern` on
//!   the name and `projectFilterPattern` on the project's path; with `includeDataModels`, the
//!   site's embedded data sources and the published ones they draw on, names only (Metadata API,
//!   pages of `paginationLimit`, at most 50), of kept workbooks, kept by `dataModelFilterPattern`.
//! - `process`: per workbook its REST record and its views (charts, returned before the dashboard
//!   that lists them), its data sources' ids (Metadata API) and, with `includeOwners`, its owner's
//!   e-mail (`GET /sites/{site}/users/{id}`, cached); per data source one Metadata API query for
//!   its fields (columns) and upstream tables.
//!
//! Names follow OpenMetadata's own Tableau connector (see [`convert`]), so existing FQNs stay.

mod api;
mod client;
mod config;
mod convert;

use std::collections::{BTreeSet, HashMap, HashSet};

use omrun_sdk::log;
use omrun_sdk::types::{
    Capability, Chart, Dashboard, DashboardDataModel, DashboardType, DataModelType, Entity,
    EntityKind, EntityRef, PluginInfo, SourceConfig,
};

use client::Client;
use config::Config;

omrun_sdk::export_discoverable_source!(Tableau);
omrun_sdk::declare_config_keys!(config::KEYS);

pub struct Tableau {
    config: Config,
    client: Client,
    /// Owners' e-mails by Tableau user id (`None`: the user has none, or is gone).
    owners: HashMap<String, Option<String>>,
    /// Custom SQL queries by the id of the data source they feed, once read.
    custom_sql: Option<HashMap<String, Vec<String>>>,
}

impl omrun_sdk::DiscoverableSource for Tableau {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "tableau".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Tableau".into()],
            capabilities: vec![Capability::Http("source".into())],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let config = Config::parse(
            &config.service_connection,
            &config.source_config,
            &config.secrets,
        )?;
        let client = Client::new(&config);
        Ok(Self {
            config,
            client,
            owners: HashMap::new(),
            custom_sql: None,
        })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        let workbooks = self.kept_workbooks()?;
        let mut refs: Vec<EntityRef> = if self.config.include_data_models {
            let kept: HashSet<&str> = workbooks.iter().map(String::as_str).collect();
            self.data_models(&kept)?
                .into_iter()
                .map(EntityRef::data_model)
                .collect()
        } else {
            Vec::new()
        };
        let models = refs.len();
        refs.extend(workbooks.into_iter().map(EntityRef::dashboard));
        log::info!(
            "Tableau: {} workbooks and {models} data sources to ingest",
            refs.len() - models
        );
        Ok(refs)
    }

    fn process_one(&mut self, r: EntityRef) -> Result<Vec<Entity>, String> {
        let [id] = r.path.as_slice() else {
            return Err(format!("a Tableau ref is [id], not {:?}", r.path));
        };
        match r.kind {
            EntityKind::Dashboard => self.dashboard(id),
            EntityKind::DashboardDataModel => self.data_model(id).map(|m| vec![m]),
            other => Err(format!("the Tableau connector has no {other:?} entities")),
        }
    }
}

impl Tableau {
    /// The ids of the workbooks the filters keep, in Tableau's order.
    fn kept_workbooks(&mut self) -> Result<Vec<String>, String> {
        // A project's path (`Parent.Child`) needs every project; only the project filter uses it.
        let projects: HashMap<String, api::Project> = if self.config.filters_projects {
            self.client
                .all("/projects", |p: api::ProjectPage| {
                    (
                        p.pagination.total_available,
                        api::List::into_vec(p.projects),
                    )
                })?
                .into_iter()
                .map(|p| (p.id.clone(), p))
                .collect()
        } else {
            HashMap::new()
        };
        let workbooks = self.client.all("/workbooks", |p: api::WorkbookPage| {
            (
                p.pagination.total_available,
                api::List::into_vec(p.workbooks),
            )
        })?;
        let mut kept = Vec::new();
        for w in workbooks {
            if !self
                .config
                .dashboards
                .keeps(w.name.as_deref().unwrap_or(""))
            {
                continue;
            }
            if self.config.filters_projects {
                let project = w.project.as_ref();
                let path = project
                    .and_then(|p| p.id.as_deref())
                    .and_then(|id| project_path(&projects, id))
                    .or_else(|| project.and_then(|p| p.name.clone()))
                    .unwrap_or_default();
                if !self.config.projects.keeps(&path) {
                    continue;
                }
            }
            kept.push(w.id);
        }
        Ok(kept)
    }

    /// The data sources (embedded in the kept workbooks, and the published ones those draw on)
    /// the data model filter keeps, by id.
    fn data_models(&mut self, workbooks: &HashSet<&str>) -> Result<BTreeSet<String>, String> {
        let page = self.config.graphql_page;
        let mut kept = BTreeSet::new();
        let mut offset = 0u64;
        loop {
            let answer: api::EmbeddedPage =
                self.client.graphql(&api::embedded_page(page, offset))?;
            let connection = answer.embedded_datasources_connection;
            let got = connection.nodes.len() as u64;
            for ds in connection.nodes {
                let of_kept = ds
                    .workbook
                    .as_ref()
                    .and_then(|w| w.luid.as_deref())
                    .is_some_and(|luid| workbooks.contains(luid));
                if of_kept {
                    self.keep_data_models(ds, &mut kept);
                }
            }
            offset += got;
            if got == 0 || offset >= connection.total_count.unwrap_or(0) {
                break;
            }
        }
        Ok(kept)
    }

    /// An embedded data source and the published ones it draws on, each if the filter keeps its
    /// name (its id when unnamed), into `kept`.
    fn keep_data_models(&self, ds: api::EmbeddedName, kept: &mut BTreeSet<String>) {
        let keeps = |id: &str, name: &Option<String>| {
            self.config
                .data_models
                .keeps(name.as_deref().filter(|n| !n.is_empty()).unwrap_or(id))
        };
        for p in ds.upstream_datasources.iter().flatten() {
            if keeps(&p.id, &p.name) {
                kept.insert(p.id.clone());
            }
        }
        if keeps(&ds.id, &ds.name) {
            kept.insert(ds.id);
        }
    }

    /// A workbook and, before it, its views as charts.
    fn dashboard(&mut self, id: &str) -> Result<Vec<Entity>, String> {
        let path = format!("/workbooks/{}", path_segment(id));
        let w = self.client.get::<api::WorkbookAnswer>(&path, &[])?.workbook;
        let views: api::ViewsAnswer = self.client.get(&format!("{path}/views"), &[])?;
        let mut entities = Vec::new();
        let mut charts = Vec::new();
        for v in api::List::into_vec(views.views) {
            let name = v.name.clone().unwrap_or_default();
            if !self.config.charts.keeps(&name) {
                continue;
            }
            charts.push(v.id.clone());
            entities.push(Entity::Chart(Chart {
                name: v.id,
                display_name: v.name.filter(|n| !n.is_empty()),
                description: None,
                chart_type: convert::chart_type(v.sheet_type.as_deref()),
                source_url: Some(convert::chart_url(
                    &self.config.url_base,
                    &self.config.site,
                    v.content_url.as_deref().unwrap_or_default(),
                )),
                upstream: vec![],
            }));
        }
        let data_models = if self.config.include_data_models {
            self.workbook_data_models(&w.id)?
        } else {
            Vec::new()
        };
        let owner = w.owner.as_ref().and_then(|o| o.id.clone());
        let owners = match (owner, self.config.include_owners) {
            (Some(user), true) => self.owner(&user).into_iter().collect(),
            _ => Vec::new(),
        };
        entities.push(Entity::Dashboard(Dashboard {
            name: w.id,
            display_name: w.name.filter(|n| !n.is_empty()),
            description: w.description.filter(|d| !d.is_empty()),
            dashboard_type: DashboardType::Dashboard,
            source_url: Some(convert::dashboard_url(
                &self.config.url_base,
                w.webpage_url.as_deref(),
            )),
            project: w.project.and_then(|p| p.name).filter(|p| !p.is_empty()),
            charts,
            data_models,
            owners,
            // Tables feed a workbook through its data sources (their `upstream`).
            upstream: vec![],
        }));
        Ok(entities)
    }

    /// The kept data sources of one workbook, in Tableau's order, each once.
    fn workbook_data_models(&mut self, workbook: &str) -> Result<Vec<String>, String> {
        let page = self.config.graphql_page;
        let mut kept = BTreeSet::new();
        let mut order = Vec::new();
        let mut offset = 0u64;
        loop {
            let query = api::workbook_datasources_page(workbook, page, offset);
            let answer: api::WorkbookDatasources = self.client.graphql(&query)?;
            let Some(w) = answer.workbooks.into_iter().next() else {
                log::warn!(
                    "Tableau: the Metadata API does not know workbook {workbook} yet: its \
                     dashboard lists no data models"
                );
                break;
            };
            let connection = w.embedded_datasources_connection;
            let got = connection.nodes.len() as u64;
            for ds in connection.nodes {
                let mut these = BTreeSet::new();
                self.keep_data_models(ds, &mut these);
                order.extend(these.into_iter().filter(|id| kept.insert(id.clone())));
            }
            offset += got;
            if got == 0 || offset >= connection.total_count.unwrap_or(0) {
                break;
            }
        }
        Ok(order)
    }

    /// A user's e-mail, lower-cased as OpenMetadata matches it; asked once per user. A user that
    /// cannot be read leaves the dashboard without owner, with a warning.
    fn owner(&mut self, user: &str) -> Option<String> {
        if let Some(known) = self.owners.get(user) {
            return known.clone();
        }
        let path = format!("/users/{}", path_segment(user));
        match self.client.get::<api::UserAnswer>(&path, &[]) {
            Ok(u) => {
                let email = u
                    .user
                    .email
                    .filter(|e| !e.is_empty())
                    .map(|e| e.to_lowercase());
                self.owners.insert(user.to_owned(), email.clone());
                email
            }
            Err(e) => {
                log::warn!("Tableau: no owner for user {user}: {e}");
                None
            }
        }
    }

    fn data_model(&mut self, id: &str) -> Result<Entity, String> {
        let answer: api::DatasourceAnswer = self.client.graphql(&api::datasource(id))?;
        let (ds, kind) = if let Some(ds) = answer.embedded_datasources.into_iter().next() {
            (ds, DataModelType::TableauEmbeddedDatasource)
        } else if let Some(ds) = answer.published_datasources.into_iter().next() {
            (ds, DataModelType::TableauPublishedDatasource)
        } else {
            return Err(format!("Tableau has no data source {id}"));
        };
        let tables = ds.upstream_tables.as_deref().unwrap_or_default();
        let sql = match convert::sql(tables) {
            Some(sql) => Some(sql),
            None => self.custom_sql(&ds.id)?,
        };
        let project = match kind {
            DataModelType::TableauPublishedDatasource => ds.project_name.clone(),
            _ => ds.workbook.as_ref().and_then(|w| w.project_name.clone()),
        };
        Ok(Entity::DashboardDataModel(DashboardDataModel {
            name: ds.id.clone(),
            display_name: Some(
                ds.name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or(ds.id.clone()),
            ),
            description: ds.description.clone().filter(|d| !d.is_empty()),
            data_model_type: kind,
            columns: convert::columns(ds.fields.as_deref().unwrap_or_default()),
            sql,
            project: project.filter(|p| !p.is_empty()),
            source_url: None,
            upstream: convert::upstream_tables(&ds),
        }))
    }

    /// The custom SQL queries feeding data source `id` (OpenMetadata's `customSQLTables` query,
    /// made once per instance, when a data source's tables name none).
    fn custom_sql(&mut self, id: &str) -> Result<Option<String>, String> {
        if self.custom_sql.is_none() {
            let answer: api::CustomSqlAnswer = self.client.graphql(api::CUSTOM_SQL)?;
            let mut by_source: HashMap<String, Vec<String>> = HashMap::new();
            for t in answer.custom_sql_tables {
                let Some(query) = t.query else { continue };
                for ds in t.downstream_datasources.iter().flatten() {
                    by_source
                        .entry(ds.id.clone())
                        .or_default()
                        .push(query.clone());
                }
            }
            self.custom_sql = Some(by_source);
        }
        let queries = self.custom_sql.as_ref().and_then(|m| m.get(id));
        Ok(queries.map(|q| {
            let distinct: BTreeSet<&String> = q.iter().collect();
            distinct
                .into_iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("\n\n")
        }))
    }
}

/// A project's path, `Parent.Child`, from the project up (OpenMetadata's
/// `get_project_parents_by_id`); `None` for a project not listed.
fn project_path(projects: &HashMap<String, api::Project>, id: &str) -> Option<String> {
    let mut names = Vec::new();
    let mut current = Some(id.to_owned());
    while let Some(id) = current {
        let Some(p) = projects.get(&id) else { break };
        if names.len() > projects.len() {
            break; // a cycle: Tableau's projects form a tree
        }
        names.push(p.name.clone());
        current = p.parent_project_id.clone();
    }
    (!names.is_empty()).then(|| {
        names.reverse();
        names.join(".")
    })
}

/// Percent-encodes what a path segment cannot hold as is (Tableau's ids are UUIDs).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_paths_run_from_the_top() {
        let p = |id: &str, name: &str, parent: Option<&str>| {
            (
                id.to_owned(),
                api::Project {
                    id: id.into(),
                    name: name.into(),
                    parent_project_id: parent.map(Into::into),
                },
            )
        };
        let projects: HashMap<_, _> = [
            p("a", "Sales", None),
            p("b", "Regional", Some("a")),
            p("c", "North", Some("b")),
            p("x", "Loop", Some("y")),
            p("y", "Pool", Some("x")),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            project_path(&projects, "c").as_deref(),
            Some("Sales.Regional.North")
        );
        assert_eq!(project_path(&projects, "a").as_deref(), Some("Sales"));
        assert_eq!(project_path(&projects, "zz"), None);
        assert!(project_path(&projects, "x").is_some(), "a cycle ends");
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("6f6d-72_75"), "6f6d-72_75");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }
}
