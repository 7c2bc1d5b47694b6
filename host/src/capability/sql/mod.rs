//! The `sql` capability: parameterised queries on the connections the config grants, rows fetched
//! page by page. One `Driver` per database engine; the plugin never sees credentials.

mod mysql;
mod postgres;
mod sqlite;
mod tls;

use async_trait::async_trait;
use serde_json::Value as Json;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// A parameter or a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Integer(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    TextList(Vec<String>),
    IntegerList(Vec<i64>),
}

pub type Row = Vec<Value>;

#[derive(Debug, Clone, PartialEq)]
pub struct SqlError {
    pub message: String,
    pub sqlstate: Option<String>,
}

impl SqlError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            sqlstate: None,
        }
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sqlstate {
            Some(code) => write!(f, "{} (SQLSTATE {code})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Identifies one query's rows on its connection.
pub type StreamId = u32;

/// An open connection of one engine. Several streams may be open at once; a driver whose protocol
/// cannot interleave them buffers the older one when a new query starts.
#[async_trait]
pub trait Driver: Send {
    fn dialect(&self) -> &'static str;
    /// Starts a query; returns its stream and column names.
    async fn query(
        &mut self,
        statement: &str,
        params: Vec<Value>,
    ) -> Result<(StreamId, Vec<String>), SqlError>;
    /// Up to `max_rows` more rows; empty when the stream is done.
    async fn next_page(&mut self, stream: StreamId, max_rows: usize) -> Result<Vec<Row>, SqlError>;
    fn close_stream(&mut self, stream: StreamId);
    /// The connection is gone (the server restarted, the backend was terminated, the network
    /// dropped): only a new one can answer.
    fn is_lost(&self) -> bool;
}

/// Where and as whom a networked database is reached: OpenMetadata's `hostPort` (the engine's
/// port when it has none), `username`, and `authType.password` or the top-level `password` that
/// Redshift, MariaDB and older configs use. Shared by every driver that connects over TCP.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<crate::config::Secret>,
}

impl Endpoint {
    pub fn from_connection(c: &Json, default_port: u16) -> anyhow::Result<Self> {
        use anyhow::Context;
        let text = |key: &str| c.get(key).and_then(Json::as_str);
        let host_port = text("hostPort").context("hostPort is required")?;
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse()
                    .with_context(|| format!("hostPort `{host_port}`: bad port"))?,
            ),
            None => (host_port, default_port),
        };
        Ok(Self {
            host: host.to_owned(),
            port,
            user: text("username").context("username is required")?.to_owned(),
            password: c
                .pointer("/authType/password")
                .or_else(|| c.get("password"))
                .and_then(Json::as_str)
                .map(crate::config::Secret::new),
        })
    }
}

/// A database the config grants, with what is needed to connect to it.
#[derive(Debug, Clone)]
pub enum Target {
    Postgres(postgres::Target),
    Mysql(mysql::Target),
    Sqlite(sqlite::Target),
}

impl Target {
    /// The target described by an OpenMetadata `serviceConnection.config`, or `None` for a service
    /// that is not a SQL database (e.g. Looker).
    pub fn from_connection(
        connection: &Json,
        statement_timeout: Duration,
    ) -> anyhow::Result<Option<Self>> {
        let service_type = connection
            .get("type")
            .and_then(Json::as_str)
            .unwrap_or_default();
        Ok(match service_type {
            "Postgres" => Some(Target::Postgres(postgres::Target::from_connection(
                connection,
                (5432, "postgres"),
                statement_timeout,
            )?)),
            // Redshift speaks PostgreSQL's protocol; only its catalog differs, and that is the
            // plugin's business.
            "Redshift" => Some(Target::Postgres(postgres::Target::from_connection(
                connection,
                (5439, "dev"),
                statement_timeout,
            )?)),
            "Mysql" | "MariaDB" => Some(Target::Mysql(mysql::Target::from_connection(
                connection,
                statement_timeout,
            )?)),
            "SQLite" => Some(Target::Sqlite(sqlite::Target::from_connection(connection)?)),
            _ => None,
        })
    }

    /// Opens a new connection; `database` selects another database of the same server.
    pub async fn connect(&self, database: Option<&str>) -> Result<Box<dyn Driver>, SqlError> {
        match self {
            Target::Postgres(t) => Ok(Box::new(t.connect(database).await?)),
            Target::Mysql(t) => Ok(Box::new(t.connect(database).await?)),
            Target::Sqlite(t) => Ok(Box::new(t.connect().await?)),
        }
    }
}

/// A connection as a plugin holds it (a WIT `connection` resource). A lost connection is replaced
/// transparently at the next query (a source restarted mid-run costs the batches in flight, which
/// the pipeline retries, never the run).
pub struct Connection {
    driver: Arc<Mutex<Box<dyn Driver>>>,
    dialect: &'static str,
    target: Target,
    database: Option<String>,
}

/// One query's rows as a plugin holds them (a WIT `row-stream` resource).
pub struct RowStream {
    driver: Arc<Mutex<Box<dyn Driver>>>,
    id: StreamId,
    columns: Vec<String>,
}

/// Rows per page are capped whatever the plugin asks, so one call cannot make the host buffer
/// an unbounded result.
const MAX_PAGE_ROWS: usize = 10_000;

impl Connection {
    pub async fn open(target: &Target, database: Option<&str>) -> Result<Self, SqlError> {
        let driver = target.connect(database).await?;
        let dialect = driver.dialect();
        Ok(Self {
            driver: Arc::new(Mutex::new(driver)),
            dialect,
            target: target.clone(),
            database: database.map(str::to_owned),
        })
    }

    pub fn dialect(&self) -> &'static str {
        self.dialect
    }

    async fn reconnect(&self, why: &str) -> Result<Box<dyn Driver>, SqlError> {
        tracing::warn!("The source connection was lost ({why}); reconnecting");
        self.target.connect(self.database.as_deref()).await
    }

    /// Runs a query, on a new connection if the old one was lost — also when it is lost during
    /// this query, which is then run once more: plugins only read the catalog, so repeating a
    /// statement is harmless. Streams of the lost connection stay failed.
    pub async fn query(&self, statement: &str, params: Vec<Value>) -> Result<RowStream, SqlError> {
        let mut driver = self.driver.lock().await;
        if driver.is_lost() {
            *driver = self.reconnect("it was lost earlier").await?;
        }
        let (id, columns) = match driver.query(statement, params.clone()).await {
            Err(e) if driver.is_lost() => {
                *driver = self.reconnect(&e.message).await?;
                driver.query(statement, params).await?
            }
            answer => answer?,
        };
        drop(driver);
        Ok(RowStream {
            driver: self.driver.clone(),
            id,
            columns,
        })
    }
}

impl RowStream {
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    pub async fn next_page(&self, max_rows: u32) -> Result<Vec<Row>, SqlError> {
        let max_rows = (max_rows as usize).clamp(1, MAX_PAGE_ROWS);
        self.driver.lock().await.next_page(self.id, max_rows).await
    }

    pub async fn close(self) {
        self.driver.lock().await.close_stream(self.id);
    }
}
