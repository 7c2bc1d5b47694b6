//! A connector frozen on contract `omrun:connector@0.1.0`, bound with plain wit-bindgen (no SDK,
//! which follows the newest contract). It makes up one database `legacy` with schema `main` and
//! the tables named in `serviceConnection.config.tables` (default `a`, `b`), each with two columns — no
//! database needed. The host must load it through its 0.1.0 binding, side by side with plugins of
//! newer contracts.

wit_bindgen::generate!({
    path: "../../../wit/connector/v0.1.0",
    world: "discoverable-source",
});

use exports::omrun::connector::discovery::Guest;
use omrun::connector::types::{
    Column, DataType, Database, DatabaseSchema, Entity, EntityKind, EntityRef, PluginInfo,
    SourceConfig, Table, TableType,
};

// The stamp the SDK would write: this plugin says which contract it was built for.
#[used]
#[unsafe(link_section = "omrun:contract")]
static CONTRACT: [u8; 21] = *b"omrun:connector@0.1.0";

struct Legacy;

thread_local! {
    static TABLES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Guest for Legacy {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "legacy-v0-1".into(),
            version: "0.1.0".into(),
            service_types: vec!["CustomDatabase".into()],
            capabilities: vec![],
        }
    }

    fn open(config: SourceConfig) -> Result<(), String> {
        // `"tables": [...]` in the connection (a `CustomDatabase` takes a connector's own keys); a
        // tiny hand parse keeps this plugin free of dependencies beyond wit-bindgen.
        let text = config.service_connection;
        let names = match text.find("\"tables\"") {
            Some(at) => {
                let list = &text[at..];
                let (start, end) = (
                    list.find('[').ok_or("bad tables")?,
                    list.find(']').ok_or("bad tables")?,
                );
                list[start + 1..end]
                    .split(',')
                    .map(|n| n.trim().trim_matches('"').to_owned())
                    .filter(|n| !n.is_empty())
                    .collect()
            }
            None => vec!["a".to_owned(), "b".to_owned()],
        };
        TABLES.with(|t| *t.borrow_mut() = names);
        Ok(())
    }

    fn discover() -> Result<Vec<EntityRef>, String> {
        let mut refs = vec![
            EntityRef {
                kind: EntityKind::Database,
                path: vec!["legacy".into()],
            },
            EntityRef {
                kind: EntityKind::DatabaseSchema,
                path: vec!["legacy".into(), "main".into()],
            },
        ];
        TABLES.with(|t| {
            for name in t.borrow().iter() {
                refs.push(EntityRef {
                    kind: EntityKind::Table,
                    path: vec!["legacy".into(), "main".into(), name.clone()],
                });
            }
        });
        Ok(refs)
    }

    fn process(batch: Vec<EntityRef>) -> Vec<Result<Vec<Entity>, String>> {
        batch.into_iter().map(|r| Ok(vec![describe(r)])).collect()
    }
}

fn describe(r: EntityRef) -> Entity {
    match r.kind {
        EntityKind::Database => Entity::Database(Database {
            name: r.path[0].clone(),
            description: None,
        }),
        EntityKind::DatabaseSchema => Entity::DatabaseSchema(DatabaseSchema {
            database: r.path[0].clone(),
            name: r.path[1].clone(),
            description: None,
        }),
        _ => Entity::Table(Table {
            database: r.path[0].clone(),
            schema: r.path[1].clone(),
            name: r.path[2].clone(),
            table_type: TableType::Regular,
            description: Some("made up by a 0.1.0 plugin".into()),
            columns: ["id", "label"]
                .iter()
                .enumerate()
                .map(|(i, name)| Column {
                    name: (*name).into(),
                    data_type: if i == 0 {
                        DataType::Bigint
                    } else {
                        DataType::Varchar
                    },
                    data_type_display: if i == 0 {
                        "bigint".into()
                    } else {
                        "varchar(20)".into()
                    },
                    array_data_type: None,
                    data_length: if i == 0 { None } else { Some(20) },
                    precision: None,
                    scale: None,
                    nullable: i != 0,
                    ordinal_position: i as u32 + 1,
                    description: None,
                })
                .collect(),
            constraints: vec![],
            definition: None,
            partition_columns: vec![],
        }),
    }
}

export!(Legacy);
