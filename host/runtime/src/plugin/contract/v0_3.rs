//! Contract `omrun:connector@0.3.0` (frozen): 0.2.0 plus nested columns (a column's `parent`),
//! tag labels on columns, tables and schemas, and source URLs on databases, schemas and tables.
//! The first contract that imports the capabilities by their own packages (`omrun:sql/sql@0.1.0`,
//! `omrun:log/log@0.1.0`), so its bindings read those packages first.
//!
//! 0.4.0 only adds to it: fields on records (`upstream` on dashboards, charts and dashboard data
//! models) and records (`upstream-table`, `column-lineage`). The records that gained fields are
//! upgraded here field by field, the new ones empty; every other type is the same in both and
//! goes through its serde form. The calls answer in the newest contract's types; older contracts
//! upgrade through here (`v0_2` into 0.3.0, then `upgrade`: into 0.4.0, and on).

use super::{Answer, v0_4 as next, v0_5 as newest};
use crate::plugin::World;
use crate::plugin::sandbox::StoreState;
use wasmtime::Store;
use wasmtime::component::{Component, HasSelf, Linker};

wasmtime::component::bindgen!({
    path: ["../../wit/sql/v0.1.0", "../../wit/log/v0.1.0", "../../wit/connector/v0.3.0"],
    // Named in full: with three packages read, a bare world name is ambiguous.
    world: "omrun:connector/discoverable-source@0.3.0",
    imports: { default: async | trappable },
    exports: { default: async },
    // 0.2.0's values upgrade into these (see `v0_2`), and these into 0.4.0's through serde.
    additional_derives: [serde::Serialize, serde::Deserialize],
    with: {
        "omrun:sql/sql": crate::capability::sql::wit::sql,
        "omrun:log/log": crate::capability::log::wit::log,
    },
});

/// The `source` world shares every import and type with `discoverable-source`.
mod sequential {
    wasmtime::component::bindgen!({
        path: ["../../wit/sql/v0.1.0", "../../wit/log/v0.1.0", "../../wit/connector/v0.3.0"],
        world: "omrun:connector/source@0.3.0",
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

pub const CONTRACT: &str = "omrun:connector@0.3.0";

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
    super::world_exported(component, engine, "0.3.0")
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

/// A value of a type 0.3.0 and 0.4.0 share, as 0.4.0's.
fn same<T: serde::Serialize, U: serde::de::DeserializeOwned>(value: T) -> U {
    super::same(value, CONTRACT, next::CONTRACT)
}

/// A value of a type 0.3.0 and the newest contract share (plugin info, config, refs), as the
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

/// An entity as the newest contract's: as 0.4.0's, then on from there (`v0_2` upgrades through
/// here too).
pub fn upgrade(e: types::Entity) -> newest::types::Entity {
    next::upgrade(entity(e))
}

/// An entity as 0.4.0's: what 0.4.0 added (lineage) is empty.
pub fn entity(e: types::Entity) -> next::types::Entity {
    use next::types as n;
    use types::Entity as E;
    match e {
        E::Dashboard(d) => n::Entity::Dashboard(n::Dashboard {
            name: d.name,
            display_name: d.display_name,
            description: d.description,
            dashboard_type: same(d.dashboard_type),
            source_url: d.source_url,
            project: d.project,
            charts: d.charts,
            data_models: d.data_models,
            owners: d.owners,
            upstream: Vec::new(),
        }),
        E::Chart(c) => n::Entity::Chart(n::Chart {
            name: c.name,
            display_name: c.display_name,
            description: c.description,
            chart_type: same(c.chart_type),
            source_url: c.source_url,
            upstream: Vec::new(),
        }),
        E::DashboardDataModel(m) => n::Entity::DashboardDataModel(n::DashboardDataModel {
            name: m.name,
            display_name: m.display_name,
            description: m.description,
            data_model_type: same(m.data_model_type),
            columns: same(m.columns),
            sql: m.sql,
            project: m.project,
            source_url: m.source_url,
            upstream: Vec::new(),
        }),
        // Unchanged in 0.4.0.
        other @ (E::Database(_) | E::DatabaseSchema(_) | E::Table(_) | E::StoredProcedure(_)) => {
            same(other)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn column(name: &str, parent: Option<u32>) -> types::Column {
        types::Column {
            name: name.into(),
            data_type: types::DataType::Struct,
            data_type_display: "struct".into(),
            array_data_type: None,
            data_length: None,
            precision: None,
            scale: None,
            nullable: true,
            ordinal_position: 1,
            description: Some("d".into()),
            parent,
            tags: vec![types::TagLabel {
                classification: "PII".into(),
                name: "Sensitive".into(),
                classification_description: "c".into(),
                tag_description: "t".into(),
            }],
        }
    }

    /// The upgraded entity's serde form is the 0.3.0 one's, with `added` set on the record.
    fn upgrades_to(e: types::Entity, added: &[(&str, Value)]) {
        let mut expected = serde_json::to_value(&e).unwrap();
        let record = expected
            .as_object_mut()
            .and_then(|variant| variant.values_mut().next())
            .and_then(Value::as_object_mut)
            .expect("an entity is a variant holding a record");
        for (field, value) in added {
            record.insert((*field).to_owned(), value.clone());
        }
        let upgraded = serde_json::to_value(entity(e)).unwrap();
        assert_eq!(upgraded, expected);
    }

    #[test]
    fn entities_upgrade_into_0_4_with_no_lineage_and_everything_else_kept() {
        let lineage = [("upstream", json!([]))];
        upgrades_to(
            types::Entity::Dashboard(types::Dashboard {
                name: "d".into(),
                display_name: Some("D".into()),
                description: Some("about d".into()),
                dashboard_type: types::DashboardType::Report,
                source_url: Some("https://bi.example/d".into()),
                project: Some("folder".into()),
                charts: vec!["c".into()],
                data_models: vec!["m".into()],
                owners: vec!["a@example.com".into()],
            }),
            &lineage,
        );
        upgrades_to(
            types::Entity::Chart(types::Chart {
                name: "c".into(),
                display_name: Some("C".into()),
                description: None,
                chart_type: types::ChartType::Heatmap,
                source_url: Some("https://bi.example/c".into()),
            }),
            &lineage,
        );
        upgrades_to(
            types::Entity::DashboardDataModel(types::DashboardDataModel {
                name: "m".into(),
                display_name: None,
                description: Some("a view".into()),
                data_model_type: types::DataModelType::LookMlView,
                columns: vec![column("address", None), column("street", Some(0))],
                sql: Some("SELECT 1".into()),
                project: Some("model".into()),
                source_url: None,
            }),
            &lineage,
        );
        // Unchanged in 0.4.0: the same value.
        upgrades_to(
            types::Entity::Table(types::Table {
                database: "db".into(),
                schema: "s".into(),
                name: "t".into(),
                table_type: types::TableType::View,
                description: None,
                columns: vec![column("address", None), column("street", Some(0))],
                constraints: Vec::new(),
                definition: Some("SELECT 1".into()),
                partition_columns: Vec::new(),
                source_url: Some("https://db.example/t".into()),
                tags: vec![column("x", None).tags.remove(0)],
            }),
            &[],
        );
    }
}
