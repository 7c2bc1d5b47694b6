//! The `sql` capability: parameterised queries on the connections the config grants, rows fetched
//! page by page. One `Driver` per database engine; the plugin never sees credentials.

mod mysql;
mod postgres;
mod protocol;
mod sqlite;
mod tls;
pub mod wit;

use async_trait::async_trait;
use protocol::Protocol;
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
    pub password: Option<omrun_config::Secret>,
    /// How long connecting may take, handshake and session setup included.
    pub connect_timeout: Duration,
}

/// Connecting waits this long unless the config says otherwise (libpq and PyMySQL wait forever
/// by default: a proxy that accepts and never answers would hang the run).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// A query the server's own statement timeout should have stopped gets this much longer before
/// the host gives up on the connection: then the server itself is not answering.
const QUERY_GRACE: Duration = Duration::from_secs(10);

/// The connect timeout a connection config asks for: OpenMetadata's `connectionTimeout` where the
/// connection type has one, else the driver argument users pass through `connectionArguments`
/// (`connect_timeout`, seconds, for libpq and PyMySQL alike). Zero or less, which those drivers
/// read as "wait forever", gets the default: a run must end by itself.
fn connect_timeout(c: &Json) -> Duration {
    let seconds = |v: &Json| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    };
    c.get("connectionTimeout")
        .and_then(seconds)
        .or_else(|| {
            c.pointer("/connectionArguments/connect_timeout")
                .and_then(seconds)
        })
        .filter(|s| *s > 0.0 && s.is_finite())
        .map_or(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs_f64)
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
                .map(omrun_config::Secret::new),
            connect_timeout: connect_timeout(c),
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
    /// Connecting gives up after `max` at the latest (`omrun check` answers within seconds,
    /// whatever the config allows a run).
    pub fn connect_within(&mut self, max: Duration) {
        let endpoint = match self {
            Target::Postgres(t) => t.endpoint_mut(),
            Target::Mysql(t) => t.endpoint_mut(),
            Target::Sqlite(_) => return,
        };
        endpoint.connect_timeout = endpoint.connect_timeout.min(max);
    }

    /// The target described by an OpenMetadata `serviceConnection.config`, or `None` for one that
    /// speaks no protocol the host has a driver for (e.g. Looker); see `protocol`.
    pub fn from_connection(
        connection: &Json,
        statement_timeout: Duration,
    ) -> anyhow::Result<Option<Self>> {
        Ok(match Protocol::of(connection) {
            Some(Protocol::Postgres {
                default_port,
                default_database,
            }) => Some(Target::Postgres(postgres::Target::from_connection(
                connection,
                (default_port, default_database),
                statement_timeout,
            )?)),
            Some(Protocol::Mysql) => Some(Target::Mysql(mysql::Target::from_connection(
                connection,
                statement_timeout,
            )?)),
            Some(Protocol::Sqlite) => {
                Some(Target::Sqlite(sqlite::Target::from_connection(connection)?))
            }
            None => None,
        })
    }

    /// Opens a new connection; `database` selects another database of the same server. A server
    /// that accepts the connection and then says nothing fails it after the connect timeout.
    pub async fn connect(&self, database: Option<&str>) -> Result<Box<dyn Driver>, SqlError> {
        let endpoint = match self {
            Target::Postgres(t) => t.endpoint(),
            Target::Mysql(t) => t.endpoint(),
            Target::Sqlite(t) => return Ok(Box::new(t.connect().await?)),
        };
        let connecting = async {
            Ok::<Box<dyn Driver>, SqlError>(match self {
                Target::Postgres(t) => Box::new(t.connect(database).await?),
                Target::Mysql(t) => Box::new(t.connect(database).await?),
                Target::Sqlite(_) => unreachable!("returned above"),
            })
        };
        let limit = endpoint.connect_timeout;
        tokio::time::timeout(limit, connecting)
            .await
            .unwrap_or_else(|_| {
                Err(SqlError::new(format!(
                    "connecting to {}:{}: no answer within {} s (connect timeout: \
                     `connectionArguments.connect_timeout`)",
                    endpoint.host,
                    endpoint.port,
                    limit.as_secs_f64()
                )))
            })
    }

    /// How long one query or page may wait for the server; `None` for a local file.
    fn query_deadline(&self) -> Option<Duration> {
        match self {
            Target::Postgres(t) => Some(t.statement_timeout() + QUERY_GRACE),
            Target::Mysql(t) => Some(t.statement_timeout() + QUERY_GRACE),
            Target::Sqlite(_) => None,
        }
    }
}

/// Waits for `answer` until `deadline`; `Err` with the deadline when it passed.
async fn bounded<T>(
    deadline: Option<Duration>,
    answer: impl Future<Output = Result<T, SqlError>>,
) -> Result<Result<T, SqlError>, Duration> {
    match deadline {
        None => Ok(answer.await),
        Some(deadline) => tokio::time::timeout(deadline, answer)
            .await
            .map_err(|_| deadline),
    }
}

/// Replaces a connection that stopped answering by one that reports itself lost, so the next
/// query opens a new connection instead of queueing behind it; returns the error to give.
fn stopped(driver: &mut Box<dyn Driver>, waited: Duration) -> SqlError {
    let message = format!(
        "the source did not answer within {} s; the connection is dropped",
        waited.as_secs_f64()
    );
    *driver = Box::new(Stopped(message.clone()));
    SqlError::new(message)
}

/// A connection that stopped answering: every call fails, and it asks to be replaced.
struct Stopped(String);

#[async_trait]
impl Driver for Stopped {
    fn dialect(&self) -> &'static str {
        "stopped"
    }
    async fn query(&mut self, _: &str, _: Vec<Value>) -> Result<(StreamId, Vec<String>), SqlError> {
        Err(SqlError::new(self.0.clone()))
    }
    async fn next_page(&mut self, _: StreamId, _: usize) -> Result<Vec<Row>, SqlError> {
        Err(SqlError::new(self.0.clone()))
    }
    fn close_stream(&mut self, _: StreamId) {}
    fn is_lost(&self) -> bool {
        true
    }
}

/// A connection as a plugin holds it (a WIT `connection` resource). A lost connection is replaced
/// transparently at the next query (a source restarted mid-run costs the batches in flight, which
/// the pipeline retries, never the run).
pub struct Connection {
    driver: Arc<Mutex<Box<dyn Driver>>>,
    deadline: Option<Duration>,
    dialect: &'static str,
    target: Target,
    database: Option<String>,
}

/// One query's rows as a plugin holds them (a WIT `row-stream` resource).
pub struct RowStream {
    driver: Arc<Mutex<Box<dyn Driver>>>,
    deadline: Option<Duration>,
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
            deadline: target.query_deadline(),
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
        let first = bounded(self.deadline, driver.query(statement, params.clone()))
            .await
            .unwrap_or_else(|waited| Err(stopped(&mut driver, waited)));
        let (id, columns) = match first {
            Err(e) if driver.is_lost() => {
                *driver = self.reconnect(&e.message).await?;
                bounded(self.deadline, driver.query(statement, params))
                    .await
                    .unwrap_or_else(|waited| Err(stopped(&mut driver, waited)))?
            }
            answer => answer?,
        };
        drop(driver);
        Ok(RowStream {
            driver: self.driver.clone(),
            deadline: self.deadline,
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
        let mut driver = self.driver.lock().await;
        bounded(self.deadline, driver.next_page(self.id, max_rows))
            .await
            .unwrap_or_else(|waited| Err(stopped(&mut driver, waited)))
    }

    pub async fn close(self) {
        self.driver.lock().await.close_stream(self.id);
    }
}
