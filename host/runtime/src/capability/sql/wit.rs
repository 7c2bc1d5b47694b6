//! The host side of the WIT interface `sql`, written once. It is generated from the capability's
//! own package (`wit/sql/v0.1.0`, `omrun:sql@0.1.0`) and registered under every name a contract
//! imports it by: `omrun:sql/sql@0.1.0` for contracts that import the package, and the copies the
//! frozen contracts 0.1.0 and 0.2.0 carry inside their own package (`omrun:connector/sql@0.1.0`,
//! `…@0.2.0`), which are the same interface, byte for byte. Wasmtime checks an import by its
//! shape, not by where it was declared, so one implementation serves them all.

use super::{Connection, RowStream, SqlError as HostError, Target, Value as HostValue};
use std::collections::BTreeMap;
use wasmtime::component::{HasData, Linker, Resource, ResourceTable};

wasmtime::component::bindgen!({
    path: "../../wit/sql/v0.1.0",
    world: "capability",
    imports: { default: async | trappable },
    with: {
        "omrun:sql/sql.connection": super::Connection,
        "omrun:sql/sql.row-stream": super::RowStream,
    },
});

pub use self::omrun::sql::sql;

/// The interface's name in its own package.
pub const INTERFACE: &str = "omrun:sql/sql@0.1.0";

/// What one instance's `sql` calls reach: the databases the config grants, by label, and the
/// instance's resource table, where its connections and row streams live.
pub struct SqlCtx<'a> {
    /// The plugin's name, for the host log.
    pub plugin: &'a str,
    pub targets: &'a BTreeMap<String, Target>,
    pub table: &'a mut ResourceTable,
}

/// A Store's data that can grant `sql` (as wasmtime-wasi's `WasiView` does for WASI).
pub trait SqlView: Send {
    fn sql(&mut self) -> SqlCtx<'_>;
}

struct HasSql;

impl HasData for HasSql {
    type Data<'a> = SqlCtx<'a>;
}

/// Adds `sql` to `linker` under the interface name `name` (see the module's comment).
pub fn add_to_linker<T: SqlView + 'static>(
    linker: &mut Linker<T>,
    name: &str,
) -> wasmtime::Result<()> {
    fn ctx<T: SqlView>(data: &mut T) -> SqlCtx<'_> {
        data.sql()
    }
    sql::add_to_linker_instance::<T, HasSql>(&mut linker.instance(name)?, ctx::<T>)
}

impl sql::Host for SqlCtx<'_> {}

impl sql::HostConnection for SqlCtx<'_> {
    async fn open(
        &mut self,
        label: String,
        database: Option<String>,
    ) -> wasmtime::Result<Result<Resource<Connection>, sql::SqlError>> {
        let Some(target) = self.targets.get(&label) else {
            // The guest sees a plain error; the host log says what was refused.
            tracing::warn!(
                "{}: denied sql connection `{label}`: not granted by the config",
                self.plugin
            );
            return Ok(Err(wit_error(HostError::new(format!(
                "sql connection `{label}` is not granted"
            )))));
        };
        Ok(match Connection::open(target, database.as_deref()).await {
            Ok(connection) => Ok(self.table.push(connection)?),
            Err(e) => Err(wit_error(e)),
        })
    }

    async fn dialect(&mut self, connection: Resource<Connection>) -> wasmtime::Result<String> {
        Ok(self.table.get(&connection)?.dialect().to_owned())
    }

    async fn query(
        &mut self,
        connection: Resource<Connection>,
        statement: String,
        params: Vec<sql::Value>,
    ) -> wasmtime::Result<Result<Resource<RowStream>, sql::SqlError>> {
        let params = params.into_iter().map(host_value).collect();
        let result = self.table.get(&connection)?.query(&statement, params).await;
        Ok(match result {
            Ok(stream) => Ok(self.table.push(stream)?),
            Err(e) => Err(wit_error(e)),
        })
    }

    async fn drop(&mut self, connection: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(connection)?;
        Ok(())
    }
}

impl sql::HostRowStream for SqlCtx<'_> {
    async fn columns(&mut self, stream: Resource<RowStream>) -> wasmtime::Result<Vec<String>> {
        Ok(self.table.get(&stream)?.columns().to_vec())
    }

    async fn next_page(
        &mut self,
        stream: Resource<RowStream>,
        max_rows: u32,
    ) -> wasmtime::Result<Result<Vec<Vec<sql::Value>>, sql::SqlError>> {
        let page = self.table.get(&stream)?.next_page(max_rows).await;
        Ok(page
            .map(|rows| {
                rows.into_iter()
                    .map(|row| row.into_iter().map(wit_value).collect())
                    .collect()
            })
            .map_err(wit_error))
    }

    async fn drop(&mut self, stream: Resource<RowStream>) -> wasmtime::Result<()> {
        self.table.delete(stream)?.close().await;
        Ok(())
    }
}

fn wit_error(e: HostError) -> sql::SqlError {
    sql::SqlError {
        message: e.message,
        sqlstate: e.sqlstate,
    }
}

fn host_value(v: sql::Value) -> HostValue {
    match v {
        sql::Value::Null => HostValue::Null,
        sql::Value::Boolean(b) => HostValue::Boolean(b),
        sql::Value::Integer(i) => HostValue::Integer(i),
        sql::Value::Float(f) => HostValue::Float(f),
        sql::Value::Text(s) => HostValue::Text(s),
        sql::Value::Bytes(b) => HostValue::Bytes(b),
        sql::Value::TextList(l) => HostValue::TextList(l),
        sql::Value::IntegerList(l) => HostValue::IntegerList(l),
    }
}

fn wit_value(v: HostValue) -> sql::Value {
    match v {
        HostValue::Null => sql::Value::Null,
        HostValue::Boolean(b) => sql::Value::Boolean(b),
        HostValue::Integer(i) => sql::Value::Integer(i),
        HostValue::Float(f) => sql::Value::Float(f),
        HostValue::Text(s) => sql::Value::Text(s),
        HostValue::Bytes(b) => sql::Value::Bytes(b),
        HostValue::TextList(l) => sql::Value::TextList(l),
        HostValue::IntegerList(l) => sql::Value::IntegerList(l),
    }
}
