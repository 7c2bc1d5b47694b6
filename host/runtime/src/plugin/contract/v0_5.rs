//! Contract `omrun:connector@0.5.0` (frozen): 0.4.0 plus pipeline and ML model services (entities
//! `pipeline` and `ml-model`). Its types are the ones the host model is converted from
//! (`convert`), 0.6.0's too (which changed none); older contracts upgrade into them first
//! (`v0_4`).
//!
//! Like 0.3.0, it imports the capabilities by their own packages (`omrun:sql/sql@0.1.0`,
//! `omrun:log/log@0.1.0`), so its bindings read those packages first.

use super::Answer;
use crate::plugin::World;
use crate::plugin::sandbox::StoreState;
use wasmtime::Store;
use wasmtime::component::{Component, HasSelf, Linker};

wasmtime::component::bindgen!({
    path: ["../../wit/sql/v0.1.0", "../../wit/log/v0.1.0", "../../wit/connector/v0.5.0"],
    // Named in full: with three packages read, a bare world name is ambiguous.
    world: "omrun:connector/discoverable-source@0.5.0",
    imports: { default: async | trappable },
    exports: { default: async },
    // Older contracts' values upgrade into these, the unchanged types through serde (see `v0_4`).
    additional_derives: [serde::Serialize, serde::Deserialize],
    with: {
        "omrun:sql/sql": crate::capability::sql::wit::sql,
        "omrun:log/log": crate::capability::log::wit::log,
    },
});

/// The `source` world shares every import and type with `discoverable-source`.
mod sequential {
    wasmtime::component::bindgen!({
        path: ["../../wit/sql/v0.1.0", "../../wit/log/v0.1.0", "../../wit/connector/v0.5.0"],
        world: "omrun:connector/source@0.5.0",
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "omrun:sql/sql": crate::capability::sql::wit::sql,
            "omrun:log/log": crate::capability::log::wit::log,
            "omrun:connector/types": super::omrun::connector::types,
        },
    });
}

pub use self::omrun::connector::types;

pub const CONTRACT: &str = "omrun:connector@0.5.0";

/// Adds this contract's imports to a linker: `sql` and `log` under their own packages' names;
/// WASI is added once, by the caller.
pub fn add_to_linker(linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
    use crate::capability::{log, sql};
    sql::wit::add_to_linker(linker, sql::wit::INTERFACE)?;
    log::wit::add_to_linker(linker, log::wit::INTERFACE)?;
    types::add_to_linker::<_, HasSelf<_>>(linker, |state| state)
}

impl types::Host for StoreState {}

/// Which world a component implements, from the interface it exports.
pub fn world_of(component: &Component, engine: &wasmtime::Engine) -> Option<World> {
    super::world_exported(component, engine, "0.5.0")
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

/// The exports of one instance. Calls answer in this contract's types, which `convert` turns
/// into the host model.
pub enum Exports {
    Discoverable(DiscoverableSource),
    Sequential(sequential::Source),
}

impl Exports {
    pub async fn info(&self, store: &mut Store<StoreState>) -> wasmtime::Result<types::PluginInfo> {
        match self {
            Exports::Discoverable(e) => e.omrun_connector_discovery().call_info(store).await,
            Exports::Sequential(e) => e.omrun_connector_streaming().call_info(store).await,
        }
    }

    pub async fn open(
        &self,
        store: &mut Store<StoreState>,
        config: &types::SourceConfig,
    ) -> Answer<()> {
        match self {
            Exports::Discoverable(e) => {
                e.omrun_connector_discovery().call_open(store, config).await
            }
            Exports::Sequential(e) => e.omrun_connector_streaming().call_open(store, config).await,
        }
    }

    pub async fn discover(&self, store: &mut Store<StoreState>) -> Answer<Vec<types::EntityRef>> {
        match self {
            Exports::Discoverable(e) => e.omrun_connector_discovery().call_discover(store).await,
            Exports::Sequential(_) => Ok(Err(super::NOT_DISCOVERABLE.to_owned())),
        }
    }

    pub async fn process(
        &self,
        store: &mut Store<StoreState>,
        batch: &[types::EntityRef],
    ) -> Answer<Vec<Result<Vec<types::Entity>, String>>> {
        match self {
            Exports::Discoverable(e) => Ok(Ok(e
                .omrun_connector_discovery()
                .call_process(store, batch)
                .await?)),
            Exports::Sequential(_) => Ok(Err(super::NOT_DISCOVERABLE.to_owned())),
        }
    }

    pub async fn next_batch(
        &self,
        store: &mut Store<StoreState>,
    ) -> Answer<Option<Vec<types::Entity>>> {
        match self {
            Exports::Sequential(e) => e.omrun_connector_streaming().call_next_batch(store).await,
            Exports::Discoverable(_) => Ok(Err(super::NOT_STREAMING.to_owned())),
        }
    }
}
