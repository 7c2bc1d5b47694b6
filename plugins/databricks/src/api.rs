//! The parts of Unity Catalog's REST API 2.1 answers the connector reads (`CatalogInfo`,
//! `SchemaInfo`, `TableInfo`, `ColumnInfo`, `TableConstraint`, as Databricks' API reference and its
//! SDK's `databricks.sdk.service.catalog` define them). Every field is optional: the API leaves out
//! what is unset, and a listing with `omit_columns` has no `columns`.

use serde::Deserialize;

/// `GET /api/2.1/unity-catalog/catalogs` items and `GET …/catalogs/{name}`.
#[derive(Debug, Clone, Deserialize)]
pub struct CatalogInfo {
    pub name: Option<String>,
    pub comment: Option<String>,
}

/// `GET /api/2.1/unity-catalog/schemas?catalog_name=` items and `GET …/schemas/{full_name}`.
#[derive(Debug, Clone, Deserialize)]
pub struct SchemaInfo {
    pub name: Option<String>,
    pub comment: Option<String>,
}

/// `GET /api/2.1/unity-catalog/tables?catalog_name=&schema_name=` items (names and types only,
/// with `omit_columns`) and `GET …/tables/{full_name}` (everything).
#[derive(Debug, Clone, Deserialize)]
pub struct TableInfo {
    pub name: Option<String>,
    pub catalog_name: Option<String>,
    pub schema_name: Option<String>,
    /// `MANAGED`, `EXTERNAL`, `VIEW`, `MATERIALIZED_VIEW`, `STREAMING_TABLE`, `FOREIGN`,
    /// `MANAGED_SHALLOW_CLONE`, `EXTERNAL_SHALLOW_CLONE`, `METRIC_VIEW`…
    pub table_type: Option<String>,
    pub comment: Option<String>,
    pub columns: Option<Vec<ColumnInfo>>,
    /// Only in `GET …/tables/{full_name}`: listings leave constraints out.
    pub table_constraints: Option<Vec<TableConstraint>>,
    pub view_definition: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ColumnInfo {
    pub name: Option<String>,
    /// The type as Databricks SQL spells it: `decimal(10,2)`, `array<string>`,
    /// `struct<a:int,b:string>`, `varchar(20)`.
    pub type_text: Option<String>,
    /// The type's family (`DECIMAL`, `ARRAY`, `STRING`…), when `type_text` is missing.
    pub type_name: Option<String>,
    /// Spark's JSON of the column (a `StructField`): where a struct's fields keep their comments
    /// (`metadata.comment`) and nullability, which `type_text` does not say.
    pub type_json: Option<String>,
    pub comment: Option<String>,
    pub nullable: Option<bool>,
    /// 0-based ordinal position.
    pub position: Option<i64>,
    /// 0-based index of the column in the table's partition key, for partition columns only.
    pub partition_index: Option<i64>,
}

/// One of the table's constraints: a primary key or a foreign key (or a named constraint the
/// connector does not use).
#[derive(Debug, Clone, Deserialize)]
pub struct TableConstraint {
    pub primary_key_constraint: Option<PrimaryKeyConstraint>,
    pub foreign_key_constraint: Option<ForeignKeyConstraint>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PrimaryKeyConstraint {
    #[serde(default)]
    pub child_columns: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ForeignKeyConstraint {
    #[serde(default)]
    pub child_columns: Vec<String>,
    /// `catalog.schema.table`.
    pub parent_table: String,
    #[serde(default)]
    pub parent_columns: Vec<String>,
}
