//! The contract versions a plugin may be built for, side by side, behind the one API the rest of
//! the host calls. Each version is one small module (`v0_1` … `v0_6`): its generated
//! bindings, the names it imports the capabilities by, and its calls. The newest types are
//! converted into the host model once (`convert`; 0.6.0 changed no type and reuses 0.5.0's); an
//! older version upgrades its values into the next one's, version by version (0.1.0 through
//! 0.2.0's, 0.3.0's and 0.4.0's upgrades). Discovery before 0.6.0 is one list, answered here as a
//! single page.
//! The capabilities (`sql`, `log`) are not here: they are implemented once, in `capability`, and
//! each version registers them under its names. `stamp` says which version a file was built for.
//!
//! Adding a version: a module beside these (the previous newest gains an upgrade into it, as
//! `v0_4` has into `v0_5`), `convert` moved onto the new types, and one arm per match here.

mod convert;
mod stamp;
mod v0_1;
mod v0_2;
mod v0_3;
mod v0_4;
mod v0_5;
mod v0_6;

pub use stamp::{
    CONFIG_KEYS_SECTION, Contract, SECTION, SUPPORTED, Stamp, read_config_keys, read_stamp, select,
    supported_range,
};

use super::sandbox::StoreState;
use super::{PluginInfo, SourceConfig, World};
use omrun_model as model;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

const NOT_DISCOVERABLE: &str = "this plugin implements world `source` only; it cannot discover";
const NOT_STREAMING: &str = "a discoverable plugin has no `next-batch`";
const ONE_PAGE: &str = "a plugin of a contract before 0.6.0 discovers in one page";

/// Some of what discovery found, and the cursor of the rest (`None` after the last page).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub refs: Vec<model::EntityRef>,
    pub next: Option<String>,
}

/// The cursor to ask for after a page asked for with `asked` whose `next` is `next`: `None` when
/// discovery is done. A plugin answering with the cursor it was asked with would be asked for the
/// same page forever: an error.
pub fn next_cursor(asked: Option<&str>, next: Option<String>) -> Result<Option<String>, String> {
    match next {
        Some(next) if asked == Some(next.as_str()) => Err(format!(
            "the plugin gave the cursor it was asked with ({next:?}) as the next page's: \
             discovery would never end"
        )),
        next => Ok(next),
    }
}

/// A whole list from a contract before 0.6.0, as the one page it is (in 0.5.0's types, which
/// older versions' `discover` already answers in).
fn one_page(refs: Vec<v0_5::types::EntityRef>) -> v0_6::Page {
    v0_6::Page { refs, next: None }
}

/// Registers `sql` and `log`, implemented once in `capability`, under the names contract
/// `version` imports them by: 0.1.0 and 0.2.0 carry their own copies (`omrun:connector/sql@X`);
/// later contracts import the capabilities' own packages (see `v0_3::add_to_linker`).
fn add_capabilities(linker: &mut Linker<StoreState>, version: &str) -> wasmtime::Result<()> {
    let name = |interface: &str| format!("omrun:connector/{interface}@{version}");
    crate::capability::sql::wit::add_to_linker(linker, &name("sql"))?;
    crate::capability::log::wit::add_to_linker(linker, &name("log"))
}

/// The world a component implements, from which interface of `omrun:connector@version` it exports.
fn world_exported(component: &Component, engine: &Engine, version: &str) -> Option<World> {
    let exports: Vec<String> = component
        .component_type()
        .exports(engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    let has = |interface: &str| {
        exports
            .iter()
            .any(|e| *e == format!("omrun:connector/{interface}@{version}"))
    };
    if has("discovery") {
        Some(World::Discoverable)
    } else if has("streaming") {
        Some(World::Sequential)
    } else {
        None
    }
}

/// What a call returns: the plugin's own error is the inner `Err`; a trap is the outer one.
pub type Answer<T> = wasmtime::Result<Result<T, String>>;

/// A value of one contract as the same value of another, through its serde form (the generated
/// types derive serde, with the same names in every version). Only used between types that are
/// the same in both, so it cannot fail but by a bug, which it names.
fn same<T: serde::Serialize, U: serde::de::DeserializeOwned>(value: T, from: &str, to: &str) -> U {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .unwrap_or_else(|e| {
            panic!(
                "{from} and {to} disagree on {}: {e}",
                std::any::type_name::<U>()
            )
        })
}

/// An entity a streaming plugin returned that cannot be written as it is (e.g. its columns are
/// not a tree): named, with why, so the run reports it as failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub entity: model::EntityRef,
    pub why: String,
}

/// Which world a component implements, from the interfaces of `contract` it exports.
pub fn world_of(contract: Contract, component: &Component, engine: &Engine) -> Option<World> {
    match contract {
        Contract::V0_1 => v0_1::world_of(component, engine),
        Contract::V0_2 => v0_2::world_of(component, engine),
        Contract::V0_3 => v0_3::world_of(component, engine),
        Contract::V0_4 => v0_4::world_of(component, engine),
        Contract::V0_5 => v0_5::world_of(component, engine),
        Contract::V0_6 => v0_6::world_of(component, engine),
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
        Contract::V0_3 => v0_3::add_to_linker(&mut linker)?,
        Contract::V0_4 => v0_4::add_to_linker(&mut linker)?,
        Contract::V0_5 => v0_5::add_to_linker(&mut linker)?,
        Contract::V0_6 => v0_6::add_to_linker(&mut linker)?,
    }
    Ok(linker)
}

/// A component type-checked against its contract and world, ready to instantiate many times.
#[derive(Clone)]
pub enum Pre {
    V0_1(v0_1::Pre),
    V0_2(v0_2::Pre),
    V0_3(v0_3::Pre),
    V0_4(v0_4::Pre),
    V0_5(v0_5::Pre),
    V0_6(v0_6::Pre),
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
            Contract::V0_3 => Pre::V0_3(v0_3::Pre::new(linker, component, world)?),
            Contract::V0_4 => Pre::V0_4(v0_4::Pre::new(linker, component, world)?),
            Contract::V0_5 => Pre::V0_5(v0_5::Pre::new(linker, component, world)?),
            Contract::V0_6 => Pre::V0_6(v0_6::Pre::new(linker, component, world)?),
        })
    }

    pub async fn instantiate(&self, store: &mut Store<StoreState>) -> wasmtime::Result<Exports> {
        Ok(match self {
            Pre::V0_1(pre) => Exports::V0_1(pre.instantiate(store).await?),
            Pre::V0_2(pre) => Exports::V0_2(pre.instantiate(store).await?),
            Pre::V0_3(pre) => Exports::V0_3(pre.instantiate(store).await?),
            Pre::V0_4(pre) => Exports::V0_4(pre.instantiate(store).await?),
            Pre::V0_5(pre) => Exports::V0_5(pre.instantiate(store).await?),
            Pre::V0_6(pre) => Exports::V0_6(pre.instantiate(store).await?),
        })
    }
}

/// The exports of one instance.
pub enum Exports {
    V0_1(v0_1::Exports),
    V0_2(v0_2::Exports),
    V0_3(v0_3::Exports),
    V0_4(v0_4::Exports),
    V0_5(v0_5::Exports),
    V0_6(v0_6::Exports),
}

/// The same call on whichever version's exports these are.
macro_rules! each {
    ($exports:expr, $e:ident => $call:expr) => {
        match $exports {
            Exports::V0_1($e) => $call,
            Exports::V0_2($e) => $call,
            Exports::V0_3($e) => $call,
            Exports::V0_4($e) => $call,
            Exports::V0_5($e) => $call,
            Exports::V0_6($e) => $call,
        }
    };
}

impl Exports {
    pub async fn info(&self, store: &mut Store<StoreState>) -> wasmtime::Result<PluginInfo> {
        Ok(convert::plugin_info(each!(self, e => e.info(store).await)?))
    }

    pub async fn open(&self, store: &mut Store<StoreState>, config: &SourceConfig) -> Answer<()> {
        let config = convert::source_config(config);
        each!(self, e => e.open(store, &config).await)
    }

    /// The page of discovery `cursor` names (the first without one). A plugin of a contract
    /// before 0.6.0 lists everything in one call: its first page is the whole list, and the last.
    pub async fn discover_page(
        &self,
        store: &mut Store<StoreState>,
        cursor: Option<&str>,
    ) -> Answer<Page> {
        let page = match self {
            Exports::V0_6(e) => e.discover_page(store, cursor).await?,
            _ if cursor.is_some() => return Ok(Err(format!("{ONE_PAGE} (asked for {cursor:?})"))),
            Exports::V0_1(e) => e.discover(store).await?.map(one_page),
            Exports::V0_2(e) => e.discover(store).await?.map(one_page),
            Exports::V0_3(e) => e.discover(store).await?.map(one_page),
            Exports::V0_4(e) => e.discover(store).await?.map(one_page),
            Exports::V0_5(e) => e.discover(store).await?.map(one_page),
        };
        Ok(page.map(|page| Page {
            refs: page.refs.into_iter().map(convert::entity_ref).collect(),
            next: page.next,
        }))
    }

    pub async fn process(
        &self,
        store: &mut Store<StoreState>,
        batch: &[model::EntityRef],
    ) -> Answer<Vec<Result<Vec<model::Entity>, String>>> {
        let batch: Vec<_> = batch.iter().map(convert::wit_entity_ref).collect();
        let results = each!(self, e => e.process(store, &batch).await)?;
        // One entity that cannot be converted fails its ref's answer, as a plugin's `Err` would.
        Ok(results.map(|results| {
            results
                .into_iter()
                .map(|r| r.and_then(|entities| entities.into_iter().map(convert::entity).collect()))
                .collect()
        }))
    }

    /// The next batch, each entity converted on its own: one that cannot be is `Refused`, named,
    /// and the others are written.
    pub async fn next_batch(
        &self,
        store: &mut Store<StoreState>,
    ) -> Answer<Option<Vec<Result<model::Entity, Refused>>>> {
        let batch = each!(self, e => e.next_batch(store).await)?;
        Ok(batch.map(|batch| {
            batch.map(|entities| {
                entities
                    .into_iter()
                    .map(|e| {
                        let entity = convert::ref_of(&e);
                        convert::entity(e).map_err(|why| Refused { entity, why })
                    })
                    .collect()
            })
        }))
    }
}

impl Contract {
    /// `omrun:connector@X.Y.Z`.
    pub fn name(self) -> &'static str {
        match self {
            Contract::V0_1 => v0_1::CONTRACT,
            Contract::V0_2 => v0_2::CONTRACT,
            Contract::V0_3 => v0_3::CONTRACT,
            Contract::V0_4 => v0_4::CONTRACT,
            Contract::V0_5 => v0_5::CONTRACT,
            Contract::V0_6 => v0_6::CONTRACT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::next_cursor;

    #[test]
    fn a_cursor_given_back_as_the_next_fails_rather_than_loops() {
        assert_eq!(next_cursor(None, Some("5".into())), Ok(Some("5".into())));
        assert_eq!(
            next_cursor(Some("5"), Some("9".into())),
            Ok(Some("9".into()))
        );
        assert_eq!(next_cursor(Some("9"), None), Ok(None));
        let e = next_cursor(Some("9"), Some("9".into())).unwrap_err();
        assert!(e.contains("\"9\"") && e.contains("never end"), "{e}");
    }
}
