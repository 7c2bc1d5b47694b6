//! A connector that cannot discover (world `source`): it streams a SQLite file's tables in batches
//! of two, and on purpose never emits their database or schema. The host must run it sequentially,
//! say so, and write the missing parents itself before the tables.

use omrun_common_db::column_type::column_type;
use omrun_sdk::sql::{Connection, Row};
use omrun_sdk::types::{Capability, Entity, PluginInfo, SourceConfig, Table, TableType};

omrun_sdk::export_source!(StreamingSqlite);

const COLUMNS: &str = "\
SELECT m.name, p.name, p.type, p.\"notnull\", p.cid
  FROM sqlite_master m JOIN pragma_table_info(m.name) p
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
 ORDER BY m.name, p.cid";

pub struct StreamingSqlite {
    /// Tables not streamed yet.
    pending: Vec<Table>,
}

impl omrun_sdk::Source for StreamingSqlite {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "streaming-sqlite".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            service_types: vec!["SQLite".into()],
            capabilities: vec![Capability::Sql("source".into())],
        }
    }

    fn open(_: SourceConfig) -> Result<Self, String> {
        let connection = Connection::open("source", None).map_err(|e| e.to_string())?;
        let rows = connection
            .query_all(COLUMNS, &[])
            .map_err(|e| e.to_string())?;
        let mut pending: Vec<Table> = Vec::new();
        for row in &rows {
            let table = row.required(0, Row::str).map_err(|e| e.to_string())?;
            if pending.last().is_none_or(|t| t.name != table) {
                pending.push(empty_table(table));
            }
            let name = row.required(1, Row::str).map_err(|e| e.to_string())?;
            let spelling = row.str(2).unwrap_or_default();
            let position = row.required(4, Row::i64).map_err(|e| e.to_string())? as u32 + 1;
            let mut column = column_type(spelling).column(name, spelling, position);
            column.nullable = row.i64(3) != Some(1);
            pending
                .last_mut()
                .expect("pushed above")
                .columns
                .push(column);
        }
        pending.reverse(); // popped from the end, so streamed in name order
        Ok(StreamingSqlite { pending })
    }

    fn next_batch(&mut self) -> Result<Option<Vec<Entity>>, String> {
        let batch: Vec<Entity> = (0..2)
            .filter_map(|_| self.pending.pop())
            .map(Entity::Table)
            .collect();
        Ok((!batch.is_empty()).then_some(batch))
    }
}

fn empty_table(name: &str) -> Table {
    Table {
        database: "default".into(),
        schema: "main".into(),
        name: name.into(),
        table_type: TableType::Regular,
        description: None,
        columns: Vec::new(),
        constraints: Vec::new(),
        definition: None,
        partition_columns: Vec::new(),
        source_url: None,
        tags: vec![],
    }
}
