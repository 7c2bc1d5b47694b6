//! [`SqlSource`]: any [`Catalog`] as a [`DiscoverableSource`], with OpenMetadata's filters.

use std::collections::HashSet;

use omrun_sdk::DiscoverableSource;
use omrun_sdk::sql::SqlError;
use omrun_sdk::types::{Entity, EntityRef, PluginInfo, SourceConfig};

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
}

impl<C: Catalog> SqlSource<C> {
    /// A source over an already connected catalog; `service` is the OpenMetadata service name
    /// (the first part of fully qualified names).
    pub fn new(catalog: C, service: impl Into<String>, options: SourceOptions) -> Self {
        Self {
            catalog,
            service: service.into(),
            options,
        }
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
        let connection = ConnectionConfig::parse(&config.service_connection)?;
        let options = SourceOptions::parse(&config.source_config)?;
        Ok(Self::new(
            C::connect(&connection)?,
            config.service_name,
            options,
        ))
    }

    fn discover(&mut self) -> Result<Vec<EntityRef>, String> {
        let mut refs = Vec::new();
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
                    // One unreachable database (no CONNECT privilege, say) must not stop the
                    // others; it is still ingested as a database, and the reason is logged.
                    if let Err(e) = self.discover_contents(&db, &mut refs) {
                        omrun_sdk::log::error!("skipping the contents of database `{db}`: {e}");
                    }
                }
            }
        }
        Ok(refs)
    }

    fn process(&mut self, refs: Vec<EntityRef>) -> Vec<Result<Vec<Entity>, String>> {
        batch::process(&mut self.catalog, &refs)
    }
}
