//! The MySQL and MariaDB connector (`mysql.wasm`): OpenMetadata's `Mysql` and `MariaDB` services,
//! read from `information_schema` through the host's `sql` capability. Filters, discovery and
//! batching come from [`omrun_common_db::SqlSource`]; this crate is the dialect.
//!
//! As in OpenMetadata, MySQL's databases are schemas of one database, named by the connection's
//! `databaseName` (`default` when absent); `databaseSchema` limits the run to one of them.

mod describe;
mod dialect;
mod queries;

use omrun_common_db::config::ConnectionConfig;
use omrun_common_db::{Catalog, Databases, TableError, TableName};
use omrun_sdk::sql::{Connection, Row, SqlError};
use omrun_sdk::types::{
    Capability, Database, DatabaseSchema, PluginInfo, StoredProcedure, Table, TableType,
};

omrun_sdk::export_discoverable_source!(omrun_common_db::SqlSource<Mysql>);
omrun_sdk::declare_config_keys!(omrun_common_db::config::KEYS);

/// The catalog of one MySQL or MariaDB server.
pub struct Mysql {
    conn: Connection,
    /// OpenMetadata's name for the one database.
    database: String,
    /// `databaseSchema`: the only schema to ingest, if set.
    only_schema: Option<String>,
}

impl Mysql {
    /// Whether `schema` is one this run ingests.
    fn wanted(&self, schema: &str) -> bool {
        self.only_schema.as_deref().is_none_or(|s| s == schema)
    }
}

impl Catalog for Mysql {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "mysql".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Mysql".into(), "MariaDB".into()],
            capabilities: vec![Capability::Sql("source".into())],
        }
    }

    fn connect(config: &ConnectionConfig) -> Result<Self, String> {
        let conn =
            Connection::open("source", None).map_err(|e| format!("connecting to MySQL: {e}"))?;
        let dialect = conn.dialect();
        if dialect != "mysql" {
            return Err(format!(
                "the `source` connection is {dialect}, not MySQL or MariaDB"
            ));
        }
        Ok(Self {
            conn,
            database: config
                .database_name
                .clone()
                .unwrap_or_else(|| "default".into()),
            only_schema: config.database_schema.clone(),
        })
    }

    fn databases(&mut self) -> Result<Databases, SqlError> {
        Ok(Databases::Configured(self.database.clone()))
    }

    fn schemas(&mut self, _database: &str) -> Result<Vec<String>, SqlError> {
        let all = self.conn.query(queries::LIST_SCHEMAS, &[])?;
        let mut schemas = Vec::new();
        for row in all {
            let schema = row?.required(0, Row::string)?;
            if self.wanted(&schema) {
                schemas.push(schema);
            }
        }
        Ok(schemas)
    }

    fn tables(&mut self, _database: &str) -> Result<Vec<TableName>, SqlError> {
        let mut tables = Vec::new();
        for row in self.conn.query(queries::LIST_TABLES, &[])? {
            let row = row?;
            let schema = row.required(0, Row::string)?;
            if !self.wanted(&schema) {
                continue;
            }
            let table_type = match row.required(2, Row::str)? {
                "VIEW" => TableType::View,
                _ if row.str(3).is_some_and(|o| o.contains("partitioned")) => {
                    TableType::Partitioned
                }
                _ => TableType::Regular,
            };
            tables.push(TableName {
                schema,
                name: row.required(1, Row::string)?,
                table_type,
            });
        }
        Ok(tables)
    }

    fn describe_databases(&mut self, names: &[String]) -> Result<Vec<Database>, SqlError> {
        // The database is OpenMetadata's container only; MySQL has nothing to say about it.
        Ok(names
            .iter()
            .filter(|n| **n == self.database)
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
        // MariaDB keeps schema comments; MySQL has no such column, so there names alone.
        let (rows, with_comments) = match self
            .conn
            .query_all(queries::DESCRIBE_SCHEMAS_WITH_COMMENTS, &[])
        {
            Ok(rows) => (rows, true),
            Err(_) => (self.conn.query_all(queries::LIST_SCHEMAS, &[])?, false),
        };
        let mut schemas = Vec::new();
        for row in rows {
            let name = row.required(0, Row::string)?;
            if names.contains(&name) {
                schemas.push(DatabaseSchema {
                    database: database.to_owned(),
                    name,
                    description: with_comments
                        .then(|| row.string(1))
                        .flatten()
                        .filter(|c| !c.is_empty()),
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
        let mut described = Vec::new();
        for (schema, names) in omrun_common_db::by_schema(tables) {
            let found = describe::tables(&self.conn, database, schema, &names)?;
            described.extend(found.into_iter().map(Ok));
        }
        Ok(described)
    }

    fn stored_procedures(&mut self, _database: &str) -> Result<Vec<(String, String)>, SqlError> {
        let mut routines = Vec::new();
        for row in self.conn.query(queries::LIST_ROUTINES, &[])? {
            let row = row?;
            let schema = row.required(0, Row::string)?;
            if self.wanted(&schema) {
                routines.push((schema, row.required(1, Row::string)?));
            }
        }
        Ok(routines)
    }

    fn describe_stored_procedures(
        &mut self,
        database: &str,
        names: &[(String, String)],
    ) -> Result<Vec<StoredProcedure>, SqlError> {
        let mut described = Vec::new();
        for (schema, names) in omrun_common_db::by_schema(names) {
            described.extend(describe::routines(&self.conn, database, schema, &names)?);
        }
        Ok(described)
    }
}
