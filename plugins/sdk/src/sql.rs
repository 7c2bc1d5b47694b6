//! SQL through the host's `sql` capability: parameterised queries on the connections the config
//! grants, with rows streamed page by page.
//!
//! ```no_run
//! use omrun_sdk::sql::{Connection, SqlError, Value};
//!
//! fn schemas() -> Result<Vec<String>, SqlError> {
//!     let conn = Connection::open("source", None)?;
//!     let sql = "SELECT nspname::text FROM pg_namespace WHERE nspname <> $1";
//!     let mut names = Vec::new();
//!     for row in conn.query(sql, &[Value::Text("pg_toast".into())])? {
//!         names.extend(row?.string(0));
//!     }
//!     Ok(names)
//! }
//! ```

use std::fmt;

use crate::bindings::discoverable::omrun::sql::sql as raw;

/// A parameter or a result value. Lists bind as arrays in PostgreSQL (`= ANY($1::text[])`) and as
/// JSON array text in SQLite (`IN (SELECT value FROM json_each(?1))`).
pub use raw::Value;

/// An error from the database or from the host's SQL capability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    /// What went wrong, as the server or the host said it.
    pub message: String,
    /// The server's SQLSTATE code, when it gave one.
    pub sqlstate: Option<String>,
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(code) = &self.sqlstate {
            write!(f, " (SQLSTATE {code})")?;
        }
        Ok(())
    }
}

impl std::error::Error for SqlError {}

impl From<raw::SqlError> for SqlError {
    fn from(e: raw::SqlError) -> Self {
        Self {
            message: e.message,
            sqlstate: e.sqlstate,
        }
    }
}

/// Anything that answers SQL with rows: the host's [`Connection`]s, and the SQL-over-HTTP clients
/// of warehouses that speak no wire protocol the host has a driver for (Snowflake, Trino), so
/// that a dialect's catalog queries are written once over either.
pub trait Query {
    /// Runs `sql` with positional `params` and collects every row.
    fn query_all(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, SqlError>;
}

impl Query for Connection {
    fn query_all(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, SqlError> {
        Connection::query_all(self, sql, params)
    }
}

impl SqlError {
    /// An error without a SQLSTATE, e.g. from an HTTP client's transport.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            sqlstate: None,
        }
    }
}

/// A connection the host opened for the plugin. Closed when dropped.
pub struct Connection {
    inner: raw::Connection,
}

impl Connection {
    /// Opens the connection the config grants under `label` (`"source"` is the source's own
    /// `serviceConnection`). `database` selects another database on the same server with the same
    /// credentials; `None` means the one the config names.
    pub fn open(label: &str, database: Option<&str>) -> Result<Self, SqlError> {
        Ok(Self {
            inner: raw::Connection::open(label, database)?,
        })
    }

    /// The SQL dialect on the other end: `postgres`, `sqlite` or `mysql`.
    pub fn dialect(&self) -> String {
        self.inner.dialect()
    }

    /// Runs `sql` with positional `params` (`$1`… in PostgreSQL, `?1`… in SQLite) and returns its
    /// rows, fetched lazily page by page.
    pub fn query(&self, sql: &str, params: &[Value]) -> Result<Rows, SqlError> {
        Ok(Rows {
            stream: self.inner.query(sql, params)?,
            page: Vec::new().into_iter(),
            page_size: Rows::DEFAULT_PAGE_SIZE,
            done: false,
        })
    }

    /// Like [`query`](Self::query), but collects every row.
    pub fn query_all(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, SqlError> {
        self.query(sql, params)?.collect()
    }
}

/// The rows of one query: an iterator that fetches a page from the host whenever the previous one
/// is used up. After an error it ends.
pub struct Rows {
    stream: raw::RowStream,
    page: std::vec::IntoIter<raw::Row>,
    page_size: u32,
    done: bool,
}

impl Rows {
    /// Rows fetched per host call unless [`page_size`](Self::page_size) says otherwise.
    pub const DEFAULT_PAGE_SIZE: u32 = 1000;

    /// Sets how many rows each host call fetches (at least 1).
    pub fn page_size(mut self, rows: u32) -> Self {
        self.page_size = rows.max(1);
        self
    }

    /// The result's column names, in order.
    pub fn columns(&self) -> Vec<String> {
        self.stream.columns()
    }
}

impl Iterator for Rows {
    type Item = Result<Row, SqlError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(values) = self.page.next() {
                return Some(Ok(Row(values)));
            }
            if self.done {
                return None;
            }
            match self.stream.next_page(self.page_size) {
                Ok(page) if page.is_empty() => self.done = true,
                Ok(page) => self.page = page.into_iter(),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e.into()));
                }
            }
        }
    }
}

/// One result row. The typed getters take a 0-based column index and return `None` for SQL NULL,
/// for an index past the end, and for a value of another type (use [`get`](Self::get) to tell
/// these apart).
#[derive(Debug, Clone, PartialEq)]
pub struct Row(Vec<Value>);

impl Row {
    /// A row of `values`, as an SQL-over-HTTP client decodes it.
    pub fn new(values: Vec<Value>) -> Self {
        Self(values)
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the row has no values.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The raw value of column `i`.
    pub fn get(&self, i: usize) -> Option<&Value> {
        self.0.get(i)
    }

    /// Whether column `i` is SQL NULL (or past the end).
    pub fn is_null(&self, i: usize) -> bool {
        matches!(self.get(i), None | Some(Value::Null))
    }

    /// A text value.
    pub fn str(&self, i: usize) -> Option<&str> {
        match self.get(i)? {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// A text value, owned.
    pub fn string(&self, i: usize) -> Option<String> {
        self.str(i).map(str::to_owned)
    }

    /// An integer value.
    pub fn i64(&self, i: usize) -> Option<i64> {
        match self.get(i)? {
            Value::Integer(n) => Some(*n),
            _ => None,
        }
    }

    /// A floating-point value; integers are widened.
    pub fn f64(&self, i: usize) -> Option<f64> {
        match self.get(i)? {
            Value::Float(x) => Some(*x),
            Value::Integer(n) => Some(*n as f64),
            _ => None,
        }
    }

    /// A boolean. An integer counts too (0 is false), since SQLite has no boolean type.
    pub fn bool(&self, i: usize) -> Option<bool> {
        match self.get(i)? {
            Value::Boolean(b) => Some(*b),
            Value::Integer(n) => Some(*n != 0),
            _ => None,
        }
    }

    /// A binary value.
    pub fn bytes(&self, i: usize) -> Option<&[u8]> {
        match self.get(i)? {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// A list of text (a PostgreSQL `text[]` or `name[]`); empty for NULL or another type.
    pub fn text_list(&self, i: usize) -> Vec<String> {
        match self.get(i) {
            Some(Value::TextList(l)) => l.clone(),
            _ => Vec::new(),
        }
    }

    /// A list of integers (a PostgreSQL `int2[]`…`int8[]`); empty for NULL or another type.
    pub fn integer_list(&self, i: usize) -> Vec<i64> {
        match self.get(i) {
            Some(Value::IntegerList(l)) => l.clone(),
            _ => Vec::new(),
        }
    }

    /// Column `i` through a typed getter, as an error rather than `None` when it is NULL, missing
    /// or of another type; for values that cannot be NULL.
    ///
    /// ```no_run
    /// # use omrun_sdk::sql::{Row, SqlError};
    /// fn table(row: &Row) -> Result<(i64, &str), SqlError> {
    ///     Ok((row.required(0, Row::i64)?, row.required(1, Row::str)?))
    /// }
    /// ```
    pub fn required<'a, T>(
        &'a self,
        i: usize,
        get: impl FnOnce(&'a Self, usize) -> Option<T>,
    ) -> Result<T, SqlError> {
        get(self, i).ok_or_else(|| SqlError {
            message: format!("unexpected value in result column {i}: {:?}", self.get(i)),
            sqlstate: None,
        })
    }

    /// The values, in column order.
    pub fn into_values(self) -> Vec<Value> {
        self.0
    }
}
