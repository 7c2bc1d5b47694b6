//! Contract `omrun:connector@0.1.0` (frozen): databases, schemas, tables, stored procedures.
//!
//! Every type of 0.1.0 is in 0.2.0 unchanged (0.2.0 only adds cases and records), so a 0.1.0
//! value upgrades into the 0.2.0 one by its serde form (the generated types derive serde, with the
//! same names in both versions), and a ref given back to the plugin downgrades the same way. The
//! calls answer in 0.2.0's types: the rest of the host sees one contract.

use super::{Answer, v0_2 as next};
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

/// A value of one contract as the same value of another, through its serde form. Only used
/// between types that are the same in both, so it cannot fail but by a bug, which it names.
fn convert<T: Serialize, U: DeserializeOwned>(value: T) -> U {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .unwrap_or_else(|e| {
            panic!(
                "{CONTRACT} and {} disagree on {}: {e}",
                next::CONTRACT,
                std::any::type_name::<U>()
            )
        })
}

fn upgrade<T: Serialize, U: DeserializeOwned>(answer: Answer<T>) -> Answer<U> {
    Ok(answer?.map(convert))
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

/// The exports of one instance; the calls take and answer 0.2.0's types.
pub enum Exports {
    Discoverable(DiscoverableSource),
    Sequential(sequential::Source),
}

impl Exports {
    pub async fn info(
        &self,
        store: &mut Store<StoreState>,
    ) -> wasmtime::Result<next::types::PluginInfo> {
        Ok(convert(match self {
            Exports::Discoverable(e) => e.omrun_connector_discovery().call_info(store).await?,
            Exports::Sequential(e) => e.omrun_connector_streaming().call_info(store).await?,
        }))
    }

    pub async fn open(
        &self,
        store: &mut Store<StoreState>,
        config: &next::types::SourceConfig,
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
    ) -> Answer<Vec<next::types::EntityRef>> {
        match self {
            Exports::Discoverable(e) => {
                upgrade(e.omrun_connector_discovery().call_discover(store).await)
            }
            Exports::Sequential(_) => Ok(Err(super::NOT_DISCOVERABLE.to_owned())),
        }
    }

    pub async fn process(
        &self,
        store: &mut Store<StoreState>,
        batch: &[next::types::EntityRef],
    ) -> Answer<Vec<Result<Vec<next::types::Entity>, String>>> {
        // Refs given back are the ones this plugin discovered: kinds of its contract.
        let batch: Vec<types::EntityRef> = convert(batch);
        match self {
            Exports::Discoverable(e) => Ok(Ok(convert(
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
    ) -> Answer<Option<Vec<next::types::Entity>>> {
        match self {
            Exports::Sequential(e) => {
                upgrade(e.omrun_connector_streaming().call_next_batch(store).await)
            }
            Exports::Discoverable(_) => Ok(Err(super::NOT_STREAMING.to_owned())),
        }
    }
}
