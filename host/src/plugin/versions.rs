//! The dispatcher: one binding per contract version (`v0_1`, `v0_2`, side by side), chosen by the
//! plugin's stamp, behind the one API the rest of the host calls. Adding a version is a new module
//! and one arm per match here.

use super::sandbox::StoreState;
use super::{Contract, PluginInfo, SourceConfig, World, v0_1, v0_2};
use crate::model;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// What a call returns: the plugin's own error is the inner `Err`; a trap is the outer one.
pub type Answer<T> = wasmtime::Result<Result<T, String>>;

/// Which world a component implements, from the interfaces of `contract` it exports.
pub fn world_of(contract: Contract, component: &Component, engine: &Engine) -> Option<World> {
    match contract {
        Contract::V0_1 => v0_1::world_of(component, engine),
        Contract::V0_2 => v0_2::world_of(component, engine),
    }
}

/// A linker with WASI (granting nothing), wasi:http (to the hosts the config grants) and
/// `contract`'s own imports.
pub fn linker(engine: &Engine, contract: Contract) -> wasmtime::Result<Linker<StoreState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    crate::capability::http::add_to_linker(&mut linker)?;
    match contract {
        Contract::V0_1 => v0_1::add_to_linker(&mut linker)?,
        Contract::V0_2 => v0_2::add_to_linker(&mut linker)?,
    }
    Ok(linker)
}

/// A component type-checked against its contract and world, ready to instantiate many times.
#[derive(Clone)]
pub enum Pre {
    V0_1(v0_1::Pre),
    V0_2(v0_2::Pre),
}

impl Pre {
    pub fn new(
        contract: Contract,
        linker: &Linker<StoreState>,
        component: &Component,
        world: World,
    ) -> wasmtime::Result<Self> {
        Ok(match contract {
            Contract::V0_1 => Pre::V0_1(v0_1::Pre::new(linker, component, world)?),
            Contract::V0_2 => Pre::V0_2(v0_2::Pre::new(linker, component, world)?),
        })
    }

    pub async fn instantiate(&self, store: &mut Store<StoreState>) -> wasmtime::Result<Exports> {
        Ok(match self {
            Pre::V0_1(pre) => Exports::V0_1(pre.instantiate(store).await?),
            Pre::V0_2(pre) => Exports::V0_2(pre.instantiate(store).await?),
        })
    }
}

/// The exports of one instance.
pub enum Exports {
    V0_1(v0_1::Exports),
    V0_2(v0_2::Exports),
}

/// The same call on whichever version's exports these are.
macro_rules! each {
    ($exports:expr, $e:ident => $call:expr) => {
        match $exports {
            Exports::V0_1($e) => $call,
            Exports::V0_2($e) => $call,
        }
    };
}

impl Exports {
    pub async fn info(&self, store: &mut Store<StoreState>) -> wasmtime::Result<PluginInfo> {
        each!(self, e => e.info(store).await)
    }

    pub async fn open(&self, store: &mut Store<StoreState>, config: &SourceConfig) -> Answer<()> {
        each!(self, e => e.open(store, config).await)
    }

    pub async fn discover(&self, store: &mut Store<StoreState>) -> Answer<Vec<model::EntityRef>> {
        each!(self, e => e.discover(store).await)
    }

    pub async fn process(
        &self,
        store: &mut Store<StoreState>,
        batch: &[model::EntityRef],
    ) -> Answer<Vec<Result<Vec<model::Entity>, String>>> {
        each!(self, e => e.process(store, batch).await)
    }

    pub async fn next_batch(
        &self,
        store: &mut Store<StoreState>,
    ) -> Answer<Option<Vec<model::Entity>>> {
        each!(self, e => e.next_batch(store).await)
    }
}
