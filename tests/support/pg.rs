//! The test PostgreSQL server (started by `scripts/test.sh` / `scripts/pg.sh`) and per-test databases.

use postgres::{Client, NoTls};

/// Address and credentials of the test server, from `OMRUN_TEST_PG_{HOST,PORT,USER,PASSWORD}`.
#[derive(Clone, Debug)]
pub struct PgServer {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
}

impl PgServer {
    /// The server of this test run. Panics (never skips) when it is not configured.
    pub fn from_env() -> PgServer {
        let env = crate::server_env::ServerEnv::read(
            "OMRUN_TEST_PG",
            "the end-to-end tests need the PostgreSQL server that scripts/test.sh starts (or run \
             them as `scripts/pg.sh -- cargo test -p omrun-tests`)",
        );
        PgServer {
            host: env.host,
            port: env.port,
            user: env.user,
            password: env.password,
        }
    }

    /// A connection to `database` on the test server.
    pub fn connect(&self, database: &str) -> Client {
        self.try_connect(database).unwrap_or_else(|e| {
            panic!(
                "cannot connect to the test PostgreSQL {}:{} database {database}: {e}",
                self.host, self.port
            )
        })
    }

    pub fn try_connect(&self, database: &str) -> Result<Client, postgres::Error> {
        postgres::Config::new()
            .host(&self.host)
            .port(self.port)
            .user(&self.user)
            .password(&self.password)
            .dbname(database)
            .application_name("omrun-tests")
            .connect(NoTls)
    }

    /// Creates a fresh database named `omrun_<label>_<pid>_<n>` and runs `fixture_sql` in it (one
    /// batch; `DO $$ … $$` blocks are fine). The database is dropped when the returned value drops.
    pub fn create_database(&self, label: &str, fixture_sql: &str) -> TestDb {
        self.create_database_with(label, "", fixture_sql)
    }

    /// [`create_database`](Self::create_database) with options after `CREATE DATABASE name`
    /// (e.g. `ENCODING 'SQL_ASCII' TEMPLATE template0`).
    pub fn create_database_with(&self, label: &str, options: &str, fixture_sql: &str) -> TestDb {
        let name = crate::config::unique_name(label, 32);
        let mut admin = self.connect("postgres");
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\" {options}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let db = TestDb {
            server: self.clone(),
            name,
        };
        if !fixture_sql.trim().is_empty() {
            let mut client = db.connect();
            if let Err(e) = client.batch_execute(fixture_sql) {
                let detail = e
                    .as_db_error()
                    .map(|d| format!("{d:?}"))
                    .unwrap_or_default();
                panic!("loading the fixture into {}: {e} {detail}", db.name);
            }
        }
        db
    }

    /// A login role without superuser rights, which privileges and limits bind; dropped on drop.
    /// `options` follow `CREATE ROLE name LOGIN PASSWORD '…'` (e.g. `CONNECTION LIMIT 2`).
    pub fn create_role(&self, label: &str, options: &str) -> TestRole {
        let name = crate::config::unique_name(label, 20);
        let password = format!("{name}-pw-1");
        self.connect("postgres")
            .batch_execute(&format!(
                "CREATE ROLE {name} LOGIN PASSWORD '{password}' {options}"
            ))
            .unwrap_or_else(|e| panic!("CREATE ROLE {name}: {e}"));
        TestRole {
            server: self.clone(),
            name,
            password,
        }
    }
}

/// A role created for one test (see [`PgServer::create_role`]).
pub struct TestRole {
    pub server: PgServer,
    pub name: String,
    pub password: String,
}

impl Drop for TestRole {
    fn drop(&mut self) {
        if let Ok(mut admin) = self.server.try_connect("postgres") {
            let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", self.name));
        }
    }
}

/// A database created for one test; dropped (with `FORCE`) on drop.
pub struct TestDb {
    pub server: PgServer,
    pub name: String,
}

impl TestDb {
    pub fn connect(&self) -> Client {
        self.server.connect(&self.name)
    }

    /// Runs more SQL in this database.
    pub fn execute(&self, sql: &str) {
        self.connect()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("in {}: {e}\n{sql}", self.name));
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Best effort: the whole cluster is thrown away at the end of the run anyway.
        if let Ok(mut admin) = self.server.try_connect("postgres") {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}
