//! The SQLite connector (`sqlite.wasm`): OpenMetadata's `SQLite` service, read from
//! `sqlite_master` and the pragma functions through the host's `sql` capability. Filters,
//! discovery and batching come from [`omrun_common_db::SqlSource`]; this crate is the dialect.
//!
//! As in OpenMetadata, the file is one database named `default` (or the connection's `database`)
//! with one schema, `main`.

mod describe;
mod queries;

use omrun_common_db::config::ConnectionConfig;
use omrun_common_db::{Catalog, Databases, TableError, TableName};
use omrun_sdk::sql::{Connection, Row, SqlError};
use omrun_sdk::types::{Capability, Database, DatabaseSchema, PluginInfo, Table, TableType};

omrun_sdk::export_discoverable_source!(omrun_common_db::SqlSource<Sqlite>);
omrun_sdk::declare_config_keys!(omrun_common_db::config::KEYS);

/// The one schema of an SQLite database.
const SCHEMA: &str = "main";

/// The catalog of one SQLite database file.
pub struct Sqlite {
    conn: Connection,
    database: String,
}

impl Catalog for Sqlite {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "sqlite".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["SQLite".into()],
            capabilities: vec![Capability::Sql("source".into())],
        }
    }

    fn connect(config: &ConnectionConfig) -> Result<Self, String> {
        let conn = Connection::open("source", None)
            .map_err(|e| format!("opening the SQLite database: {e}"))?;
        let dialect = conn.dialect();
        if dialect != "sqlite" {
            return Err(format!("the `source` connection is {dialect}, not SQLite"));
        }
        let database = config.database.clone().unwrap_or_else(|| "default".into());
        Ok(Self { conn, database })
    }

    fn databases(&mut self) -> Result<Databases, SqlError> {
        Ok(Databases::Configured(self.database.clone()))
    }

    fn schemas(&mut self, database: &str) -> Result<Vec<String>, SqlError> {
        Ok(if database == self.database {
            vec![SCHEMA.into()]
        } else {
            Vec::new()
        })
    }

    fn tables(&mut self, database: &str) -> Result<Vec<TableName>, SqlError> {
        if database != self.database {
            return Ok(Vec::new());
        }
        self.conn
            .query(queries::LIST_TABLES, &[])?
            .map(|row| {
                let row = row?;
                Ok(TableName {
                    schema: SCHEMA.into(),
                    name: row.required(0, Row::string)?,
                    table_type: table_type(row.required(1, Row::str)?),
                })
            })
            .collect()
    }

    fn describe_databases(&mut self, names: &[String]) -> Result<Vec<Database>, SqlError> {
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
        let exists = database == self.database && names.iter().any(|n| n == SCHEMA);
        Ok(exists
            .then(|| DatabaseSchema {
                database: database.to_owned(),
                name: SCHEMA.into(),
                description: None,
                source_url: None,
                tags: vec![],
            })
            .into_iter()
            .collect())
    }

    fn describe_tables(
        &mut self,
        database: &str,
        tables: &[(String, String)],
    ) -> Result<Vec<Result<Table, TableError>>, SqlError> {
        if database != self.database {
            return Ok(Vec::new());
        }
        let names = tables
            .iter()
            .filter(|(s, _)| s == SCHEMA)
            .map(|(_, t)| t.clone())
            .collect();
        describe::tables(&self.conn, database, names)
    }
}

/// The table type of a `sqlite_master.type` (the queries select only tables and views).
fn table_type(kind: &str) -> TableType {
    if kind == "view" {
        TableType::View
    } else {
        TableType::Regular
    }
}
