//! The metadata records a connector produces and the plugin's static description, as defined by the
//! WIT `types` interface. Names and cases follow OpenMetadata's entity model.
//!
//! Contract 0.3.0 adds, on top of 0.2.0: nested columns (a [`Column`]'s `parent`; build them with
//! [`NestedColumn`]), tags ([`TagLabel`] on columns, tables and schemas) and `source_url` on
//! databases, schemas and tables. Contract 0.4.0 adds dashboard lineage: `upstream` on
//! [`Dashboard`], [`Chart`] and [`DashboardDataModel`], the database tables each reads
//! ([`UpstreamTable`], with [`ColumnLineage`] where the source says which column feeds which); the
//! host finds those tables among the database services OpenMetadata holds and writes the lineage
//! edges. Leave them empty (`None`, `vec![]`) where the source has none. Contract 0.5.0 adds
//! pipeline and ML model services: [`Pipeline`] (with its [`PipelineTask`]s and latest
//! [`PipelineRun`]s) and [`MlModel`] (with [`MlFeature`]s, [`MlHyperParameter`]s and an
//! [`MlStore`]), discovered as [`EntityRef::pipeline`] and [`EntityRef::ml_model`].

/// A page of discovery: see [`DiscoverableSource::discover_page`](crate::DiscoverableSource::discover_page).
pub use crate::bindings::discoverable::exports::omrun::connector::discovery::Page;
pub use crate::bindings::discoverable::omrun::connector::types::{
    Capability, Chart, ChartType, Column, ColumnLineage, ConstraintType, Dashboard,
    DashboardDataModel, DashboardType, DataModelType, DataType, Database, DatabaseSchema, Entity,
    EntityKind, EntityRef, ExecutionStatus, FeatureType, MlFeature, MlHyperParameter, MlModel,
    MlStore, PartitionColumn, PartitionIntervalType, Pipeline, PipelineRun, PipelineState,
    PipelineTask, PluginInfo, ProcedureLanguage, SourceConfig, StoredProcedure,
    StoredProcedureType, Table, TableConstraint, TablePath, TableType, TagLabel, TaskStatus,
    UpstreamTable,
};

impl UpstreamTable {
    /// Table `table`, in `schema` of `database` where the source says (`None` where it does not:
    /// the host then matches any), with no column lineage yet (push onto `columns`).
    pub fn new(database: Option<String>, schema: Option<String>, table: impl Into<String>) -> Self {
        Self {
            database,
            schema,
            table: table.into(),
            columns: Vec::new(),
        }
    }

    /// The same, with `(table column, entity column)` pairs as its column lineage.
    pub fn with_columns(mut self, pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        self.columns = (pairs.into_iter())
            .map(|(from, to)| ColumnLineage::new(from, to))
            .collect();
        self
    }
}

impl ColumnLineage {
    /// Column `from_column` of the upstream table feeds `to_column` of the entity.
    pub fn new(from_column: impl Into<String>, to_column: impl Into<String>) -> Self {
        Self {
            from_column: from_column.into(),
            to_column: to_column.into(),
        }
    }
}

impl TagLabel {
    /// Tag `name` of classification `classification`, with the descriptions OpenMetadata requires
    /// when the host has to create them (e.g. BigQuery's policy tags: `"BigQuery Policy
    /// Classification"`, `"Bigquery Policy Tag"`).
    pub fn new(
        classification: impl Into<String>,
        name: impl Into<String>,
        classification_description: impl Into<String>,
        tag_description: impl Into<String>,
    ) -> Self {
        Self {
            classification: classification.into(),
            name: name.into(),
            classification_description: classification_description.into(),
            tag_description: tag_description.into(),
        }
    }
}

/// A column with its fields, for sources whose columns nest (BigQuery's RECORD/STRUCT). The
/// contract carries a table's columns as one flat list in which a field names its column by
/// index (`Column::parent`); build the tree with this type and let [`NestedColumn::flatten`]
/// number it.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedColumn {
    /// The column itself; `parent` is set by [`flatten`](Self::flatten).
    pub column: Column,
    /// Its fields, in the source's order.
    pub fields: Vec<NestedColumn>,
}

impl NestedColumn {
    /// A column and its fields.
    pub fn new(column: Column, fields: Vec<NestedColumn>) -> Self {
        Self { column, fields }
    }

    /// The contract's flat list: pre-order, every field after its column, with `parent` the index
    /// of that column and `ordinal_position` the field's 1-based position among its column's
    /// fields. Top-level columns get `parent: None` and keep their own `ordinal_position` (a
    /// source's numbering may have gaps, e.g. after a dropped column).
    pub fn flatten(columns: Vec<NestedColumn>) -> Vec<Column> {
        fn push(out: &mut Vec<Column>, node: NestedColumn, parent: Option<u32>) {
            let NestedColumn { mut column, fields } = node;
            column.parent = parent;
            let index = u32::try_from(out.len()).expect("fewer than 2^32 columns");
            out.push(column);
            for (position, field) in fields.into_iter().enumerate() {
                let at = out.len();
                push(out, field, Some(index));
                out[at].ordinal_position = position as u32 + 1;
            }
        }
        let mut out = Vec::new();
        for column in columns {
            push(&mut out, column, None);
        }
        out
    }
}

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

    /// A reference to pipeline `name` (a pipeline service is flat: the path is the name).
    pub fn pipeline(name: impl Into<String>) -> Self {
        Self {
            kind: EntityKind::Pipeline,
            path: vec![name.into()],
        }
    }

    /// A reference to ML model `name` (an ML model service is flat: the path is the name).
    pub fn ml_model(name: impl Into<String>) -> Self {
        Self {
            kind: EntityKind::MlModel,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, data_type: DataType, ordinal_position: u32) -> Column {
        Column {
            name: name.into(),
            data_type,
            data_type_display: format!("{data_type:?}").to_lowercase(),
            array_data_type: None,
            data_length: None,
            precision: None,
            scale: None,
            nullable: true,
            ordinal_position,
            description: None,
            parent: None,
            tags: vec![],
        }
    }

    fn leaf(name: &str) -> NestedColumn {
        NestedColumn::new(column(name, DataType::String, 0), vec![])
    }

    #[test]
    fn flatten_numbers_fields_in_pre_order() {
        // id, address{street, geo{lat, lon}, city}, note
        let geo = NestedColumn::new(
            column("geo", DataType::Struct, 0),
            vec![leaf("lat"), leaf("lon")],
        );
        let address = NestedColumn::new(
            column("address", DataType::Struct, 2),
            vec![leaf("street"), geo, leaf("city")],
        );
        let flat = NestedColumn::flatten(vec![
            NestedColumn::new(column("id", DataType::Int, 1), vec![]),
            address,
            NestedColumn::new(column("note", DataType::String, 4), vec![]),
        ]);
        let shape: Vec<(&str, Option<u32>, u32)> = flat
            .iter()
            .map(|c| (c.name.as_str(), c.parent, c.ordinal_position))
            .collect();
        assert_eq!(
            shape,
            [
                ("id", None, 1),
                ("address", None, 2),
                ("street", Some(1), 1),
                ("geo", Some(1), 2),
                ("lat", Some(3), 1),
                ("lon", Some(3), 2),
                ("city", Some(1), 3),
                // A top-level column keeps the source's numbering, gaps included.
                ("note", None, 4),
            ]
        );
    }
}
