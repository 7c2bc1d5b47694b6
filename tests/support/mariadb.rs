//! The test MariaDB server (started by `scripts/test.sh` / `scripts/mariadb.sh`) and per-test
//! schemas. In MySQL a schema is a database and every schema of the server is visible, so a test's
//! schemas share a unique prefix (`omrun_<label>_<pid>_<n>_`) and its config keeps only those
//! with a `schemaFilterPattern`.

use mysql_async::prelude::Queryable;

/// Address and credentials of the test server, from `OMRUN_TEST_MYSQL_{HOST,PORT,USER,PASSWORD}`.
#[derive(Clone, Debug)]
pub struct MariaServer {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

impl MariaServer {
    /// The server of this test run. Panics (never skips) when it is not configured.
    pub fn from_env() -> MariaServer {
        let env = crate::server_env::ServerEnv::read(
            "OMRUN_TEST_MYSQL",
            "the MySQL tests need the MariaDB server that scripts/test.sh starts (or run them as \
             `scripts/mariadb.sh -- scripts/pg.sh -- cargo test -p omrun-tests`)",
        );
        MariaServer {
            host: env.host,
            port: env.port,
            user: env.user,
            password: env.password,
        }
    }

    /// Runs `sql` (several statements) on the server.
    pub fn execute(&self, sql: &str) {
        let opts = mysql_async::OptsBuilder::default()
            .ip_or_hostname(self.host.clone())
            .tcp_port(self.port)
            .user(Some(self.user.clone()))
            .pass(Some(self.password.clone()))
            .prefer_socket(false);
        runtime().block_on(async {
            let mut conn = mysql_async::Conn::new(opts).await.unwrap_or_else(|e| {
                panic!(
                    "cannot connect to the test MariaDB {}:{}: {e}",
                    self.host, self.port
                )
            });
            conn.query_drop(sql)
                .await
                .unwrap_or_else(|e| panic!("on the test MariaDB: {e}\n{sql}"));
            let _ = conn.disconnect().await;
        });
    }

    /// Creates a fresh set of schemas from `fixture_sql`, in which `{p}` stands for the test's
    /// schema prefix (`CREATE DATABASE {p}sales; CREATE TABLE {p}sales.orders …`). They are
    /// dropped when the returned value drops.
    pub fn create_schemas(&self, label: &str, fixture_sql: &str) -> MariaSchemas {
        let prefix = format!("{}_", crate::config::unique_name(label, 24));
        let schemas = MariaSchemas {
            server: self.clone(),
            prefix,
        };
        schemas.execute(fixture_sql);
        schemas
    }
}

/// The schemas one test created, all starting with `prefix`.
pub struct MariaSchemas {
    pub server: MariaServer,
    pub prefix: String,
}

impl MariaSchemas {
    /// The full name of the test's schema `name`.
    pub fn schema(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// A `schemaFilterPattern` include that keeps exactly this test's schemas.
    pub fn schema_pattern(&self) -> String {
        format!("^{}", self.prefix)
    }

    /// Runs more SQL, with `{p}` replaced by the prefix.
    pub fn execute(&self, sql: &str) {
        self.server.execute(&sql.replace("{p}", &self.prefix));
    }
}

impl Drop for MariaSchemas {
    fn drop(&mut self) {
        // Best effort: the whole server is thrown away at the end of the run anyway.
        let server = self.server.clone();
        let prefix = self.prefix.clone();
        let _ = std::panic::catch_unwind(move || {
            let opts = mysql_async::OptsBuilder::default()
                .ip_or_hostname(server.host.clone())
                .tcp_port(server.port)
                .user(Some(server.user.clone()))
                .pass(Some(server.password.clone()))
                .prefer_socket(false);
            runtime().block_on(async {
                let Ok(mut conn) = mysql_async::Conn::new(opts).await else {
                    return;
                };
                let like = format!("{}%", prefix.replace('_', "\\_"));
                let names: Vec<String> = conn
                    .exec(
                        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?",
                        (like,),
                    )
                    .await
                    .unwrap_or_default();
                for name in names {
                    let _ = conn.query_drop(format!("DROP DATABASE `{name}`")).await;
                }
            });
        });
    }
}
