//! SQLite through rusqlite, opened read-only. Queries run on the blocking pool and their rows are
//! kept until read: SQLite catalogs are small, and a statement cannot outlive its call there.

use super::{Driver, Row, SqlError, StreamId, Value};
use anyhow::bail;
use async_trait::async_trait;
use rusqlite::types::{Value as SqliteValue, ValueRef};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value as Json;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Target {
    path: PathBuf,
}

impl Target {
    /// Reads OpenMetadata's `SQLiteConnection`: the file is `databaseMode` (default `:memory:`).
    pub fn from_connection(c: &Json) -> anyhow::Result<Self> {
        let mode = c
            .get("databaseMode")
            .and_then(Json::as_str)
            .unwrap_or(":memory:");
        let path = PathBuf::from(mode);
        if mode != ":memory:" && !path.is_file() {
            bail!(
                "databaseMode: SQLite database file {} does not exist",
                path.display()
            );
        }
        Ok(Self { path })
    }

    pub async fn connect(&self) -> Result<SqliteDriver, SqlError> {
        let path = self.path.clone();
        let connection = tokio::task::spawn_blocking(move || {
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI;
            Connection::open_with_flags(&path, flags)
        })
        .await
        .map_err(|e| SqlError::new(e.to_string()))?
        .map_err(sql_error)?;
        Ok(SqliteDriver {
            connection: Arc::new(Mutex::new(connection)),
            streams: HashMap::new(),
            next_id: 0,
        })
    }
}

pub struct SqliteDriver {
    connection: Arc<Mutex<Connection>>,
    streams: HashMap<StreamId, VecDeque<Row>>,
    next_id: StreamId,
}

#[async_trait]
impl Driver for SqliteDriver {
    fn dialect(&self) -> &'static str {
        "sqlite"
    }

    /// A file in this process: there is no connection to lose.
    fn is_lost(&self) -> bool {
        false
    }

    async fn query(
        &mut self,
        sql: &str,
        params: Vec<Value>,
    ) -> Result<(StreamId, Vec<String>), SqlError> {
        let connection = self.connection.clone();
        let sql = sql.to_owned();
        let (columns, rows) = tokio::task::spawn_blocking(move || {
            let connection = connection
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            run(&connection, &sql, params)
        })
        .await
        .map_err(|e| SqlError::new(e.to_string()))??;
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.streams.insert(id, rows);
        Ok((id, columns))
    }

    async fn next_page(&mut self, stream: StreamId, max_rows: usize) -> Result<Vec<Row>, SqlError> {
        let Some(rows) = self.streams.get_mut(&stream) else {
            return Ok(Vec::new());
        };
        let page = rows.drain(..max_rows.min(rows.len())).collect();
        if rows.is_empty() {
            self.streams.remove(&stream);
        }
        Ok(page)
    }

    fn close_stream(&mut self, stream: StreamId) {
        self.streams.remove(&stream);
    }
}

fn run(
    connection: &Connection,
    sql: &str,
    params: Vec<Value>,
) -> Result<(Vec<String>, VecDeque<Row>), SqlError> {
    let mut statement = connection.prepare_cached(sql).map_err(sql_error)?;
    let columns: Vec<String> = statement.column_names().map(str::to_owned).collect();
    let params: Vec<SqliteValue> = params.into_iter().map(bind).collect();
    let mut rows = statement
        .query(rusqlite::params_from_iter(params))
        .map_err(sql_error)?;
    let mut out = VecDeque::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        let cells = (0..columns.len())
            .map(|i| row.get_ref(i).map(cell).map_err(sql_error))
            .collect::<Result<Row, _>>()?;
        out.push_back(cells);
    }
    Ok((columns, out))
}

/// SQLite has no arrays: lists bind as JSON array text, for `json_each(?)`.
fn bind(value: Value) -> SqliteValue {
    match value {
        Value::Null => SqliteValue::Null,
        Value::Boolean(b) => SqliteValue::Integer(b.into()),
        Value::Integer(i) => SqliteValue::Integer(i),
        Value::Float(f) => SqliteValue::Real(f),
        Value::Text(s) => SqliteValue::Text(s),
        Value::Bytes(b) => SqliteValue::Blob(b),
        Value::TextList(items) => SqliteValue::Text(Json::from(items).to_string()),
        Value::IntegerList(items) => SqliteValue::Text(Json::from(items).to_string()),
    }
}

fn cell(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Float(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    }
}

fn sql_error(e: rusqlite::Error) -> SqlError {
    SqlError::new(e.to_string())
}
