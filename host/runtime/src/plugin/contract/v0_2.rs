//! Contract `omrun:connector@0.2.0` (frozen): 0.1.0 plus dashboards, charts and dashboard data
//! models.
//!
//! 0.3.0 only adds to it: fields on records (a column's `parent` and `tags`, `tags` and
//! `source-url` on tables and schemas, `source-url` on databases) and a record (`tag-label`). The
//! records that gained fields are upgraded here field by field, the new ones empty; every other
//! type is the same in both and goes through its serde form. From there, 0.3.0's values upgrade
//! on into the newest's (`v0_3::upgrade`): the calls answer in the newest types.

use super::{Answer, v0_3 as next, v0_5 as newest};
use crate::plugin::World;
use crate::plugin::sandbox::StoreState;
use wasmtime::Store;
use wasmtime::component::{Component, HasSelf, Linker};

wasmtime::component::bindgen!({
    path: "../../wit/connector/v0.2.0",
    world: "discoverable-source",
    imports: { default: async | trappable },
    exports: { default: async },
    // 0.1.0's values upgrade into these through serde (see `v0_1`).
    additional_derives: [serde::Serialize, serde::Deserialize],
    with: {
        "omrun:connector/sql": crate::capability::sql::wit::sql,
        "omrun:connector/log": crate::capability::log::wit::log,
    },
});

/// The `source` world shares every import and type with `discoverable-source`.
mod sequential {
    wasmtime::component::bindgen!({
        path: "../../wit/connector/v0.2.0",
        world: "source",
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "omrun:connector/sql": crate::capability::sql::wit::sql,
            "omrun:connector/log": crate::capability::log::wit::log,
            "omrun:connector/types": super::omrun::connector::types,
        },
    });
}

pub use self::omrun::connector::types;

pub const CONTRACT: &str = "omrun:connector@0.2.0";

/// Adds this contract's imports to a linker: `sql` and `log` as the capabilities implement them,
/// under this contract's names (its own copies); WASI is added once, by the caller.
pub fn add_to_linker(linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
    super::add_capabilities(linker, "0.2.0")?;
    types::add_to_linker::<_, HasSelf<_>>(linker, |state| state)
}

impl types::Host for StoreState {}

/// Which world a component implements, from the interface it exports.
pub fn world_of(component: &Component, engine: &wasmtime::Engine) -> Option<World> {
    super::world_exported(component, engine, "0.2.0")
}

/// A component type-checked against one world, ready to instantiate many times.
#[derive(Clone)]
pub enum Pre {
    Discoverable(DiscoverableSourcePre<StoreState>),
    Sequential(sequential::SourcePre<StoreState>),
}

impl Pre {
    pub fn new(
        linker: &Linker<StoreState>,
        component: &Component,
        world: World,
    ) -> wasmtime::Result<Self> {
        let pre = linker.instantiate_pre(component)?;
        Ok(match world {
            World::Discoverable => Pre::Discoverable(DiscoverableSourcePre::new(pre)?),
            World::Sequential => Pre::Sequential(sequential::SourcePre::new(pre)?),
        })
    }

    pub async fn instantiate(&self, store: &mut Store<StoreState>) -> wasmtime::Result<Exports> {
        Ok(match self {
            Pre::Discoverable(pre) => Exports::Discoverable(pre.instantiate_async(store).await?),
            Pre::Sequential(pre) => Exports::Sequential(pre.instantiate_async(store).await?),
        })
    }
}

/// The exports of one instance; the calls answer in the newest contract's types.
pub enum Exports {
    Discoverable(DiscoverableSource),
    Sequential(sequential::Source),
}

impl Exports {
    pub async fn info(
        &self,
        store: &mut Store<StoreState>,
    ) -> wasmtime::Result<newest::types::PluginInfo> {
        Ok(convert(match self {
            Exports::Discoverable(e) => e.omrun_connector_discovery().call_info(store).await?,
            Exports::Sequential(e) => e.omrun_connector_streaming().call_info(store).await?,
        }))
    }

    pub async fn open(
        &self,
        store: &mut Store<StoreState>,
        config: &newest::types::SourceConfig,
    ) -> Answer<()> {
        let config: types::SourceConfig = convert(config);
        match self {
            Exports::Discoverable(e) => {
                e.omrun_connector_discovery()
                    .call_open(store, &config)
                    .await
            }
            Exports::Sequential(e) => {
                e.omrun_connector_streaming()
                    .call_open(store, &config)
                    .await
            }
        }
    }

    pub async fn discover(
        &self,
        store: &mut Store<StoreState>,
    ) -> Answer<Vec<newest::types::EntityRef>> {
        match self {
            Exports::Discoverable(e) => {
                let refs = e.omrun_connector_discovery().call_discover(store).await?;
                Ok(refs.map(convert))
            }
            Exports::Sequential(_) => Ok(Err(super::NOT_DISCOVERABLE.to_owned())),
        }
    }

    pub async fn process(
        &self,
        store: &mut Store<StoreState>,
        batch: &[newest::types::EntityRef],
    ) -> Answer<Vec<Result<Vec<newest::types::Entity>, String>>> {
        // Refs given back are the ones this plugin discovered: kinds of its contract.
        let batch: Vec<types::EntityRef> = convert(batch);
        match self {
            Exports::Discoverable(e) => Ok(Ok(results(
                e.omrun_connector_discovery()
                    .call_process(store, &batch)
                    .await?,
            ))),
            Exports::Sequential(_) => Ok(Err(super::NOT_DISCOVERABLE.to_owned())),
        }
    }

    pub async fn next_batch(
        &self,
        store: &mut Store<StoreState>,
    ) -> Answer<Option<Vec<newest::types::Entity>>> {
        match self {
            Exports::Sequential(e) => {
                let batch = e.omrun_connector_streaming().call_next_batch(store).await?;
                Ok(batch.map(|b| b.map(|entities| entities.into_iter().map(upgrade).collect())))
            }
            Exports::Discoverable(_) => Ok(Err(super::NOT_STREAMING.to_owned())),
        }
    }
}

/// A value of a type 0.2.0 and 0.3.0 share, as 0.3.0's.
fn same<T: serde::Serialize, U: serde::de::DeserializeOwned>(value: T) -> U {
    super::same(value, CONTRACT, next::CONTRACT)
}

/// A value of a type 0.2.0 and the newest contract share (plugin info, config, refs), as the
/// newest's.
fn convert<T: serde::Serialize, U: serde::de::DeserializeOwned>(value: T) -> U {
    super::same(value, CONTRACT, newest::CONTRACT)
}

/// `process`'s answers as the newest contract's.
fn results(
    results: Vec<Result<Vec<types::Entity>, String>>,
) -> Vec<Result<Vec<newest::types::Entity>, String>> {
    results
        .into_iter()
        .map(|r| r.map(|entities| entities.into_iter().map(upgrade).collect()))
        .collect()
}

/// An entity as the newest contract's: as 0.3.0's, then on from there (`v0_1` upgrades through
/// here too).
pub fn upgrade(e: types::Entity) -> newest::types::Entity {
    next::upgrade(entity(e))
}

/// An entity as 0.3.0's: what 0.3.0 added is empty.
fn entity(e: types::Entity) -> next::types::Entity {
    use next::types as n;
    use types::Entity as E;
    match e {
        E::Database(d) => n::Entity::Database(n::Database {
            name: d.name,
            description: d.description,
            source_url: None,
        }),
        E::DatabaseSchema(s) => n::Entity::DatabaseSchema(n::DatabaseSchema {
            database: s.database,
            name: s.name,
            description: s.description,
            source_url: None,
            tags: Vec::new(),
        }),
        E::Table(t) => n::Entity::Table(n::Table {
            database: t.database,
            schema: t.schema,
            name: t.name,
            table_type: same(t.table_type),
            description: t.description,
            columns: t.columns.into_iter().map(column).collect(),
            constraints: same(t.constraints),
            definition: t.definition,
            partition_columns: same(t.partition_columns),
            source_url: None,
            tags: Vec::new(),
        }),
        E::DashboardDataModel(m) => n::Entity::DashboardDataModel(n::DashboardDataModel {
            name: m.name,
            display_name: m.display_name,
            description: m.description,
            data_model_type: same(m.data_model_type),
            columns: m.columns.into_iter().map(column).collect(),
            sql: m.sql,
            project: m.project,
            source_url: m.source_url,
        }),
        // Unchanged in 0.3.0.
        other @ (E::StoredProcedure(_) | E::Dashboard(_) | E::Chart(_)) => same(other),
    }
}

/// A column as 0.3.0's: top-level (no `parent`), untagged.
fn column(c: types::Column) -> next::types::Column {
    next::types::Column {
        name: c.name,
        data_type: same(c.data_type),
        data_type_display: c.data_type_display,
        array_data_type: c.array_data_type.map(same),
        data_length: c.data_length,
        precision: c.precision,
        scale: c.scale,
        nullable: c.nullable,
        ordinal_position: c.ordinal_position,
        description: c.description,
        parent: None,
        tags: Vec::new(),
    }
}
