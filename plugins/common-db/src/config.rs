//! The parts of the workflow config a SQL connector reads: `serviceConnection.config` and
//! `sourceConfig.config` (OpenMetadata's `DatabaseMetadata` pipeline). Unknown keys are ignored;
//! secrets never arrive (the host holds them).

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::filter::{FilterPattern, PatternConfig};

/// Every config key [`ConnectionConfig`] and [`SourceOptions`] read, as dotted paths under the
/// workflow's `source`: a SQL connector declares them (with any of its own) through
/// `omrun_sdk::declare_config_keys!`, so the host can list the keys a config sets to no effect.
pub const KEYS: &[&str] = &[
    "serviceConnection.config.database",
    "serviceConnection.config.ingestAllDatabases",
    "serviceConnection.config.databaseName",
    "serviceConnection.config.databaseSchema",
    "sourceConfig.config.databaseFilterPattern",
    "sourceConfig.config.schemaFilterPattern",
    "sourceConfig.config.tableFilterPattern",
    "sourceConfig.config.storedProcedureFilterPattern",
    "sourceConfig.config.includeTables",
    "sourceConfig.config.includeViews",
    "sourceConfig.config.includeStoredProcedures",
    "sourceConfig.config.useFqnForFiltering",
];

/// `serviceConnection.config`, the keys every SQL connector understands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// `database`: the database the connection names, if any (an empty name counts as none).
    pub database: Option<String>,
    /// `ingestAllDatabases`: ingest every database on the server (PostgreSQL-like sources)
    /// instead of only `database`.
    pub ingest_all_databases: bool,
    /// `databaseName`: for sources without databases of their own (MySQL, MariaDB), the name
    /// OpenMetadata gives the one database that holds their schemas (`default` when absent).
    pub database_name: Option<String>,
    /// `databaseSchema`: for MySQL-like sources, ingest only this schema.
    pub database_schema: Option<String>,
    /// The whole `serviceConnection.config` as JSON, for the dialect's own keys (Snowflake's
    /// `account`, `warehouse`, `role`…).
    pub json: String,
    /// Which of its secrets the config sets, by dotted path (the host keeps their values): how a
    /// dialect chooses to authenticate (Snowflake: `privateKey` means a key pair).
    pub secrets: Vec<String>,
}

impl ConnectionConfig {
    /// Parses `serviceConnection.config` JSON.
    pub fn parse(json: &str) -> Result<Self, String> {
        let raw: RawConnection = parse_json(json, "serviceConnection.config")?;
        Ok(Self {
            database: raw.database.filter(|d| !d.is_empty()),
            ingest_all_databases: raw.ingest_all_databases.unwrap_or(false),
            database_name: raw.database_name.filter(|d| !d.is_empty()),
            database_schema: raw.database_schema.filter(|d| !d.is_empty()),
            json: json.to_owned(),
            secrets: Vec::new(),
        })
    }
}

/// `sourceConfig.config`, compiled: which databases, schemas and tables to ingest.
#[derive(Debug, Clone)]
pub struct SourceOptions {
    /// `databaseFilterPattern`.
    pub databases: FilterPattern,
    /// `schemaFilterPattern`.
    pub schemas: FilterPattern,
    /// `tableFilterPattern`.
    pub tables: FilterPattern,
    /// `storedProcedureFilterPattern`.
    pub stored_procedures: FilterPattern,
    /// `includeTables`: regular, partitioned and foreign tables.
    pub include_tables: bool,
    /// `includeViews`: views and materialized views.
    pub include_views: bool,
    /// `includeStoredProcedures` (OpenMetadata's default: true).
    pub include_stored_procedures: bool,
    /// `useFqnForFiltering`: patterns match fully qualified names instead of bare names.
    pub use_fqn_for_filtering: bool,
}

impl SourceOptions {
    /// Parses and compiles `sourceConfig.config` JSON; a bad regex is an error naming its key.
    pub fn parse(json: &str) -> Result<Self, String> {
        let raw: RawSourceOptions = parse_json(json, "sourceConfig.config")?;
        let compile = FilterPattern::from_config;
        Ok(Self {
            databases: compile("databaseFilterPattern", raw.database_filter_pattern)?,
            schemas: compile("schemaFilterPattern", raw.schema_filter_pattern)?,
            tables: compile("tableFilterPattern", raw.table_filter_pattern)?,
            stored_procedures: compile(
                "storedProcedureFilterPattern",
                raw.stored_procedure_filter_pattern,
            )?,
            include_tables: raw.include_tables.unwrap_or(true),
            include_views: raw.include_views.unwrap_or(true),
            include_stored_procedures: raw.include_stored_procedures.unwrap_or(true),
            use_fqn_for_filtering: raw.use_fqn_for_filtering.unwrap_or(false),
        })
    }
}

// Every field is an `Option` because OpenMetadata configs write `null` as often as they omit a key.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawConnection {
    database: Option<String>,
    ingest_all_databases: Option<bool>,
    database_name: Option<String>,
    database_schema: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawSourceOptions {
    database_filter_pattern: Option<PatternConfig>,
    schema_filter_pattern: Option<PatternConfig>,
    table_filter_pattern: Option<PatternConfig>,
    stored_procedure_filter_pattern: Option<PatternConfig>,
    include_tables: Option<bool>,
    include_views: Option<bool>,
    include_stored_procedures: Option<bool>,
    use_fqn_for_filtering: Option<bool>,
}

/// Parses a JSON object; empty text or `null` count as `{}`.
fn parse_json<T: DeserializeOwned + Default>(json: &str, what: &str) -> Result<T, String> {
    let json = json.trim();
    if json.is_empty() || json == "null" {
        return Ok(T::default());
    }
    serde_json::from_str(json).map_err(|e| format!("invalid {what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use omrun_sdk::config_keys::fields_of;

    #[test]
    fn keys_are_exactly_the_fields_read() {
        let declared = |prefix: &str| -> Vec<String> {
            let mut keys: Vec<String> = KEYS
                .iter()
                .filter_map(|k| k.strip_prefix(prefix))
                .map(str::to_owned)
                .collect();
            keys.sort();
            keys
        };
        assert_eq!(
            fields_of::<RawConnection>(),
            declared("serviceConnection.config.")
        );
        assert_eq!(
            fields_of::<RawSourceOptions>(),
            declared("sourceConfig.config.")
        );
        assert_eq!(
            KEYS.len(),
            declared("serviceConnection.config.").len() + declared("sourceConfig.config.").len()
        );
    }

    #[test]
    fn connection_keys() {
        let c = ConnectionConfig::parse(
            r#"{"type":"Postgres","hostPort":"db:5432","username":"u","database":"shop","ingestAllDatabases":true,"extra":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(c.database.as_deref(), Some("shop"));
        assert!(c.ingest_all_databases);
        let c = ConnectionConfig::parse(r#"{"type":"SQLite","databaseMode":":memory:"}"#).unwrap();
        assert_eq!(c.database, None);
        assert!(!c.ingest_all_databases);
        let json = r#"{"database":"","ingestAllDatabases":null}"#;
        let c = ConnectionConfig::parse(json).unwrap();
        let json = json.to_owned();
        assert_eq!(
            c,
            ConnectionConfig {
                json,
                ..ConnectionConfig::default()
            }
        );
        let c = ConnectionConfig::parse(
            r#"{"type":"Mysql","databaseName":"warehouse","databaseSchema":"shop"}"#,
        )
        .unwrap();
        assert_eq!(c.database_name.as_deref(), Some("warehouse"));
        assert_eq!(c.database_schema.as_deref(), Some("shop"));
        assert!(
            ConnectionConfig::parse("[1]")
                .unwrap_err()
                .contains("serviceConnection.config")
        );
    }

    #[test]
    fn defaults() {
        for json in [
            "",
            "null",
            "{}",
            r#"{"type":"DatabaseMetadata","markDeletedTables":true}"#,
        ] {
            let o = SourceOptions::parse(json).unwrap();
            assert!(
                o.include_tables
                    && o.include_views
                    && o.include_stored_procedures
                    && !o.use_fqn_for_filtering,
                "{json}"
            );
            assert!(o.databases.keeps("x") && o.schemas.keeps("x") && o.tables.keeps("x"));
        }
    }

    #[test]
    fn filters_and_flags() {
        let o = SourceOptions::parse(
            r#"{
                "schemaFilterPattern": {"includes": ["public"], "excludes": null},
                "tableFilterPattern": {"excludes": ["tmp_.*"]},
                "databaseFilterPattern": null,
                "includeViews": false,
                "includeTables": null,
                "includeStoredProcedures": false,
                "storedProcedureFilterPattern": {"excludes": ["^tmp"]},
                "useFqnForFiltering": true
            }"#,
        )
        .unwrap();
        assert!(o.schemas.keeps("public") && !o.schemas.keeps("sales"));
        assert!(!o.tables.keeps("tmp_x") && o.tables.keeps("orders"));
        assert!(o.databases.keeps("any"));
        assert!(!o.include_views && o.include_tables && o.use_fqn_for_filtering);
        assert!(!o.include_stored_procedures);
        assert!(!o.stored_procedures.keeps("tmp_load") && o.stored_procedures.keeps("load"));
    }

    #[test]
    fn bad_regex_fails_with_key_and_pattern() {
        let e = SourceOptions::parse(r#"{"tableFilterPattern": {"includes": ["ok", "[bad"]}}"#)
            .unwrap_err();
        assert!(
            e.contains("tableFilterPattern.includes") && e.contains("`[bad`"),
            "{e}"
        );
    }
}
