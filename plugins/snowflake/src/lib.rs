//! The Snowflake connector (`snowflake.wasm`): OpenMetadata's `Snowflake` service, read over
//! Snowflake's own HTTP protocol (client.rs) from each database's `INFORMATION_SCHEMA`, through
//! the host's wasi:http to the account's host only. Filters, discovery and batching come from
//! [`omrun_common_db::SqlSource`]; this crate is the dialect and its client.

mod arrow;
mod client;
mod clustering;
mod describe;
mod keys;
mod queries;
mod settings;

use client::Client;
use omrun_common_db::config::ConnectionConfig;
use omrun_common_db::{Catalog, Databases, TableError, TableName};
use omrun_sdk::sql::{Query, Row, SqlError};
use omrun_sdk::types::{Capability, Database, DatabaseSchema, PluginInfo, Table, TableType};
use settings::Settings;

omrun_sdk::export_discoverable_source!(omrun_common_db::SqlSource<Snowflake>);
omrun_sdk::declare_config_keys!(omrun_common_db::config::KEYS, settings::KEYS);

/// The catalog of one Snowflake account, through one session.
pub struct Snowflake {
    client: Client,
    settings: Settings,
}

/// OpenMetadata's table type for `INFORMATION_SCHEMA.TABLES.TABLE_TYPE` and `IS_TRANSIENT`.
fn table_type(kind: &str, transient: bool) -> TableType {
    match kind {
        "VIEW" => TableType::View,
        "MATERIALIZED VIEW" => TableType::MaterializedView,
        "EXTERNAL TABLE" => TableType::External,
        "DYNAMIC TABLE" => TableType::Dynamic,
        _ if transient => TableType::Transient,
        _ => TableType::Regular,
    }
}

impl Catalog for Snowflake {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "snowflake".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Snowflake".into()],
            // The account's own host; `connectionArguments.host`, when set, is granted by the
            // config itself.
            capabilities: vec![Capability::Http("{account}.snowflakecomputing.com".into())],
        }
    }

    fn connect(config: &ConnectionConfig) -> Result<Self, String> {
        let mut settings = Settings::parse(&config.json)?;
        settings.key_pair = config.secrets.iter().any(|s| s == "privateKey");
        let client = Client::login(&settings)?;
        Ok(Self { client, settings })
    }

    fn databases(&mut self) -> Result<Databases, SqlError> {
        if let Some(database) = &self.settings.database {
            return Ok(Databases::Configured(database.clone()));
        }
        // SHOW DATABASES: the name is the second column.
        let rows = self.client.query_all(queries::LIST_DATABASES, &[])?;
        let names = rows.iter().filter_map(|r| r.string(1)).collect();
        Ok(Databases::All(names))
    }

    fn schemas(&mut self, database: &str) -> Result<Vec<String>, SqlError> {
        let rows = self
            .client
            .query_all(&queries::list_schemas(database), &[])?;
        rows.iter().map(|r| r.required(0, Row::string)).collect()
    }

    fn tables(&mut self, database: &str) -> Result<Vec<TableName>, SqlError> {
        let rows = self
            .client
            .query_all(&queries::list_tables(database), &[])?;
        let mut tables = Vec::with_capacity(rows.len());
        let mut seen = std::collections::HashSet::new();
        for row in rows {
            let transient = row.str(3) == Some("YES");
            if transient && !self.settings.include_transient_tables {
                continue;
            }
            let (schema, name) = (row.required(0, Row::string)?, row.required(1, Row::string)?);
            seen.insert((schema.clone(), name.clone()));
            let table_type = table_type(row.str(2).unwrap_or_default(), transient);
            tables.push(TableName {
                schema,
                name,
                table_type,
            });
        }
        for row in self.client.query_all(&queries::list_views(database), &[])? {
            let (schema, name) = (row.required(0, Row::string)?, row.required(1, Row::string)?);
            if seen.insert((schema.clone(), name.clone())) {
                let table_type = TableType::View;
                tables.push(TableName {
                    schema,
                    name,
                    table_type,
                });
            }
        }
        Ok(tables)
    }

    fn describe_databases(&mut self, names: &[String]) -> Result<Vec<Database>, SqlError> {
        let rows = self.client.query_all(queries::LIST_DATABASES, &[])?;
        Ok(names
            .iter()
            .map(|name| Database {
                name: name.clone(),
                description: rows
                    .iter()
                    .find(|r| r.str(1) == Some(name.as_str()))
                    .and_then(|r| describe::comment(r, 6)),
                source_url: None,
            })
            .collect())
    }

    fn describe_schemas(
        &mut self,
        database: &str,
        names: &[String],
    ) -> Result<Vec<DatabaseSchema>, SqlError> {
        let rows = self
            .client
            .query_all(&queries::schema_comments(database), &[])?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let name = row.string(0).filter(|n| names.contains(n))?;
                Some(DatabaseSchema {
                    database: database.to_owned(),
                    name,
                    description: describe::comment(row, 1),
                    source_url: None,
                    tags: vec![],
                })
            })
            .collect())
    }

    fn describe_tables(
        &mut self,
        database: &str,
        tables: &[(String, String)],
    ) -> Result<Vec<Result<Table, TableError>>, SqlError> {
        let mut described = Vec::with_capacity(tables.len());
        for (schema, names) in omrun_common_db::by_schema(tables) {
            let found = describe::tables(&self.client, database, schema, &names)?;
            described.extend(found.into_iter().map(Ok));
        }
        Ok(described)
    }
}
