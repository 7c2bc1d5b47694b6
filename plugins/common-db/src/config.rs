//! The parts of the workflow config a SQL connector reads: `serviceConnection.config` and
//! `sourceConfig.config` (OpenMetadata's `DatabaseMetadata` pipeline). Unknown keys are ignored;
//! secrets never arrive (the host holds them).

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::filter::FilterPattern;

/// `serviceConnection.config`, the keys every SQL connector understands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// `database`: the database the connection names, if any (an empty name counts as none).
    pub database: Option<String>,
    /// `ingestAllDatabases`: ingest every database on the server (PostgreSQL-like sources)
    /// instead of only `database`.
    pub ingest_all_databases: bool,
}

impl ConnectionConfig {
    /// Parses `serviceConnection.config` JSON.
    pub fn parse(json: &str) -> Result<Self, String> {
        let raw: RawConnection = parse_json(json, "serviceConnection.config")?;
        Ok(Self {
            database: raw.database.filter(|d| !d.is_empty()),
            ingest_all_databases: raw.ingest_all_databases.unwrap_or(false),
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
    /// `includeTables`: regular, partitioned and foreign tables.
    pub include_tables: bool,
    /// `includeViews`: views and materialized views.
    pub include_views: bool,
    /// `useFqnForFiltering`: patterns match fully qualified names instead of bare names.
    pub use_fqn_for_filtering: bool,
}

impl SourceOptions {
    /// Parses and compiles `sourceConfig.config` JSON; a bad regex is an error naming its key.
    pub fn parse(json: &str) -> Result<Self, String> {
        let raw: RawSourceOptions = parse_json(json, "sourceConfig.config")?;
        let compile = |key: &str, p: Option<RawPattern>| {
            let p = p.unwrap_or_default();
            FilterPattern::new(
                key,
                &p.includes.unwrap_or_default(),
                &p.excludes.unwrap_or_default(),
            )
        };
        Ok(Self {
            databases: compile("databaseFilterPattern", raw.database_filter_pattern)?,
            schemas: compile("schemaFilterPattern", raw.schema_filter_pattern)?,
            tables: compile("tableFilterPattern", raw.table_filter_pattern)?,
            include_tables: raw.include_tables.unwrap_or(true),
            include_views: raw.include_views.unwrap_or(true),
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
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawSourceOptions {
    database_filter_pattern: Option<RawPattern>,
    schema_filter_pattern: Option<RawPattern>,
    table_filter_pattern: Option<RawPattern>,
    include_tables: Option<bool>,
    include_views: Option<bool>,
    use_fqn_for_filtering: Option<bool>,
}

#[derive(Deserialize, Default)]
struct RawPattern {
    includes: Option<Vec<String>>,
    excludes: Option<Vec<String>>,
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
        let c = ConnectionConfig::parse(r#"{"database":"","ingestAllDatabases":null}"#).unwrap();
        assert_eq!(c, ConnectionConfig::default());
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
                o.include_tables && o.include_views && !o.use_fqn_for_filtering,
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
                "useFqnForFiltering": true
            }"#,
        )
        .unwrap();
        assert!(o.schemas.keeps("public") && !o.schemas.keeps("sales"));
        assert!(!o.tables.keeps("tmp_x") && o.tables.keeps("orders"));
        assert!(o.databases.keeps("any"));
        assert!(!o.include_views && o.include_tables && o.use_fqn_for_filtering);
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
