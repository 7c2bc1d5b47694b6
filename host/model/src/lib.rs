//! The host's entity model: what plugins produce, independent of the contract version they were
//! built against. Values are already OpenMetadata's spellings (`dataType`, `tableType`, …) because
//! the only consumers are the sinks, which write OpenMetadata Create requests.
//!
//! The bottom layer, beside `omrun-config`: it depends on none of omrun's crates (nor on any
//! other), so every layer above — the contract glue that fills it, the sinks that write it, the
//! pipeline that moves it — can share it without knowing each other.

pub mod fqn;

pub use fqn::Names;

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Database,
    DatabaseSchema,
    /// Written before any dashboard, which refers to it by name.
    DashboardDataModel,
    Table,
    StoredProcedure,
    Dashboard,
    /// Returned with its dashboard, never discovered on its own.
    Chart,
    /// A pipeline of a pipeline service (Airflow: a DAG), with its tasks and latest runs.
    Pipeline,
    /// A model of an ML model service (MLflow: a registered model).
    MlModel,
}

impl EntityKind {
    /// Containers are sunk, in this order, before anything they contain.
    pub fn is_container(self) -> bool {
        matches!(self, Self::Database | Self::DatabaseSchema)
    }

    /// What is written, in this order, before the work proper: containers, which hold it, and
    /// dashboard data models, which dashboards refer to. In Argo mode the discover pod writes them.
    pub fn is_prerequisite(self) -> bool {
        self.is_container() || self == Self::DashboardDataModel
    }

    /// Tables, stored procedures, dashboards, pipelines and ML models: the work a run counts
    /// (found, processed, resumed); what a worker processes. Charts come with their dashboard.
    pub fn is_leaf(self) -> bool {
        matches!(
            self,
            Self::Table | Self::StoredProcedure | Self::Dashboard | Self::Pipeline | Self::MlModel
        )
    }

    /// Every kind a plugin may return.
    pub const ALL: [EntityKind; 9] = [
        Self::Database,
        Self::DatabaseSchema,
        Self::DashboardDataModel,
        Self::Table,
        Self::StoredProcedure,
        Self::Dashboard,
        Self::Chart,
        Self::Pipeline,
        Self::MlModel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Database => "database",
            Self::DatabaseSchema => "databaseSchema",
            Self::DashboardDataModel => "dashboardDataModel",
            Self::Table => "table",
            Self::StoredProcedure => "storedProcedure",
            Self::Dashboard => "dashboard",
            Self::Chart => "chart",
            Self::Pipeline => "pipeline",
            Self::MlModel => "mlmodel",
        }
    }

    /// In words, for counts: `databases`, `schemas`, `stored procedures`…
    pub fn plural(self) -> &'static str {
        match self {
            Self::Database => "databases",
            Self::DatabaseSchema => "schemas",
            Self::DashboardDataModel => "data models",
            Self::Table => "tables",
            Self::StoredProcedure => "stored procedures",
            Self::Dashboard => "dashboards",
            Self::Chart => "charts",
            Self::Pipeline => "pipelines",
            Self::MlModel => "ML models",
        }
    }

    /// How many names a ref of this kind has: `[database]`, `[database, schema]`,
    /// `[database, schema, name]`; dashboard, pipeline and ML model services are flat: `[name]`.
    pub fn path_len(self) -> usize {
        match self {
            Self::Database
            | Self::Dashboard
            | Self::Chart
            | Self::DashboardDataModel
            | Self::Pipeline
            | Self::MlModel => 1,
            Self::DatabaseSchema => 2,
            Self::Table | Self::StoredProcedure => 3,
        }
    }
}

/// A name-only reference from discovery: `path` runs from the top container down.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityRef {
    pub kind: EntityKind,
    pub path: Vec<String>,
}

impl EntityRef {
    pub fn new(kind: EntityKind, path: Vec<String>) -> Self {
        Self { kind, path }
    }

    /// The refs of the containers this entity lives in, outermost first.
    pub fn parents(&self) -> Vec<EntityRef> {
        if !matches!(
            self.kind,
            EntityKind::DatabaseSchema | EntityKind::Table | EntityKind::StoredProcedure
        ) {
            return Vec::new();
        }
        let kinds = [EntityKind::Database, EntityKind::DatabaseSchema];
        let depth = self.path.len().saturating_sub(1).min(kinds.len());
        (0..depth)
            .map(|i| EntityRef::new(kinds[i], self.path[..=i].to_vec()))
            .collect()
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.path.join("."))
    }
}

/// The longest name OpenMetadata accepts (`entityName`'s `maxLength`), in characters.
pub const MAX_NAME_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub enum Entity {
    Database(Database),
    DatabaseSchema(DatabaseSchema),
    Table(Table),
    StoredProcedure(StoredProcedure),
    Dashboard(Dashboard),
    Chart(Chart),
    DashboardDataModel(DashboardDataModel),
    Pipeline(Pipeline),
    MlModel(MlModel),
}

impl Entity {
    pub fn kind(&self) -> EntityKind {
        match self {
            Entity::Database(_) => EntityKind::Database,
            Entity::DatabaseSchema(_) => EntityKind::DatabaseSchema,
            Entity::Table(_) => EntityKind::Table,
            Entity::StoredProcedure(_) => EntityKind::StoredProcedure,
            Entity::Dashboard(_) => EntityKind::Dashboard,
            Entity::Chart(_) => EntityKind::Chart,
            Entity::DashboardDataModel(_) => EntityKind::DashboardDataModel,
            Entity::Pipeline(_) => EntityKind::Pipeline,
            Entity::MlModel(_) => EntityKind::MlModel,
        }
    }

    /// The ref this entity answers, e.g. to find its parents.
    pub fn to_ref(&self) -> EntityRef {
        match self {
            Entity::Database(d) => EntityRef::new(EntityKind::Database, vec![d.name.clone()]),
            Entity::DatabaseSchema(s) => EntityRef::new(
                EntityKind::DatabaseSchema,
                vec![s.database.clone(), s.name.clone()],
            ),
            Entity::Table(t) => EntityRef::new(
                EntityKind::Table,
                vec![t.database.clone(), t.schema.clone(), t.name.clone()],
            ),
            Entity::StoredProcedure(p) => EntityRef::new(
                EntityKind::StoredProcedure,
                vec![p.database.clone(), p.schema.clone(), p.name.clone()],
            ),
            Entity::Dashboard(d) => EntityRef::new(EntityKind::Dashboard, vec![d.name.clone()]),
            Entity::Chart(c) => EntityRef::new(EntityKind::Chart, vec![c.name.clone()]),
            Entity::DashboardDataModel(m) => {
                EntityRef::new(EntityKind::DashboardDataModel, vec![m.name.clone()])
            }
            Entity::Pipeline(p) => EntityRef::new(EntityKind::Pipeline, vec![p.name.clone()]),
            Entity::MlModel(m) => EntityRef::new(EntityKind::MlModel, vec![m.name.clone()]),
        }
    }

    /// Why OpenMetadata would refuse this entity's names — its own and its parents' must have 1
    /// to [`MAX_NAME_CHARS`] characters (`entityName`), a table's columns at least one — if it
    /// would. Said without quoting a huge name whole.
    pub fn invalid_name(&self) -> Option<String> {
        let kind = self.kind().as_str();
        let shown = |name: &str| {
            let start: String = name.chars().take(40).collect();
            format!("`{start}…`")
        };
        for name in self.to_ref().path {
            if name.is_empty() {
                return Some(format!("the plugin returned a {kind} with an empty name"));
            }
            if name.chars().nth(MAX_NAME_CHARS).is_some() {
                return Some(format!(
                    "the plugin returned a {kind} named {} of {} bytes: OpenMetadata accepts names \
                     of at most {MAX_NAME_CHARS} characters",
                    shown(&name),
                    name.len()
                ));
            }
        }
        // A pipeline's tasks and a model's features are named parts OpenMetadata requires names for.
        let parts: Vec<(&str, &str)> = match self {
            Entity::Pipeline(p) => p.tasks.iter().map(|t| ("task", t.name.as_str())).collect(),
            Entity::MlModel(m) => m
                .features
                .iter()
                .map(|f| ("feature", f.name.as_str()))
                .collect(),
            _ => Vec::new(),
        };
        if let Some((part, _)) = parts.iter().find(|(_, name)| name.is_empty()) {
            return Some(format!(
                "the plugin returned a {kind} with a {part} of empty name"
            ));
        }
        let columns = match self {
            Entity::Table(t) => t.columns.as_slice(),
            _ => &[],
        };
        if let Some(i) = columns.iter().position(|c| c.name.is_empty()) {
            return Some(format!(
                "the plugin returned a {kind} whose column {} has an empty name",
                i + 1
            ));
        }
        // Nested columns are named too: OpenMetadata's `children` take the same column names.
        columns
            .iter()
            .find(|c| c.walk().skip(1).any(|f| f.name.is_empty()))
            .map(|c| {
                format!(
                    "the plugin returned a {kind} whose column `{}` has a field with an empty name",
                    c.name
                )
            })
    }

    /// A bare container for a ref whose plugin did not describe it (e.g. a `source` plugin that
    /// streams tables only): OpenMetadata needs the parent to exist before the child.
    pub fn bare_container(r: &EntityRef) -> Option<Entity> {
        match (r.kind, r.path.as_slice()) {
            (EntityKind::Database, [name]) => Some(Entity::Database(Database {
                name: name.clone(),
                description: None,
                source_url: None,
            })),
            (EntityKind::DatabaseSchema, [database, name]) => {
                Some(Entity::DatabaseSchema(DatabaseSchema {
                    database: database.clone(),
                    name: name.clone(),
                    description: None,
                    source_url: None,
                    tags: Vec::new(),
                }))
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    pub name: String,
    pub description: Option<String>,
    /// Where the source's own console shows it (OpenMetadata's `sourceUrl`).
    pub source_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseSchema {
    pub database: String,
    pub name: String,
    pub description: Option<String>,
    pub source_url: Option<String>,
    pub tags: Vec<TagLabel>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Table {
    pub database: String,
    pub schema: String,
    pub name: String,
    /// OpenMetadata `tableType`, e.g. `Regular`, `View`.
    pub table_type: &'static str,
    pub description: Option<String>,
    pub columns: Vec<Column>,
    pub constraints: Vec<TableConstraint>,
    /// View definition or DDL (OpenMetadata's `schemaDefinition`).
    pub definition: Option<String>,
    pub partition_columns: Vec<PartitionColumn>,
    pub source_url: Option<String>,
    pub tags: Vec<TagLabel>,
}

/// A stored procedure or function; the enums are already OpenMetadata's spellings.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProcedure {
    pub database: String,
    pub schema: String,
    pub name: String,
    /// OpenMetadata `storedProcedureType`, e.g. `StoredProcedure`, `Function`.
    pub procedure_type: &'static str,
    /// OpenMetadata `storedProcedureCode.language`, e.g. `SQL`.
    pub language: &'static str,
    pub code: Option<String>,
    pub description: Option<String>,
}

/// A dashboard of a dashboard service; its charts and data models are referred to by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// OpenMetadata `dashboardType`: `Dashboard` or `Report`.
    pub dashboard_type: &'static str,
    pub source_url: Option<String>,
    pub project: Option<String>,
    pub charts: Vec<String>,
    pub data_models: Vec<String>,
    /// E-mail addresses.
    pub owners: Vec<String>,
    /// Tables it reads directly, without a data model (Metabase).
    pub upstream: Vec<UpstreamTable>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// OpenMetadata `chartType`, e.g. `Bar`.
    pub chart_type: &'static str,
    pub source_url: Option<String>,
    /// Tables it reads directly (Metabase's cards).
    pub upstream: Vec<UpstreamTable>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DashboardDataModel {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// OpenMetadata `dataModelType`, e.g. `LookMlExplore`.
    pub data_model_type: &'static str,
    pub columns: Vec<Column>,
    pub sql: Option<String>,
    pub project: Option<String>,
    pub source_url: Option<String>,
    /// The tables it is built on.
    pub upstream: Vec<UpstreamTable>,
}

/// A database table a dashboard-side entity reads, as the dashboard source names it: the sink
/// finds it among the database services OpenMetadata holds and writes the lineage edge from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamTable {
    /// `None` when the source does not say (the sink then matches any database).
    pub database: Option<String>,
    pub schema: Option<String>,
    pub table: String,
    /// Which table column feeds which column of the entity, where the source says.
    pub columns: Vec<ColumnLineage>,
}

/// One column of a lineage edge: `from` in the table, `to` in the data model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnLineage {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    /// OpenMetadata `dataType`, e.g. `VARCHAR`.
    pub data_type: &'static str,
    pub data_type_display: String,
    pub array_data_type: Option<&'static str>,
    pub data_length: Option<u32>,
    pub precision: Option<u32>,
    pub scale: Option<u32>,
    pub nullable: bool,
    /// 1-based: in the table, or, for a nested column, among its parent's `children`.
    pub ordinal_position: u32,
    pub description: Option<String>,
    /// The fields of a struct/record column, in the source's order (OpenMetadata's `children`).
    pub children: Vec<Column>,
    pub tags: Vec<TagLabel>,
}

impl Column {
    /// This column and every nested one under it, depth first (the column first).
    pub fn walk(&self) -> Box<dyn Iterator<Item = &Column> + '_> {
        Box::new(std::iter::once(self).chain(self.children.iter().flat_map(Column::walk)))
    }
}

/// A tag on an entity or a column: tag `name` of classification `classification`, which the sinks
/// make sure exist before the entity is written (OpenMetadata refuses a label of a missing tag),
/// with these descriptions if they have to create them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagLabel {
    pub classification: String,
    pub name: String,
    pub classification_description: String,
    pub tag_description: String,
}

impl Entity {
    /// Its owners, as the source names them (e-mail addresses or user or team names): a
    /// dashboard's, a pipeline's or an ML model's; nothing else has any.
    pub fn owners(&self) -> &[String] {
        match self {
            Entity::Dashboard(d) => &d.owners,
            Entity::Pipeline(p) => &p.owners,
            Entity::MlModel(m) => &m.owners,
            _ => &[],
        }
    }

    /// Every tag label the entity carries, its columns' (nested ones included) too.
    pub fn tag_labels(&self) -> Vec<&TagLabel> {
        let columns: &[Column] = match self {
            Entity::Table(t) => &t.columns,
            Entity::DashboardDataModel(m) => &m.columns,
            _ => &[],
        };
        let own: &[TagLabel] = match self {
            Entity::Table(t) => &t.tags,
            Entity::DatabaseSchema(s) => &s.tags,
            Entity::Pipeline(p) => &p.tags,
            Entity::MlModel(m) => &m.tags,
            _ => &[],
        };
        let parts: Vec<&[TagLabel]> = match self {
            Entity::Pipeline(p) => p.tasks.iter().map(|t| t.tags.as_slice()).collect(),
            Entity::MlModel(m) => m.features.iter().map(|f| f.tags.as_slice()).collect(),
            _ => Vec::new(),
        };
        own.iter()
            .chain(columns.iter().flat_map(Column::walk).flat_map(|c| &c.tags))
            .chain(parts.into_iter().flatten())
            .collect()
    }
}

/// A pipeline of a pipeline service (Airflow: a DAG). Enums are already OpenMetadata's spellings.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub source_url: Option<String>,
    /// As the source writes it (cron, `@daily`, a timetable's summary).
    pub schedule_interval: Option<String>,
    pub start_date: Option<String>,
    pub concurrency: Option<u32>,
    pub pipeline_location: Option<String>,
    /// OpenMetadata `pipelineState`: `Active` or `Inactive`.
    pub state: Option<&'static str>,
    pub tasks: Vec<PipelineTask>,
    /// E-mail addresses or OpenMetadata user or team names.
    pub owners: Vec<String>,
    pub tags: Vec<TagLabel>,
    /// The latest runs, newest first: OpenMetadata's pipeline statuses.
    pub runs: Vec<PipelineRun>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PipelineTask {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub source_url: Option<String>,
    pub downstream_tasks: Vec<String>,
    pub task_type: Option<String>,
    pub task_sql: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub tags: Vec<TagLabel>,
}

/// One run of a pipeline: OpenMetadata's `PipelineStatus`.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineRun {
    pub execution_id: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub timestamp: i64,
    /// OpenMetadata `StatusType`: `Successful`, `Failed`, `Pending` or `Skipped`.
    pub execution_status: &'static str,
    pub end_time: Option<i64>,
    pub tasks: Vec<TaskStatus>,
}

/// How one task of a run went: OpenMetadata's `TaskStatus`.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskStatus {
    pub name: String,
    pub execution_status: &'static str,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    pub log_link: Option<String>,
}

/// A model of an ML model service (MLflow: a registered model).
#[derive(Debug, Clone, PartialEq)]
pub struct MlModel {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub algorithm: String,
    pub features: Vec<MlFeature>,
    pub hyper_parameters: Vec<MlHyperParameter>,
    pub target: Option<String>,
    /// The FQN of an OpenMetadata dashboard.
    pub dashboard: Option<String>,
    pub store: Option<MlStore>,
    pub server: Option<String>,
    pub source_url: Option<String>,
    pub owners: Vec<String>,
    pub tags: Vec<TagLabel>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MlFeature {
    pub name: String,
    /// OpenMetadata `FeatureType`: `numerical` or `categorical`.
    pub data_type: Option<&'static str>,
    pub description: Option<String>,
    pub feature_algorithm: Option<String>,
    pub tags: Vec<TagLabel>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MlHyperParameter {
    pub name: String,
    pub value: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MlStore {
    pub storage: Option<String>,
    pub image_repository: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableConstraint {
    /// OpenMetadata `constraintType`, e.g. `PRIMARY_KEY`.
    pub constraint_type: &'static str,
    pub columns: Vec<String>,
    /// Foreign keys: `[database, schema, table]` of the referred table.
    pub referred_table: Option<[String; 3]>,
    pub referred_columns: Vec<String>,
    /// Foreign keys: OpenMetadata's `relationshipType` (`ONE_TO_ONE`, `MANY_TO_ONE`, …). Plugins
    /// do not give it: the host works it out (run/foreign_keys.rs) once it knows the referred
    /// table's columns, as OpenMetadata's ingestion does.
    pub relationship_type: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartitionColumn {
    pub column: String,
    /// OpenMetadata `PartitionIntervalTypes`, e.g. `TIME-UNIT`.
    pub interval_type: &'static str,
    pub interval: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_of_a_table_are_its_database_and_schema() {
        let table = EntityRef::new(EntityKind::Table, vec!["db".into(), "s".into(), "t".into()]);
        assert_eq!(
            table.parents(),
            vec![
                EntityRef::new(EntityKind::Database, vec!["db".into()]),
                EntityRef::new(EntityKind::DatabaseSchema, vec!["db".into(), "s".into()]),
            ]
        );
        assert!(
            EntityRef::new(EntityKind::Database, vec!["db".into()])
                .parents()
                .is_empty()
        );
    }
}
