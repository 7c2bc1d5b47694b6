//! Contract `omrun:connector@0.1.0` (frozen): databases, schemas, tables, stored procedures.
//!
//! Every type of 0.1.0 is in 0.2.0 unchanged (0.2.0 only adds cases and records), so a 0.1.0
//! value upgrades into the 0.2.0 one by its serde form (the generated types derive serde, with the
//! same names in both versions), and from there into the newest's as 0.2.0's do (`v0_2`). A ref
//! given back to the plugin downgrades by its serde form (refs, like the plugin info and the
//! config, are the same in every version). The calls answer in the newest types: the rest of the
//! host sees one contract.

use super::{Answer, v0_2 as next, v0_5 as newest};
use crate::plugin::World;
use crate::plugin::sandbox::StoreState;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasmtime::Store;
use wasmtime::component::{Component, HasSelf, Linker};

wasmtime::component::bindgen!({
    path: "../../wit/connector/v0.1.0",
    world: "discoverable-source",
    imports: { default: async | trappable },
    exports: { default: async },
    additional_derives: [serde::Serialize, serde::Deserialize],
    with: {
        "omrun:connector/sql": crate::capability::sql::wit::sql,
        "omrun:connector/log": crate::capability::log::wit::log,
    },
});

/// The `source` world shares every import and type with `discoverable-source`.
mod sequential {
    wasmtime::component::bindgen!({
        path: "../../wit/connector/v0.1.0",
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

use self::omrun::connector::types;

pub const CONTRACT: &str = "omrun:connector@0.1.0";

/// Adds this contract's imports to a linker (see `v0_2::add_to_linker`).
pub fn add_to_linker(linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
    super::add_capabilities(linker, "0.1.0")?;
    types::add_to_linker::<_, HasSelf<_>>(linker, |state| state)
}

impl types::Host for StoreState {}

/// Which world a component implements, from the interface it exports.
pub fn world_of(component: &Component, engine: &wasmtime::Engine) -> Option<World> {
    super::world_exported(component, engine, "0.1.0")
}

/// A value of 0.1.0 as the same value of another contract (see `super::same`).
fn convert<T: Serialize, U: DeserializeOwned>(value: T) -> U {
    super::same(value, CONTRACT, newest::CONTRACT)
}

/// 0.1.0's entities as 0.2.0's, then as the newest's.
fn entities<T: Serialize>(entities: T) -> Vec<newest::types::Entity> {
    let entities: Vec<next::types::Entity> = convert(entities);
    entities.into_iter().map(next::upgrade).collect()
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

/// The exports of one instance; the calls take and answer the newest contract's types.
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
            Exports::Discoverable(e) => {
                let results = e
                    .omrun_connector_discovery()
                    .call_process(store, &batch)
                    .await?;
                Ok(Ok(results.into_iter().map(|r| r.map(entities)).collect()))
            }
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
                Ok(batch.map(|b| b.map(entities)))
            }
            Exports::Discoverable(_) => Ok(Err(super::NOT_STREAMING.to_owned())),
        }
    }
}
