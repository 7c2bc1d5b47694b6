//! The BigQuery connector (`bigquery.wasm`): OpenMetadata's `BigQuery` service, read from Google's
//! REST APIs over the host's wasi:http — BigQuery's API v2 for the projects' datasets and tables,
//! Data Catalog's v1 for the policy tags on columns — as a service account whose private key the
//! host holds and signs with ([`auth`]).
//!
//! - `discover`, names only: the configured projects (OpenMetadata's databases), each one's
//!   datasets (`GET /bigquery/v2/projects/{p}/datasets`, or the configured `databaseSchema`) and
//!   each dataset's tables, views and materialized views (`GET …/datasets/{d}/tables`), every
//!   listing followed page by page; OpenMetadata's filter patterns, `includeTables` and
//!   `includeViews` applied as they go.
//! - `process`: a project from its name alone; a dataset with `GET …/datasets/{d}` (description,
//!   labels); a table with `GET …/tables/{t}`, the whole resource: columns and their nested fields,
//!   type, description, view query, partitioning, clustering, keys, labels; then its columns'
//!   policy tags from Data Catalog ([`policy_tags`]).
//!
//! Names, types and descriptions follow OpenMetadata 2.0.7.0's own BigQuery connector (see
//! [`columns`] and [`convert`]).

mod api;
mod auth;
mod client;
mod columns;
mod config;
mod convert;
mod discovery;
mod policy_tags;

use std::collections::HashMap;
use std::time::Duration;

use omrun_sdk::log;
use omrun_sdk::types::{Capability, Entity, EntityKind, EntityRef, PluginInfo, SourceConfig};

use auth::Auth;
use client::{ApiError, Client, path_segment};
use config::Config;
use discovery::Filters;
use policy_tags::PolicyTags;

omrun_sdk::export_discoverable_source!(BigQuery);
omrun_sdk::declare_config_keys!(config::KEYS);

/// How long one API call may wait for its answer (BigQuery's connection has no timeout setting).
const TIMEOUT: Duration = Duration::from_secs(120);
/// BigQuery's largest listing page.
const PAGE_SIZE: &str = "1000";

pub struct BigQuery {
    config: Config,
    client: Client,
    policy_tags: PolicyTags,
    /// The OpenMetadata service's name: the first part of the FQNs `useFqnForFiltering` matches.
    service: String,
    /// Projects and datasets discovery could not list the contents of (no permission, gone),
    /// with why: their refs fail, so the report names them instead of an empty container.
    unlisted: HashMap<Vec<String>, String>,
}

impl omrun_sdk::DiscoverableSource for BigQuery {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "bigquery".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["BigQuery".into()],
            // Granted from the config before `open`: the host of each setting, or the default
            // OpenMetadata applies when the config leaves it out. Data Catalog goes to `hostPort`
            // when the config names an endpoint (a private one, a stand-in serving both APIs).
            capabilities: vec![
                Capability::Http("{hostPort|bigquery.googleapis.com}".into()),
                Capability::Http(
                    "{credentials.gcpConfig.tokenUri|https://oauth2.googleapis.com/token}".into(),
                ),
                Capability::Http("{hostPort|datacatalog.googleapis.com}".into()),
            ],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let parsed = Config::parse(&config.service_connection, &config.source_config)?;
        let client = Client::new(Auth::new(parsed.account.clone(), TIMEOUT), TIMEOUT);
        let hint = if parsed.data_catalog_url == config::DATA_CATALOG {
            "Data Catalog's host is granted only when hostPort is left out: remove \
             serviceConnection.config.hostPort (its default is bigquery.googleapis.com), or set \
             includePolicyTags: false"
        } else {
            "Data Catalog is asked at hostPort, which the config names"
        };
        let policy_tags = PolicyTags::new(
            &parsed.data_catalog_url,
            &parsed.taxonomy_location,
            &parsed.taxonomy_projects,
            hint,
        );
        Ok(Self {
            config: parsed,
            client,
            policy_tags,
            service: config.service_name,
            unlisted: HashMap::new(),
        })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        self.unlisted.clear();
        if let Some(billing) = &self.config.billing_project {
            log::info!(
                "BigQuery: billingProjectId {billing} is not used: OpenMetadata bills its query \
                 jobs to it, and reading metadata over the REST API runs none"
            );
        }
        let mut refs = Vec::new();
        let (mut databases, mut schemas, mut tables) = (0, 0, 0);
        for project in self.config.projects.clone() {
            if !self.filters().project(&project) {
                continue;
            }
            refs.push(EntityRef::database(&project));
            databases += 1;
            let datasets = match self.datasets(&project) {
                Ok(datasets) => datasets,
                Err(e) if e.is_local() => {
                    log::warn!("BigQuery: cannot list the datasets of project `{project}`: {e}");
                    self.unlisted.insert(vec![project.clone()], e.to_string());
                    continue;
                }
                Err(e) => return Err(format!("listing the datasets of project `{project}`: {e}")),
            };
            for dataset in datasets {
                refs.push(EntityRef::schema(&project, &dataset));
                schemas += 1;
                if !self.config.include_tables && !self.config.include_views {
                    continue;
                }
                match self.tables(&project, &dataset) {
                    Ok(names) => {
                        tables += names.len();
                        refs.extend(
                            names
                                .into_iter()
                                .map(|t| EntityRef::table(&project, &dataset, t)),
                        );
                    }
                    Err(e) if e.is_local() => {
                        log::warn!(
                            "BigQuery: cannot list the tables of `{project}.{dataset}`: {e}"
                        );
                        self.unlisted
                            .insert(vec![project.clone(), dataset.clone()], e.to_string());
                    }
                    Err(e) => {
                        return Err(format!("listing the tables of `{project}.{dataset}`: {e}"));
                    }
                }
            }
        }
        log::info!(
            "BigQuery: {databases} projects, {schemas} datasets, {tables} tables and views to ingest"
        );
        Ok(refs)
    }

    fn process_one(&mut self, r: EntityRef) -> Result<Vec<Entity>, String> {
        if let Some(why) = self.unlisted.get(&r.path) {
            return Err(format!(
                "its contents could not be listed ({why}); none of them was ingested"
            ));
        }
        match (r.kind, r.path.as_slice()) {
            (EntityKind::Database, [project]) => {
                Ok(vec![Entity::Database(convert::database(project))])
            }
            (EntityKind::DatabaseSchema, [project, dataset]) => {
                let url = format!(
                    "{}{}",
                    self.config.bigquery_url,
                    dataset_path(project, dataset)
                );
                let resource: api::Dataset = self
                    .client
                    .get(&url, &[], &dataset_path(project, dataset))
                    .map_err(|e| gone(e, "dataset"))?;
                Ok(vec![Entity::DatabaseSchema(convert::schema(
                    project,
                    dataset,
                    &resource,
                    self.config.include_tags,
                ))])
            }
            (EntityKind::Table, [project, dataset, table]) => {
                let path = format!(
                    "{}/tables/{}",
                    dataset_path(project, dataset),
                    path_segment(table)
                );
                let url = format!("{}{path}", self.config.bigquery_url);
                let resource: api::Table = self
                    .client
                    .get(&url, &[], &path)
                    .map_err(|e| gone(e, "table"))?;
                let reads_tags = self.config.reads_policy_tags();
                let (client, tags) = (&mut self.client, &mut self.policy_tags);
                let mut policy = |field: &api::TableFieldSchema| {
                    if reads_tags {
                        tags.labels(client, project, field)
                    } else {
                        vec![]
                    }
                };
                Ok(vec![Entity::Table(convert::table(
                    project,
                    dataset,
                    table,
                    &resource,
                    self.config.include_tags,
                    &mut policy,
                ))])
            }
            (kind, path) => Err(format!(
                "the BigQuery connector has no {kind:?} at {path:?}"
            )),
        }
    }
}

impl BigQuery {
    fn filters(&self) -> Filters<'_> {
        Filters {
            config: &self.config,
            service: &self.service,
        }
    }

    /// The datasets of `project` to ingest: the configured `databaseSchema` (not listed, as in
    /// OpenMetadata), or every listed one; the schema filters kept.
    fn datasets(&mut self, project: &str) -> Result<Vec<String>, ApiError> {
        let names = match &self.config.dataset {
            Some(only) => vec![only.clone()],
            None => {
                let path = format!("/bigquery/v2/projects/{}/datasets", path_segment(project));
                let url = format!("{}{path}", self.config.bigquery_url);
                let query = [("maxResults", PAGE_SIZE)];
                discovery::dataset_ids(self.client.list(&url, &query, "datasets", &path)?)
            }
        };
        Ok(self.filters().datasets(project, names))
    }

    /// The tables, views and materialized views of `project`.`dataset` to ingest, names only.
    fn tables(&mut self, project: &str, dataset: &str) -> Result<Vec<String>, ApiError> {
        let path = format!("{}/tables", dataset_path(project, dataset));
        let url = format!("{}{path}", self.config.bigquery_url);
        let listed = self
            .client
            .list(&url, &[("maxResults", PAGE_SIZE)], "tables", &path)?;
        Ok(self.filters().tables(project, dataset, listed))
    }
}

/// `/bigquery/v2/projects/{project}/datasets/{dataset}`.
fn dataset_path(project: &str, dataset: &str) -> String {
    format!(
        "/bigquery/v2/projects/{}/datasets/{}",
        path_segment(project),
        path_segment(dataset)
    )
}

/// A failed read of one dataset or table: a 404 says it was dropped since discovery.
fn gone(e: ApiError, what: &str) -> String {
    match e {
        ApiError::NotFound(e) => format!("the {what} no longer exists ({e})"),
        e => e.to_string(),
    }
}
