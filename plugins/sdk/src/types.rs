//! The metadata records a connector produces and the plugin's static description, as defined by the
//! WIT `types` interface. Names and cases follow OpenMetadata's entity model.

pub use crate::bindings::discoverable::omrun::connector::types::{
    Capability, Chart, ChartType, Column, ConstraintType, Dashboard, DashboardDataModel,
    DashboardType, DataModelType, DataType, Database, DatabaseSchema, Entity, EntityKind,
    EntityRef, PartitionColumn, PartitionIntervalType, PluginInfo, ProcedureLanguage, SourceConfig,
    StoredProcedure, StoredProcedureType, Table, TableConstraint, TablePath, TableType,
};

impl EntityRef {
    /// A reference to database `name`.
    pub fn database(name: impl Into<String>) -> Self {
        Self {
            kind: EntityKind::Database,
            path: vec![name.into()],
        }
    }

    /// A reference to schema `schema` of database `database`.
    pub fn schema(database: impl Into<String>, schema: impl Into<String>) -> Self {
        Self {
            kind: EntityKind::DatabaseSchema,
            path: vec![database.into(), schema.into()],
        }
    }

    /// A reference to dashboard `name` (a dashboard service is flat: the path is the name).
    pub fn dashboard(name: impl Into<String>) -> Self {
        Self {
            kind: EntityKind::Dashboard,
            path: vec![name.into()],
        }
    }

    /// A reference to dashboard data model `name`; data models are written before any dashboard.
    pub fn data_model(name: impl Into<String>) -> Self {
        Self {
            kind: EntityKind::DashboardDataModel,
            path: vec![name.into()],
        }
    }

    /// A reference to table (or view) `table` in `database`.`schema`.
    pub fn table(
        database: impl Into<String>,
        schema: impl Into<String>,
        table: impl Into<String>,
    ) -> Self {
        Self {
            kind: EntityKind::Table,
            path: vec![database.into(), schema.into(), table.into()],
        }
    }

    /// A reference to stored procedure (or function) `name` in `database`.`schema`.
    pub fn stored_procedure(
        database: impl Into<String>,
        schema: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            kind: EntityKind::StoredProcedure,
            path: vec![database.into(), schema.into(), name.into()],
        }
    }
}
