//! What a plugin can reach. Nothing is ambient: a plugin declares what it needs in `info()`, the
//! config grants it, and the host checks the two against each other before the run starts.
//! Each capability is one module with one trait at its seam: `sql::Driver` for databases, `log`.

pub mod log;
pub mod sql;

use crate::config::Config;
use anyhow::{Context, bail};
use std::collections::BTreeMap;
use std::time::Duration;

/// A need a plugin declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capability {
    Sql(String),
    Http(String),
}

impl std::fmt::Display for Capability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Capability::Sql(label) => write!(f, "sql connection `{label}`"),
            Capability::Http(host) => write!(f, "http to `{host}`"),
        }
    }
}

/// What the config grants. The source's own `serviceConnection` is granted as the SQL label
/// `source` when it is a database the host can connect to.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    pub sql: BTreeMap<String, sql::Target>,
}

/// The SQL label under which the source's `serviceConnection` is granted.
pub const SOURCE_LABEL: &str = "source";

impl Grants {
    pub fn from_config(config: &Config, statement_timeout: Duration) -> anyhow::Result<Self> {
        let connection = &config.source.service_connection;
        let mut grants = Grants::default();
        if let Some(target) = sql::Target::from_connection(&connection.config, statement_timeout)
            .context("source.serviceConnection.config")?
        {
            grants.sql.insert(SOURCE_LABEL.to_owned(), target);
        }
        Ok(grants)
    }

    /// Connects once to every granted database, so that a wrong password or host stops the run
    /// before it starts, with the driver's own message, instead of failing every worker.
    pub async fn verify(&self) -> anyhow::Result<()> {
        for (label, target) in &self.sql {
            sql::Connection::open(target, None).await.map_err(|e| {
                anyhow::anyhow!("cannot connect to the source (sql connection `{label}`): {e}")
            })?;
        }
        Ok(())
    }

    /// Stops the run before it starts when the plugin needs something the config does not grant.
    pub fn check(&self, plugin: &str, needs: &[Capability]) -> anyhow::Result<()> {
        let missing: Vec<String> = needs
            .iter()
            .filter(|need| match need {
                Capability::Sql(label) => !self.sql.contains_key(label),
                Capability::Http(_) => true,
            })
            .map(|need| need.to_string())
            .collect();
        if !missing.is_empty() {
            bail!(
                "plugin {plugin} needs {} which the config does not grant",
                missing.join(", ")
            );
        }
        Ok(())
    }
}
