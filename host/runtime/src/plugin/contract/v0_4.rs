//! Contract `omrun:connector@0.4.0` (frozen): 0.3.0 plus dashboard lineage (the database tables
//! a dashboard, chart or dashboard data model reads: `upstream`).
//!
//! 0.5.0 only adds to it: cases to `entity` and `entity-kind` (pipelines, ML models) and the
//! records they hold. Every 0.4.0 value is therefore the same value in 0.5.0 and goes across
//! through its serde form; the calls answer in the newest contract's types, and older contracts
//! upgrade through here (`v0_3::upgrade`).
//!
//! Like 0.3.0, it imports the capabilities by their own packages (`omrun:sql/sql@0.1.0`,
//! `omrun:log/log@0.1.0`), so its bindings read those packages first.

use super::{Answer, v0_5 as newest};
use crate::plugin::World;
use crate::plugin::sandbox::StoreState;
use wasmtime::Store;
use wasmtime::component::{Component, HasSelf, Linker};

wasmtime::component::bindgen!({
    path: ["../../wit/sql/v0.1.0", "../../wit/log/v0.1.0", "../../wit/connector/v0.4.0"],
    // Named in full: with three packages read, a bare world name is ambiguous.
    world: "omrun:connector/discoverable-source@0.4.0",
    imports: { default: async | trappable },
    exports: { default: async },
    // Older contracts' values upgrade into these (see `v0_3`), and these into 0.5.0's through serde.
    additional_derives: [serde::Serialize, serde::Deserialize],
    with: {
        "omrun:sql/sql": crate::capability::sql::wit::sql,
        "omrun:log/log": crate::capability::log::wit::log,
    },
});

/// The `source` world shares every import and type with `discoverable-source`.
mod sequential {
    wasmtime::component::bindgen!({
        path: ["../../wit/sql/v0.1.0", "../../wit/log/v0.1.0", "../../wit/connector/v0.4.0"],
        world: "omrun:connector/source@0.4.0",
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

pub const CONTRACT: &str = "omrun:connector@0.4.0";

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
    super::world_exported(component, engine, "0.4.0")
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
        Ok(upgrade(match self {
            Exports::Discoverable(e) => e.omrun_connector_discovery().call_info(store).await?,
            Exports::Sequential(e) => e.omrun_connector_streaming().call_info(store).await?,
        }))
    }

    pub async fn open(
        &self,
        store: &mut Store<StoreState>,
        config: &newest::types::SourceConfig,
    ) -> Answer<()> {
        let config: types::SourceConfig = upgrade(config);
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
                Ok(refs.map(upgrade))
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
        let batch: Vec<types::EntityRef> = upgrade(batch);
        match self {
            Exports::Discoverable(e) => {
                let results = e
                    .omrun_connector_discovery()
                    .call_process(store, &batch)
                    .await?;
                Ok(Ok(upgrade(results)))
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
                Ok(batch.map(upgrade))
            }
            Exports::Discoverable(_) => Ok(Err(super::NOT_STREAMING.to_owned())),
        }
    }
}

/// A 0.4.0 value as the same value of the newest contract (and, for what the host passes in, the
/// other way), through its serde form: 0.5.0 only added cases and records.
pub fn upgrade<T: serde::Serialize, U: serde::de::DeserializeOwned>(value: T) -> U {
    super::same(value, CONTRACT, newest::CONTRACT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_0_4_are_the_same_values_in_0_5() {
        let dashboard = types::Entity::Dashboard(types::Dashboard {
            name: "d".into(),
            display_name: Some("D".into()),
            description: None,
            dashboard_type: types::DashboardType::Report,
            source_url: None,
            project: None,
            charts: vec!["c".into()],
            data_models: vec![],
            owners: vec!["a@example.com".into()],
            upstream: vec![types::UpstreamTable {
                database: None,
                schema: Some("s".into()),
                table: "t".into(),
                columns: vec![types::ColumnLineage {
                    from_column: "a".into(),
                    to_column: "b".into(),
                }],
            }],
        });
        let upgraded: newest::types::Entity = upgrade(&dashboard);
        assert_eq!(
            serde_json::to_value(&upgraded).unwrap(),
            serde_json::to_value(&dashboard).unwrap()
        );
        // A ref the host hands back to a 0.4.0 plugin is one it discovered: of its kinds.
        let r = newest::types::EntityRef {
            kind: newest::types::EntityKind::DashboardDataModel,
            path: vec!["m".into()],
        };
        let back: types::EntityRef = upgrade(&r);
        assert_eq!(back.kind, types::EntityKind::DashboardDataModel);
    }
}
