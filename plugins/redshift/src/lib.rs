//! The Amazon Redshift connector (`redshift.wasm`): OpenMetadata's `Redshift` service, read
//! through the host's `sql` capability (Redshift speaks PostgreSQL's protocol). Filters,
//! discovery and batching come from [`omrun_common_db::SqlSource`]; this crate is the dialect.
//!
//! Redshift answers catalog queries on its leader node, a PostgreSQL 8.0 without arrays, and
//! keeps what PostgreSQL lacks in system views: see [`queries`] for which query reads what.
//! Against a PostgreSQL server the plugin says so once and runs the portable queries only.

mod assemble;
mod column_types;
mod constraint_def;
mod describe;
mod listing;
mod params;
mod queries;
mod rows;

#[cfg(test)]
mod recorded_tests;

use omrun_common_db::config::ConnectionConfig;
use omrun_common_db::{Catalog, Databases, PerDatabase, TableError, TableName};
use omrun_sdk::sql::{Connection, Row, SqlError, Value};
use omrun_sdk::types::{Capability, Database, DatabaseSchema, PluginInfo, Table};

use crate::describe::collect;
use crate::params::Params;
use crate::rows::{MaterializedViewRow, SvvTableRow};

omrun_sdk::export_discoverable_source!(omrun_common_db::SqlSource<Redshift>);
omrun_sdk::declare_config_keys!(omrun_common_db::config::KEYS);

/// What the server is: Redshift, or a PostgreSQL standing in for it (the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Redshift,
    Postgres,
}

impl Flavor {
    /// From `SELECT version()`: `PostgreSQL 8.0.2 on i686-pc-linux-gnu, … Redshift 1.0.77467`.
    fn of_version(version: &str) -> Self {
        if version.contains("Redshift") {
            Flavor::Redshift
        } else {
            Flavor::Postgres
        }
    }
}

/// The catalog of one Redshift cluster (or serverless workgroup). Like PostgreSQL, it keeps a
/// catalog per database, so each database is read over its own connection.
pub struct Redshift {
    flavor: Flavor,
    ingest_all_databases: bool,
    connections: PerDatabase,
}

impl Catalog for Redshift {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "redshift".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["Redshift".into()],
            capabilities: vec![Capability::Sql("source".into())],
        }
    }

    fn connect(config: &ConnectionConfig) -> Result<Self, String> {
        let default = Connection::open("source", config.database.as_deref())
            .map_err(|e| format!("connecting to Redshift: {e}"))?;
        let dialect = default.dialect();
        if dialect != "postgres" {
            return Err(format!(
                "the `source` connection is {dialect}, not Redshift's PostgreSQL protocol"
            ));
        }
        let first_text = |sql| {
            texts(&default, sql)
                .map(|mut t| t.pop().unwrap_or_default())
                .map_err(|e| format!("connecting to Redshift: {e}"))
        };
        let flavor = Flavor::of_version(&first_text(queries::VERSION)?);
        if flavor == Flavor::Postgres {
            omrun_sdk::log::warn!(
                "the server is PostgreSQL, not Redshift: reading only what the two share \
                 (no external tables, materialized view detection, DISTKEY/SORTKEY or \
                 late-binding view columns)"
            );
        }
        let default_database = match &config.database {
            Some(db) => db.clone(),
            None => first_text(queries::CURRENT_DATABASE)?,
        };
        Ok(Self {
            flavor,
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
        let sql = match self.flavor {
            Flavor::Redshift => queries::LIST_DATABASES_REDSHIFT,
            Flavor::Postgres => queries::LIST_DATABASES_POSTGRES,
        };
        Ok(Databases::All(texts(self.connections.default(), sql)?))
    }

    fn schemas(&mut self, database: &str) -> Result<Vec<String>, SqlError> {
        let flavor = self.flavor;
        let conn = self.connections.get(database)?;
        let mut schemas = texts(conn, queries::LIST_SCHEMAS)?;
        if flavor == Flavor::Redshift {
            schemas.extend(texts(conn, queries::LIST_EXTERNAL_SCHEMAS)?);
            schemas.sort();
            schemas.dedup();
        }
        Ok(schemas)
    }

    fn tables(&mut self, database: &str) -> Result<Vec<TableName>, SqlError> {
        let flavor = self.flavor;
        let conn = self.connections.get(database)?;
        if flavor == Flavor::Postgres {
            return collect(conn, queries::LIST_RELATIONS, &[], |row| {
                Ok(TableName {
                    schema: row.required(0, Row::string)?,
                    name: row.required(1, Row::string)?,
                    table_type: assemble::table_type(row.required(2, Row::str)?),
                })
            });
        }
        let database_param = [Value::Text(database.to_owned())];
        let svv_tables = collect(
            conn,
            queries::LIST_SVV_TABLES,
            &database_param,
            SvvTableRow::from_row,
        )?;
        let all_views = collect(
            conn,
            queries::LIST_MATERIALIZED_VIEWS,
            &[],
            MaterializedViewRow::from_row,
        )?;
        let materialized = listing::materialized_views(database, all_views);
        Ok(listing::tables(svv_tables, &materialized))
    }

    fn describe_databases(&mut self, names: &[String]) -> Result<Vec<Database>, SqlError> {
        let mut p = Params::new();
        let sql = queries::describe_databases(&p.texts(names));
        collect(self.connections.default(), &sql, p.values(), |row| {
            Ok(Database {
                name: row.required(0, Row::string)?,
                description: row.string(1),
                source_url: None,
            })
        })
    }

    fn describe_schemas(
        &mut self,
        database: &str,
        names: &[String],
    ) -> Result<Vec<DatabaseSchema>, SqlError> {
        let mut p = Params::new();
        let sql = queries::describe_schemas(&p.texts(names));
        let mut schemas = collect(self.connections.get(database)?, &sql, p.values(), |row| {
            Ok(DatabaseSchema {
                database: database.to_owned(),
                name: row.required(0, Row::string)?,
                description: row.string(1),
                source_url: None,
                tags: vec![],
            })
        })?;
        if self.flavor == Flavor::Redshift {
            // An external schema may be missing from pg_namespace; it exists if svv says so.
            let known: Vec<String> = schemas.iter().map(|s| s.name.clone()).collect();
            let external = texts(
                self.connections.get(database)?,
                queries::LIST_EXTERNAL_SCHEMAS,
            )?;
            schemas.extend(
                external
                    .into_iter()
                    .filter(|name| names.contains(name) && !known.contains(name))
                    .map(|name| DatabaseSchema {
                        database: database.to_owned(),
                        name,
                        description: None,
                        source_url: None,
                        tags: vec![],
                    }),
            );
        }
        Ok(schemas)
    }

    fn describe_tables(
        &mut self,
        database: &str,
        tables: &[(String, String)],
    ) -> Result<Vec<Result<Table, TableError>>, SqlError> {
        let flavor = self.flavor;
        let tables = describe::tables(self.connections.get(database)?, flavor, database, tables)?;
        Ok(tables.into_iter().map(Ok).collect())
    }
}

/// The first column of every row, as text.
fn texts(conn: &Connection, sql: &str) -> Result<Vec<String>, SqlError> {
    collect(conn, sql, &[], |row| row.required(0, Row::string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavor_from_version() {
        let redshift = "PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467";
        assert_eq!(Flavor::of_version(redshift), Flavor::Redshift);
        let postgres = "PostgreSQL 16.4 (Debian 16.4-1.pgdg120+1) on x86_64-pc-linux-gnu";
        assert_eq!(Flavor::of_version(postgres), Flavor::Postgres);
    }
}
