//! The dialect: what a SQL connector must tell [`SqlSource`](crate::SqlSource) about its catalog.

use omrun_sdk::sql::SqlError;
use omrun_sdk::types::{Database, DatabaseSchema, PluginInfo, StoredProcedure, Table, TableType};

use crate::config::ConnectionConfig;

/// The databases a catalog ingests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Databases {
    /// The one database the connection names. OpenMetadata applies no `databaseFilterPattern`
    /// to it.
    Configured(String),
    /// Every database on the server; `databaseFilterPattern` then picks among them.
    All(Vec<String>),
}

/// A table or view as discovery lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName {
    /// Its schema.
    pub schema: String,
    /// Its name.
    pub name: String,
    /// Its kind; views and materialized views fall under `includeViews`, the rest under
    /// `includeTables`.
    pub table_type: TableType,
}

/// A table that exists but could not be described while the rest of its batch could (say, a
/// SQLite view over a dropped table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    /// The table's schema.
    pub schema: String,
    /// The table's name.
    pub name: String,
    /// Why it could not be described.
    pub message: String,
}

/// A SQL dialect's catalog. Listing is by name only and cheap (discovery); describing is
/// set-based: each `describe_*` call covers a whole batch with a handful of queries, never one
/// query per entity.
///
/// A `describe_*` method returns the entities it found, in any order, and simply leaves out those
/// that do not exist (any more); [`SqlSource`](crate::SqlSource) reports those per ref.
pub trait Catalog: Sized + 'static {
    /// Static facts about the plugin.
    fn info() -> PluginInfo;

    /// Connects (or prepares to, lazily) with the source's connection config.
    fn connect(config: &ConnectionConfig) -> Result<Self, String>;

    /// The databases to ingest.
    fn databases(&mut self) -> Result<Databases, SqlError>;

    /// The schemas of `database`.
    fn schemas(&mut self, database: &str) -> Result<Vec<String>, SqlError>;

    /// The tables and views of `database`, all schemas at once.
    fn tables(&mut self, database: &str) -> Result<Vec<TableName>, SqlError>;

    /// The databases named `names`.
    fn describe_databases(&mut self, names: &[String]) -> Result<Vec<Database>, SqlError>;

    /// The schemas of `database` named `names`.
    fn describe_schemas(
        &mut self,
        database: &str,
        names: &[String],
    ) -> Result<Vec<DatabaseSchema>, SqlError>;

    /// The tables and views of `database` named by `(schema, table)` pairs, with their columns,
    /// constraints, definition and partitioning. The outer `Err` fails the whole batch; an inner
    /// `Err` fails one table only.
    fn describe_tables(
        &mut self,
        database: &str,
        tables: &[(String, String)],
    ) -> Result<Vec<Result<Table, TableError>>, SqlError>;

    /// The stored procedures and functions of `database` as `(schema, name)`, all schemas at
    /// once. A dialect without them keeps this default.
    fn stored_procedures(&mut self, _database: &str) -> Result<Vec<(String, String)>, SqlError> {
        Ok(Vec::new())
    }

    /// The stored procedures of `database` named by `(schema, name)` pairs, with their code.
    fn describe_stored_procedures(
        &mut self,
        _database: &str,
        _names: &[(String, String)],
    ) -> Result<Vec<StoredProcedure>, SqlError> {
        Ok(Vec::new())
    }
}

/// `(schema, name)` pairs grouped by schema, for the describe queries that cover one schema's
/// batch at a time.
pub fn by_schema(pairs: &[(String, String)]) -> std::collections::BTreeMap<&str, Vec<String>> {
    let mut groups: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (schema, name) in pairs {
        groups.entry(schema).or_default().push(name.clone());
    }
    groups
}

/// Whether OpenMetadata's `includeViews` (rather than `includeTables`) governs this table type.
pub fn is_view(table_type: TableType) -> bool {
    matches!(
        table_type,
        TableType::View
            | TableType::MaterializedView
            | TableType::SecureView
            | TableType::SemanticView
    )
}
