//! A connector frozen on contract `omrun:connector@0.5.0`, bound with plain wit-bindgen (no SDK,
//! which follows the newest contract): since the SDK moved to 0.6.0, whose discovery comes in
//! pages, this is the plugin that proves a 0.5.0 plugin, which lists everything in one `discover`
//! call, keeps loading and ingesting through the host's 0.5.0 binding. It is legacy-v0-4's
//! connector bound to 0.5.0 (whose records are 0.4.0's plus pipelines and ML models), each
//! table's `source-url` set (`https://legacy.example/<table>`). It is a copy on purpose: a frozen
//! plugin must not depend on code that moves.

wit_bindgen::generate!({
    path: ["../../../wit/sql/v0.1.0", "../../../wit/log/v0.1.0", "../../../wit/connector/v0.5.0"],
    world: "omrun:connector/discoverable-source@0.5.0",
    // The capabilities are other packages: wit-bindgen generates them only when asked.
    with: {
        "omrun:sql/sql@0.1.0": generate,
        "omrun:log/log@0.1.0": generate,
    },
});

// The stamp the SDK of 0.5.0 wrote.
#[used]
#[unsafe(link_section = "omrun:contract")]
static CONTRACT: [u8; 21] = *b"omrun:connector@0.5.0";

const NAME: &str = "legacy-v0-5";

use exports::omrun::connector::discovery::Guest;
use omrun::connector::types::{
    Column, DataType, Database, DatabaseSchema, Entity, EntityKind, EntityRef, PluginInfo,
    SourceConfig, Table, TableType,
};

struct Legacy;

thread_local! {
    static TABLES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Guest for Legacy {
    fn info() -> PluginInfo {
        PluginInfo {
            name: NAME.into(),
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
            source_url: None,
        }),
        EntityKind::DatabaseSchema => Entity::DatabaseSchema(DatabaseSchema {
            database: r.path[0].clone(),
            name: r.path[1].clone(),
            description: None,
            source_url: None,
            tags: vec![],
        }),
        _ => Entity::Table(Table {
            database: r.path[0].clone(),
            schema: r.path[1].clone(),
            name: r.path[2].clone(),
            table_type: TableType::Regular,
            description: Some(format!("made up by {NAME}")),
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
                    parent: None,
                    tags: vec![],
                })
                .collect(),
            constraints: vec![],
            definition: None,
            partition_columns: vec![],
            // What 0.3.0 added, set: it must survive the upgrades into the newest contract.
            source_url: Some(format!("https://legacy.example/{}", r.path[2])),
            tags: vec![],
        }),
    }
}

export!(Legacy);
