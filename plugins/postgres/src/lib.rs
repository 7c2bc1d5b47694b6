//! The PostgreSQL connector (`postgres.wasm`): OpenMetadata's `Postgres` service, read from
//! `pg_catalog` through the host's `sql` capability. Filters, discovery and batching come from
//! [`omrun_common_db::SqlSource`]; this crate is the dialect.

mod describe;
mod queries;
mod types;

use omrun_common_db::config::ConnectionConfig;
use omrun_common_db::{Catalog, Databases, PerDatabase, TableError, TableName};
use omrun_sdk::sql::{Connection, Row, SqlError, Value};
use omrun_sdk::types::{
    Capability, Database, DatabaseSchema, PluginInfo, ProcedureLanguage, StoredProcedure,
    StoredProcedureType, Table, TableType,
};

omrun_sdk::export_discoverable_source!(omrun_common_db::SqlSource<Postgres>);
omrun_sdk::declare_config_keys!(omrun_common_db::config::KEYS);

/// The catalog of one PostgreSQL server. PostgreSQL keeps a catalog per database, so each
/// database is read over its own connection.
pub struct Postgres {
    ingest_all_databases: bool,
    connections: PerDatabase,
}

impl Catalog for Postgres {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "postgres".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Postgres".into()],
            capabilities: vec![Capability::Sql("source".into())],
        }
    }

    fn connect(config: &ConnectionConfig) -> Result<Self, String> {
        let default = Connection::open("source", config.database.as_deref())
            .map_err(|e| format!("connecting to PostgreSQL: {e}"))?;
        let dialect = default.dialect();
        if dialect != "postgres" {
            return Err(format!(
                "the `source` connection is {dialect}, not PostgreSQL"
            ));
        }
        let default_database = match &config.database {
            Some(db) => db.clone(),
            None => texts(&default, queries::CURRENT_DATABASE, &[])
                .map_err(|e| format!("reading the current database: {e}"))?
                .pop()
                .unwrap_or_default(),
        };
        Ok(Self {
            ingest_all_databases: config.ingest_all_databases,
            connections: PerDatabase::new(default_database, default),
        })
    }

    fn databases(&mut self) -> Result<Databases, SqlError> {
        if !self.ingest_all_databases {
            return Ok(Databases::Configured(
                self.connections.default_database().to_owned(),
            ));
        }
        Ok(Databases::All(texts(
            self.connections.default(),
            queries::LIST_DATABASES,
            &[],
        )?))
    }

    fn schemas(&mut self, database: &str) -> Result<Vec<String>, SqlError> {
        texts(self.connections.get(database)?, queries::LIST_SCHEMAS, &[])
    }

    fn tables(&mut self, database: &str) -> Result<Vec<TableName>, SqlError> {
        let conn = self.connections.get(database)?;
        conn.query(queries::LIST_TABLES, &[])?
            .map(|row| {
                let row = row?;
                Ok(TableName {
                    schema: row.required(0, Row::string)?,
                    name: row.required(1, Row::string)?,
                    table_type: table_type(row.required(2, Row::str)?),
                })
            })
            .collect()
    }

    fn describe_databases(&mut self, names: &[String]) -> Result<Vec<Database>, SqlError> {
        let params = [Value::TextList(names.to_vec())];
        self.connections
            .default()
            .query(queries::DESCRIBE_DATABASES, &params)?
            .map(|row| {
                let row = row?;
                Ok(Database {
                    name: row.required(0, Row::string)?,
                    description: row.string(1),
                    source_url: None,
                })
            })
            .collect()
    }

    fn describe_schemas(
        &mut self,
        database: &str,
        names: &[String],
    ) -> Result<Vec<DatabaseSchema>, SqlError> {
        let params = [Value::TextList(names.to_vec())];
        self.connections
            .get(database)?
            .query(queries::DESCRIBE_SCHEMAS, &params)?
            .map(|row| {
                let row = row?;
                Ok(DatabaseSchema {
                    database: database.to_owned(),
                    name: row.required(0, Row::string)?,
                    description: row.string(1),
                    source_url: None,
                    tags: vec![],
                })
            })
            .collect()
    }

    fn describe_tables(
        &mut self,
        database: &str,
        tables: &[(String, String)],
    ) -> Result<Vec<Result<Table, TableError>>, SqlError> {
        // Nothing here fails for one table alone: PostgreSQL keeps views valid.
        let tables = describe::tables(self.connections.get(database)?, database, tables)?;
        Ok(tables.into_iter().map(Ok).collect())
    }

    fn stored_procedures(&mut self, database: &str) -> Result<Vec<(String, String)>, SqlError> {
        self.connections
            .get(database)?
            .query(queries::LIST_STORED_PROCEDURES, &[])?
            .map(|row| {
                let row = row?;
                Ok((row.required(0, Row::string)?, row.required(1, Row::string)?))
            })
            .collect()
    }

    fn describe_stored_procedures(
        &mut self,
        database: &str,
        names: &[(String, String)],
    ) -> Result<Vec<StoredProcedure>, SqlError> {
        let (schemas, names): (Vec<String>, Vec<String>) = names.iter().cloned().unzip();
        let params = [Value::TextList(schemas), Value::TextList(names)];
        self.connections
            .get(database)?
            .query(queries::DESCRIBE_STORED_PROCEDURES, &params)?
            .map(|row| {
                let row = row?;
                Ok(StoredProcedure {
                    database: database.to_owned(),
                    schema: row.required(0, Row::string)?,
                    name: row.required(1, Row::string)?,
                    procedure_type: match row.required(2, Row::str)? {
                        "p" => StoredProcedureType::StoredProcedure,
                        _ => StoredProcedureType::Function,
                    },
                    language: language(row.required(3, Row::str)?),
                    code: row.string(4),
                    description: row.string(5),
                })
            })
            .collect()
    }
}

/// OpenMetadata's language of a `pg_language.lanname`.
fn language(lanname: &str) -> ProcedureLanguage {
    match lanname {
        "sql" | "plpgsql" => ProcedureLanguage::Sql,
        l if l.starts_with("plpython") => ProcedureLanguage::Python,
        l if l.starts_with("plv8") || l.starts_with("pljs") => ProcedureLanguage::Javascript,
        l if l.starts_with("pljava") => ProcedureLanguage::Java,
        // C and internal functions: compiled code outside the database.
        _ => ProcedureLanguage::External,
    }
}

/// The first column of every row, as text.
fn texts(conn: &Connection, sql: &str, params: &[Value]) -> Result<Vec<String>, SqlError> {
    conn.query(sql, params)?
        .map(|row| row?.required(0, Row::string))
        .collect()
}

/// The table type of a `pg_class.relkind` (the queries select only these five).
fn table_type(relkind: &str) -> TableType {
    match relkind {
        "p" => TableType::Partitioned,
        "v" => TableType::View,
        "m" => TableType::MaterializedView,
        "f" => TableType::Foreign,
        _ => TableType::Regular,
    }
}
