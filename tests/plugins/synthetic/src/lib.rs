//! Tables made up in memory: no database, no capability. It isolates what omrun itself costs — the
//! host↔guest boundary, the pipeline, the sink — from catalog queries. Discovery lists
//! `serviceConnection.config.tables` tables (default 1000) in one schema, in pages of its own
//! (ranges of table numbers: it never holds the list), or, with `"listed": true`, as one list the
//! SDK pages; every table has `columns` columns (default 20: a typical table; 1 makes a run that
//! exercises counts, not bytes).
//!
//! With `"nested": true` it describes what contract 0.3.0 added, the way a BigQuery connector
//! would (`nested.rs`): a nested RECORD column with a policy tag on a field, labels as tags on the
//! tables and the schema, source URLs. `"malformed": N` makes table `tN`'s column list name a
//! parent after its field, which the host must refuse for that table alone.

mod nested;

use omrun_sdk::types::{
    Column, ConstraintType, DataType, Database, DatabaseSchema, Entity, EntityKind, EntityRef,
    Page, PluginInfo, ProcedureLanguage, SourceConfig, StoredProcedure, StoredProcedureType, Table,
    TableConstraint, TableType,
};

omrun_sdk::export_discoverable_source!(Synthetic);

pub struct Synthetic {
    tables: usize,
    columns: u32,
    nested: bool,
    malformed: Option<usize>,
    listed: bool,
}

/// Tables per page of its own discovery.
const PAGE: usize = 5_000;

/// The number after `"key":` in the connection's JSON, if any: this plugin has no JSON parser, to
/// keep it small.
fn number(config: &str, key: &str) -> Option<usize> {
    config
        .split(&format!("\"{key}\":"))
        .nth(1)?
        .trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

impl omrun_sdk::DiscoverableSource for Synthetic {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "synthetic".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["CustomDatabase".into()],
            capabilities: Vec::new(),
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let connection = config.service_connection.as_str();
        let tables = number(connection, "tables").unwrap_or(1000);
        let columns = number(connection, "columns").map_or(20, |c| c.clamp(1, 10_000) as u32);
        let nested = connection.contains("\"nested\":true");
        let malformed = number(connection, "malformed");
        let listed = connection.contains("\"listed\":true");
        // Through the `log` facade and through `tracing` (its `log` feature, no subscriber): the
        // SDK routes both to the host's log, which the tests check.
        log::info!("synthetic: {tables} tables via the log facade");
        tracing::info!("synthetic: opened via tracing");
        Ok(Synthetic {
            tables,
            columns,
            nested,
            malformed,
            listed,
        })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        let mut refs = vec![EntityRef::database("db"), EntityRef::schema("db", "s")];
        refs.extend((1..=self.tables).map(table_ref));
        Ok(refs)
    }

    /// Tables `from..from + PAGE`, the cursor being the number of the next page's first.
    fn discover_page(&mut self, cursor: Option<&str>) -> Option<Result<Page, String>> {
        if self.listed {
            return None;
        }
        let (mut refs, from) = match cursor.map(str::parse::<usize>) {
            None => (
                vec![EntityRef::database("db"), EntityRef::schema("db", "s")],
                1,
            ),
            Some(Ok(from)) => (Vec::new(), from),
            Some(Err(_)) => return Some(Err(format!("synthetic gave no cursor {cursor:?}"))),
        };
        let to = (from + PAGE).min(self.tables + 1);
        refs.extend((from..to).map(table_ref));
        let next = (to <= self.tables).then(|| to.to_string());
        Some(Ok(Page { refs, next }))
    }

    // Only `process_one`: the SDK's default `process` maps it over each batch.
    fn process_one(&mut self, r: EntityRef) -> Result<Vec<Entity>, String> {
        let mut entity = entity(r, self.columns);
        if self.nested {
            nested::add(&mut entity, self.malformed);
        }
        Ok(vec![entity])
    }
}

fn table_ref(number: usize) -> EntityRef {
    EntityRef::table("db", "s", format!("t{number}"))
}

fn entity(r: EntityRef, columns: u32) -> Entity {
    let name = r.path.last().cloned().unwrap_or_default();
    match r.kind {
        EntityKind::Database => Entity::Database(Database {
            name,
            description: None,
            source_url: None,
        }),
        EntityKind::DatabaseSchema => Entity::DatabaseSchema(DatabaseSchema {
            database: "db".into(),
            name,
            description: Some("a schema".into()),
            source_url: None,
            tags: vec![],
        }),
        EntityKind::Table => Entity::Table(table(name, columns)),
        EntityKind::StoredProcedure => Entity::StoredProcedure(StoredProcedure {
            database: "db".into(),
            schema: "s".into(),
            name,
            procedure_type: StoredProcedureType::StoredProcedure,
            language: ProcedureLanguage::Sql,
            code: Some("SELECT 1".into()),
            description: None,
        }),
        other => unreachable!("synthetic never discovers a {other:?}"),
    }
}

/// `count` columns of mixed types, a primary key and a comment: with 20, a typical table's record.
fn table(name: String, count: u32) -> Table {
    let types = [
        (DataType::Bigint, "bigint", None),
        (DataType::Varchar, "character varying(64)", Some(64)),
        (DataType::Numeric, "numeric(12,2)", None),
        (DataType::Timestampz, "timestamp with time zone", None),
        (DataType::Json, "jsonb", None),
    ];
    let columns = (1..=count)
        .map(|position| {
            let (data_type, display, length) = types[position as usize % types.len()];
            Column {
                name: format!("column_{position}"),
                data_type,
                data_type_display: display.into(),
                array_data_type: None,
                data_length: length,
                precision: (data_type == DataType::Numeric).then_some(12),
                scale: (data_type == DataType::Numeric).then_some(2),
                nullable: position != 1,
                ordinal_position: position,
                description: (position % 3 == 0).then(|| format!("column {position}")),
                parent: None,
                tags: vec![],
            }
        })
        .collect();
    Table {
        database: "db".into(),
        schema: "s".into(),
        description: Some(format!("table {name}")),
        name,
        table_type: TableType::Regular,
        columns,
        constraints: vec![TableConstraint {
            constraint_type: ConstraintType::PrimaryKey,
            columns: vec!["column_1".into()],
            referred_table: None,
            referred_columns: Vec::new(),
        }],
        definition: None,
        partition_columns: Vec::new(),
        source_url: None,
        tags: vec![],
    }
}
