//! [`PerDatabase`]: the connections of a source that keeps a catalog per database (PostgreSQL,
//! Redshift), where reading another database means another connection.

use omrun_sdk::sql::{Connection, SqlError};

/// The `source` connection to the database the config names, and one to the other database used
/// last. Batches arrive database by database, so keeping one other is enough and a worker never
/// holds more than two connections.
pub struct PerDatabase {
    default_database: String,
    default: Connection,
    other: Option<(String, Connection)>,
}

impl PerDatabase {
    /// `default` is already open on `default_database`.
    pub fn new(default_database: String, default: Connection) -> Self {
        Self {
            default_database,
            default,
            other: None,
        }
    }

    /// The database the config names (or the server's default for the user).
    pub fn default_database(&self) -> &str {
        &self.default_database
    }

    /// The connection to the default database, for what any database's connection answers.
    pub fn default(&self) -> &Connection {
        &self.default
    }

    /// The connection to `database`, opened on first use.
    pub fn get(&mut self, database: &str) -> Result<&Connection, SqlError> {
        if database == self.default_database {
            return Ok(&self.default);
        }
        let conn = match self.other.take() {
            Some((name, conn)) if name == database => conn,
            previous => {
                drop(previous); // closed before the next one opens
                Connection::open("source", Some(database))?
            }
        };
        Ok(&self.other.insert((database.to_owned(), conn)).1)
    }
}
