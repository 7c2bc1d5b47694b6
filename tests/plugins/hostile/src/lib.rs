//! A connector that misbehaves on purpose, to show that the sandbox contains it. `discover` lists
//! one database, one schema and the tables of `serviceConnection.config.tables`; `process` then acts on
//! each table's name prefix:
//!
//! | prefix     | what it does                                                       |
//! |------------|--------------------------------------------------------------------|
//! | `loop_`    | loops forever                                                      |
//! | `alloc_`   | allocates (and touches) up to 4 GiB, 64 MiB at a time              |
//! | `panic_`   | panics                                                             |
//! | `empty_`   | returns a table with an empty name                                 |
//! | `huge_`    | returns a table with a 100 MB name                                 |
//! | `columns_` | returns a table with 20,000 columns                                |
//! | `sql_`     | opens the sql connection `stolen`, which no config grants          |
//! | `file_`    | reads /etc/passwd                                                  |
//! | `env_`     | counts its environment variables (the description says how many)   |
//! | `http_`    | GETs the cloud metadata address, 127.0.0.1:1 and an ungranted host |
//! | other      | a normal table                                                     |
//!
//! `serviceConnection.config.discoverLoop: true` makes `discover` loop forever. The plugin declares no
//! capability: everything it reaches for is refused at run time. `std::hint::black_box` keeps the
//! optimiser from removing the loops and the allocations.

use omrun_sdk::http::Request;
use omrun_sdk::sql::Connection;
use omrun_sdk::types::{Column, DataType, Database, DatabaseSchema, Entity, EntityKind, EntityRef};
use omrun_sdk::types::{PluginInfo, SourceConfig, Table, TableType};
use serde_json::Value;
use std::hint::black_box;

omrun_sdk::export_discoverable_source!(Hostile);

const DATABASE: &str = "hostile";
const SCHEMA: &str = "main";

pub struct Hostile {
    tables: Vec<String>,
    discover_loop: bool,
}

impl omrun_sdk::DiscoverableSource for Hostile {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["CustomDatabase".into()],
            capabilities: Vec::new(),
        }
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        // The connector's own settings, in its connection (a `CustomDatabase` takes any).
        let config: Value =
            serde_json::from_str(&config.service_connection).map_err(|e| e.to_string())?;
        let tables = config["tables"]
            .as_array()
            .ok_or("serviceConnection.config.tables: a list is required")?
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
        let discover_loop = config["discoverLoop"].as_bool().unwrap_or(false);
        Ok(Hostile {
            tables,
            discover_loop,
        })
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        while self.discover_loop && black_box(true) {}
        let mut refs = vec![
            EntityRef::database(DATABASE),
            EntityRef::schema(DATABASE, SCHEMA),
        ];
        refs.extend(
            self.tables
                .iter()
                .map(|t| EntityRef::table(DATABASE, SCHEMA, t)),
        );
        Ok(refs)
    }

    fn process(&mut self, batch: Vec<EntityRef>) -> Vec<Result<Vec<Entity>, String>> {
        batch.iter().map(|r| describe(r).map(|e| vec![e])).collect()
    }
}

fn describe(r: &EntityRef) -> Result<Entity, String> {
    let name = r.path.last().cloned().unwrap_or_default();
    match r.kind {
        EntityKind::Database => Ok(Entity::Database(Database {
            name,
            description: None,
            source_url: None,
        })),
        EntityKind::DatabaseSchema => Ok(Entity::DatabaseSchema(DatabaseSchema {
            database: DATABASE.into(),
            name,
            description: None,
            source_url: None,
            tags: vec![],
        })),
        EntityKind::Table => misbehave(name),
        other => Err(format!("no {other:?} {name}")),
    }
}

fn misbehave(name: String) -> Result<Entity, String> {
    let prefix = name.split_inclusive('_').next().unwrap_or_default();
    match prefix {
        "loop_" => {
            while black_box(true) {}
            unreachable!()
        }
        "alloc_" => {
            let mut chunks = Vec::new();
            for _ in 0..64 {
                let mut chunk = vec![0u8; 64 << 20];
                let last = chunk.len() - 1;
                chunk[black_box(last)] = 1;
                chunks.push(black_box(chunk));
            }
            Ok(table(
                format!("{name}_{}", black_box(chunks).len()),
                None,
                Vec::new(),
            ))
        }
        "panic_" => panic!("deliberate panic on {name}"),
        "empty_" => Ok(table(String::new(), None, Vec::new())),
        "huge_" => Ok(table(
            format!("huge_{}", "x".repeat(100_000_000)),
            None,
            Vec::new(),
        )),
        "columns_" => Ok(table(name, None, (1..=20_000).map(column).collect())),
        "sql_" => match Connection::open("stolen", None) {
            Ok(_) => Ok(table(
                name,
                Some("opened sql connection `stolen`".into()),
                Vec::new(),
            )),
            Err(e) => Err(format!("opening sql connection `stolen`: {e}")),
        },
        "file_" => match std::fs::read_to_string("/etc/passwd") {
            Ok(text) => Ok(table(
                name,
                Some(format!("read /etc/passwd: {} bytes", text.len())),
                Vec::new(),
            )),
            Err(e) => Err(format!("reading /etc/passwd: {e}")),
        },
        "env_" => {
            let seen = std::env::vars().count();
            Ok(table(
                name,
                Some(format!("saw {seen} environment variables")),
                Vec::new(),
            ))
        }
        "http_" => {
            let urls = [
                "http://169.254.169.254/latest/meta-data/",
                "http://127.0.0.1:1/",
                "http://example.com/",
            ];
            let outcomes: Vec<String> = urls
                .iter()
                .map(|url| match Request::get(*url).send() {
                    Ok(response) => format!("GET {url}: HTTP {}", response.status),
                    Err(e) => format!("GET {url}: {e}"),
                })
                .collect();
            Err(outcomes.join("; "))
        }
        _ => Ok(table(name, None, Vec::new())),
    }
}

fn table(name: String, description: Option<String>, columns: Vec<Column>) -> Entity {
    Entity::Table(Table {
        database: DATABASE.into(),
        schema: SCHEMA.into(),
        name,
        table_type: TableType::Regular,
        description,
        columns,
        constraints: Vec::new(),
        definition: None,
        partition_columns: Vec::new(),
        source_url: None,
        tags: vec![],
    })
}

fn column(position: u32) -> Column {
    Column {
        name: format!("c{position}"),
        data_type: DataType::Int,
        data_type_display: "integer".into(),
        array_data_type: None,
        data_length: None,
        precision: None,
        scale: None,
        nullable: true,
        ordinal_position: position,
        description: None,
        parent: None,
        tags: vec![],
    }
}
