//! MySQL and MariaDB through mysql_async. A query's rows are read whole and then paged out: the
//! driver's row stream borrows the connection, and catalog results per batch are small (a
//! discovery listing of 100,000 tables is a few MB).

use super::{Driver, Endpoint, Row, SqlError, StreamId, Value};
use anyhow::bail;
use async_trait::async_trait;
use mysql_async::consts::ColumnType;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder, Params};
use serde_json::Value as Json;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Target {
    endpoint: Endpoint,
    statement_timeout: Duration,
}

/// The character set number MySQL gives binary strings (`BLOB`, `VARBINARY`, `BINARY`).
const BINARY_CHARSET: u16 = 63;

impl Target {
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub(super) fn endpoint_mut(&mut self) -> &mut Endpoint {
        &mut self.endpoint
    }

    pub fn statement_timeout(&self) -> Duration {
        self.statement_timeout
    }

    /// Reads OpenMetadata's `MysqlConnection` / `MariaDBConnection`: `hostPort` (port 3306 when
    /// absent), `username`, `authType.password` or `password`. `databaseName` and `databaseSchema`
    /// are the plugin's business (MySQL connections are not bound to one schema).
    pub fn from_connection(c: &Json, statement_timeout: Duration) -> anyhow::Result<Self> {
        let endpoint = Endpoint::from_connection(c, 3306)?;
        if c.pointer("/sslConfig").is_some_and(|v| !v.is_null())
            || c.pointer("/authType/awsConfig").is_some()
        {
            bail!("sslConfig and IAM authentication are not supported yet for MySQL/MariaDB");
        }
        Ok(Self {
            endpoint,
            statement_timeout,
        })
    }

    /// Connects; `database` becomes the session's default database when given.
    pub async fn connect(&self, database: Option<&str>) -> Result<MysqlDriver, SqlError> {
        let endpoint = &self.endpoint;
        let opts = OptsBuilder::default()
            .ip_or_hostname(endpoint.host.clone())
            .tcp_port(endpoint.port)
            .user(Some(endpoint.user.clone()))
            .pass(endpoint.password.as_ref().map(|p| p.expose().to_owned()))
            .db_name(database.map(str::to_owned))
            // A socket found through `@@socket` would bypass the address the config names.
            .prefer_socket(false)
            .stmt_cache_size(Some(64));
        // The caller bounds the whole connect, session setup included (see `Target::connect`).
        let mut conn = Conn::new(opts).await.map_err(sql_error)?;
        // A slow catalog query must stop on the server too. MariaDB and MySQL name the limit
        // differently; whichever the server does not know fails harmlessly.
        let seconds = self.statement_timeout.as_secs_f64();
        let _ = conn
            .query_drop(format!("SET SESSION max_statement_time = {seconds}"))
            .await;
        let _ = conn
            .query_drop(format!(
                "SET SESSION max_execution_time = {}",
                self.statement_timeout.as_millis()
            ))
            .await;
        Ok(MysqlDriver {
            conn,
            lost: false,
            results: HashMap::new(),
            next_id: 0,
        })
    }
}

impl MysqlDriver {
    /// Runs a statement to its end (results are buffered: the protocol cannot interleave them).
    /// `lost` is set when the connection failed below SQL (I/O, protocol) and cannot be reused.
    async fn run(
        &mut self,
        sql: &str,
        params: Vec<Value>,
        lost: &mut bool,
    ) -> Result<(VecDeque<Row>, Vec<String>), SqlError> {
        let mut fail = |e: mysql_async::Error| {
            *lost |= matches!(e, mysql_async::Error::Io(_) | mysql_async::Error::Driver(_));
            sql_error(e)
        };
        let params = if params.is_empty() {
            Params::Empty
        } else {
            Params::Positional(params.into_iter().map(param).collect())
        };
        let mut result = self.conn.exec_iter(sql, params).await.map_err(&mut fail)?;
        let columns: Vec<String> = result
            .columns_ref()
            .iter()
            .map(|c| c.name_str().into_owned())
            .collect();
        let mut rows = VecDeque::new();
        while let Some(row) = result.next().await.map_err(&mut fail)? {
            rows.push_back(convert_row(row)?);
        }
        // A statement may return more result sets (a CALL does); only the first is the answer.
        result.drop_result().await.map_err(&mut fail)?;
        Ok((rows, columns))
    }
}

pub struct MysqlDriver {
    conn: Conn,
    /// Set when the connection failed below SQL (I/O, protocol): it cannot be used again.
    lost: bool,
    /// Rows of the queries whose streams are open.
    results: HashMap<StreamId, VecDeque<Row>>,
    next_id: StreamId,
}

#[async_trait]
impl Driver for MysqlDriver {
    fn dialect(&self) -> &'static str {
        "mysql"
    }

    fn is_lost(&self) -> bool {
        self.lost
    }

    async fn query(
        &mut self,
        sql: &str,
        params: Vec<Value>,
    ) -> Result<(StreamId, Vec<String>), SqlError> {
        let mut lost = false;
        let answer = self.run(sql, params, &mut lost).await;
        self.lost |= lost;
        let (rows, columns) = answer?;
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.results.insert(id, rows);
        Ok((id, columns))
    }

    async fn next_page(&mut self, stream: StreamId, max_rows: usize) -> Result<Vec<Row>, SqlError> {
        let Some(rows) = self.results.get_mut(&stream) else {
            return Ok(Vec::new());
        };
        let page: Vec<Row> = rows.drain(..max_rows.min(rows.len())).collect();
        if rows.is_empty() {
            self.results.remove(&stream);
        }
        Ok(page)
    }

    fn close_stream(&mut self, stream: StreamId) {
        self.results.remove(&stream);
    }
}

/// MySQL has no array parameters: lists bind as JSON array text, which a query unpacks with
/// `JSON_TABLE(?, '$[*]' COLUMNS (…))`, as SQLite's do with `json_each`.
fn param(value: Value) -> mysql_async::Value {
    use mysql_async::Value as M;
    match value {
        Value::Null => M::NULL,
        Value::Boolean(b) => M::Int(b.into()),
        Value::Integer(i) => M::Int(i),
        Value::Float(f) => M::Double(f),
        Value::Text(s) => M::Bytes(s.into_bytes()),
        Value::Bytes(b) => M::Bytes(b),
        Value::TextList(items) => M::Bytes(serde_json::to_vec(&items).expect("strings serialise")),
        Value::IntegerList(items) => {
            M::Bytes(serde_json::to_vec(&items).expect("integers serialise"))
        }
    }
}

fn convert_row(row: mysql_async::Row) -> Result<Row, SqlError> {
    let columns = row.columns();
    row.unwrap()
        .into_iter()
        .zip(columns.iter())
        .map(|(value, column)| convert_cell(value, column))
        .collect()
}

/// Text columns become text and binary strings bytes; dates and times are spelled as MySQL
/// spells them, since the contract has no date type.
fn convert_cell(
    value: mysql_async::Value,
    column: &mysql_async::Column,
) -> Result<Value, SqlError> {
    use mysql_async::Value as M;
    Ok(match value {
        M::NULL => Value::Null,
        M::Int(i) => Value::Integer(i),
        M::UInt(u) => Value::Integer(i64::try_from(u).map_err(|_| {
            SqlError::new(format!(
                "column `{}`: {u} does not fit a signed 64-bit integer",
                column.name_str()
            ))
        })?),
        M::Float(f) => Value::Float(f.into()),
        M::Double(f) => Value::Float(f),
        M::Bytes(bytes) => {
            // Numbers and dates sent as strings also carry the binary character set.
            use ColumnType as T;
            let binary = column.character_set() == BINARY_CHARSET
                && matches!(
                    column.column_type(),
                    T::MYSQL_TYPE_TINY_BLOB
                        | T::MYSQL_TYPE_MEDIUM_BLOB
                        | T::MYSQL_TYPE_LONG_BLOB
                        | T::MYSQL_TYPE_BLOB
                        | T::MYSQL_TYPE_VAR_STRING
                        | T::MYSQL_TYPE_VARCHAR
                        | T::MYSQL_TYPE_STRING
                        | T::MYSQL_TYPE_BIT
                        | T::MYSQL_TYPE_GEOMETRY
                );
            if binary {
                Value::Bytes(bytes)
            } else {
                match String::from_utf8(bytes) {
                    Ok(s) => Value::Text(s),
                    Err(e) => Value::Bytes(e.into_bytes()),
                }
            }
        }
        M::Date(y, mo, d, h, mi, s, us) => Value::Text(if (h, mi, s, us) == (0, 0, 0, 0) {
            format!("{y:04}-{mo:02}-{d:02}")
        } else {
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}")
        }),
        M::Time(negative, days, h, mi, s, us) => {
            let sign = if negative { "-" } else { "" };
            let hours = u64::from(days) * 24 + u64::from(h);
            Value::Text(format!("{sign}{hours:02}:{mi:02}:{s:02}.{us:06}"))
        }
    })
}

fn sql_error(e: mysql_async::Error) -> SqlError {
    match e {
        mysql_async::Error::Server(server) => SqlError {
            message: server.message,
            sqlstate: Some(server.state),
        },
        other => SqlError::new(other.to_string()),
    }
}
