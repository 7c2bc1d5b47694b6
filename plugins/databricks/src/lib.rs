//! The Databricks connector (`databricks.wasm`): OpenMetadata's `UnityCatalog` service (and its
//! `Databricks` service, whose config carries the same keys), read from Unity Catalog's REST API
//! 2.1 over the host's wasi:http, to the config's `hostPort` only, with a personal access token
//! the host puts in (the plugin never holds it).
//!
//! - `discover`, names only: the catalogs (`GET /catalogs`, or the config's `catalog`), each one's
//!   schemas (`GET /schemas?catalog_name=`) and each schema's tables and views (`GET
//!   /tables?catalog_name=&schema_name=&omit_columns=true…`), every listing followed page by page;
//!   OpenMetadata's filter patterns, `includeTables` and `includeViews` applied as they go.
//! - `process`: a catalog or schema from what discovery listed (its comment), else `GET
//!   /catalogs/{name}` or `GET /schemas/{full_name}`; a table with one `GET
//!   /tables/{full_name}`: columns, comments, type, view definition, primary and foreign keys
//!   (which listings never carry), partition columns.
//!
//! As in OpenMetadata, a catalog is a database; names, types and descriptions follow its own
//! Unity Catalog connector (see [`convert`]).

mod api;
mod client;
mod columns;
mod config;
mod convert;

use std::collections::HashMap;

use omrun_common_db::filter::fqn;
use omrun_sdk::log;
use omrun_sdk::types::{
    Capability, Database, DatabaseSchema, Entity, EntityKind, EntityRef, PluginInfo, SourceConfig,
};

use client::{ApiError, Client, path_segment};
use config::{Config, keeps};

omrun_sdk::export_discoverable_source!(Databricks);
omrun_sdk::declare_config_keys!(config::KEYS);

pub struct Databricks {
    config: Config,
    client: Client,
    /// The OpenMetadata service's name: the first part of the FQNs `useFqnForFiltering` matches.
    service: String,
    /// Comments of the catalogs and schemas discovery listed, so that describing them costs no
    /// call (databases and schemas are described by the instance that discovered).
    comments: HashMap<Vec<String>, Option<String>>,
    /// Catalogs and schemas discovery could not list the contents of (no privilege), with why:
    /// their refs fail, so the report names them instead of an empty container being written.
    unlisted: HashMap<Vec<String>, String>,
}

impl omrun_sdk::DiscoverableSource for Databricks {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "databricks".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["UnityCatalog".into(), "Databricks".into()],
            // The source's own `hostPort`, a URL or `host:port`; `info` runs before any config.
            capabilities: vec![Capability::Http("source".into())],
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let parsed = Config::parse(&config.service_connection, &config.source_config)?;
        let client = Client::new(&parsed.base_url, parsed.timeout);
        Ok(Self {
            config: parsed,
            client,
            service: config.service_name,
            comments: HashMap::new(),
            unlisted: HashMap::new(),
        })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        self.comments.clear();
        self.unlisted.clear();
        let catalogs = self
            .catalogs()
            .map_err(|e| format!("listing catalogs: {e}"))?;
        let mut refs = Vec::new();
        let (mut schemas, mut tables) = (0, 0);
        for catalog in catalogs {
            refs.push(EntityRef::database(&catalog));
            let listed = match self.schemas(&catalog) {
                Ok(listed) => listed,
                Err(e) if e.is_local() => {
                    log::warn!(
                        "Unity Catalog: cannot list the schemas of catalog `{catalog}`: {e}"
                    );
                    self.unlisted.insert(vec![catalog.clone()], e.to_string());
                    continue;
                }
                Err(e) => return Err(format!("listing the schemas of catalog `{catalog}`: {e}")),
            };
            for schema in listed {
                refs.push(EntityRef::schema(&catalog, &schema));
                schemas += 1;
                if !self.config.include_tables && !self.config.include_views {
                    continue;
                }
                match self.tables(&catalog, &schema) {
                    Ok(names) => {
                        tables += names.len();
                        refs.extend(
                            names
                                .into_iter()
                                .map(|t| EntityRef::table(&catalog, &schema, t)),
                        );
                    }
                    Err(e) if e.is_local() => {
                        log::warn!(
                            "Unity Catalog: cannot list the tables of `{catalog}.{schema}`: {e}"
                        );
                        self.unlisted
                            .insert(vec![catalog.clone(), schema.clone()], e.to_string());
                    }
                    Err(e) => {
                        return Err(format!("listing the tables of `{catalog}.{schema}`: {e}"));
                    }
                }
            }
        }
        log::info!(
            "Unity Catalog: {} catalogs, {schemas} schemas, {tables} tables and views to ingest",
            refs.len() - schemas - tables
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
            (EntityKind::Database, [catalog]) => {
                let description =
                    self.comment(&r.path, || format!("/catalogs/{}", path_segment(catalog)))?;
                Ok(vec![Entity::Database(Database {
                    name: catalog.clone(),
                    description,
                    source_url: None,
                })])
            }
            (EntityKind::DatabaseSchema, [catalog, schema]) => {
                let full = format!("{}.{}", path_segment(catalog), path_segment(schema));
                let description = self.comment(&r.path, || format!("/schemas/{full}"))?;
                Ok(vec![Entity::DatabaseSchema(DatabaseSchema {
                    database: catalog.clone(),
                    name: schema.clone(),
                    description,
                    source_url: None,
                    tags: vec![],
                })])
            }
            (EntityKind::Table, [catalog, schema, table]) => {
                let path = format!(
                    "/tables/{}.{}.{}",
                    path_segment(catalog),
                    path_segment(schema),
                    path_segment(table)
                );
                let info: api::TableInfo = self.client.get(&path, &[]).map_err(|e| match e {
                    ApiError::NotFound(e) => format!("the table no longer exists ({e})"),
                    e => e.to_string(),
                })?;
                Ok(vec![Entity::Table(convert::table(
                    catalog, schema, table, &info,
                ))])
            }
            (kind, path) => Err(format!(
                "the Databricks connector has no {kind:?} at {path:?}"
            )),
        }
    }
}

impl Databricks {
    /// The string a filter tests: the bare name, or the FQN with `useFqnForFiltering`.
    fn filter_key(&self, parts: &[&str]) -> String {
        if self.config.use_fqn_for_filtering {
            let mut all = vec![self.service.as_str()];
            all.extend_from_slice(parts);
            fqn(&all)
        } else {
            parts.last().copied().unwrap_or_default().to_owned()
        }
    }

    /// The catalogs to ingest: the configured one, or every listed one the filters keep.
    fn catalogs(&mut self) -> Result<Vec<String>, ApiError> {
        if let Some(catalog) = &self.config.catalog {
            return Ok(vec![catalog.clone()]);
        }
        let listed: Vec<api::CatalogInfo> = self.client.list("/catalogs", &[], "catalogs")?;
        let mut kept = Vec::new();
        for c in listed {
            let Some(name) = c.name.filter(|n| !n.is_empty()) else {
                continue;
            };
            if keeps(&self.config.databases, &self.filter_key(&[&name])) {
                self.comments.insert(vec![name.clone()], c.comment);
                kept.push(name);
            }
        }
        Ok(kept)
    }

    /// The schemas of `catalog` to ingest.
    fn schemas(&mut self, catalog: &str) -> Result<Vec<String>, ApiError> {
        let listed: Vec<api::SchemaInfo> =
            self.client
                .list("/schemas", &[("catalog_name", catalog)], "schemas")?;
        let mut kept = Vec::new();
        for s in listed {
            let Some(name) = s.name.filter(|n| !n.is_empty()) else {
                continue;
            };
            if self
                .config
                .schema
                .as_ref()
                .is_some_and(|only| *only != name)
                || !keeps(&self.config.schemas, &self.filter_key(&[catalog, &name]))
            {
                continue;
            }
            self.comments
                .insert(vec![catalog.to_owned(), name.clone()], s.comment);
            kept.push(name);
        }
        Ok(kept)
    }

    /// The tables and views of `catalog`.`schema` to ingest, names only.
    fn tables(&self, catalog: &str, schema: &str) -> Result<Vec<String>, ApiError> {
        let listed: Vec<api::TableInfo> = self.client.list(
            "/tables",
            &[
                ("catalog_name", catalog),
                ("schema_name", schema),
                ("omit_columns", "true"),
                ("omit_properties", "true"),
                ("omit_username", "true"),
            ],
            "tables",
        )?;
        Ok(listed
            .into_iter()
            .filter_map(|t| {
                let name = t.name.filter(|n| !n.is_empty())?;
                let view = matches!(
                    convert::table_type(t.table_type.as_deref()),
                    omrun_sdk::types::TableType::View
                        | omrun_sdk::types::TableType::MaterializedView
                );
                let wanted = if view {
                    self.config.include_views
                } else {
                    self.config.include_tables
                };
                (wanted
                    && keeps(
                        &self.config.tables,
                        &self.filter_key(&[catalog, schema, &name]),
                    ))
                .then_some(name)
            })
            .collect())
    }

    /// A catalog's or schema's comment: from discovery's listing, else asked (`GET {path}`).
    fn comment(
        &mut self,
        key: &[String],
        path: impl FnOnce() -> String,
    ) -> Result<Option<String>, String> {
        let comment = match self.comments.get(key) {
            Some(comment) => comment.clone(),
            None => {
                #[derive(serde::Deserialize)]
                struct Commented {
                    comment: Option<String>,
                }
                let answer: Commented = self.client.get(&path(), &[]).map_err(|e| e.to_string())?;
                self.comments.insert(key.to_vec(), answer.comment.clone());
                answer.comment
            }
        };
        Ok(comment.filter(|c| !c.trim().is_empty()))
    }
}
