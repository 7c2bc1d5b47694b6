//! PostgreSQL through tokio-postgres. Rows stream from the server; because the protocol answers
//! queries in order, starting a new query first buffers whatever the previous stream has not read.

use super::tls::Tls;
use super::{Driver, Endpoint, Row, SqlError, StreamId, Value};
use anyhow::Context;
use async_trait::async_trait;
use futures_util::StreamExt;
use serde_json::Value as Json;
use std::collections::{HashMap, VecDeque};
use std::error::Error as StdError;
use std::pin::Pin;
use std::time::Duration;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, NoTls, RowStream, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;

#[derive(Debug, Clone)]
pub struct Target {
    endpoint: Endpoint,
    database: String,
    statement_timeout: Duration,
    tls: Tls,
}

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

    /// Reads OpenMetadata's `PostgresConnection` (or `RedshiftConnection`): `hostPort`,
    /// `username`, `authType.password` (or the top-level `password` Redshift and older configs
    /// use), `database`, `sslMode`. `defaults` are the engine's port and database (PostgreSQL:
    /// 5432 and `postgres`; Redshift: 5439 and `dev`).
    pub fn from_connection(
        c: &Json,
        defaults: (u16, &str),
        statement_timeout: Duration,
    ) -> anyhow::Result<Self> {
        let (default_port, default_database) = defaults;
        let text = |key: &str| c.get(key).and_then(Json::as_str);
        let tls = Tls::from_settings(
            text("sslMode"),
            c.pointer("/sslConfig/caCertificate").and_then(Json::as_str),
        )
        .context("sslMode")?;
        Ok(Self {
            endpoint: Endpoint::from_connection(c, default_port)?,
            database: text("database").unwrap_or(default_database).to_owned(),
            statement_timeout,
            tls,
        })
    }

    pub async fn connect(&self, database: Option<&str>) -> Result<PostgresDriver, SqlError> {
        let mut config = tokio_postgres::Config::new();
        config
            .host(&self.endpoint.host)
            .port(self.endpoint.port)
            .user(&self.endpoint.user)
            .dbname(database.unwrap_or(&self.database))
            .application_name("omrun")
            .connect_timeout(self.endpoint.connect_timeout)
            // A slow catalog query must fail on the server too, not only time out in the host.
            .options(format!(
                "-c statement_timeout={}",
                self.statement_timeout.as_millis()
            ));
        if let Some(password) = &self.endpoint.password {
            config.password(password.expose());
        }
        config.ssl_mode(self.tls.mode);
        let (client, server_encoding) = match &self.tls.config {
            None => spawn_connection(config.connect(NoTls).await.map_err(sql_error)?),
            Some(tls) => {
                let tls = MakeRustlsConnect::new((**tls).clone());
                spawn_connection(config.connect(tls).await.map_err(sql_error)?)
            }
        };
        // A `SQL_ASCII` database stores names and comments as whatever bytes were given, and
        // refuses to send a value that is not UTF-8 to a UTF-8 client (SQLSTATE 22021): one such
        // table name would fail the whole listing. Asking for the bytes as they are lets the host
        // decode each value on its own (`Lossy`), so only the entity with that name fails.
        if server_encoding.as_deref() == Some("SQL_ASCII") {
            client
                .batch_execute("SET client_encoding = 'SQL_ASCII'")
                .await
                .map_err(sql_error)?;
        }
        Ok(PostgresDriver {
            client,
            statements: HashMap::new(),
            live: None,
            buffered: HashMap::new(),
            next_id: 0,
        })
    }
}

/// Drives the connection in the background; returns its client and the server's encoding.
fn spawn_connection<S, T>(
    (client, connection): (Client, tokio_postgres::Connection<S, T>),
) -> (Client, Option<String>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let server_encoding = connection.parameter("server_encoding").map(str::to_owned);
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("postgres connection ended: {e}");
        }
    });
    (client, server_encoding)
}

pub struct PostgresDriver {
    client: Client,
    /// Prepared once per connection: plugins run the same catalog queries batch after batch.
    statements: HashMap<String, Statement>,
    /// The stream still reading from the server, if any.
    live: Option<(StreamId, Pin<Box<RowStream>>)>,
    /// Rows of older streams, read off the wire when a newer query started.
    buffered: HashMap<StreamId, VecDeque<Row>>,
    next_id: StreamId,
}

/// Prepared statements kept per connection; beyond this the cache starts over.
const MAX_STATEMENTS: usize = 256;

impl PostgresDriver {
    async fn statement(&mut self, sql: &str) -> Result<Statement, SqlError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).await.map_err(sql_error)?;
        if self.statements.len() >= MAX_STATEMENTS {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    async fn buffer_live_stream(&mut self) -> Result<(), SqlError> {
        if let Some((id, mut stream)) = self.live.take() {
            let mut rows = VecDeque::new();
            while let Some(row) = stream.next().await {
                rows.push_back(convert_row(&row.map_err(sql_error)?)?);
            }
            self.buffered.insert(id, rows);
        }
        Ok(())
    }
}

#[async_trait]
impl Driver for PostgresDriver {
    fn dialect(&self) -> &'static str {
        "postgres"
    }

    fn is_lost(&self) -> bool {
        self.client.is_closed()
    }

    async fn query(
        &mut self,
        sql: &str,
        params: Vec<Value>,
    ) -> Result<(StreamId, Vec<String>), SqlError> {
        self.buffer_live_stream().await?;
        let statement = self.statement(sql).await?;
        if statement.params().len() != params.len() {
            return Err(SqlError::new(format!(
                "query has {} parameters but {} values were given",
                statement.params().len(),
                params.len()
            )));
        }
        let params: Vec<Param> = params.into_iter().map(Param).collect();
        let stream = self
            .client
            .query_raw(&statement, params.iter())
            .await
            .map_err(sql_error)?;
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        self.live = Some((id, Box::pin(stream)));
        Ok((
            id,
            statement
                .columns()
                .iter()
                .map(|c| c.name().to_owned())
                .collect(),
        ))
    }

    async fn next_page(&mut self, stream: StreamId, max_rows: usize) -> Result<Vec<Row>, SqlError> {
        if let Some(rows) = self.buffered.get_mut(&stream) {
            let page: Vec<Row> = rows.drain(..max_rows.min(rows.len())).collect();
            if rows.is_empty() {
                self.buffered.remove(&stream);
            }
            return Ok(page);
        }
        let mut page = Vec::new();
        if let Some((id, live)) = &mut self.live
            && *id == stream
        {
            while page.len() < max_rows {
                match live.next().await {
                    Some(row) => page.push(convert_row(&row.map_err(sql_error)?)?),
                    None => {
                        self.live = None;
                        break;
                    }
                }
            }
        }
        Ok(page)
    }

    fn close_stream(&mut self, stream: StreamId) {
        self.buffered.remove(&stream);
        if self.live.as_ref().is_some_and(|(id, _)| *id == stream) {
            // Dropping the stream makes the connection discard the rest of its rows.
            self.live = None;
        }
    }
}

fn sql_error(e: tokio_postgres::Error) -> SqlError {
    match e.as_db_error() {
        Some(db) => SqlError {
            message: match db.detail() {
                Some(detail) => format!("{}: {detail}", db.message()),
                None => db.message().to_owned(),
            },
            sqlstate: Some(db.code().code().to_owned()),
        },
        None => SqlError::new(match e.source() {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        }),
    }
}

fn convert_row(row: &tokio_postgres::Row) -> Result<Row, SqlError> {
    (0..row.len()).map(|i| convert_cell(row, i)).collect()
}

/// The types catalog queries return; anything else must be cast in SQL (`::text`), which the
/// error says.
fn convert_cell(row: &tokio_postgres::Row, i: usize) -> Result<Value, SqlError> {
    fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
        row: &'a tokio_postgres::Row,
        i: usize,
    ) -> Result<Option<T>, SqlError> {
        row.try_get::<_, Option<T>>(i)
            .map_err(|e| SqlError::new(format!("column {i}: {e}")))
    }
    fn list<T, U>(
        items: Option<Vec<Option<T>>>,
        f: impl Fn(T) -> U,
        wrap: impl Fn(Vec<U>) -> Value,
    ) -> Value
    where
        U: Default,
    {
        match items {
            Some(items) => wrap(
                items
                    .into_iter()
                    .map(|x| x.map(&f).unwrap_or_default())
                    .collect(),
            ),
            None => Value::Null,
        }
    }
    fn scalar<T>(value: Option<T>, wrap: impl Fn(T) -> Value) -> Value {
        value.map(wrap).unwrap_or(Value::Null)
    }

    let column = &row.columns()[i];
    Ok(match *column.type_() {
        Type::BOOL => scalar(get::<bool>(row, i)?, Value::Boolean),
        Type::INT2 => scalar(get::<i16>(row, i)?, |v| Value::Integer(v.into())),
        Type::INT4 => scalar(get::<i32>(row, i)?, |v| Value::Integer(v.into())),
        Type::INT8 => scalar(get::<i64>(row, i)?, Value::Integer),
        Type::OID => scalar(get::<u32>(row, i)?, |v| Value::Integer(v.into())),
        Type::CHAR => scalar(get::<i8>(row, i)?, |v| {
            Value::Text(char::from(v as u8).to_string())
        }),
        Type::FLOAT4 => scalar(get::<f32>(row, i)?, |v| Value::Float(v.into())),
        Type::FLOAT8 => scalar(get::<f64>(row, i)?, Value::Float),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            scalar(get::<Lossy>(row, i)?, |v| Value::Text(v.0))
        }
        Type::BYTEA => scalar(get::<Vec<u8>>(row, i)?, Value::Bytes),
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY | Type::NAME_ARRAY => {
            list(get::<Vec<Option<Lossy>>>(row, i)?, |s| s.0, Value::TextList)
        }
        Type::CHAR_ARRAY => list(
            get::<Vec<Option<i8>>>(row, i)?,
            |c| char::from(c as u8).to_string(),
            Value::TextList,
        ),
        Type::INT2_ARRAY => list(
            get::<Vec<Option<i16>>>(row, i)?,
            i64::from,
            Value::IntegerList,
        ),
        Type::INT4_ARRAY => list(
            get::<Vec<Option<i32>>>(row, i)?,
            i64::from,
            Value::IntegerList,
        ),
        Type::INT8_ARRAY => list(get::<Vec<Option<i64>>>(row, i)?, |v| v, Value::IntegerList),
        Type::OID_ARRAY => list(
            get::<Vec<Option<u32>>>(row, i)?,
            i64::from,
            Value::IntegerList,
        ),
        ref other => {
            return Err(SqlError::new(format!(
                "column `{}` has type `{other}`, which the sql capability does not convert; cast it in the query (e.g. `::text`)",
                column.name()
            )));
        }
    })
}

/// Text as UTF-8, with bytes that are not shown as U+FFFD. Only a `SQL_ASCII` database sends
/// such bytes (see `connect`); the host refuses entity names that hold U+FFFD, naming them.
#[derive(Default)]
struct Lossy(String);

impl<'a> tokio_postgres::types::FromSql<'a> for Lossy {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Lossy(String::from_utf8_lossy(raw).into_owned()))
    }

    fn accepts(ty: &Type) -> bool {
        <String as tokio_postgres::types::FromSql>::accepts(ty)
    }
}

/// A plugin's value bound to whatever type PostgreSQL inferred for the parameter, so plugins need
/// not know whether a catalog column is `int2`, `oid` or `name`.
#[derive(Debug)]
struct Param(Value);

impl ToSql for Param {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let mismatch = || format!("cannot bind {:?} to a parameter of type {ty}", self.0);
        match (&self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Boolean(b), _) => b.to_sql(ty, out),
            (Value::Integer(i), &Type::INT2) => i16::try_from(*i)?.to_sql(ty, out),
            (Value::Integer(i), &Type::INT4) => i32::try_from(*i)?.to_sql(ty, out),
            (Value::Integer(i), &Type::INT8) => i.to_sql(ty, out),
            (Value::Integer(i), &Type::OID) => u32::try_from(*i)?.to_sql(ty, out),
            (Value::Integer(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (Value::Integer(i), _) if <String as ToSql>::accepts(ty) => {
                i.to_string().to_sql(ty, out)
            }
            (Value::Float(f), &Type::FLOAT4) => (*f as f32).to_sql(ty, out),
            (Value::Float(f), &Type::FLOAT8) => f.to_sql(ty, out),
            (Value::Text(s), _) if <&str as ToSql>::accepts(ty) => s.as_str().to_sql(ty, out),
            (Value::Bytes(b), &Type::BYTEA) => b.to_sql(ty, out),
            (Value::TextList(items), _) if <Vec<String> as ToSql>::accepts(ty) => {
                items.to_sql(ty, out)
            }
            (Value::IntegerList(items), &Type::INT2_ARRAY) => items
                .iter()
                .map(|i| i16::try_from(*i))
                .collect::<Result<Vec<_>, _>>()?
                .to_sql(ty, out),
            (Value::IntegerList(items), &Type::INT4_ARRAY) => items
                .iter()
                .map(|i| i32::try_from(*i))
                .collect::<Result<Vec<_>, _>>()?
                .to_sql(ty, out),
            (Value::IntegerList(items), &Type::INT8_ARRAY) => items.to_sql(ty, out),
            (Value::IntegerList(items), &Type::OID_ARRAY) => items
                .iter()
                .map(|i| u32::try_from(*i))
                .collect::<Result<Vec<_>, _>>()?
                .to_sql(ty, out),
            _ => Err(mismatch().into()),
        }
    }

    // Every type is accepted here; `to_sql` converts or fails with a message naming both types.
    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}
