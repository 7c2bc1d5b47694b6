//! The newest contract's types to and from the host model, written once: older contracts upgrade
//! into the newest first (see `v0_1`). OpenMetadata's spellings of the contract's enums (data
//! types, table types, constraint and partition kinds, chart and data model types) live here.

use super::v0_2::types;
use crate::capability::Capability;
use crate::plugin::{PluginInfo, SourceConfig};
use omrun_model as model;

pub fn plugin_info(info: types::PluginInfo) -> PluginInfo {
    PluginInfo {
        name: info.name,
        version: info.version,
        service_types: info.service_types,
        capabilities: info.capabilities.into_iter().map(capability).collect(),
    }
}

pub fn source_config(config: &SourceConfig) -> types::SourceConfig {
    types::SourceConfig {
        service_name: config.service_name.clone(),
        service_connection: config.service_connection.to_string(),
        source_config: config.source_config.to_string(),
    }
}

fn entity_kind(k: types::EntityKind) -> model::EntityKind {
    use types::EntityKind as K;
    match k {
        K::Database => model::EntityKind::Database,
        K::DatabaseSchema => model::EntityKind::DatabaseSchema,
        K::Table => model::EntityKind::Table,
        K::StoredProcedure => model::EntityKind::StoredProcedure,
        K::Dashboard => model::EntityKind::Dashboard,
        K::Chart => model::EntityKind::Chart,
        K::DashboardDataModel => model::EntityKind::DashboardDataModel,
    }
}

pub fn entity_ref(r: types::EntityRef) -> model::EntityRef {
    model::EntityRef::new(entity_kind(r.kind), r.path)
}

pub fn wit_entity_ref(r: &model::EntityRef) -> types::EntityRef {
    use types::EntityKind as K;
    let kind = match r.kind {
        model::EntityKind::Database => K::Database,
        model::EntityKind::DatabaseSchema => K::DatabaseSchema,
        model::EntityKind::Table => K::Table,
        model::EntityKind::StoredProcedure => K::StoredProcedure,
        model::EntityKind::Dashboard => K::Dashboard,
        model::EntityKind::Chart => K::Chart,
        model::EntityKind::DashboardDataModel => K::DashboardDataModel,
    };
    types::EntityRef {
        kind,
        path: r.path.clone(),
    }
}

pub fn entity(e: types::Entity) -> model::Entity {
    match e {
        types::Entity::Database(d) => model::Entity::Database(model::Database {
            name: d.name,
            description: d.description,
        }),
        types::Entity::DatabaseSchema(s) => model::Entity::DatabaseSchema(model::DatabaseSchema {
            database: s.database,
            name: s.name,
            description: s.description,
        }),
        types::Entity::Table(t) => model::Entity::Table(table(t)),
        types::Entity::StoredProcedure(p) => model::Entity::StoredProcedure(stored_procedure(p)),
        types::Entity::Dashboard(d) => model::Entity::Dashboard(dashboard(d)),
        types::Entity::Chart(c) => model::Entity::Chart(chart(c)),
        types::Entity::DashboardDataModel(m) => model::Entity::DashboardDataModel(data_model(m)),
    }
}

fn capability(c: types::Capability) -> Capability {
    match c {
        types::Capability::Sql(label) => Capability::Sql(label),
        types::Capability::Http(host) => Capability::Http(host),
    }
}

fn stored_procedure(p: types::StoredProcedure) -> model::StoredProcedure {
    use types::ProcedureLanguage as L;
    use types::StoredProcedureType as T;
    model::StoredProcedure {
        database: p.database,
        schema: p.schema,
        name: p.name,
        procedure_type: match p.procedure_type {
            T::StoredProcedure => "StoredProcedure",
            T::Function => "Function",
            T::Udf => "UDF",
            T::StoredPackage => "StoredPackage",
        },
        language: match p.language {
            L::Sql => "SQL",
            L::Java => "Java",
            L::Javascript => "JavaScript",
            L::Python => "Python",
            L::External => "External",
        },
        code: p.code,
        description: p.description,
    }
}

fn table(t: types::Table) -> model::Table {
    model::Table {
        database: t.database,
        schema: t.schema,
        name: t.name,
        table_type: table_type(t.table_type),
        description: t.description,
        columns: t.columns.into_iter().map(column).collect(),
        constraints: t
            .constraints
            .into_iter()
            .map(|c| model::TableConstraint {
                constraint_type: constraint_type(c.constraint_type),
                columns: c.columns,
                referred_table: c.referred_table.map(|p| [p.database, p.schema, p.table]),
                referred_columns: c.referred_columns,
                relationship_type: None,
            })
            .collect(),
        definition: t.definition,
        partition_columns: t
            .partition_columns
            .into_iter()
            .map(|p| model::PartitionColumn {
                column: p.column,
                interval_type: interval_type(p.interval_type),
                interval: p.interval,
            })
            .collect(),
    }
}

fn column(c: types::Column) -> model::Column {
    model::Column {
        name: c.name,
        data_type: data_type(c.data_type),
        data_type_display: c.data_type_display,
        array_data_type: c.array_data_type.map(data_type),
        data_length: c.data_length,
        precision: c.precision,
        scale: c.scale,
        nullable: c.nullable,
        ordinal_position: c.ordinal_position,
        description: c.description,
    }
}

fn table_type(t: types::TableType) -> &'static str {
    use types::TableType as T;
    match t {
        T::Regular => "Regular",
        T::External => "External",
        T::Dynamic => "Dynamic",
        T::View => "View",
        T::SecureView => "SecureView",
        T::MaterializedView => "MaterializedView",
        T::Iceberg => "Iceberg",
        T::Local => "Local",
        T::Partitioned => "Partitioned",
        T::Foreign => "Foreign",
        T::Transient => "Transient",
        T::Stream => "Stream",
        T::Stage => "Stage",
        T::SemanticView => "SemanticView",
    }
}

fn constraint_type(c: types::ConstraintType) -> &'static str {
    use types::ConstraintType as C;
    match c {
        C::Unique => "UNIQUE",
        C::PrimaryKey => "PRIMARY_KEY",
        C::ForeignKey => "FOREIGN_KEY",
        C::SortKey => "SORT_KEY",
        C::DistKey => "DIST_KEY",
        C::ClusterKey => "CLUSTER_KEY",
    }
}

fn interval_type(p: types::PartitionIntervalType) -> &'static str {
    use types::PartitionIntervalType as P;
    match p {
        P::TimeUnit => "TIME-UNIT",
        P::IntegerRange => "INTEGER-RANGE",
        P::IngestionTime => "INGESTION-TIME",
        P::ColumnValue => "COLUMN-VALUE",
        P::Injected => "INJECTED",
        P::Enum => "ENUM",
        P::Other => "OTHER",
    }
}

/// OpenMetadata's spelling of each `data-type` case.
fn data_type(t: types::DataType) -> &'static str {
    use types::DataType as D;
    match t {
        D::Number => "NUMBER",
        D::Tinyint => "TINYINT",
        D::Smallint => "SMALLINT",
        D::Int => "INT",
        D::Bigint => "BIGINT",
        D::Byteint => "BYTEINT",
        D::Bytes => "BYTES",
        D::Float => "FLOAT",
        D::Double => "DOUBLE",
        D::Decimal => "DECIMAL",
        D::Numeric => "NUMERIC",
        D::Timestamp => "TIMESTAMP",
        D::Timestampz => "TIMESTAMPZ",
        D::Time => "TIME",
        D::Date => "DATE",
        D::Datetime => "DATETIME",
        D::Interval => "INTERVAL",
        D::String => "STRING",
        D::Mediumtext => "MEDIUMTEXT",
        D::Text => "TEXT",
        D::Char => "CHAR",
        D::Long => "LONG",
        D::Varchar => "VARCHAR",
        D::Boolean => "BOOLEAN",
        D::Binary => "BINARY",
        D::Varbinary => "VARBINARY",
        D::Array => "ARRAY",
        D::Blob => "BLOB",
        D::Longblob => "LONGBLOB",
        D::Mediumblob => "MEDIUMBLOB",
        D::Map => "MAP",
        D::Struct => "STRUCT",
        D::Union => "UNION",
        D::Set => "SET",
        D::Geography => "GEOGRAPHY",
        D::Enum => "ENUM",
        D::Json => "JSON",
        D::Uuid => "UUID",
        D::Variant => "VARIANT",
        D::Geometry => "GEOMETRY",
        D::Bytea => "BYTEA",
        D::Aggregatefunction => "AGGREGATEFUNCTION",
        D::Error => "ERROR",
        D::Fixed => "FIXED",
        D::Record => "RECORD",
        D::Null => "NULL",
        D::Super => "SUPER",
        D::Hllsketch => "HLLSKETCH",
        D::PgLsn => "PG_LSN",
        D::PgSnapshot => "PG_SNAPSHOT",
        D::Tsquery => "TSQUERY",
        D::TxidSnapshot => "TXID_SNAPSHOT",
        D::Xml => "XML",
        D::Macaddr => "MACADDR",
        D::Tsvector => "TSVECTOR",
        D::Unknown => "UNKNOWN",
        D::Cidr => "CIDR",
        D::Inet => "INET",
        D::Clob => "CLOB",
        D::Rowid => "ROWID",
        D::Lowcardinality => "LOWCARDINALITY",
        D::Year => "YEAR",
        D::Point => "POINT",
        D::Polygon => "POLYGON",
        D::Tuple => "TUPLE",
        D::Spatial => "SPATIAL",
        D::Table => "TABLE",
        D::Ntext => "NTEXT",
        D::Image => "IMAGE",
        D::Ipv4 => "IPV4",
        D::Ipv6 => "IPV6",
        D::Datetimerange => "DATETIMERANGE",
        D::Hll => "HLL",
        D::Largeint => "LARGEINT",
        D::QuantileState => "QUANTILE_STATE",
        D::AggState => "AGG_STATE",
        D::Bitmap => "BITMAP",
        D::Uint => "UINT",
        D::Bit => "BIT",
        D::Money => "MONEY",
        D::MeasureHidden => "MEASURE HIDDEN",
        D::MeasureVisible => "MEASURE VISIBLE",
        D::Measure => "MEASURE",
        D::Kpi => "KPI",
        D::Heirarchy => "HEIRARCHY",
        D::Hierarchyid => "HIERARCHYID",
    }
}

fn dashboard(d: types::Dashboard) -> model::Dashboard {
    model::Dashboard {
        name: d.name,
        display_name: d.display_name,
        description: d.description,
        dashboard_type: match d.dashboard_type {
            types::DashboardType::Dashboard => "Dashboard",
            types::DashboardType::Report => "Report",
        },
        source_url: d.source_url,
        project: d.project,
        charts: d.charts,
        data_models: d.data_models,
        owners: d.owners,
    }
}

fn chart(c: types::Chart) -> model::Chart {
    use types::ChartType as C;
    model::Chart {
        name: c.name,
        display_name: c.display_name,
        description: c.description,
        chart_type: match c.chart_type {
            C::Line => "Line",
            C::Table => "Table",
            C::Bar => "Bar",
            C::Area => "Area",
            C::Pie => "Pie",
            C::Histogram => "Histogram",
            C::Scatter => "Scatter",
            C::Text => "Text",
            C::BoxPlot => "BoxPlot",
            C::SanKey => "SanKey",
            C::Gauge => "Gauge",
            C::Map => "Map",
            C::Graph => "Graph",
            C::Heatmap => "Heatmap",
            C::Timeline => "Timeline",
            C::Other => "Other",
        },
        source_url: c.source_url,
    }
}

fn data_model(m: types::DashboardDataModel) -> model::DashboardDataModel {
    use types::DataModelType as T;
    model::DashboardDataModel {
        name: m.name,
        display_name: m.display_name,
        description: m.description,
        data_model_type: match m.data_model_type {
            T::TableauDataModel => "TableauDataModel",
            T::TableauPublishedDatasource => "TableauPublishedDatasource",
            T::TableauEmbeddedDatasource => "TableauEmbeddedDatasource",
            T::SupersetDataModel => "SupersetDataModel",
            T::MetabaseDataModel => "MetabaseDataModel",
            T::ModeDataModel => "ModeDataModel",
            T::LookMlView => "LookMlView",
            T::LookMlExplore => "LookMlExplore",
            T::PowerBiDataModel => "PowerBIDataModel",
            T::QlikDataModel => "QlikDataModel",
            T::QuickSightDataModel => "QuickSightDataModel",
            T::SigmaDataModel => "SigmaDataModel",
            T::PowerBiDataFlow => "PowerBIDataFlow",
            T::PowerBiDatamart => "PowerBIDatamart",
            T::MicroStrategyDataset => "MicroStrategyDataset",
            T::ThoughtSpotDataModel => "ThoughtSpotDataModel",
            T::SapS4HanaCdsView => "SapS4HanaCdsView",
            T::SsrsDataModel => "SsrsDataModel",
            T::OmniDataModel => "OmniDataModel",
        },
        columns: m.columns.into_iter().map(column).collect(),
        sql: m.sql,
        project: m.project,
        source_url: m.source_url,
    }
}
