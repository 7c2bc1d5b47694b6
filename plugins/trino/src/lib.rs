//! The Trino connector (`trino.wasm`): OpenMetadata's `Trino` and `Presto` services, read over
//! their HTTP client protocol (the host has no Trino driver: the plugin speaks it itself, through
//! `omrun_sdk::http`, to the config's `hostPort` only). Filters, discovery and batching come from
//! [`omrun_common_db::SqlSource`]; this crate is the dialect and the protocol client.
//!
//! As in OpenMetadata, a catalog is a database: `catalog` names the one to ingest, else every
//! catalog is (the engine's own `system` catalog aside); `databaseSchema` limits the run to one
//! schema. Everything is read from each catalog's `information_schema` and from
//! `system.metadata.catalogs`, a batch at a time ([`queries`]); table comments from Trino's
//! `system.metadata.table_comments`, or, on Presto, which has none, from `SHOW CREATE TABLE`
//! ([`presto`]).

mod client;
mod config;
mod dialect;
mod presto;
mod queries;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use omrun_common_db::config::ConnectionConfig;
use omrun_common_db::{Catalog, Databases, TableError, TableName};
use omrun_sdk::log;
use omrun_sdk::sql::{Query, Row, SqlError, Value};
use omrun_sdk::types::{
    Capability, Column, Database, DatabaseSchema, NestedColumn, PluginInfo, Table, TableType,
};

use client::{Client, identifier};
use config::Flavour;

omrun_sdk::export_discoverable_source!(omrun_common_db::SqlSource<Trino>);
omrun_sdk::declare_config_keys!(config::KEYS);

/// Trino's (and Presto's) own catalog (its runtime, metadata and JDBC tables): never ingested.
const SYSTEM_CATALOG: &str = "system";

/// The catalogs of one Trino or Presto coordinator.
pub struct Trino {
    flavour: Flavour,
    client: Client,
    /// `catalog`: the only catalog to ingest, if set.
    catalog: Option<String>,
    /// `databaseSchema`: the only schema to ingest, if set.
    only_schema: Option<String>,
    /// Each catalog's connector (`iceberg`, `hive`, `memory`…), once asked.
    connectors: HashMap<String, Option<String>>,
}

impl Trino {
    fn wanted(&self, schema: &str) -> bool {
        schema != "information_schema" && self.only_schema.as_deref().is_none_or(|s| s == schema)
    }

    /// Runs a `{catalog}`/`{schemas}`/`{names}` query of `queries` for `catalog`: `first` are
    /// the parameters before the lists.
    fn query(
        &self,
        sql: &str,
        catalog: &str,
        first: &[&str],
        schemas: &[&str],
        names: &[&str],
    ) -> Result<Vec<Row>, SqlError> {
        let sql = queries::expand(sql, &identifier(catalog), schemas.len(), names.len());
        let text = |s: &&str| Value::Text((*s).to_owned());
        let params: Vec<Value> = first.iter().chain(schemas).chain(names).map(text).collect();
        self.client.query_all(&sql, &params)
    }

    /// The table type of a `table_type` of `catalog`: its tables are `Iceberg` tables when an
    /// Iceberg connector serves it, as OpenMetadata's connector says.
    fn table_type(&mut self, catalog: &str, kind: &str) -> TableType {
        if kind.eq_ignore_ascii_case("VIEW") {
            return TableType::View;
        }
        if !self.connectors.contains_key(catalog) {
            let connector = match self.client.query_all(
                queries::CATALOG_CONNECTOR,
                &[Value::Text(catalog.to_owned())],
            ) {
                Ok(rows) => rows.first().and_then(|r| r.string(0)),
                Err(e) => {
                    log::debug!("the connector of catalog {catalog} is unknown: {e}");
                    None
                }
            };
            self.connectors.insert(catalog.to_owned(), connector);
        }
        match self.connectors[catalog].as_deref() {
            Some("iceberg") => TableType::Iceberg,
            _ => TableType::Regular,
        }
    }

    /// The catalogs on the server, `system` aside.
    fn catalogs(&self) -> Result<Vec<String>, SqlError> {
        let mut catalogs = Vec::new();
        for row in self.client.query_all(queries::LIST_CATALOGS, &[])? {
            let name = row.required(0, Row::string)?;
            if name != SYSTEM_CATALOG {
                catalogs.push(name);
            }
        }
        Ok(catalogs)
    }

    /// The comments of a batch's tables and views from `system.metadata.table_comments`, one
    /// query. A user without access to it still gets the tables, as in OpenMetadata
    /// (PERMISSION_DENIED: no comments).
    fn trino_comments(
        &self,
        database: &str,
        schemas: &[&str],
        names: &[&str],
        found: &mut BTreeMap<(String, String), Table>,
    ) -> Result<(), SqlError> {
        let rows = match self.query(
            queries::DESCRIBE_COMMENTS,
            database,
            &[database],
            schemas,
            names,
        ) {
            Ok(rows) => rows,
            Err(e) if e.sqlstate.as_deref() == Some("42501") => {
                log::warn!("no table comments in catalog {database}: {e}");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        for row in rows {
            let key = (row.required(0, Row::string)?, row.required(1, Row::string)?);
            if let Some(table) = found.get_mut(&key) {
                table.description = row.string(2).filter(|c| !c.is_empty());
            }
        }
        Ok(())
    }

    /// The comments of a batch's tables on Presto, which keeps them nowhere but in `SHOW CREATE
    /// TABLE`: one statement per table, as OpenMetadata's Presto connector reads them (views
    /// keep none). A table Presto will not show (a connector that cannot, a user who may not)
    /// gets no comment and a warning; a failure that may pass fails the batch, to be retried.
    fn presto_comments(
        &self,
        database: &str,
        found: &mut BTreeMap<(String, String), Table>,
    ) -> Result<(), SqlError> {
        for ((schema, name), table) in found.iter_mut() {
            if table.table_type == TableType::View {
                continue;
            }
            let qualified = [database, schema, name].map(identifier).join(".");
            let sql = queries::SHOW_CREATE_TABLE.replace("{table}", &qualified);
            match self.client.query_all(&sql, &[]) {
                Ok(rows) => {
                    let text = rows.first().and_then(|r| r.string(0)).unwrap_or_default();
                    table.description = presto::table_comment(&text).filter(|c| !c.is_empty());
                }
                Err(e) if e.sqlstate.as_deref().is_some_and(|s| s.starts_with("42")) => {
                    log::warn!("no comment for table {qualified}: {e}");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The definition of a view `information_schema.views` has none for: `SHOW CREATE VIEW`,
    /// which needs the view's owner; none (and a warning) when that fails too.
    fn show_create_view(&self, catalog: &str, schema: &str, view: &str) -> Option<String> {
        let name = [catalog, schema, view].map(identifier).join(".");
        let sql = queries::SHOW_CREATE_VIEW.replace("{view}", &name);
        match self.client.query_all(&sql, &[]) {
            Ok(rows) => rows.first().and_then(|r| r.string(0)),
            Err(e) => {
                log::warn!("no definition for view {name}: {e}");
                None
            }
        }
    }
}

impl Catalog for Trino {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "trino".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Trino".into(), "Presto".into()],
            // HTTP to the source's own `hostPort`; `info` runs before any config is read.
            capabilities: vec![Capability::Http("source".into())],
        }
    }

    fn connect(config: &ConnectionConfig) -> Result<Self, String> {
        let connection = config::Connection::parse(&config.json)?;
        Ok(Self {
            flavour: connection.flavour,
            client: Client::new(&connection),
            catalog: connection.catalog,
            only_schema: config.database_schema.clone(),
            connectors: HashMap::new(),
        })
    }

    fn databases(&mut self) -> Result<Databases, SqlError> {
        match &self.catalog {
            Some(catalog) => Ok(Databases::Configured(catalog.clone())),
            None => Ok(Databases::All(self.catalogs()?)),
        }
    }

    fn schemas(&mut self, database: &str) -> Result<Vec<String>, SqlError> {
        let sql = queries::expand(queries::LIST_SCHEMAS, &identifier(database), 0, 0);
        let mut schemas = Vec::new();
        for row in self.client.query_all(&sql, &[])? {
            let schema = row.required(0, Row::string)?;
            if self.wanted(&schema) {
                schemas.push(schema);
            }
        }
        Ok(schemas)
    }

    fn tables(&mut self, database: &str) -> Result<Vec<TableName>, SqlError> {
        let sql = queries::expand(queries::LIST_TABLES, &identifier(database), 0, 0);
        let mut tables = Vec::new();
        for row in self.client.query_all(&sql, &[])? {
            let schema = row.required(0, Row::string)?;
            if !self.wanted(&schema) {
                continue;
            }
            let table_type = self.table_type(database, row.str(2).unwrap_or_default());
            tables.push(TableName {
                schema,
                name: row.required(1, Row::string)?,
                table_type,
            });
        }
        Ok(tables)
    }

    fn describe_databases(&mut self, names: &[String]) -> Result<Vec<Database>, SqlError> {
        // A catalog is OpenMetadata's container only: Trino keeps no comment for it.
        let existing: BTreeSet<String> = match &self.catalog {
            Some(catalog) => BTreeSet::from([catalog.clone()]),
            None => self.catalogs()?.into_iter().collect(),
        };
        Ok(names
            .iter()
            .filter(|n| existing.contains(*n))
            .map(|name| Database {
                name: name.clone(),
                description: None,
                source_url: None,
            })
            .collect())
    }

    fn describe_schemas(
        &mut self,
        database: &str,
        names: &[String],
    ) -> Result<Vec<DatabaseSchema>, SqlError> {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let rows = self.query(queries::DESCRIBE_SCHEMAS, database, &[], &[], &names)?;
        let mut schemas = Vec::new();
        for row in rows {
            let name = row.required(0, Row::string)?;
            if self.wanted(&name) {
                schemas.push(DatabaseSchema {
                    database: database.to_owned(),
                    name,
                    description: None,
                    source_url: None,
                    tags: vec![],
                });
            }
        }
        Ok(schemas)
    }

    fn describe_tables(
        &mut self,
        database: &str,
        tables: &[(String, String)],
    ) -> Result<Vec<Result<Table, TableError>>, SqlError> {
        let wanted: BTreeSet<(&str, &str)> = tables
            .iter()
            .map(|(s, t)| (s.as_str(), t.as_str()))
            .collect();
        let schemas: Vec<&str> = wanted
            .iter()
            .map(|(s, _)| *s)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let names: Vec<&str> = wanted
            .iter()
            .map(|(_, t)| *t)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let key = |row: &Row| -> Result<(String, String), SqlError> {
            Ok((row.required(0, Row::string)?, row.required(1, Row::string)?))
        };

        let mut found: BTreeMap<(String, String), Table> = BTreeMap::new();
        for row in self.query(queries::DESCRIBE_TABLES, database, &[], &schemas, &names)? {
            let (schema, name) = key(&row)?;
            if !wanted.contains(&(schema.as_str(), name.as_str())) {
                continue;
            }
            let table_type = self.table_type(database, row.str(2).unwrap_or_default());
            found.insert(
                (schema.clone(), name.clone()),
                Table {
                    database: database.to_owned(),
                    schema,
                    name,
                    table_type,
                    description: None,
                    columns: Vec::new(),
                    constraints: Vec::new(),
                    definition: None,
                    partition_columns: Vec::new(),
                    source_url: None,
                    tags: vec![],
                },
            );
        }
        if found.is_empty() {
            return Ok(Vec::new());
        }

        // Each table's columns with their fields, flattened into the contract's list at the end.
        let mut columns: BTreeMap<(String, String), Vec<NestedColumn>> = BTreeMap::new();
        for row in self.query(queries::DESCRIBE_COLUMNS, database, &[], &schemas, &names)? {
            let key = key(&row)?;
            let Some(table) = found.get(&key) else {
                continue;
            };
            let name = row.required(2, Row::string)?;
            let spelling = row.required(5, Row::str)?;
            let (mapped, display) = match self.flavour {
                Flavour::Trino => dialect::trino_column_type(spelling),
                Flavour::Presto => presto::presto_column_type(spelling),
            };
            let fields = match dialect::trino_children(spelling) {
                Ok(fields) => fields,
                // OpenMetadata's connector drops the column too (its parser raises on it).
                Err(e) => {
                    log::warn!(
                        "column {}.{name} left out: its type {spelling} has fields OpenMetadata \
                         cannot name ({e})",
                        table.name
                    );
                    continue;
                }
            };
            let position = u32::try_from(row.required(3, Row::i64)?).unwrap_or_default();
            let column = Column {
                nullable: row.str(4) != Some("NO"),
                // Trino reports an unset comment as '' as often as NULL (OpenMetadata: `or None`).
                description: row.string(6).filter(|c| !c.is_empty()),
                ..mapped.column(name, display, position)
            };
            columns
                .entry(key)
                .or_default()
                .push(NestedColumn::new(column, fields));
        }
        for (key, nested) in columns {
            if let Some(table) = found.get_mut(&key) {
                table.columns = NestedColumn::flatten(nested);
            }
        }

        match self.flavour {
            Flavour::Trino => self.trino_comments(database, &schemas, &names, &mut found)?,
            Flavour::Presto => self.presto_comments(database, &mut found)?,
        }

        let views: Vec<&str> = found
            .values()
            .filter(|t| t.table_type == TableType::View)
            .map(|t| t.name.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !views.is_empty() {
            let rows = self.query(queries::DESCRIBE_VIEWS, database, &[], &schemas, &views)?;
            let mut texts: HashMap<(String, String), String> = HashMap::new();
            for row in rows {
                if let Some(text) = row.string(2).filter(|t| !t.trim().is_empty()) {
                    texts.insert(key(&row)?, text);
                }
            }
            let view_keys: Vec<(String, String)> = found
                .iter()
                .filter(|(_, t)| t.table_type == TableType::View)
                .map(|(k, _)| k.clone())
                .collect();
            for k in view_keys {
                let text = match texts.remove(&k) {
                    Some(text) => Some(text),
                    None => self.show_create_view(database, &k.0, &k.1),
                };
                if let (Some(text), Some(table)) = (text, found.get_mut(&k)) {
                    table.definition = Some(dialect::view_definition(database, &k.0, &k.1, &text));
                }
            }
        }
        Ok(found.into_values().map(Ok).collect())
    }
}
