//! A discoverable connector that fails on purpose, to test what the host does with failures: it
//! lists a SQLite file's tables, then in `process` traps (panics) on any table named `panic_*` —
//! taking its whole batch down — and returns an error for any table named `error_*`. Other tables
//! are described with no columns.

use omrun_sdk::sql::Connection;
use omrun_sdk::types::{Capability, Database, DatabaseSchema, Entity, EntityKind, EntityRef};
use omrun_sdk::types::{PluginInfo, SourceConfig, Table, TableType};

omrun_sdk::export_discoverable_source!(FaultySqlite);

pub struct FaultySqlite {
    connection: Connection,
}

impl omrun_sdk::DiscoverableSource for FaultySqlite {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "faulty-sqlite".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["SQLite".into()],
            capabilities: vec![Capability::Sql("source".into())],
        }
    }

    fn open(_: SourceConfig) -> Result<Self, String> {
        let connection = Connection::open("source", None).map_err(|e| e.to_string())?;
        Ok(FaultySqlite { connection })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        let sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        let rows = self
            .connection
            .query_all(sql, &[])
            .map_err(|e| e.to_string())?;
        let mut refs = vec![
            EntityRef::database("default"),
            EntityRef::schema("default", "main"),
        ];
        refs.extend(
            rows.iter()
                .filter_map(|r| r.str(0))
                .map(|t| EntityRef::table("default", "main", t)),
        );
        Ok(refs)
    }

    fn process(&mut self, batch: Vec<EntityRef>) -> Vec<Result<Vec<Entity>, String>> {
        batch.iter().map(describe).collect()
    }
}

fn describe(r: &EntityRef) -> Result<Vec<Entity>, String> {
    let name = r.path.last().cloned().unwrap_or_default();
    Ok(vec![match r.kind {
        EntityKind::Database => Entity::Database(Database {
            name,
            description: None,
            source_url: None,
        }),
        EntityKind::DatabaseSchema => Entity::DatabaseSchema(DatabaseSchema {
            database: "default".into(),
            name,
            description: None,
            source_url: None,
            tags: vec![],
        }),
        EntityKind::Table if name.starts_with("panic_") => panic!("deliberate panic on {name}"),
        EntityKind::Table if name.starts_with("error_") => {
            return Err(format!("deliberate error on {name}"));
        }
        EntityKind::Table => Entity::Table(Table {
            database: "default".into(),
            schema: "main".into(),
            name,
            table_type: TableType::Regular,
            description: None,
            columns: Vec::new(),
            constraints: Vec::new(),
            definition: None,
            partition_columns: Vec::new(),
            source_url: None,
            tags: vec![],
        }),
        // Never discovered: this plugin lists tables only.
        other => return Err(format!("no {other:?} {name}")),
    }])
}
