//! [`SqlSource`]: any [`Catalog`] as a [`DiscoverableSource`], with OpenMetadata's filters.

use std::collections::{BTreeMap, HashSet};

use omrun_sdk::DiscoverableSource;
use omrun_sdk::sql::SqlError;
use omrun_sdk::types::{Entity, EntityKind, EntityRef, PluginInfo, SourceConfig};

use crate::batch;
use crate::catalog::{Catalog, Databases, TableName, is_view};
use crate::config::{ConnectionConfig, SourceOptions};
use crate::filter::fqn;

/// A generic SQL source. A connector crate is a [`Catalog`] plus one line:
///
/// ```text
/// omrun_sdk::export_discoverable_source!(omrun_common_db::SqlSource<MyCatalog>);
/// ```
///
/// `discover` lists the kept databases (`[db]`), schemas (`[db, schema]`), tables and views
/// (`[db, schema, table]`) and stored procedures (`[db, schema, name]`), parents first. `process` describes a batch set-based, per kind and
/// database, and answers each ref in order; a ref whose entity is gone gets
/// `Err("… no longer exists")`, and a failing query fails only the refs it covered.
pub struct SqlSource<C: Catalog> {
    catalog: C,
    service: String,
    options: SourceOptions,
    /// Whether this instance ran `discover` (else `unlisted` knows nothing).
    discovered: bool,
    /// Databases (with `ingestAllDatabases`) whose contents could not be listed, with why: their
    /// refs fail in `process`, so the host names them in the report instead of writing an empty
    /// database.
    unlisted: BTreeMap<String, String>,
}

impl<C: Catalog> SqlSource<C> {
    /// A source over an already connected catalog; `service` is the OpenMetadata service name
    /// (the first part of fully qualified names).
    pub fn new(catalog: C, service: impl Into<String>, options: SourceOptions) -> Self {
        Self {
            catalog,
            service: service.into(),
            options,
            discovered: false,
            unlisted: BTreeMap::new(),
        }
    }

    /// Why a database ref must fail: its contents could not be listed by this instance's
    /// discovery, or — asked by an instance that did not discover — cannot be listed now.
    fn unlisted_reason(&mut self, db: &str) -> Option<String> {
        let why = match self.unlisted.get(db) {
            Some(why) => why.clone(),
            None if !self.discovered => self.catalog.schemas(db).err()?.to_string(),
            None => return None,
        };
        Some(format!(
            "its contents could not be listed ({why}); none of its schemas or tables was ingested"
        ))
    }

    /// The dialect, for connector-specific calls.
    pub fn catalog(&self) -> &C {
        &self.catalog
    }

    /// The string a filter tests: the bare name, or the FQN with `useFqnForFiltering`.
    fn filter_key(&self, parts: &[&str]) -> String {
        if self.options.use_fqn_for_filtering {
            let mut all = vec![self.service.as_str()];
            all.extend_from_slice(parts);
            fqn(&all)
        } else {
            parts.last().copied().unwrap_or_default().to_owned()
        }
    }

    /// Appends the refs of one database's schemas and tables.
    fn discover_contents(&mut self, db: &str, refs: &mut Vec<EntityRef>) -> Result<(), SqlError> {
        let schemas: Vec<String> = self
            .catalog
            .schemas(db)?
            .into_iter()
            .filter(|s| self.options.schemas.keeps(&self.filter_key(&[db, s])))
            .collect();
        refs.extend(schemas.iter().map(|s| EntityRef::schema(db, s)));
        let kept: HashSet<&str> = schemas.iter().map(String::as_str).collect();
        let tables = if self.options.include_tables || self.options.include_views {
            self.catalog.tables(db)?
        } else {
            Vec::new()
        };
        for TableName {
            schema,
            name,
            table_type,
        } in tables
        {
            let wanted = if is_view(table_type) {
                self.options.include_views
            } else {
                self.options.include_tables
            };
            if wanted
                && kept.contains(schema.as_str())
                && self
                    .options
                    .tables
                    .keeps(&self.filter_key(&[db, &schema, &name]))
            {
                refs.push(EntityRef::table(db, schema, name));
            }
        }
        if self.options.include_stored_procedures {
            for (schema, name) in self.catalog.stored_procedures(db)? {
                if kept.contains(schema.as_str())
                    && self
                        .options
                        .stored_procedures
                        .keeps(&self.filter_key(&[db, &schema, &name]))
                {
                    refs.push(EntityRef::stored_procedure(db, schema, name));
                }
            }
        }
        Ok(())
    }
}

impl<C: Catalog> DiscoverableSource for SqlSource<C> {
    fn info() -> PluginInfo {
        C::info()
    }

    fn open(config: SourceConfig) -> Result<Self, String> {
        let mut connection = ConnectionConfig::parse(&config.service_connection)?;
        connection.secrets = config.secrets.clone();
        let options = SourceOptions::parse(&config.source_config)?;
        Ok(Self::new(
            C::connect(&connection)?,
            config.service_name,
            options,
        ))
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        let mut refs = Vec::new();
        self.discovered = true;
        self.unlisted.clear();
        match self
            .catalog
            .databases()
            .map_err(|e| format!("listing databases: {e}"))?
        {
            Databases::Configured(db) => {
                refs.push(EntityRef::database(&db));
                self.discover_contents(&db, &mut refs)
                    .map_err(|e| format!("listing database `{db}`: {e}"))?;
            }
            Databases::All(all) => {
                for db in all {
                    if !self.options.databases.keeps(&self.filter_key(&[&db])) {
                        continue;
                    }
                    refs.push(EntityRef::database(&db));
                    match self.discover_contents(&db, &mut refs) {
                        Ok(()) => {}
                        // A passing error (too many connections, a lost connection): the host
                        // retries the whole discovery, names only, per `retryPolicy`.
                        Err(e) if is_passing(&e) => {
                            return Err(format!("listing database `{db}`: {e}"));
                        }
                        // One unreadable database (no CONNECT privilege, say) must not stop the
                        // others: its ref fails in `process`, named in the report.
                        Err(e) => {
                            self.unlisted.insert(db, e.to_string());
                        }
                    }
                }
            }
        }
        Ok(refs)
    }

    fn process(&mut self, refs: Vec<EntityRef>) -> Vec<Result<Vec<Entity>, String>> {
        let unlisted: Vec<Option<String>> = refs
            .iter()
            .map(|r| match (r.kind, r.path.as_slice()) {
                (EntityKind::Database, [db]) => self.unlisted_reason(db),
                _ => None,
            })
            .collect();
        let mut answers = batch::process(&mut self.catalog, &refs);
        for (answer, why) in answers.iter_mut().zip(unlisted) {
            if let Some(why) = why {
                *answer = Err(why);
            }
        }
        answers
    }
}

/// Whether a listing error may pass by itself: no SQLSTATE (the connection was lost or did not
/// answer in time), a connection exception (08…), insufficient resources such as too many
/// connections (53…, MySQL's 1040 comes as 08004), the server starting or stopping (57P…), or a
/// serialization failure or deadlock (40…). A missing privilege or database is not.
fn is_passing(e: &SqlError) -> bool {
    match &e.sqlstate {
        None => true,
        Some(code) => ["08", "53", "57P", "40"]
            .iter()
            .any(|p| code.starts_with(p)),
    }
}
